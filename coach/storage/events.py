"""The ``processed_events`` and ``group_notices`` tables: what was handled already."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlite_utils import Database

from coach.storage.sql import insert, iso, rows


def seen_event(db: Database, event_id: str, now: datetime) -> bool:
    """True if the event was handled before; otherwise remember it."""
    if rows(db, "select 1 from processed_events where event_id = ?", [event_id]):
        return True
    insert(db, "processed_events", {"event_id": event_id, "at": iso(now)})
    return False


def prune_events(db: Database, now: datetime, keep: timedelta) -> None:
    """Forget the events handled more than ``keep`` ago."""
    db.execute("delete from processed_events where at < ?", [iso(now - keep)])


def first_group_notice(db: Database, chat_id: str, now: datetime) -> bool:
    """True the first time for this group chat (and remember it), False after."""
    if list(db.query("select 1 from group_notices where chat_id = ?", [chat_id])):
        return False
    db["group_notices"].insert({"chat_id": chat_id, "at": iso(now)})
    return True
