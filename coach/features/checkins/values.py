"""Asking and storing one KPI value in a check-in: the question with where the KPI
stands, typed numbers, warnings, and replacing a value the period already has."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from coach.core.calendar import iso_week
from coach.core.events import Reply
from coach.core.texts import markup
from coach.features.checkins import kpis as kpi_store
from coach.features.checkins.due import default_tz
from coach.features.checkins.formatting import fmt, period_name
from coach.features.checkins.rhythm import team_rhythm
from coach.features.checkins.standing import Standing, standing, view
from coach.features.checkins.trend import trend
from coach.features.next_steps.snapshot import TREND_WEEKS
from coach.flow.numbers import ParsedNumber, format_number
from coach.storage import measurements

if TYPE_CHECKING:
    from coach.core.turn import Turn

ABSURD_FACTOR = 100  # a value above 100x the target is probably a typo
GoOn = Callable[["Turn", dict[str, Any], str], list[Reply]]


def library_kpis(turn: Turn, library_id: int) -> list[kpi_store.Kpi]:
    """The library's KPIs, read once per event (asking, storing and going on all
    need them while a value is typed)."""
    key = ("library_kpis", library_id)
    if key not in turn.memo:
        turn.memo[key] = kpi_store.library_kpis(turn.db, library_id)
    return turn.memo[key]


def rhythm(turn: Turn, library_id: int) -> str:
    """The team's measuring rhythm, read once per event."""
    key = ("team_rhythm", library_id)
    if key not in turn.memo:
        turn.memo[key] = team_rhythm(turn.db, library_id)
    return turn.memo[key]


def by_key(turn: Turn, state: dict[str, Any]) -> dict[str, kpi_store.Kpi]:
    return {k.key: k for k in library_kpis(turn, state["library_id"])}


def standing_text(turn: Turn, kpi: kpi_store.Kpi, s: Standing | None = None) -> str:
    """"61 van 200 per maand, 23% op weg vanaf 20. Op dit tempo ..." (one or two lines)."""
    s = s or standing(turn.db, turn.library_id, kpi, rhythm(turn, turn.library_id))
    return markup(turn.t("checkins.standing", **view(turn, s)) if s.rows else "")


def ask_kpi(turn: Turn, state: dict[str, Any], kpi: kpi_store.Kpi, notice: str = "") -> Reply:
    period = state["periods"][kpi.key]
    s = standing(turn.db, state["library_id"], kpi, rhythm(turn, state["library_id"]))
    history = [r for r in s.rows if r["period"] < period]
    previous = history[-1] if history else None
    current = next((r for r in s.rows if r["period"] == period), None)
    total = max(state.get("total", 0), len(state["todo"]))
    n = total - len(state["todo"]) + 1
    choices = [[turn.button("checkins.label_skip", f"ci:skip:{len(state['todo'])}"),
                turn.button("checkins.label_stop", "ci:stop")]]
    return turn.say(
        "checkins.ask_kpi", choices=choices, notice=markup(notice), kpi=kpi.name,
        goal=kpi.goal, number=n, count=total, per=kpi.period or "",
        target=fmt(kpi.target, turn, kpi.target_percent),
        previous=fmt(previous["value"], turn, bool(previous["percent"])) if previous else "",
        previous_period=period_name(turn, previous["period"]) if previous else "",
        trend=trend([r["value"] for r in history], window=TREND_WEEKS),
        standing=standing_text(turn, kpi, s) if history else "",
        asked=period_name(turn, period), kind=_kind(period), total_kind=kpi.period == "total",
        late=state["week"] < iso_week(turn.now, default_tz(turn.coach)),
        already=fmt(current["value"], turn, bool(current["percent"])) if current else "",
        example=example(turn, kpi),
    )


def _kind(period: str) -> str:
    from coach.features.checkins.rhythm import kind_of_period

    return kind_of_period(period)


