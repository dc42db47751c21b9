"""The coordinator's team summary, in the first check-in of each month: each KPI's
latest value against its target (with the projection), the suggested steps the team
answered in the last month (done, partly, skipped for lack of time, did not work),
and the decisions still open (``coach.flow.library.open_decisions``). It opens the
check-in's first message (one message more per coordinator would slow the fan-out)."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import TYPE_CHECKING

from coach.features.checkins.kpis import Kpi
from coach.features.checkins.standing import standing, view
from coach.flow.library import open_decisions
from coach.storage import checkins
from coach.storage.sql import iso

if TYPE_CHECKING:
    from coach.core.turn import Turn

MAX_DECISIONS = 5


def team_summary(turn: Turn, kpis: list[Kpi]) -> str:
    """The summary's text; "" while there is nothing to sum up yet (no values, no
    answered steps, no open decisions)."""
    rows = [view(turn, standing(turn.db, turn.library_id, kpi)) for kpi in kpis]
    since = iso(turn.now - timedelta(days=31))
    answered = checkins.library_suggestions_since(turn.db, turn.library_id, since)
    steps = Counter(r["outcome"] for r in answered if r["kind"] != "strategy")
    decisions = []
    for d in open_decisions(turn.db, turn.library_id)[:MAX_DECISIONS]:
        question = turn.flow.question(d.get("question_id"))
        label = question.label[turn.lang] if question else str(d.get("question_id"))
        decisions.append({"label": label, "item": d.get("item_text") or "",
                          "names": ", ".join(d.get("names") or [])})
    total = len(open_decisions(turn.db, turn.library_id))
    if not (any(r["value"] for r in rows) or steps or total):
        return ""
    return turn.t("checkins.team_summary", kpis=rows, done=steps["done"],
                    partly=steps["partly"], no_time=steps["no_time"],
                    failed=steps["did_not_work"], decisions=decisions,
                    more=max(0, total - len(decisions)))
