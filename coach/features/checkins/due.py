"""Who is due for a weekly check-in: schedules per library and member.

Schedules
    A library checks in weekly (default Monday 09:30 in ``COACH_TZ``, Europe/Amsterdam);
    a coordinator changes that in /settings. A member may choose their own day and
    time, pause until a date (check-ins resume *on* that date) or stop check-ins. The
    local wall-clock time is kept across daylight-saving changes (``coach.core.calendar``).
    There is no job per user: one periodic job asks :func:`iter_due_checkins` what is due.

At most once per member per week
    ``checkins`` has a UNIQUE (user_id, iso_week) row. The scheduled path claims it
    (``coach.storage.checkins.claim``) in its own committed transaction right before
    the first message is built and sent; a claimed row is never sent again, also not
    after a kill in the middle of a batch. If the process dies in the tiny window
    between the claim and Telegram accepting the message, that member misses one
    weekly check-in (they can still type /checkin). We chose this over at-least-once
    because a missed nudge costs little while a duplicate one annoys, and a duplicate
    cannot be ruled out anyway (Telegram may accept a message whose response we never
    see). Catch-up: a slot that passed while the bot was down is sent once when it
    runs again, within the same local ISO week; earlier weeks are never caught up. A
    user marked unreachable is reachable again as soon as they write to the bot.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from coach.core.calendar import check_in_due, iso_week
from coach.storage import schedules

if TYPE_CHECKING:
    from coach.core.engine import Coach
    from coach.storage import Database

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
    """The schedule of one member from a row of ``coach.storage.schedules``."""
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


def member_schedule(coach: Coach, user_id: str) -> Schedule | None:
    row = schedules.schedule_row(coach.db, user_id)
    return _schedule(row, default_tz(coach)) if row else None


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
    zones = {tz} | schedules.time_zones(coach.db)
    weeks = sorted({iso_week(now, zone) for zone in zones})
    latest_weekday = max(local_today(now, zone).weekday() for zone in zones)
    # SQL narrows the scan to members whose day has come this week and who have no
    # check-in this week yet, so the minute-by-minute look stays small at scale;
    # Python then decides exactly (time of day, pauses, schedule changes).
    after = ""
    while True:
        rows = schedules.due_rows(coach.db, weeks=weeks, default_weekday=DEFAULT_WEEKDAY,
                                  latest_weekday=latest_weekday, prefix=prefix, after=after,
                                  page=page)
        for row in rows:
            schedule = _schedule(row, tz)
            if not is_paused(schedule, now) and check_in_due(
                schedule.weekday, schedule.at, schedule.tz, now, None, schedule.since
            ):
                yield row["id"]
        if len(rows) < page:
            return
        after = rows[-1]["id"]


def library_schedule(db: Database, library_id: int) -> tuple[int, time]:
    """The library's check-in day and time (the default when it never set one)."""
    row = schedules.get_library_schedule(db, library_id)
    if row is None:
        return DEFAULT_WEEKDAY, DEFAULT_AT
    return row["weekday"], parse_at(row["at"]) or DEFAULT_AT
