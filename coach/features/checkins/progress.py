"""/voortgang: each KPI's recent values at its rhythm against baseline, target and
deadline, with where it stands and the projection, as a chart and a table."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from coach.core.events import Reply
from coach.core.texts import markup
from coach.features.checkins import kpis as kpi_store
from coach.features.checkins.formatting import continue_row, fmt, local_date, period_name
from coach.features.checkins.rhythm import index, month_key, quarter_key, team_rhythm, week_key
from coach.features.checkins.standing import standing, view
from coach.features.checkins.trend import trend
from coach.features.next_steps.snapshot import TREND_WEEKS

if TYPE_CHECKING:
    from coach.core.turn import Turn

HISTORY_WEEKS = 8  # periods shown by /voortgang
_KEYS = {"week": week_key, "month": month_key, "quarter": quarter_key}


def _tick(turn: Turn, period: str) -> str:
    """A short x label: "W48", "nov", "Q4"."""
    rest = period.partition("-")[2]
    return rest if rest[:1] in "WQ" else period_name(turn, period)[:3]


def chart_series(turn: Turn):
    """(chart series, table rows) for the library's KPIs: what /voortgang shows."""
    from coach.features.checkins.chart import Series

    rhythm = team_rhythm(turn.db, turn.library_id)
    series, table = [], []
    for kpi in kpi_store.library_kpis(turn.db, turn.library_id):
        s = standing(turn.db, turn.library_id, kpi, rhythm, limit=HISTORY_WEEKS)
        rows = s.rows
        first = index(rows[0]["period"]) if rows else 0
        deadline_x = None
        if kpi.deadline is not None and rows:
            deadline_x = float(index(_KEYS[s.kind](kpi.deadline)) - first)
        series.append(Series(
            kpi.name, [_tick(turn, r["period"]) for r in rows], [r["value"] for r in rows],
            kpi.target, kpi.target_percent, xs=[float(index(r["period"]) - first) for r in rows],
            baseline=kpi.baseline, deadline_x=deadline_x,
            deadline_label=local_date(turn, kpi.deadline) if kpi.deadline else ""))
        table.append({
            "kpi": kpi.name, "target": fmt(kpi.target, turn, kpi.target_percent),
            "per": kpi.period or "", "deadline": local_date(turn, kpi.deadline),
            "trend": trend([r["value"] for r in rows], window=TREND_WEEKS),
            "standing": markup(turn.t("checkins.standing", **view(turn, s)) if rows else ""),
            "rows": [(period_name(turn, r["period"]), fmt(r["value"], turn, bool(r["percent"])),
                      r["author_name"]) for r in rows],
        })
    return series, table


def progress(turn: Turn, args: str) -> list[Reply]:
    """/voortgang: each KPI's recent values against its target, as a chart and a table."""
    from coach.features.checkins.chart_png import progress_chart

    series, table = chart_series(turn)
    if not series:
        return [turn.say("checkins.progress_no_kpis", choices=[continue_row(turn)])]
    if not any(s.values for s in series):
        return [turn.say("checkins.progress_empty", kpis=table,
                         choices=[[turn.button("checkins.label_checkin", "ci:start")]])]
    text = turn.t("checkins.progress", kpis=table)
    draw = partial(progress_chart, series, target_label=turn.t("checkins.chart_target"),
                   title=turn.t("checkins.chart_title"),
                   baseline_label=turn.t("checkins.chart_baseline"),
                   deadline_label=turn.t("checkins.chart_deadline"), lang=turn.lang)
    return [Reply(text=text, photo=draw)]
