"""Once, gently: the period, deadline and baseline of a KPI from an older strategy.

A KPI set before step 5 asked these has none of them. Its next check-in asks what is
missing, before the values, with buttons (the options of the step-5 questions with
the roles ``kpi_period`` and ``kpi_deadline``) and, for the baseline, a typed number;
a KPI that has measurements gets its first value as baseline without a question. The
answers are stored as this member's answers to those questions, so the strategy, the
export and ``library_kpis`` read them like any other. Each KPI is asked once per
library (``kpi_asks``): marked when the first question is shown; "Later" skips the
rest, stored as skipped answers (the strategy keeps them for later, as any skip).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from coach.core.events import Choice, Reply
from coach.core.texts import markup
from coach.features.checkins.formatting import fmt, week_number
from coach.features.checkins.kpis import Kpi
from coach.flow import agreement
from coach.flow.answers import parse_text
from coach.storage import answers, checkins, measurements

if TYPE_CHECKING:
    from coach.core.turn import Turn

PARTS = {"period": "kpi_period", "deadline": "kpi_deadline", "baseline": "kpi_baseline"}


def needing(turn: Turn, kpis: list[Kpi]) -> list[str]:
    """The keys of the KPIs that miss a period, deadline or baseline and were not asked."""
    missing = [k.key for k in kpis if _missing(k)]
    if not missing:
        return []
    asked = checkins.asked_kpis(turn.db, turn.library_id)
    return [key for key in missing if key not in asked]


def _missing(kpi: Kpi) -> list[str]:
    return [part for part, value in (("period", kpi.period), ("deadline", kpi.deadline),
                                     ("baseline", kpi.baseline)) if value is None]


def _save(turn: Turn, kpi: Kpi, part: str, value: Any, status: str = "answered") -> None:
    question = turn.flow.by_role(PARTS[part])
    answer_id = answers.save_answer(
        turn.db, library_id=turn.library_id, question_id=question.id, item_key=kpi.key,
        author=turn.user, status=status, value=value, now=turn.now)
    agreement.contributed(turn.db, turn.flow, turn.library_id, turn.user, answer_id,
                          turn.now)


def begin(turn: Turn, state: dict[str, Any], kpi: Kpi) -> str:
    """Start on ``kpi``: mark it asked, take a measured baseline; returns a notice."""
    checkins.mark_kpi_asked(turn.db, turn.library_id, kpi.key, turn.user["id"], turn.now)
    parts = _missing(kpi)
    notice = ""
    if "baseline" in parts:
        first = measurements.values_for(turn.db, turn.library_id, kpi.key)
        if first:
            row = first[0]
            _save(turn, kpi, "baseline", {"value": row["value"], "percent": bool(row["percent"]),
                                          "unit": None})
            parts.remove("baseline")
            notice = turn.t("checkins.setup_baseline_taken", kpi=kpi.name,
                            value=fmt(row["value"], turn, bool(row["percent"])),
                            week=week_number(row["iso_week"]))
    state["setup_parts"] = parts
    return notice


def ask(turn: Turn, state: dict[str, Any], kpi: Kpi, notice: str = "") -> Reply:
    part = state["setup_parts"][0]
    rows = []
    if part in ("period", "deadline"):
        prefix = "per" if part == "period" else "dl"
        options = turn.flow.by_role(PARTS[part]).options
        labels = [Choice(o.label[turn.lang], f"ci:{prefix}:{o.id}") for o in options]
        rows = [labels[i:i + 2] for i in range(0, len(labels), 2)]
    rows.append([turn.button("checkins.label_later", "ci:setskip")])
    return turn.say("checkins.setup", choices=rows, notice=markup(notice), part=part,
                    kpi=kpi.name, target=fmt(kpi.target, turn, kpi.target_percent),
                    first=state.get("setup_first", True))


def answer(turn: Turn, state: dict[str, Any], kpi: Kpi, text: str | None = None,
           option: str | None = None) -> str | None:
    """Take a typed answer or a pressed option for the open part; returns an error
    notice when it is not understood (the part stays open), else None."""
    part = state["setup_parts"][0]
    question = turn.flow.by_role(PARTS[part])
    if option is not None:
        if question.option(option) is None:
            return turn.t("checkins.setup_not_understood", part=part)
        value: Any = option
    else:
        outcome = parse_text(question, text or "")
        if outcome.error or outcome.value is None:
            return turn.t("checkins.setup_not_understood", part=part)
        value = outcome.value
    _save(turn, kpi, part, value)
    state["setup_parts"].pop(0)
    state["setup_first"] = False
    return None


def skip(turn: Turn, state: dict[str, Any], kpi: Kpi) -> None:
    """"Later": the rest of this KPI's parts are stored as skipped."""
    for part in state.get("setup_parts") or []:
        _save(turn, kpi, part, None, status="skipped")
    state["setup_parts"] = []
