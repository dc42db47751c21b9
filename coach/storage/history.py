"""Every version of a library's answers, superseded ones too: the strategy document's
appendix (history) and its version number read them here."""

from __future__ import annotations

import json
from typing import Any

from sqlite_utils import Database

from coach.storage.sql import rows


def answer_history(db: Database, library_id: int) -> list[dict[str, Any]]:
    """All versions of all answers of the library (current and superseded), oldest
    first, with ``value`` decoded and ``item_key`` as the text of the goal, KPI or
    tactic it is about (the document names them by their words)."""
    found = rows(db, "select id, question_id, item_key, author_id, author_name, status,"
                     " value, created_at, superseded_at from answers where library_id = ?"
                     " order by id", [library_id])
    texts = {f"i{r['id']}": r["text"]
             for r in rows(db, "select id, text from items where library_id = ?", [library_id])}
    for row in found:
        row["value"] = json.loads(row["value"]) if row["value"] else None
        row["item_key"] = texts.get(row["item_key"], row["item_key"])
    return found