def example(turn: Turn, kpi: kpi_store.Kpi) -> str:
    if kpi.target_percent:
        return format_number(12.5, turn.lang, percent=True)
    return format_number(1200, turn.lang)


def _warning(kpi: kpi_store.Kpi, value: float, percent: bool) -> str | None:
    if value < 0:
        return "negative"
    if percent and value > 100:
        return "percent_over"
    if kpi.target and value > ABSURD_FACTOR * abs(kpi.target):
        return "huge"
    return None


def take(turn: Turn, state: dict[str, Any], kpi: kpi_store.Kpi, parsed: ParsedNumber,
         go_on: GoOn) -> list[Reply]:
    percent = parsed.percent or kpi.target_percent
    problem = _warning(kpi, parsed.value, percent)
    if problem:
        state["confirm"] = {"kpi": kpi.key, "value": parsed.value, "percent": percent}
        turn.set_state("checkin", state)
        n = len(state["todo"])
        choices = [[turn.button("checkins.label_confirm", f"ci:ok:{n}"),
                    turn.button("checkins.label_correct", f"ci:redo:{n}")]]
        return [turn.say("checkins.warning", choices=choices, problem=problem, kpi=kpi.name,
                         value=fmt(parsed.value, turn, percent),
                         target=fmt(kpi.target, turn, kpi.target_percent),
                         factor=ABSURD_FACTOR)]
    return store_value(turn, state, kpi.key, parsed.value, percent, go_on)


def confirmed(turn: Turn, state: dict[str, Any], go_on: GoOn) -> list[Reply]:
    confirm = state.get("confirm") or {}
    if not state["todo"] or confirm.get("kpi") != state["todo"][0]:
        state["confirm"] = None
        return go_on(turn, state, "")
    return store_value(turn, state, confirm["kpi"], confirm["value"], confirm["percent"], go_on)


def store_value(turn: Turn, state: dict[str, Any], key: str, value: float, percent: bool,
                go_on: GoOn, replace: bool = False) -> list[Reply]:
    """Store the value for the KPI's period; a value the period already has is only
    replaced after asking (``replace``: the member said yes)."""
    state["confirm"] = None
    kpi = by_key(turn, state).get(key)
    if kpi is None:
        return go_on(turn, state, "")  # deleted meanwhile: go_on says so and skips it
    period = state["periods"][key]
    existing = measurements.in_period(turn.db, state["library_id"], key, period)
    if existing is not None and not replace:
        state["replace"] = {"kpi": key, "value": value, "percent": percent}
        turn.set_state("checkin", state)
        n = len(state["todo"])
        mine = existing["author_id"] == turn.user["id"]
        choices = [[turn.button("checkins.label_replace", f"ci:rep:{n}"),
                    turn.button("checkins.label_keep", f"ci:keep:{n}")]]
        return [turn.say("checkins.ask_replace", choices=choices, kpi=kpi.name, mine=mine,
                         name=existing["author_name"], period=period_name(turn, period),
                         old=fmt(existing["value"], turn, bool(existing["percent"])),
                         new=fmt(value, turn, percent))]
    state["replace"] = None
    measurements.record(turn.db, library_id=state["library_id"], kpi=key, week=state["week"],
                        period=period, value=value, percent=percent, author=turn.user,
                        now=turn.now)
    if state["todo"] and state["todo"][0] == key:
        state["todo"].pop(0)
    state["stored"].append([kpi.name, value, percent])
    saved = turn.t("checkins.saved", kpi=kpi.name, period=period_name(turn, period),
                   value=fmt(value, turn, percent), standing=standing_text(turn, kpi))
    return go_on(turn, state, saved)


def keep_existing(turn: Turn, state: dict[str, Any], go_on: GoOn) -> list[Reply]:
    """"Laten staan": the period keeps its value; on to the next KPI."""
    pending = state.get("replace") or {}
    state["replace"] = None
    if state["todo"] and state["todo"][0] == pending.get("kpi"):
        state["todo"].pop(0)
    return go_on(turn, state, turn.t("checkins.kept_value"))
