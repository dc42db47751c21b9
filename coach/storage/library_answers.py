"""The ``library_answers`` table: the library's own answer to each question (and item),
beside the contributions in ``answers``.

A new library answer supersedes the current one (``superseded_at``); every version is
kept, with whose contribution it came from (``source_answer_id``, ``author_*``), who
decided (``decided_by*``) and how (``how``: "own", "provisional", "adopted",
"edited", "merged", "majority", "migrated"). For a list answer whose items other
questions are asked about, ``items`` holds the stable item key of each entry.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlite_utils import Database

from coach.storage.sql import insert, iso, rows, write


def set_library_answer(
    db: Database,
    *,
    library_id: int,
    question_id: str,
    item_key: str,
    value: Any,
    source: dict[str, Any] | None,
    decided_by: dict[str, Any] | None,
    how: str,
    provisional: bool,
    now: datetime,
    items: list[str] | None = None,
) -> int:
    """Make ``value`` the library's answer; the previous one stays as history.
    ``source``: the contribution (an ``answers`` row) it came from, if any."""
    write(
        db,
        "update library_answers set superseded_at = ? where library_id = ? and"
        " question_id = ? and item_key = ? and superseded_at is null",
        [iso(now), library_id, question_id, item_key],
    )
    return insert(db, "library_answers", {
        "library_id": library_id, "question_id": question_id, "item_key": item_key,
        "value": json.dumps(value, ensure_ascii=False),
        "items": json.dumps(items) if items is not None else None,
        "provisional": int(provisional),
        "source_answer_id": source["id"] if source else None,
        "author_id": source["author_id"] if source else (decided_by or {}).get("id"),
        "author_name": source["author_name"] if source else (decided_by or {}).get("name"),
        "decided_by": (decided_by or {}).get("id"),
        "decided_by_name": (decided_by or {}).get("name"),
        "how": how, "created_at": iso(now), "superseded_at": None,
    })


def clear_library_answer(db: Database, library_id: int, question_id: str, item_key: str,
                         now: datetime) -> None:
    """The question has no library answer any more (its history stays)."""
    write(db, "update library_answers set superseded_at = ? where library_id = ? and"
              " question_id = ? and item_key = ? and superseded_at is null",
          [iso(now), library_id, question_id, item_key])


def _decode(row: dict[str, Any]) -> dict[str, Any]:
    row = dict(row)
    row["value"] = json.loads(row["value"]) if row["value"] else None
    row["items"] = json.loads(row["items"]) if row["items"] else None
    row["provisional"] = bool(row["provisional"])
    return row


def current(db: Database, library_id: int, question_id: str | None = None
            ) -> list[dict[str, Any]]:
    """The library's current answers (to one question), oldest first, each with the
    ``feedback`` its contribution was kept despite (``answers.feedback``)."""
    sql = ("select l.*, a.feedback from library_answers l left join answers a"
           " on a.id = l.source_answer_id where l.library_id = ? and l.superseded_at is null")
    params: list[Any] = [library_id]
    if question_id is not None:
        sql += " and l.question_id = ?"
        params.append(question_id)
    return [_decode(r) for r in rows(db, sql + " order by l.id", params)]


def history(db: Database, library_id: int, question_id: str, item_key: str = ""
            ) -> list[dict[str, Any]]:
    """Every version of the library's answer to a question and item, oldest first."""
    return [_decode(r) for r in rows(
        db, "select * from library_answers where library_id = ? and question_id = ? and"
            " item_key = ? order by id", [library_id, question_id, item_key])]


def all_history(db: Database, library_id: int) -> list[dict[str, Any]]:
    """Every version of every library answer, oldest first (the export's appendix)."""
    return [_decode(r) for r in rows(
        db, "select * from library_answers where library_id = ? order by id", [library_id])]
