"""A library's KPIs (from step 5); their weekly values are in ``coach.storage.measurements``.

The KPIs are the items of the library's answers to the question with the role ``kpis``
(asked per goal), with the goal they belong to and the target from the ``kpi_target``
question, all read as the library answered them (``coach.flow.library``). A KPI is
identified by its stable item key, so renaming it keeps its history. Measurements are
stored per library, KPI key and ISO week; a second value for the same week replaces the first, which
stays in the history (``superseded_at``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from coach.flow.library import library_answers
from coach.flow.model import load_flow
from coach.storage import Database


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


def library_kpis(db: Database, library_id: int) -> list[Kpi]:
    flow = load_flow()
    targets = {
        row["item_key"]: row["value"]
        for row in library_answers(db, library_id, flow.by_role("kpi_target").id)
        if isinstance(row["value"], dict)
    }
    kpis: list[Kpi] = []
    for row in library_answers(db, library_id, flow.by_role("kpis").id):
        for key, name in zip(row["items"] or [], row["value"] or [], strict=False):
            if any(k.key == key for k in kpis):
                continue
            target = targets.get(key) or {}
            kpis.append(Kpi(key=key, name=str(name), goal=row["item_text"],
                            target=target.get("value"),
                            target_percent=bool(target.get("percent"))))
    return kpis
