"""The library's strategy: one answer per question (and per item), for everything
downstream (advice, pacing, KPIs, check-ins, next steps, export, web view).

:func:`library_answers` is the one reading function: nothing downstream reads the
contributions in ``coach.storage.answers`` to decide what the library answered. How a
contribution becomes the library's answer is ``coach.flow.agreement``.
"""

from __future__ import annotations

import json
from typing import Any

from coach.flow.text import fold
from coach.storage import Database, answers, items
from coach.storage import library_answers as store


def library_answers(db: Database, library_id: int, question_id: str) -> list[dict[str, Any]]:
    """The library's current answer to a question, one row per item (oldest first).

    Each row has ``question_id``, ``item_key`` (an opaque stable id for the answers
    about a goal, KPI or tactic; "" otherwise), ``item_text`` (that goal's, KPI's or
    tactic's current text), ``value``, ``items`` (for a list whose entries other
    questions are about: each entry's item key), ``author_name`` (whose contribution it
    is), ``how`` and ``provisional`` (a colleague's answer the coordinator has not
    decided on yet)."""
    rows = store.current(db, library_id, question_id)
    if any(r["item_key"] for r in rows):
        texts = items.texts(db, library_id)
        for r in rows:
            r["item_text"] = texts.get(r["item_key"], r["item_key"])
    else:
        for r in rows:
            r["item_text"] = ""
    return rows


def library_value(db: Database, library_id: int, question_id: str, item_key: str = "") -> Any:
    """The library's answer to one question (and item), or None."""
    rows = [r for r in library_answers(db, library_id, question_id) if r["item_key"] == item_key]
    return rows[0]["value"] if rows else None


def library_entries(db: Database, library_id: int, question_id: str) -> list[tuple[str, str]]:
    """(item key, text) of each entry of the library's list answer(s) to a question
    whose entries other questions are asked about, in order, without repeats."""
    found: dict[str, str] = {}
    for row in library_answers(db, library_id, question_id):
        keys = row["items"] or []
        for key, text in zip(keys, row["value"] or [], strict=False):
            found.setdefault(key, str(text))
    return list(found.items())


def normal_form(value: Any) -> Any:
    """What :func:`same_value` compares: case, accents and spacing aside; lists as sets."""
    if isinstance(value, list):
        return sorted({normal_form(x) for x in value}, key=str)
    if isinstance(value, str):
        return " ".join(fold(value).split())
    if isinstance(value, dict):
        return json.dumps(value, sort_keys=True)
    return value


def same_value(a: Any, b: Any) -> bool:
    """Two answers say the same (case, accents and spacing aside; lists as sets)."""
    return normal_form(a) == normal_form(b)


def undecided(db: Database, library_id: int, question_id: str, item_key: str = "") -> bool:
    """Colleagues answered the question but the library has no answer yet."""
    return not [r for r in library_answers(db, library_id, question_id)
                if r["item_key"] == item_key] and any(
        r["status"] == "answered" and r["item_key"] == item_key
        for r in answers.current_answers(db, library_id, question_id))


def open_decisions(db: Database, library_id: int) -> list[dict[str, Any]]:
    """Questions the coordinator still has to decide on, in the order they were given:
    a provisional library answer, or contributions that differ from the library's
    answer and were not decided on. Each row has ``question_id``, ``item_key``,
    ``item_text``, ``library`` (the library answer row or None), ``contributions``
    (the differing contributions) and ``names`` (who gave them)."""
    library = {(r["question_id"], r["item_key"]): r for r in store.current(db, library_id)}
    texts = items.texts(db, library_id)
    agreed = {key: normal_form(r["value"]) for key, r in library.items() if not r["provisional"]}
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for row in answers.current_answers(db, library_id):
        key = (row["question_id"], row["item_key"])
        current = library.get(key)
        if row["status"] != "answered" or row["reviewed_at"]:
            continue
        if current and (current["source_answer_id"] == row["id"]
                        or (key in agreed and agreed[key] == normal_form(row["value"]))):
            continue
        found.setdefault(key, {"question_id": key[0], "item_key": key[1],
                               "item_text": texts.get(key[1], key[1]), "library": current,
                               "contributions": [], "names": []})
        found[key]["contributions"].append(row)
        found[key]["names"].append(row["author_name"])
    for key, current in library.items():
        if current["provisional"] and key not in found:
            found[key] = {"question_id": key[0], "item_key": key[1],
                          "item_text": texts.get(key[1], key[1]), "library": current,
                          "contributions": [], "names": [current["author_name"]]}
    return list(found.values())
