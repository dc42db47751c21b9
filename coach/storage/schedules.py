"""The ``library_schedules`` and ``member_schedules`` tables, and the scan for who is due.

A library's schedule is one row per library (weekday, "HH:MM", time zone); a member's
row holds their own day and time (NULL: the library's), a pause and a stop. The rows
returned here are raw; ``coach.features.checkins.due`` turns them into schedules.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlite_utils import Database

from coach.storage.sql import iso

# One row per member: the member's own schedule and their library's, side by side.
_MEMBER_SQL = """
select u.id, u.library_id, u.created_at as user_created, l.created_at as library_created,
       ls.weekday as lib_weekday, ls.at as lib_at, ls.tz as lib_tz, ls.since as lib_since,
       ms.weekday as own_weekday, ms.at as own_at, ms.since as own_since,
       ms.paused_until, coalesce(ms.stopped, 0) as stopped
from users u
join libraries l on l.id = u.library_id
left join library_schedules ls on ls.library_id = u.library_id
left join member_schedules ms on ms.user_id = u.id
"""


def schedule_row(db: Database, user_id: str) -> dict[str, Any] | None:
    """The member's schedule row (own and library's columns); None outside a library."""
    rows = list(db.query(_MEMBER_SQL + " where u.id = ?", [user_id]))
    return rows[0] if rows else None


def time_zones(db: Database) -> set[str]:
    """The time zones the libraries' schedules were set in."""
    return {r[0] for r in db.execute(
        "select distinct tz from library_schedules where tz is not null")}


def due_rows(
    db: Database,
    *,
    weeks: list[str],
    default_weekday: int,
    latest_weekday: int,
    prefix: str | None,
    after: str,
    page: int,
) -> list[dict[str, Any]]:
    """One page (``page`` rows, user id order, ids after ``after``) of the schedule rows
    of members who may be due: not stopped, active, whose weekday (their own, else the
    library's, else ``default_weekday``) is at most ``latest_weekday``, with no check-in
    in any of ``weeks`` yet; ``prefix`` ("tg:") keeps only user ids of one adapter."""
    marks = ",".join("?" * len(weeks))
    sql = (
        _MEMBER_SQL
        + " where coalesce(ms.stopped, 0) = 0 and coalesce(u.active, 1) = 1"
        " and coalesce(case when ms.at is not null then ms.weekday end, ls.weekday, ?) <= ?"
        f" and not exists (select 1 from checkins c where c.user_id = u.id"
        f" and c.iso_week in ({marks})) and u.id like ? and u.id > ? order by u.id limit ?"
    )
    return list(db.query(sql, [default_weekday, latest_weekday, *weeks,
                               f"{prefix or ''}%", after, page]))


def get_library_schedule(db: Database, library_id: int) -> dict[str, Any] | None:
    rows = list(db.query("select * from library_schedules where library_id = ?", [library_id]))
    return rows[0] if rows else None


def set_library_schedule(
    db: Database, library_id: int, *, weekday: int, at: str, tz: str, user_id: str,
    now: datetime,
) -> None:
    """The library's check-in day and time ("HH:MM" in ``tz``), set by ``user_id`` now."""
    db["library_schedules"].upsert(
        {"library_id": library_id, "weekday": weekday, "at": at, "tz": tz, "since": iso(now),
         "updated_by": user_id}, pk="library_id")


def save_member_schedule(db: Database, user_id: str, now: datetime, **fields: Any) -> None:
    """Change columns of the member's schedule row (made when they have none yet)."""
    table = db["member_schedules"]
    row = {"user_id": user_id, "updated_at": iso(now), **fields}
    if list(db.query("select 1 from member_schedules where user_id = ?", [user_id])):
        table.update(user_id, row)
    else:
        table.insert({"stopped": 0, **row})
