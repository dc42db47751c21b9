"""A library's KPIs (from step 5) and their weekly measurements.

The KPIs are the items of the library's answers to the question with the role ``kpis``
(asked per goal), with the goal they belong to and the target from the ``kpi_target``
question. Where colleagues answered differently,
the latest answer per goal stands for the library. Measurements are stored per
library, KPI and ISO week; a second value for the same week replaces the first, which
stays in the history (``superseded_at``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlite_utils

from coach.flow.model import load_flow
from coach.flow.positions import library_view
from coach.storage.store import iso


@dataclass(frozen=True)
class Kpi:
    name: str
    goal: str
    target: float | None
    target_percent: bool = False


def library_kpis(db: sqlite_utils.Database, library_id: int) -> list[Kpi]:
    flow = load_flow()
    targets = {
        row["item_key"]: row["value"]
        for row in library_view(db, library_id, "", flow.by_role("kpi_target").id)
        if isinstance(row["value"], dict)
    }
    kpis: list[Kpi] = []
    for row in library_view(db, library_id, "", flow.by_role("kpis").id):
        for name in row["value"] or []:
            if any(k.name == name for k in kpis):
                continue
            target = targets.get(name) or {}
            kpis.append(Kpi(name=name, goal=row["item_key"], target=target.get("value"),
                            target_percent=bool(target.get("percent"))))
    return kpis


def record(
    db: sqlite_utils.Database,
    *,
    library_id: int,
    kpi: str,
    week: str,
    value: float,
    percent: bool,
    author: dict[str, Any],
    now: datetime,
) -> int:
    db.execute(
        "update measurements set superseded_at = ? where library_id = ? and kpi = ?"
        " and iso_week = ? and superseded_at is null",
        [iso(now), library_id, kpi, week],
    )
    table = db["measurements"].insert(
        {"library_id": library_id, "kpi": kpi, "iso_week": week, "value": value,
         "percent": int(percent), "author_id": author["id"], "author_name": author["name"],
         "created_at": iso(now), "superseded_at": None}
    )
    return int(table.last_pk)


def values(
    db: sqlite_utils.Database, library_id: int, kpi: str, limit: int | None = None
) -> list[dict[str, Any]]:
    """The current value per week for a KPI, oldest week first (the last ``limit`` weeks)."""
    rows = list(
        db.query(
            "select * from measurements where library_id = ? and kpi = ?"
            " and superseded_at is null order by iso_week desc" + (f" limit {int(limit)}"
                                                                   if limit else ""),
            [library_id, kpi],
        )
    )
    return rows[::-1]


def reported_this_week(db: sqlite_utils.Database, library_id: int, week: str) -> dict[str, dict]:
    """KPI name → this week's current measurement, for the KPIs already reported."""
    return {
        row["kpi"]: row
        for row in db.query(
            "select * from measurements where library_id = ? and iso_week = ?"
            " and superseded_at is null",
            [library_id, week],
        )
    }
