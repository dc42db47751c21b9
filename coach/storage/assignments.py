"""The ``assignments`` table: which steps the coordinator asked a colleague to answer."""

from __future__ import annotations

from datetime import datetime

from sqlite_utils import Database

from coach.storage.sql import insert, iso, rows, write


def assigned_steps(db: Database, library_id: int, user_id: str) -> list[str]:
    return [r["step_id"] for r in rows(
        db, "select step_id from assignments where library_id = ? and user_id = ?"
            " order by rowid", [library_id, user_id])]


def all_assignments(db: Database, library_id: int) -> dict[str, list[str]]:
    """User id → the steps assigned to them."""
    found: dict[str, list[str]] = {}
    for r in rows(db, "select user_id, step_id from assignments where library_id = ?"
                      " order by rowid", [library_id]):
        found.setdefault(r["user_id"], []).append(r["step_id"])
    return found


def assign(db: Database, library_id: int, user_id: str, steps: list[str], by: str,
           now: datetime) -> None:
    """Replace the steps assigned to ``user_id`` by ``steps``."""
    write(db, "delete from assignments where library_id = ? and user_id = ?",
          [library_id, user_id])
    for step_id in steps:
        insert(db, "assignments", {"library_id": library_id, "user_id": user_id,
                                   "step_id": step_id, "created_by": by,
                                   "created_at": iso(now)})
