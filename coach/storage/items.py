"""The ``items`` table: stable identities for the entries of list answers that other
questions are asked about (social-media goals, KPIs, tactics).

An item's key (``"i<id>"``) stays when its text is reworded, so the KPIs of a goal and
the measurements of a KPI follow it. A removed item keeps its row (``removed_at``) and
everything that refers to it: naming it again brings it back.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlite_utils import Database

from coach.storage.sql import insert, iso, rows, write


def key_of(item_id: int) -> str:
    return f"i{item_id}"


def items_of(db: Database, library_id: int, question_id: str) -> list[dict[str, Any]]:
    """Every item of a list question in the library, removed ones included, oldest first."""
    found = rows(db, "select * from items where library_id = ? and question_id = ?"
                     " order by id", [library_id, question_id])
    return [{**r, "key": key_of(r["id"])} for r in found]


def create_item(db: Database, library_id: int, question_id: str, text: str,
                now: datetime) -> str:
    return key_of(insert(db, "items", {"library_id": library_id, "question_id": question_id,
                                       "text": text, "created_at": iso(now),
                                       "removed_at": None}))


def set_text(db: Database, key: str, text: str) -> None:
    """Reword an item (and bring it back if it was removed)."""
    write(db, "update items set text = ?, removed_at = null where id = ?", [text, int(key[1:])])


def remove_item(db: Database, key: str, now: datetime) -> None:
    write(db, "update items set removed_at = ? where id = ? and removed_at is null",
          [iso(now), int(key[1:])])


def texts(db: Database, library_id: int) -> dict[str, str]:
    """Item key → its current text, for every item of the library."""
    return {key_of(r["id"]): r["text"]
            for r in rows(db, "select id, text from items where library_id = ?", [library_id])}


def dependents(db: Database, library_id: int, key: str) -> dict[str, int]:
    """What refers to an item: answers about it (per question) and measurements."""
    found: dict[str, int] = {}
    for r in rows(db, "select question_id, count(*) as n from library_answers where"
                      " library_id = ? and item_key = ? and superseded_at is null"
                      " group by question_id", [library_id, key]):
        found[r["question_id"]] = r["n"]
    measured = rows(db, "select count(*) as n from measurements where library_id = ? and"
                        " kpi = ? and superseded_at is null", [library_id, key])
    if measured and measured[0]["n"]:
        found["measurements"] = measured[0]["n"]
    return found
