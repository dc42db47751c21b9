"""How check-ins write weeks, dates and values, and their Continue button."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from coach.core.events import Choice
from coach.features.strategy.views import nav_button
from coach.flow.numbers import format_number

if TYPE_CHECKING:
    from coach.core.turn import Turn


def continue_row(turn: Turn) -> list[Choice]:
    return [nav_button(turn.lang, "continue")]


def local_date(turn: Turn, day: date | None) -> str:
    """A date as people write it: 5-1-2027 in Dutch, 2027-01-05 in English."""
    if day is None:
        return ""
    return turn.t("labels.date", day=day.day, month=day.month, year=day.year)


def week_number(week: str) -> int:
    return int(week.rpartition("W")[2])


def fmt(value: float | None, turn: Turn, percent: bool = False) -> str:
    return "" if value is None else format_number(value, turn.lang, percent=percent)


def month_name(turn: Turn, day: date, today: date) -> str:
    """"maart" (this year or the next twelve months) or "maart 2028"."""
    from coach.flow.vocabulary import load_vocabulary

    name = load_vocabulary().table("months", turn.lang)[day.month - 1][0]
    near = (day.year, day.month) <= (today.year + 1, today.month - 1) or day.year == today.year
    return name if near else f"{name} {day.year}"


_PERIOD_NAMES: dict[tuple[str, str], str] = {}  # (lang, period) -> name: they never change


def period_name(turn: Turn, period: str | None) -> str:
    """"week 48", "november", "het 4e kwartaal" / "week 48", "November", "Q4"."""
    if not period:
        return ""
    key = (turn.lang, period)
    if key not in _PERIOD_NAMES:
        if len(_PERIOD_NAMES) > 4096:
            _PERIOD_NAMES.clear()
        _PERIOD_NAMES[key] = _period_name(turn, period)
    return _PERIOD_NAMES[key]


def _period_name(turn: Turn, period: str) -> str:
    from coach.features.checkins.rhythm import period_label
    from coach.flow.vocabulary import load_vocabulary

    label = period_label(period)
    month = ""
    if label["kind"] == "month":
        month = load_vocabulary().table("months", turn.lang)[int(label["number"]) - 1][0]
    return turn.t("checkins.period_name", month=month, **label)
