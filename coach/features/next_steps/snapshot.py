"""What the choice of a next small step knows about a library (``ranking.py``): its
channels, tactics, KPI trends, and whether listening and webcare are in place (the
steps the team already did are ``coach.storage.checkins.done_steps``). Used by the
check-ins and the export, so both suggest from the same picture."""

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
    trends = []
    for kpi in kpis.library_kpis(db, library_id):
        history = [r["value"] for r in measurements.values_for(db, library_id, kpi.key,
                                                               limit=TREND_WEEKS)]
        trends.append(KpiTrend(kpi.name, trend(history, window=TREND_WEEKS)))
    return trends


def library_snapshot(
    db: Database,
    library_id: int,
    user_id: str = "",
    open_question: tuple[str, str] | None = None,
) -> LibrarySnapshot:
    """The library as ``user_id`` sees it (their own answers first; "" for the team's
    latest), with the strategy question still open for them, if any."""

    flow = load_flow()

    def values(role: str) -> list[str]:
        rows = library_answers(db, library_id, flow.by_role(role).id)
        return [str(v) for row in rows
                for v in (row["value"] if isinstance(row["value"], list) else [row["value"]])]

    return LibrarySnapshot(
        next_open_question=open_question,
        channels=chosen_ids(db, library_id, user_id, flow.by_role("channels").id),
        tactics=values("tactics"),
        kpis=kpi_trends(db, library_id),
        has_listening=is_in_place(" ".join(values("listening"))),
        has_webcare=is_in_place(" ".join(values("webcare"))),
    )
