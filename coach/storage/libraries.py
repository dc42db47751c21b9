"""The ``libraries`` table: a library and its settings."""

from __future__ import annotations

import json
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


def all_libraries(db: Database) -> list[dict[str, Any]]:
    """Every library, by id."""
    return list(db.query("select * from libraries order by id"))


def setting(db: Database, library_id: int, key: str, default: Any) -> Any:
    """One of the library's settings (``libraries.settings``, JSON), else ``default``."""
    library = get_library(db, library_id) or {}
    try:
        return json.loads(library.get("settings") or "{}").get(key, default)
    except ValueError:
        return default


def set_setting(db: Database, library_id: int, key: str, value: Any) -> None:
    library = get_library(db, library_id)
    settings = json.loads(library.get("settings") or "{}")
    settings[key] = value
    db["libraries"].update(library_id, {"settings": json.dumps(settings)})
