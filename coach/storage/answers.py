"""The ``answers`` table: every version of every answer, with its author.

A new answer supersedes the author's previous one for the same question and item
(``superseded_at``); the earlier versions stay.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlite_utils import Database

from coach.storage.sql import insert, iso, rows, write


def save_answer(
    db: Database,
    *,
    library_id: int,
    question_id: str,
    item_key: str,
    author: dict[str, Any],
    status: str,
    value: Any,
    now: datetime,
    feedback: str | None = None,
    agrees_with: int | None = None,
) -> int:
    """Store a new version of this author's answer; the previous one is kept, superseded.
    ``feedback``: the weakness the coach pointed out and the author kept anyway."""
    write(
        db,
        "update answers set superseded_at = ? where library_id = ? and question_id = ?"
        " and item_key = ? and author_id = ? and superseded_at is null",
        [iso(now), library_id, question_id, item_key, author["id"]],
    )
    return insert(
        db,
        "answers",
        {
            "library_id": library_id,
            "question_id": question_id,
            "item_key": item_key,
            "author_id": author["id"],
            "author_name": author["name"],
            "status": status,
            "value": json.dumps(value, ensure_ascii=False),
            "created_at": iso(now),
            "superseded_at": None,
            "feedback": feedback,
            "agrees_with": agrees_with,
        },
    )


def _decode(row: dict[str, Any]) -> dict[str, Any]:
    row = dict(row)
    row["value"] = json.loads(row["value"]) if row["value"] else None
    return row


def current_answers(
    db: Database, library_id: int, question_id: str | None = None
) -> list[dict[str, Any]]:
    """Every current (not superseded) answer of the library, oldest first."""
    sql = "select * from answers where library_id = ? and superseded_at is null"
    params: list[Any] = [library_id]
    if question_id is not None:
        sql += " and question_id = ?"
        params.append(question_id)
    return [_decode(r) for r in rows(db, sql + " order by id", params)]


def my_answer(
    db: Database, library_id: int, user_id: str, question_id: str, item_key: str
) -> dict[str, Any] | None:
    found = rows(
        db,
        "select * from answers where library_id = ? and author_id = ? and question_id = ?"
        " and item_key = ? and superseded_at is null",
        [library_id, user_id, question_id, item_key],
    )
    return _decode(found[0]) if found else None


def answered_positions(
    db: Database, library_id: int, user_id: str
) -> dict[tuple[str, str], str]:
    """(question id, item key) → status, for this user's current answers."""
    return {
        (r["question_id"], r["item_key"]): r["status"]
        for r in rows(
            db,
            "select question_id, item_key, status from answers where library_id = ?"
            " and author_id = ? and superseded_at is null",
            [library_id, user_id],
        )
    }


def answered_positions_by_author(
    db: Database, library_id: int
) -> dict[str, dict[tuple[str, str], str]]:
    """Author id → (question id, item key) → status, for every current answer of the
    library (:func:`answered_positions` of every author at once)."""
    out: dict[str, dict[tuple[str, str], str]] = {}
    for r in rows(
        db,
        "select author_id, question_id, item_key, status from answers where library_id = ?"
        " and superseded_at is null",
        [library_id],
    ):
        out.setdefault(r["author_id"], {})[(r["question_id"], r["item_key"])] = r["status"]
    return out


def get_answer(db: Database, library_id: int, answer_id: int) -> dict[str, Any] | None:
    """One contribution of this library (None for another library's or a missing id)."""
    found = rows(db, "select * from answers where id = ? and library_id = ?",
                 [answer_id, library_id])
    return _decode(found[0]) if found else None


def mark_reviewed(db: Database, library_id: int, question_id: str, item_key: str,
                  now: datetime) -> None:
    """The coordinator decided on every current contribution to this question."""
    write(db, "update answers set reviewed_at = ? where library_id = ? and question_id = ?"
              " and item_key = ? and superseded_at is null and reviewed_at is null",
          [iso(now), library_id, question_id, item_key])


def contributed_since(db: Database, library_id: int, since: str, but: str
                      ) -> list[dict[str, Any]]:
    """Answers given after ``since`` by anyone but ``but`` (the digest), oldest first."""
    return [_decode(r) for r in rows(
        db, "select * from answers where library_id = ? and created_at > ? and"
            " author_id != ? and status = 'answered' order by id", [library_id, since, but])]
