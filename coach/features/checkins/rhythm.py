"""Each KPI at its own rhythm: which period a check-in asks a KPI's value for, and when.

* ``week`` KPIs: every weekly check-in asks this week's value (period "2026-W48").
* ``month`` KPIs: the first check-in of a month asks the previous month's total
  (period "2026-11"); later check-ins of the month do not ask it.
* ``total`` KPIs (a total to reach by the deadline): the total so far, at the rhythm
  the team chose in step 7 (``rhythm`` role: weekly, monthly, quarterly; weekly when
  not chosen). Monthly as above; quarterly in the first check-in of a quarter, for
  the quarter that ended (period "2026-Q3").
* A KPI whose period is unknown (a strategy from before periods were asked) follows
  the team's rhythm too, until its period is answered.

A period key sorts in time within its kind; :func:`index` turns it into a number of
periods (for the least-squares projection) and :func:`period_end` into the last day
it covers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from coach.features.checkins.kpis import Kpi, add_months
from coach.flow.library import library_value
from coach.flow.model import load_flow
from coach.storage import Database

KINDS = ("week", "month", "quarter")
_RHYTHM_KIND = {"weekly": "week", "monthly": "month", "quarterly": "quarter"}


@dataclass(frozen=True)
class Due:
    kind: str  # "week" | "month" | "quarter"
    period: str  # the period the value is for
    due: bool  # asked in this check-in


def team_rhythm(db: Database, library_id: int) -> str:
    """The measuring rhythm the team chose (weekly, monthly, quarterly); weekly if none."""
    value = library_value(db, library_id, load_flow().by_role("rhythm").id)
    return value if value in _RHYTHM_KIND else "weekly"


def kind_of(kpi: Kpi, rhythm: str) -> str:
    """The kind of period a KPI's values are for."""
    if kpi.period in ("week", "month"):
        return kpi.period
    return _RHYTHM_KIND.get(rhythm, "week")


def week_key(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def month_key(day: date) -> str:
    return f"{day.year}-{day.month:02d}"


def quarter_key(day: date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def due_for(kpi: Kpi, rhythm: str, today: date, week: str, first_of_month: bool) -> Due:
    """What this check-in (on local date ``today``, for ISO ``week``) asks for ``kpi``;
    ``first_of_month``: the member had no earlier check-in this month."""
    kind = kind_of(kpi, rhythm)
    if kind == "week":
        return Due(kind, week, True)
    last_month = add_months(today.replace(day=1), -1)
    if kind == "month":
        return Due(kind, month_key(last_month), first_of_month)
    last_quarter = add_months(today.replace(day=1), -3)
    return Due(kind, quarter_key(last_quarter), first_of_month and today.month % 3 == 1)


def index(period: str) -> int:
    """A period key as a count of periods of its kind (consecutive periods differ by 1)."""
    year, _, rest = period.partition("-")
    if rest.startswith("W"):
        return date.fromisocalendar(int(year), int(rest[1:]), 1).toordinal() // 7
    if rest.startswith("Q"):
        return int(year) * 4 + int(rest[1:]) - 1
    return int(year) * 12 + int(rest) - 1


def kind_of_period(period: str) -> str:
    rest = period.partition("-")[2]
    return "week" if rest.startswith("W") else "quarter" if rest.startswith("Q") else "month"


def period_end(kind: str, number: int) -> date:
    """The last day of the period with :func:`index` ``number``."""
    if kind == "week":
        return date.fromordinal(number * 7 + 1) + timedelta(days=6)
    months = 3 if kind == "quarter" else 1
    first_month = number * months
    first = date(first_month // 12, first_month % 12 + 1, 1)
    return add_months(first, months) - timedelta(days=1)


def period_label(period: str) -> dict[str, int | str]:
    """What a template needs to name a period: kind, number (week, month or quarter)
    and year."""
    year, _, rest = period.partition("-")
    kind = kind_of_period(period)
    number = int(rest[1:]) if kind in ("week", "quarter") else int(rest)
    return {"kind": kind, "number": number, "year": int(year)}
