"""The ``libraries`` table: a library and its settings."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlite_utils import Database

from coach.storage.sql import insert, iso, rows


def create_library(db: Database, name: str, user_id: str, now: datetime) -> int:
    return insert(
        db,
        "libraries",
        {"name": name, "created_at": iso(now), "created_by": user_id, "settings": "{}"},
    )


def get_library(db: Database, library_id: int | None) -> dict[str, Any] | None:
    if library_id is None:
        return None
    found = rows(db, "select * from libraries where id = ?", [library_id])
    return found[0] if found else None
