"""The check-in section of /settings: own day and time, pauses, stopping, and the
library's schedule for coordinators (mode ``checkin_set`` while a value is typed)."""

from __future__ import annotations

import re
from datetime import date, time, timedelta
from typing import TYPE_CHECKING, Any

from coach.core.calendar import format_time, parse_time, parse_weekday, weekday_name
from coach.core.events import Reply
from coach.core.texts import markup
from coach.features.checkins.conversation import SET_MODE, STOP_WORDS
from coach.features.checkins.due import (
    default_tz,
    is_paused,
    library_schedule,
    local_today,
    member_schedule,
)
from coach.features.checkins.formatting import local_date
from coach.flow.matching import navigation_word, word_in
from coach.flow.text import alternation, fold, longest_first
from coach.flow.vocabulary import load_vocabulary, words
from coach.storage import schedules
from coach.storage.sql import iso

if TYPE_CHECKING:
    from coach.core.turn import Turn

MAX_PAUSE = timedelta(days=366)


def settings_section(turn: Turn) -> list[Reply]:
    if not turn.library_id:
        return []
    return [_settings_reply(turn)]


def _settings_reply(turn: Turn, notice: str = "") -> Reply:
    s = member_schedule(turn.coach, turn.user["id"])
    coordinator = turn.user["role"] == "coordinator"
    library = library_schedule(turn.db, turn.library_id)
    rows = [[turn.button("checkins.label_own_time", "cs:own")]]
    if s.own:
        rows[0].append(turn.button("checkins.label_library_time", "cs:reset"))
    paused = is_paused(s, turn.now)
    rows.append([turn.button("checkins.label_resume", "cs:resume") if paused
                 else turn.button("checkins.label_pause", "cs:pause"),
                 turn.button("checkins.label_start", "cs:start") if s.stopped
                 else turn.button("checkins.label_stop_all", "cs:stop")])
    if coordinator:
        rows.append([turn.button("checkins.label_set_library", "cs:library")])
    return turn.say(
        "checkins.settings", choices=rows, notice=markup(notice),
        day=weekday_name(s.weekday, turn.lang), time=format_time(s.at), own=s.own,
        paused_until=local_date(turn, s.paused_until) if paused else "", stopped=s.stopped,
        coordinator=coordinator, library_day=weekday_name(library[0], turn.lang),
        library_time=format_time(library[1]),
    )


def _member_row(turn: Turn, **fields: Any) -> None:
    schedules.save_member_schedule(turn.db, turn.user["id"], turn.now, **fields)


def press_settings(turn: Turn, action: str) -> list[Reply]:
    """Buttons of the /settings check-in section: ``cs:<action>``."""
    if action in ("own", "library", "pause"):
        if action == "library" and turn.user["role"] != "coordinator":
            return [turn.say("notices.coordinator_only")]
        turn.detour(SET_MODE, nested=True, checkin_set={"what": action})
        return [_ask_setting(turn, action)]
    if action == "reset":
        _member_row(turn, weekday=None, at=None, since=iso(turn.now))
        return [_settings_reply(turn, turn.t("checkins.set_saved"))]
    if action == "resume":
        _member_row(turn, paused_until=None)
        return [_settings_reply(turn, turn.t("checkins.set_saved"))]
    if action in ("stop", "start"):
        _member_row(turn, stopped=int(action == "stop"))
        return [_settings_reply(turn, turn.t("checkins.set_saved"))]
    if action == "cancel":
        if turn.user["mode"] == SET_MODE:
            turn.come_back()
        return [_settings_reply(turn)]
    return [turn.say("checkins.stale_button"), *turn.where_you_are()]


def _ask_setting(turn: Turn, what: str, notice: str = "") -> Reply:
    choices = [[turn.button("checkins.label_cancel", "cs:cancel")]]
    return turn.say("checkins.ask_setting", choices=choices, what=what, notice=markup(notice))


def parse_day_and_time(text: str, lang: str = "nl") -> tuple[int | None, time | None] | None:
    """"dinsdag 10:00", "di 10u", "10:00", "vrijdag" → (weekday or None, time or None);
    None when it is neither."""
    words = text.replace(",", " ").split()
    if not words:
        return None
    for cut in range(1, len(words) + 1):
        head = " ".join(words[:cut])
        day = None if any(ch.isdigit() for ch in head) else parse_weekday(head, lang)
        if day is not None:
            rest = " ".join(words[cut:])
            if not rest:
                return day, None
            at = parse_time(rest)
            if at is not None:
                return day, at
    at = parse_time(text)
    return (None, at) if at is not None else None


