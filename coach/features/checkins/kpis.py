"""A library's KPIs (from step 5); their weekly values are in ``coach.storage.measurements``.

The KPIs are the items of the library's ``kpis.per_goal`` answers, with the goal they
belong to and the target from ``kpis.target``. Where colleagues answered differently,
the latest answer per goal stands for the library.
"""

from __future__ import annotations

from dataclasses import dataclass

from coach.flow.positions import library_view
from coach.storage import Database

KPI_QUESTION, TARGET_QUESTION = "kpis.per_goal", "kpis.target"


@dataclass(frozen=True)
class Kpi:
    name: str
    goal: str
    target: float | None
    target_percent: bool = False


def library_kpis(db: Database, library_id: int) -> list[Kpi]:
    targets = {
        row["item_key"]: row["value"]
        for row in library_view(db, library_id, "", TARGET_QUESTION)
        if isinstance(row["value"], dict)
    }
    kpis: list[Kpi] = []
    for row in library_view(db, library_id, "", KPI_QUESTION):
        for name in row["value"] or []:
            if any(k.name == name for k in kpis):
                continue
            target = targets.get(name) or {}
            kpis.append(Kpi(name=name, goal=row["item_key"], target=target.get("value"),
                            target_percent=bool(target.get("percent"))))
    return kpis
