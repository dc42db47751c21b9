"""The ``measurements`` table: a library's KPI values, one current value per period.

A value is stored per library, KPI and period: ``period`` is "2026-W48" for a weekly
KPI, "2026-11" for a monthly one, "2026-Q4" for a total measured quarterly (see
``coach.features.checkins.rhythm``); ``iso_week`` is the week of the check-in it was
entered in. A second value for the same period replaces the first, which stays in
the history (``superseded_at``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlite_utils import Database

from coach.storage.sql import iso

# the shape of a period key per kind (SQLite GLOB patterns)
_SHAPES = {
    "week": "[0-9][0-9][0-9][0-9]-W[0-9][0-9]",
    "month": "[0-9][0-9][0-9][0-9]-[0-9][0-9]",
    "quarter": "[0-9][0-9][0-9][0-9]-Q[1-4]",
}


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
    period: str | None = None,
) -> int:
    """Store a KPI's value for ``period`` (default: ``week``, the check-in's ISO week);
    an earlier value for the same period is superseded."""
    period = period or week
    db.execute(
        "update measurements set superseded_at = ? where library_id = ? and kpi = ?"
        " and period = ? and superseded_at is null",
        [iso(now), library_id, kpi, period],
    )
    table = db["measurements"].insert(
        {"library_id": library_id, "kpi": kpi, "iso_week": week, "period": period,
         "value": value, "percent": int(percent), "author_id": author["id"],
         "author_name": author["name"], "created_at": iso(now), "superseded_at": None}
    )
    return int(table.last_pk)


def values_for(
    db: Database, library_id: int, kpi: str, limit: int | None = None, kind: str | None = None
) -> list[dict[str, Any]]:
    """The current value per period for a KPI, oldest period first (the last ``limit``);
    ``kind`` ("week", "month", "quarter") keeps only periods of that kind."""
    shape = " and period glob ?" if kind else ""
    params: list[Any] = [library_id, kpi] + ([_SHAPES[kind]] if kind else [])
    rows = list(
        db.query(
            "select * from measurements where library_id = ? and kpi = ?"
            f" and superseded_at is null{shape} order by period desc"
            + (f" limit {int(limit)}" if limit else ""),
            params,
        )
    )
    return rows[::-1]


def in_period(db: Database, library_id: int, kpi: str, period: str) -> dict[str, Any] | None:
    """The KPI's current value for ``period``, or None."""
    rows = list(db.query(
        "select * from measurements where library_id = ? and kpi = ? and period = ?"
        " and superseded_at is null", [library_id, kpi, period]))
    return rows[0] if rows else None


def reported_in_week(db: Database, library_id: int, week: str) -> dict[str, dict]:
    """KPI → the current measurement for ``week`` (as a period), for the KPIs reported."""
    return {
        row["kpi"]: row
        for row in db.query(
            "select * from measurements where library_id = ? and period = ?"
            " and superseded_at is null",
            [library_id, week],
        )
    }