def _units(key: str) -> tuple[str, ...]:
    return longest_first(fold(w) for w in words(key))


# month names and short forms of every language (flows/<lang>/vocabulary.yaml): 1-12
_MONTHS = {form: n + 1 for form, n in load_vocabulary().index("months", fold).items()}
_DAYS, _WEEKS = _units("durations.days"), _units("durations.weeks")
_DURATION = re.compile(rf"(\d{{1,2}})\s*({alternation(_WEEKS + _DAYS)})")


def parse_date(text: str, today: date) -> date | None:
    """"2027-01-05", "5-1", "5/1/2027", "5 januari", "5 jan 2027", "3 weken", "2 weeks",
    "10 dagen" → a date after ``today`` (a day-month without year that has passed this
    year means next year); None when unreadable."""
    t = " ".join(fold(text).replace(".", " ").split())
    found = _DURATION.fullmatch(t)
    if found:
        n = int(found.group(1))
        return today + (timedelta(weeks=n) if found.group(2) in _WEEKS else timedelta(days=n))
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", t):
            return date.fromisoformat(t)
        found = re.fullmatch(r"(\d{1,2})[-/](\d{1,2})(?:[-/](\d{2}|\d{4}))?", t) or \
            re.fullmatch(r"(\d{1,2}) ([a-z]+)(?: (\d{4}))?", t)
        if not found:
            return None
        day, month, year = found.groups()
        month_no = int(month) if month.isdigit() else _MONTHS.get(month)
        if month_no is None:
            return None
        year_no = int(year) + (2000 if year and len(year) == 2 else 0) if year else today.year
        result = date(year_no, month_no, int(day))
        if not year and result <= today:
            result = date(today.year + 1, month_no, int(day))
        return result
    except ValueError:
        return None


def on_setting_text(turn: Turn, text: str) -> list[Reply]:
    what = turn.state(SET_MODE).get("what")
    if what not in ("own", "library", "pause"):
        turn.come_back()
        return turn.where_you_are()
    if word_in(text, STOP_WORDS) or navigation_word(text) in ("back", "pause"):
        turn.come_back()
        return [_settings_reply(turn)]
    if what == "pause":
        today = local_today(turn.now, default_tz(turn.coach))
        until = parse_date(text, today)
        if until is None or until <= today or until > today + MAX_PAUSE:
            problem = "date" if until is None else "date_range"
            return [_ask_setting(turn, what, turn.t("checkins.bad_setting", problem=problem))]
        turn.come_back()
        _member_row(turn, paused_until=until.isoformat())
        return [_settings_reply(turn, turn.t("checkins.set_saved"))]
    parsed = parse_day_and_time(text, turn.lang)
    if parsed is None:
        return [_ask_setting(turn, what, turn.t("checkins.bad_setting", problem="day_time"))]
    if what == "library" and turn.user["role"] != "coordinator":
        turn.come_back()
        return [turn.say("notices.coordinator_only")]
    if what == "library":
        current = library_schedule(turn.db, turn.library_id)
    else:
        s = member_schedule(turn.coach, turn.user["id"])
        current = (s.weekday, s.at)
    weekday = parsed[0] if parsed[0] is not None else current[0]
    at = parsed[1] or current[1]
    turn.come_back()
    if what == "library":
        schedules.set_library_schedule(turn.db, turn.library_id, weekday=weekday,
                                       at=format_time(at), tz=default_tz(turn.coach),
                                       user_id=turn.user["id"], now=turn.now)
    else:
        _member_row(turn, weekday=weekday, at=format_time(at), since=iso(turn.now))
    return [_settings_reply(turn, turn.t("checkins.set_saved"))]


def on_setting_repeat(turn: Turn) -> list[Reply]:
    what = turn.state(SET_MODE).get("what")
    if what not in ("own", "library", "pause"):
        turn.come_back()
        return turn.where_you_are()
    return [_ask_setting(turn, what)]



