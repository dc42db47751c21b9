"""A library's KPIs (from step 5); their values are in ``coach.storage.measurements``.

The KPIs are the items of the library's answers to the question with the role ``kpis``
(asked per goal), with the goal they belong to and, per KPI, the answers to the
questions with the roles ``kpi_baseline`` (the value now), ``kpi_target``,
``kpi_period`` (``week``, ``month`` or ``total``: a total by the deadline) and
``kpi_deadline`` (an option counted from the day it was answered: ``m3``, ``m6``,
``year_end``, ``y1``). Everything is read through ``coach.flow.library.library_answers``;
a KPI is identified by its stable item key, so renaming it keeps all of this.
A KPI of an older strategy may lack the last three: the check-in asks them once.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from coach.flow.library import library_answers
from coach.flow.model import load_flow
from coach.storage import Database

PERIODS = ("week", "month", "total")
DEADLINES = ("m3", "m6", "year_end", "y1")


@dataclass(frozen=True)
class Kpi:
    key: str  # stable identity: measurements and answers refer to the KPI by it
    name: str
    goal: str
    target: float | None
    target_percent: bool = False
    baseline: float | None = None  # the value when the KPI was set
    period: str | None = None  # "week" | "month" | "total" (a total by the deadline)
    deadline: date | None = None  # when the target should be reached


def add_months(day: date, months: int) -> date:
    """``day`` plus whole months (the 31st becomes the month's last day)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def deadline_for(option: str | None, answered: date) -> date | None:
    """The date a ``kpi_deadline`` option means, counted from the day it was answered;
    "end of the year" less than a month before New Year means the next year's end."""
    if option == "m3":
        return add_months(answered, 3)
    if option == "m6":
        return add_months(answered, 6)
    if option == "y1":
        return add_months(answered, 12)
    if option == "year_end":
        end = date(answered.year, 12, 31)
        return end if (end - answered).days >= 31 else date(answered.year + 1, 12, 31)
    return None


def _answered_on(row: dict[str, Any]) -> date | None:
    text = row.get("created_at")
    try:
        return datetime.fromisoformat(text).date() if text else None
    except ValueError:
        return None


def _per_item(db: Database, library_id: int, role: str) -> dict[str, dict[str, Any]]:
    question = load_flow().by_role(role)
    return {row["item_key"]: row for row in library_answers(db, library_id, question.id)}


def _number(row: dict[str, Any] | None) -> tuple[float | None, bool]:
    value = (row or {}).get("value")
    if isinstance(value, dict) and isinstance(value.get("value"), (int, float)):
        return float(value["value"]), bool(value.get("percent"))
    return None, False


def library_kpis(db: Database, library_id: int) -> list[Kpi]:
    flow = load_flow()
    targets = _per_item(db, library_id, "kpi_target")
    baselines = _per_item(db, library_id, "kpi_baseline")
    periods = _per_item(db, library_id, "kpi_period")
    deadlines = _per_item(db, library_id, "kpi_deadline")
    kpis: list[Kpi] = []
    for row in library_answers(db, library_id, flow.by_role("kpis").id):
        for key, name in zip(row["items"] or [], row["value"] or [], strict=False):
            if any(k.key == key for k in kpis):
                continue  # the same KPI named for two goals
            target, percent = _number(targets.get(key))
            baseline, _ = _number(baselines.get(key))
            period = (periods.get(key) or {}).get("value")
            deadline_row = deadlines.get(key) or {}
            answered = _answered_on(deadline_row)
            deadline = deadline_for(deadline_row.get("value"), answered) if answered else None
            kpis.append(Kpi(key=key, name=str(name), goal=row["item_text"], target=target,
                            target_percent=percent, baseline=baseline,
                            period=period if period in PERIODS else None,
                            deadline=deadline))
    return kpis
