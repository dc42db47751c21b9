"""The ``measurements`` table: a library's weekly KPI values.

Measurements are stored per library, KPI and ISO week; a second value for the same
week replaces the first, which stays in the history (``superseded_at``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlite_utils import Database

from coach.storage.sql import iso


def record(
    db: Database,
    *,
    library_id: int,
    kpi: str,
    week: str,
    value: float,
    percent: bool,
    author: dict[str, Any],
    now: datetime,
) -> int:
    """Store this week's value of a KPI; an earlier value for the week is superseded."""
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


def values_for(
    db: Database, library_id: int, kpi: str, limit: int | None = None
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


def reported_in_week(db: Database, library_id: int, week: str) -> dict[str, dict]:
    """KPI name → the week's current measurement, for the KPIs already reported."""
    return {
        row["kpi"]: row
        for row in db.query(
            "select * from measurements where library_id = ? and iso_week = ?"
            " and superseded_at is null",
            [library_id, week],
        )
    }
