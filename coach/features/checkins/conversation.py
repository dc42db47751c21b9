"""The weekly check-in conversation: this week's KPI values and one next small step.

Nothing here knows Telegram: the feature's weekly ``Job`` (``feature.py``) names
:func:`start_checkin`, and an adapter sends what it returns to each member that
``due.py`` finds due (schedules, and why a check-in is at most once, are there).

The conversation (mode ``checkin``, a detour: where the user was comes back after it)
    1. was last week's suggested step done? (a suggested strategy question is checked
       by itself: is it answered now?)
    2. for each KPI that no colleague reported this week yet: this week's value, with
       the previous value, the target and the trend. Numbers in Dutch or English
       notation (``coach.flow.numbers``); anything else is asked again with an example.
       Negative values, more than 100 % for a percentage, or more than 100x the target
       get a warning and a confirm button. A KPI can be skipped.
    3. one next small step (``suggestions.py``), stored as a suggestion.

Choices where the issue was silent: a check-in answered late stores its values in the
week it was for, and says so ("for week 47"); a KPI deleted after the check-in was sent
is skipped with a notice; a member who left the library gets the check-in closed with
nothing stored; /checkin always works, also when paused or stopped (with a note), and
claims the week so the scheduled one does not follow.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from coach.core.calendar import (
    iso_week,
)
from coach.core.events import Reply
from coach.core.texts import markup
from coach.features.checkins import kpis as kpi_store
from coach.features.checkins.due import (
    default_tz,
    is_paused,
    member_schedule,
)
from coach.features.checkins.formatting import continue_row, fmt, local_date, week_number
from coach.features.checkins.progress import progress
from coach.features.checkins.suggestions import (
    earlier_suggestion,
    next_step,
    open_suggestion,
    remember,
    resolve_strategy_suggestions,
)
from coach.features.checkins.trend import trend
from coach.features.next_steps.snapshot import TREND_WEEKS
from coach.features.next_steps.steps_file import load_steps
from coach.flow.matching import NO, YES, navigation_word, word_in
from coach.flow.numbers import NumberError, ParsedNumber, format_number, parse_number
from coach.flow.vocabulary import words
from coach.storage import checkins, measurements
from coach.storage.db import transaction

if TYPE_CHECKING:
    from coach.core.engine import Coach
    from coach.core.turn import Turn

MODE, SET_MODE = "checkin", "checkin_set"
ABSURD_FACTOR = 100  # a value above 100x the target is probably a typo
STOP_WORDS = words("stop")  # flows/<lang>/vocabulary.yaml


# --------------------------------------------------------------------------- starting


def start_checkin(coach: Coach, user_id: str, now: datetime | None = None) -> list[Reply]:
    """Claim this week's check-in for ``user_id`` (committed on its own, before anything
    is sent) and build its first message. Returns [] when it was claimed already or the
    user is no longer in a library; whatever is returned must be sent once."""
    now = now or coach.clock()
    with transaction(coach.db):
        turn = coach.turn_for(user_id, now)
        if turn is None or not turn.library_id:
            return []
        schedule = member_schedule(coach, user_id)
        week = iso_week(now, schedule.tz if schedule else default_tz(coach))
        if not checkins.claim(coach.db, turn.user, week, now, "schedule"):
            return []
    with transaction(coach.db):
        turn = coach.turn_for(user_id, now)
        if turn is None or not turn.library_id:
            return []
        return _open(turn, week)


# --------------------------------------------------------------------------- state


def _library_kpis(turn: Turn, library_id: int) -> list[kpi_store.Kpi]:
    """The library's KPIs, read once per event (asking, storing and going on all
    need them while a value is typed)."""
    key = ("library_kpis", library_id)
    if key not in turn.memo:
        turn.memo[key] = kpi_store.library_kpis(turn.db, library_id)
    return turn.memo[key]


def _state(turn: Turn) -> dict[str, Any]:
    return turn.state(MODE)


def _save(turn: Turn, state: dict[str, Any]) -> None:
    turn.set_state(MODE, state)


# --------------------------------------------------------------------------- opening


def _open(turn: Turn, week: str, notes: list[str] | None = None) -> list[Reply]:
    """Start the conversation for ``week``; returns its first message(s)."""
    db, library_id = turn.db, turn.library_id
    resolve_strategy_suggestions(turn)
    ask_done = earlier_suggestion(turn, week)
    all_kpis = kpi_store.library_kpis(db, library_id)
    reported = measurements.reported_in_week(db, library_id, week)
    todo = [k.key for k in all_kpis if k.key not in reported]
    colleagues = [
        {"kpi": k.name, "name": reported[k.key]["author_name"],
         "value": fmt(reported[k.key]["value"], turn, bool(reported[k.key]["percent"]))}
        for k in all_kpis if k.key in reported
    ]
    intro = turn.t("checkins.intro", week=week_number(week), notes=notes or [],
                   colleagues=colleagues, has_kpis=bool(all_kpis), todo=len(todo))
    state = {"week": week, "library_id": library_id, "todo": todo, "total": len(todo),
             "names": {k.key: k.name for k in all_kpis}, "stored": [], "skipped": [],
             "no_kpis": not all_kpis,
             "done_q": ask_done["id"] if ask_done else None, "confirm": None}
    turn.detour(MODE, checkin=state)
    return _next(turn, state, intro)


# --------------------------------------------------------------------------- asking


def _next(turn: Turn, state: dict[str, Any], notice: str = "") -> list[Reply]:
    """Ask the next open thing, or finish."""
    row = open_suggestion(turn, state.get("done_q"))
    if row is None:
        state["done_q"] = None  # answered meanwhile, or gone with its library
    else:
        step = load_steps().get(row["step_id"])
        _save(turn, state)
        choices = [[turn.button("checkins.label_done_yes", "ci:yes"),
                    turn.button("checkins.label_done_no", "ci:no")]]
        return [turn.say("checkins.ask_done", choices=choices, notice=markup(notice),
                         title=step.title[turn.lang] if step else row["step_id"])]
    kpis = {k.key: k for k in _library_kpis(turn, state["library_id"])}
    reported = measurements.reported_in_week(turn.db, state["library_id"], state["week"])
    notes = [notice] if notice else []
    while state["todo"]:
        name = state["todo"][0]
        if name not in kpis:  # removed after the check-in was sent
            notes.append(turn.t("checkins.kpi_gone", kpi=state.get("names", {}).get(name, name)))
            state["todo"].pop(0)
            continue
        if name in reported and reported[name]["author_id"] != turn.user["id"]:
            row = reported[name]
            notes.append(turn.t("checkins.reported_meanwhile", kpi=kpis[name].name,
                                name=row["author_name"],
                                value=fmt(row["value"], turn, bool(row["percent"]))))
            state["todo"].pop(0)
            continue
        _save(turn, state)
        return [_ask_kpi(turn, state, kpis[name], "\n".join(notes))]
    return _finish(turn, state, "\n".join(notes))


def _ask_kpi(turn: Turn, state: dict[str, Any], kpi: kpi_store.Kpi, notice: str = "") -> Reply:
    history = [r for r in measurements.values_for(turn.db, state["library_id"], kpi.key)
               if r["iso_week"] < state["week"]]
    previous = history[-1] if history else None
    direction = trend([r["value"] for r in history], window=TREND_WEEKS)
    current_week = iso_week(turn.now, default_tz(turn.coach))
    total = max(state.get("total", 0), len(state["todo"]))
    n = total - len(state["todo"]) + 1
    choices = [[turn.button("checkins.label_skip", f"ci:skip:{len(state['todo'])}"),
                turn.button("checkins.label_stop", "ci:stop")]]
    return turn.say(
        "checkins.ask_kpi", choices=choices, notice=markup(notice), kpi=kpi.name,
        goal=kpi.goal, number=n, count=total,
        target=fmt(kpi.target, turn, kpi.target_percent),
        previous=fmt(previous["value"], turn, bool(previous["percent"])) if previous else "",
        previous_week=week_number(previous["iso_week"]) if previous else 0,
        trend=direction, late=state["week"] < current_week,
        week=week_number(state["week"]), example=_example(turn, kpi),
    )


def _example(turn: Turn, kpi: kpi_store.Kpi) -> str:
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


# --------------------------------------------------------------------------- answering


def on_text(turn: Turn, text: str) -> list[Reply]:
    state = _state(turn)
    if not state:
        turn.come_back()
        return turn.where_you_are()
    if state.get("library_id") != turn.library_id:
        return _left_library(turn)
    if not text.strip():
        return on_repeat(turn)
    action = navigation_word(text)
    if word_in(text, STOP_WORDS) or action == "pause":
        return _stop(turn, state)
    if state.get("done_q"):
        if word_in(text, YES):
            return _answer_done(turn, state, True)
        if word_in(text, NO):
            return _answer_done(turn, state, False)
        if action == "skip":
            return _answer_done(turn, state, None)
        return _next(turn, state, turn.t("checkins.yes_or_no"))
    if action == "skip":
        return _skip(turn, state)
    if state.get("confirm"):
        if word_in(text, YES):
            return _confirmed(turn, state)
        if word_in(text, NO):
            state["confirm"] = None
            return _next(turn, state, turn.t("checkins.type_again"))
    kpi = _current_kpi(turn, state)
    if kpi is None:
        return _next(turn, state)
    try:
        parsed = parse_number(text)
    except NumberError as error:
        state["confirm"] = None
        notice = turn.t("checkins.bad_number", reason=error.reason, example=_example(turn, kpi))
        _save(turn, state)
        return [_ask_kpi(turn, state, kpi, notice)]
    return _take(turn, state, kpi, parsed)


def _current_kpi(turn: Turn, state: dict[str, Any]) -> kpi_store.Kpi | None:
    if not state["todo"]:
        return None
    kpis = {k.key: k for k in _library_kpis(turn, state["library_id"])}
    return kpis.get(state["todo"][0])


def _take(turn: Turn, state: dict[str, Any], kpi: kpi_store.Kpi, parsed: ParsedNumber):
    percent = parsed.percent or kpi.target_percent
    problem = _warning(kpi, parsed.value, percent)
    if problem:
        state["confirm"] = {"kpi": kpi.key, "value": parsed.value, "percent": percent}
        _save(turn, state)
        n = len(state["todo"])
        choices = [[turn.button("checkins.label_confirm", f"ci:ok:{n}"),
                    turn.button("checkins.label_correct", f"ci:redo:{n}")]]
        return [turn.say("checkins.warning", choices=choices, problem=problem, kpi=kpi.name,
                         value=fmt(parsed.value, turn, percent),
                         target=fmt(kpi.target, turn, kpi.target_percent),
                         factor=ABSURD_FACTOR)]
    return _store_value(turn, state, kpi.key, parsed.value, percent)


def _confirmed(turn: Turn, state: dict[str, Any]) -> list[Reply]:
    confirm = state.get("confirm") or {}
    if not state["todo"] or confirm.get("kpi") != state["todo"][0]:
        state["confirm"] = None
        return _next(turn, state)
    return _store_value(turn, state, confirm["kpi"], confirm["value"], confirm["percent"])


def _store_value(turn: Turn, state: dict[str, Any], key: str, value: float, percent: bool):
    state["confirm"] = None
    kpis = {k.key: k for k in _library_kpis(turn, state["library_id"])}
    if key not in kpis:
        return _next(turn, state)  # removed meanwhile: _next says so and skips it
    measurements.record(turn.db, library_id=state["library_id"], kpi=key, week=state["week"],
                        value=value, percent=percent, author=turn.user, now=turn.now)
    state["todo"].pop(0)
    state["stored"].append([kpis[key].name, value, percent])
    return _next(turn, state, turn.t("checkins.saved", kpi=kpis[key].name,
                                     value=fmt(value, turn, percent)))


def _skip(turn: Turn, state: dict[str, Any]) -> list[Reply]:
    state["confirm"] = None
    if state["todo"]:
        key = state["todo"].pop(0)
        state["skipped"].append((state.get("names") or {}).get(key, key))
    return _next(turn, state, turn.t("checkins.skipped"))


def _answer_done(turn: Turn, state: dict[str, Any], done: bool | None) -> list[Reply]:
    if done is not None:
        checkins.answer_suggestion(turn.db, state["done_q"], turn.user["id"], turn.library_id,
                                   done, turn.now)
    state["done_q"] = None
    notice = {True: "checkins.done_yes", False: "checkins.done_no", None: "checkins.skipped"}
    return _next(turn, state, turn.t(notice[done]))


def _stop(turn: Turn, state: dict[str, Any]) -> list[Reply]:
    turn.come_back()
    return [turn.say("checkins.stopped", stored=len(state.get("stored", [])),
                     choices=[continue_row(turn)])]


def _left_library(turn: Turn) -> list[Reply]:
    turn.move("paused")
    return [turn.say("checkins.left_library"), *turn.where_you_are()]


def on_repeat(turn: Turn) -> list[Reply]:
    state = _state(turn)
    if not state or state.get("library_id") != turn.library_id:
        return _left_library(turn) if state else [turn.say("checkins.stopped", stored=0)]
    if state.get("confirm") and state["todo"]:
        kpi = _current_kpi(turn, state)
        if kpi is not None:
            confirm = state["confirm"]
            return _take(turn, {**state, "confirm": None}, kpi,
                         ParsedNumber(confirm["value"], percent=confirm["percent"]))
    return _next(turn, state)


def press(turn: Turn, rest: str) -> list[Reply]:
    """Buttons of the check-in conversation: ``ci:<action>[:<kpis left>]``."""
    action, _, token = rest.partition(":")
    if action == "progress":
        return progress(turn, "")
    if action == "start":
        return cmd_checkin(turn, "")
    state = _state(turn)
    if turn.user["mode"] != MODE or not state:
        return [turn.say("checkins.stale_button"), *turn.where_you_are()]
    if state.get("library_id") != turn.library_id:
        return _left_library(turn)
    if action == "stop":
        return _stop(turn, state)
    if action in ("yes", "no") and state.get("done_q"):
        return _answer_done(turn, state, action == "yes")
    fresh = not state.get("done_q") and token == str(len(state["todo"]))
    if action == "skip" and fresh:
        return _skip(turn, state)
    if action == "ok" and fresh and state.get("confirm"):
        return _confirmed(turn, state)
    if action == "redo" and fresh and state.get("confirm"):
        state["confirm"] = None
        return _next(turn, state, turn.t("checkins.type_again"))
    return [turn.say("checkins.stale_button"), *on_repeat(turn)]


# --------------------------------------------------------------------------- finishing


def _finish(turn: Turn, state: dict[str, Any], notice: str = "") -> list[Reply]:
    checkins.finish(turn.db, turn.user["id"], state["week"], turn.now)
    back = turn.come_back()
    step = next_step(turn)
    remember(turn, step, state["week"])
    stored = [{"kpi": name, "value": fmt(value, turn, percent)}
              for name, value, percent in state["stored"]]
    rows = []
    if step.kind == "strategy" or back.get("mode") in ("asking", "step_done", "paused"):
        rows.append(continue_row(turn))
    if not state.get("no_kpis"):
        rows.append([turn.button("checkins.label_progress", "ci:progress")])
    return [turn.say("checkins.finished", choices=rows, notice=markup(notice), stored=stored,
                     skipped=state["skipped"], no_kpis=state.get("no_kpis", False),
                     kind=step.kind, title=step.title, description=step.description,
                     minutes=step.minutes)]


# --------------------------------------------------------------------------- commands


def cmd_checkin(turn: Turn, args: str) -> list[Reply]:
    """/checkin: a check-in now (claims this week, so the scheduled one does not follow)."""
    schedule = member_schedule(turn.coach, turn.user["id"])
    tz = schedule.tz if schedule else default_tz(turn.coach)
    week = iso_week(turn.now, tz)
    checkins.claim(turn.db, turn.user, week, turn.now, "command")
    notes = []
    if schedule and schedule.stopped:
        notes.append(turn.t("checkins.note_stopped"))
    elif schedule and is_paused(schedule, turn.now):
        notes.append(turn.t("checkins.note_paused", until=local_date(turn, schedule.paused_until)))
    return _open(turn, week, notes)
