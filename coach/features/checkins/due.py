"""Who is due for a weekly check-in: schedules per library and member, in SQLite.

A library checks in weekly (default Monday 09:30 in ``COACH_TZ``, Europe/Amsterdam); a
member may choose their own day and time, pause until a date or stop. The local
wall-clock time is kept across daylight-saving changes (``coach.core.calendar``). There is
no job per user: one periodic job asks :func:`iter_due_checkins` what is due, and
:func:`claim` records a member's check-in of the week (see coach/checkins.py for why
that makes check-ins at most once).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from coach.core.calendar import check_in_due, iso_week
from coach.storage.sql import iso

if TYPE_CHECKING:
    import sqlite_utils

    from coach.core.engine import Coach

DEFAULT_WEEKDAY, DEFAULT_AT = 0, time(9, 30)


@dataclass(frozen=True)
class Schedule:
    weekday: int
    at: time
    tz: str
    since: datetime | None  # no slot before this moment counts
    own: bool  # the member chose their own day and time
    paused_until: date | None
    stopped: bool


def default_tz(coach: Coach) -> str:
    """The time zone of schedules without one of their own: the coach's (COACH_TZ)."""
    return coach.tz


def parse_at(text: str | None) -> time | None:
    if not text:
        return None
    hours, _, minutes = text.partition(":")
    return time(int(hours), int(minutes or 0))


def _moment(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def _schedule(row: dict[str, Any], tz: str) -> Schedule:
    """The schedule of one member from a row of the query in :func:`_member_rows`."""
    tz = row.get("lib_tz") or tz
    own = row.get("own_weekday") is not None and row.get("own_at") is not None
    if own:
        weekday, at, since = row["own_weekday"], parse_at(row["own_at"]), row.get("own_since")
    elif row.get("lib_weekday") is not None:
        weekday, at, since = row["lib_weekday"], parse_at(row["lib_at"]), row.get("lib_since")
    else:
        weekday, at, since = DEFAULT_WEEKDAY, DEFAULT_AT, None
    # a slot before the member's last change of schedule (or before they or the library
    # existed) never fires: choosing "Monday" on a Wednesday waits for next Monday
    moments = [m for m in (_moment(since), _moment(row.get("own_since")),
                           _moment(row.get("user_created")),
                           _moment(row.get("library_created"))) if m]
    paused = row.get("paused_until")
    return Schedule(weekday=weekday, at=at or DEFAULT_AT, tz=tz,
                    since=max(moments) if moments else None, own=own,
                    paused_until=date.fromisoformat(paused) if paused else None,
                    stopped=bool(row.get("stopped")))


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


def member_schedule(coach: Coach, user_id: str) -> Schedule | None:
    rows = list(coach.db.query(_MEMBER_SQL + " where u.id = ?", [user_id]))
    return _schedule(rows[0], default_tz(coach)) if rows else None


def local_today(now: datetime, tz: str) -> date:
    return now.astimezone(ZoneInfo(tz)).date()


def is_paused(schedule: Schedule, now: datetime) -> bool:
    return bool(schedule.paused_until and local_today(now, schedule.tz) < schedule.paused_until)


def due_checkins(coach: Coach, now: datetime, prefix: str | None = None) -> list[str]:
    """The users whose check-in is due now: this local ISO week's slot has passed (also
    while the bot was down, within the same week), it was not claimed yet, the user is
    active, in a library, not paused and not stopped. ``prefix`` ("tg:") keeps only
    users of one adapter. Uses the database only."""
    return list(iter_due_checkins(coach, now, prefix))


def iter_due_checkins(
    coach: Coach, now: datetime, prefix: str | None = None, page: int = 500
) -> Iterator[str]:
    """:func:`due_checkins`, read a page of members at a time (in user id order), so a
    big first run of the week never holds the event loop for long."""
    tz = default_tz(coach)
    zones = {tz} | {r[0] for r in coach.db.execute(
        "select distinct tz from library_schedules where tz is not null")}
    weeks = sorted({iso_week(now, zone) for zone in zones})
    latest_weekday = max(local_today(now, zone).weekday() for zone in zones)
    # SQL narrows the scan to members whose day has come this week and who have no
    # check-in this week yet, so the minute-by-minute look stays small at scale;
    # Python then decides exactly (time of day, pauses, schedule changes).
    marks = ",".join("?" * len(weeks))
    sql = (
        _MEMBER_SQL
        + " where coalesce(ms.stopped, 0) = 0 and coalesce(u.active, 1) = 1"
        " and coalesce(case when ms.at is not null then ms.weekday end, ls.weekday, ?) <= ?"
        f" and not exists (select 1 from checkins c where c.user_id = u.id"
        f" and c.iso_week in ({marks})) and u.id like ? and u.id > ? order by u.id limit ?"
    )
    after = ""
    while True:
        rows = list(coach.db.query(sql, [DEFAULT_WEEKDAY, latest_weekday, *weeks,
                                         f"{prefix or ''}%", after, page]))
        for row in rows:
            schedule = _schedule(row, tz)
            if not is_paused(schedule, now) and check_in_due(
                schedule.weekday, schedule.at, schedule.tz, now, None, schedule.since
            ):
                yield row["id"]
        if len(rows) < page:
            return
        after = rows[-1]["id"]


def claim(coach: Coach, user: dict[str, Any], week: str, now: datetime, source: str) -> bool:
    """Insert the (user, week) row; False when it was there already."""
    cursor = coach.db.execute(
        "insert or ignore into checkins (user_id, library_id, iso_week, source, claimed_at)"
        " values (?, ?, ?, ?, ?)",
        [user["id"], user["library_id"], week, source, iso(now)],
    )
    return cursor.rowcount == 1


def mark_unreachable(coach: Coach, user_id: str) -> None:
    """The user blocked the bot: no more check-ins until they write to it again."""
    with coach.db.atomic():
        coach.db.execute(
            "update users set active = 0, unreachable_at = ? where id = ?",
            [iso(coach.clock()), user_id],
        )


def library_schedule(db: sqlite_utils.Database, library_id: int) -> tuple[int, time]:
    """The library's check-in day and time (the default when it never set one)."""
    rows = list(db.query("select * from library_schedules where library_id = ?", [library_id]))
    if not rows:
        return DEFAULT_WEEKDAY, DEFAULT_AT
    return rows[0]["weekday"], parse_at(rows[0]["at"]) or DEFAULT_AT

