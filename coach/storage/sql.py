"""The small helpers every storage module shares.

Functions in storage never commit on their own inside a transaction: the engine wraps
each event in one (``coach.storage.db.transaction``), so one event's changes land
together or not at all.

sqlite-utils defines and migrates the schema; the queries on the per-message path use
the connection directly (``rows``, ``write``, ``insert``), which skips sqlite-utils'
per-call bookkeeping (table look-ups, savepoints) that cost more than the queries.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlite_utils import Database


def iso(moment: datetime) -> str:
    """A moment as it is stored: ISO 8601 to the second, with its UTC offset."""
    return moment.isoformat(timespec="seconds")


def rows(db: Database, sql: str, params: Any = ()) -> list[dict[str, Any]]:
    cursor = db.conn.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def write(db: Database, sql: str, params: Any = ()) -> int:
    """Run one write; commits it unless a transaction is open. Returns the last row id."""
    opened = not db.conn.in_transaction
    cursor = db.conn.execute(sql, params)
    if opened and db.conn.in_transaction:
        db.conn.execute("COMMIT")
    return cursor.lastrowid or 0


def insert(db: Database, table: str, row: dict[str, Any]) -> int:
    columns = ", ".join(f"[{c}]" for c in row)
    marks = ", ".join("?" * len(row))
    return write(db, f"insert into [{table}] ({columns}) values ({marks})", list(row.values()))
