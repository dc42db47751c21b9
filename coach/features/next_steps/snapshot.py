"""What the choice of a next small step knows about a library (``ranking.py``): its
channels, tactics, KPI trends and whether each KPI is on track, whether listening,
webcare and measurement are in place (an answer kept despite the coach's push-back,
``answers.feedback``, does not count as in place), and the first goal (the steps the
team already did are ``coach.storage.checkins.done_steps``). Used by the check-ins and
the export, so both suggest from the same picture."""

from __future__ import annotations

from coach.features.advice.feature import chosen_ids
from coach.features.checkins import kpis
from coach.features.checkins.trend import trend
from coach.features.next_steps.classify import is_in_place
from coach.features.next_steps.ranking import KpiTrend, LibrarySnapshot
from coach.flow.library import library_answers
from coach.flow.model import load_flow
from coach.storage import Database, measurements

TREND_WEEKS = 4


def kpi_trends(db: Database, library_id: int) -> list[KpiTrend]:
    from coach.features.checkins.standing import standing

    trends = []
    for kpi in kpis.library_kpis(db, library_id):
        history = [r["value"] for r in measurements.values_for(db, library_id, kpi.key,
                                                               limit=TREND_WEEKS)]
        off = standing(db, library_id, kpi).off_track
        trends.append(KpiTrend(kpi.name, trend(history, window=TREND_WEEKS), off_track=off))
    return trends


def library_snapshot(
    db: Database,
    library_id: int,
    open_question: tuple[str, str] | None = None,
) -> LibrarySnapshot:
    """The library as its answers stand (``coach.flow.library.library_answers``: the
    library's answer per question, whoever asks), with ``open_question``, the strategy
    question still open for the user being helped, if any."""

    flow = load_flow()

    def rows(role: str) -> list[dict]:
        return library_answers(db, library_id, flow.by_role(role).id)

    def values(role: str) -> list[str]:
        return [str(v) for row in rows(role)
                for v in (row["value"] if isinstance(row["value"], list) else [row["value"]])]

    def kept(role: str) -> bool:
        return any(row.get("feedback") for row in rows(role))

    measure_step = flow.step_of(flow.by_role("rhythm"))
    measure_rows = [row for q in measure_step.questions
                    for row in library_answers(db, library_id, q.id)]
    measure_kept = any(row.get("feedback") for row in measure_rows)
    measured = len({row["question_id"] for row in measure_rows}) == len(measure_step.questions)
    kept_parts = tuple(part for part, flag in (("listening", kept("listening")),
                                               ("webcare", kept("webcare")),
                                               ("measurement", measure_kept)) if flag)
    focus = values("focus")
    return LibrarySnapshot(
        next_open_question=open_question,
        channels=chosen_ids(db, library_id, flow.by_role("channels").id),
        tactics=values("tactics"),
        kpis=kpi_trends(db, library_id),
        has_listening=is_in_place(" ".join(values("listening"))) and "listening" not in kept_parts,
        has_webcare=is_in_place(" ".join(values("webcare"))) and "webcare" not in kept_parts,
        has_measurement=measured and not measure_kept,
        kept=kept_parts,
        focus=focus[0] if focus else "",
    )
