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
