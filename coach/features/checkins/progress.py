"""/voortgang: each KPI's recent values against its target, as a chart and a table."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from coach.core.events import Reply
from coach.features.checkins import kpis as kpi_store
from coach.features.checkins.formatting import continue_row, fmt, week_number
from coach.features.checkins.trend import trend
from coach.features.next_steps.snapshot import TREND_WEEKS
from coach.storage import measurements

if TYPE_CHECKING:
    from coach.core.turn import Turn

HISTORY_WEEKS = 8  # weeks shown by /voortgang


def progress(turn: Turn, args: str) -> list[Reply]:
    """/voortgang: each KPI's recent values against its target, as a chart and a table."""
    from coach.features.checkins.chart import Series, progress_chart

    kpis = kpi_store.library_kpis(turn.db, turn.library_id)
    if not kpis:
        return [turn.say("checkins.progress_no_kpis", choices=[continue_row(turn)])]
    series, table = [], []
    for kpi in kpis:
        rows = measurements.values_for(turn.db, turn.library_id, kpi.key, limit=HISTORY_WEEKS)
        series.append(Series(kpi.name, [f"W{week_number(r['iso_week'])}" for r in rows],
                             [r["value"] for r in rows], kpi.target, kpi.target_percent))
        table.append({
            "kpi": kpi.name, "target": fmt(kpi.target, turn, kpi.target_percent),
            "trend": trend([r["value"] for r in rows], window=TREND_WEEKS),
            "rows": [(week_number(r["iso_week"]), fmt(r["value"], turn, bool(r["percent"])),
                      r["author_name"]) for r in rows],
        })
    measured = any(s.values for s in series)
    if not measured:
        return [turn.say("checkins.progress_empty", kpis=table,
                         choices=[[turn.button("checkins.label_checkin", "ci:start")]])]
    text = turn.t("checkins.progress", kpis=table)
    draw = partial(progress_chart, series, target_label=turn.t("checkins.chart_target"),
                   title=turn.t("checkins.chart_title"), lang=turn.lang)
    return [Reply(text=text, photo=draw)]

# --------------------------------------------------------------------------- wiring
