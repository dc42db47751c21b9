"""One KPI's standing: its values at its rhythm, the latest against baseline and
target, and the projection (``projection.py``); read by check-ins, /voortgang, the
next step's reason and the coordinator's summary."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from coach.features.checkins.kpis import Kpi
from coach.features.checkins.projection import WINDOW, Projection, off_track, project, share
from coach.features.checkins.rhythm import kind_of, team_rhythm
from coach.storage import Database, measurements

if TYPE_CHECKING:
    from coach.core.turn import Turn


@dataclass(frozen=True)
class Standing:
    kpi: Kpi
    kind: str  # "week" | "month" | "quarter": the periods its values are for
    rows: list[dict[str, Any]] = field(default_factory=list)  # oldest first
    projection: Projection = Projection("no_target")

    @property
    def latest(self) -> dict[str, Any] | None:
        return self.rows[-1] if self.rows else None

    @property
    def share(self) -> float | None:
        latest = self.latest
        return share(latest["value"] if latest else None, self.kpi.target, self.kpi.baseline)

    @property
    def off_track(self) -> bool:
        return off_track(self.projection)


def standing(db: Database, library_id: int, kpi: Kpi, rhythm: str | None = None,
             limit: int = WINDOW) -> Standing:
    kind = kind_of(kpi, rhythm or team_rhythm(db, library_id))
    rows = measurements.values_for(db, library_id, kpi.key, limit=limit, kind=kind)
    points = [(r["period"], float(r["value"])) for r in rows]
    return Standing(kpi, kind, rows,
                    project(points, kpi.target, kpi.deadline, kpi.baseline))


def view(turn: Turn, s: Standing) -> dict[str, Any]:
    """What the templates need to say where a KPI stands (``checkins.standing``)."""
    from coach.features.checkins.formatting import fmt, local_date, month_name, period_name

    kpi, latest, p = s.kpi, s.latest, s.projection
    pct = s.share
    return {
        "kpi": kpi.name,
        "value": fmt(latest["value"], turn, bool(latest["percent"])) if latest else "",
        "period": period_name(turn, latest["period"]) if latest else "",
        "target": fmt(kpi.target, turn, kpi.target_percent),
        "per": kpi.period or "",
        "baseline": fmt(kpi.baseline, turn) if kpi.baseline is not None else "",
        "share": round(pct * 100) if pct is not None else None,
        "status": p.status,
        "count": p.used,
        "when": month_name(turn, p.when, turn.now.date()) if p.when else "",
        "deadline": local_date(turn, kpi.deadline) if kpi.deadline else "",
    }
