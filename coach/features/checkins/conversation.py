"""The check-in conversation: each KPI at its own rhythm, and one next small step.

Nothing here knows Telegram: the feature's weekly ``Job`` (``feature.py``) names
:func:`start_checkin`, and an adapter sends what it returns to each member that
``due.py`` finds due (schedules, and why a check-in is at most once, are there).

The conversation (mode ``checkin``, a detour: where the user was comes back after it)
    1. was last week's suggested step done? ja / deels / nee, geen tijd / nee, het
       werkte niet (``step_done.py``; a suggested strategy question is checked by
       itself: is it answered now?)
    2. once per KPI of an older strategy: its missing period, deadline and baseline
       (``kpi_setup.py``)
    3. the values that are due (``rhythm.py``): weekly KPIs every week, monthly ones in
       the first check-in of the month (last month's total), totals at the team's
       measuring rhythm; it says which when not all are due ("Deze week alleen: ...").
       Each question shows where the KPI stands (``standing.py``); a value for a
       period that has one already asks whether to replace it (``values.py``).
       Colleagues' values of the period are shown as theirs; the member's own are not.
    4. one next small step with the reason it was chosen (``suggestions.py``).
The coordinator's first check-in of a month starts with a team summary
(``summary.py``).

Choices where the issue was silent: a check-in answered late stores its values in the
period it was for, and says so; a KPI deleted after the check-in was sent is skipped
with a notice; a member who left the library gets the check-in closed with nothing
stored; /checkin always works, also when paused or stopped (with a note), and claims
the week so the scheduled one does not follow; a second /checkin in the same week
asks again for the values the member gave, to correct them.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from coach.core.calendar import iso_week
from coach.core.events import Reply
from coach.core.texts import markup
from coach.features.checkins import kpi_setup, step_done, values
from coach.features.checkins.due import default_tz, is_paused, local_today, member_schedule
from coach.features.checkins.formatting import continue_row, fmt, local_date, week_number
from coach.features.checkins.progress import progress
from coach.features.checkins.rhythm import due_for, kind_of
from coach.features.checkins.suggestions import (
    earlier_suggestion,
    first_of_month,
    next_step,
    open_suggestion,
    remember,
    resolve_strategy_suggestions,
)
from coach.features.checkins.summary import team_summary
from coach.features.next_steps.steps_file import load_steps
from coach.flow.matching import NO, YES, navigation_word, word_in
from coach.flow.numbers import NumberError, ParsedNumber, parse_number
from coach.flow.vocabulary import words
from coach.storage import checkins, measurements
from coach.storage.db import transaction

if TYPE_CHECKING:
    from coach.core.engine import Coach
    from coach.core.turn import Turn

MODE, SET_MODE = "checkin", "checkin_set"
STOP_WORDS = words("stop")  # flows/<lang>/vocabulary.yaml


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


def _state(turn: Turn) -> dict[str, Any]:
    return turn.state(MODE)


def _save(turn: Turn, state: dict[str, Any]) -> None:
    turn.set_state(MODE, state)


# --------------------------------------------------------------------------- opening


def _open(turn: Turn, week: str, notes: list[str] | None = None,
          again: bool = False) -> list[Reply]:
    """Start the conversation for ``week``; returns its first message(s)."""
    resolve_strategy_suggestions(turn)
    ask_done = earlier_suggestion(turn, week)
    all_kpis = values.library_kpis(turn, turn.library_id)
    today = local_today(turn.now, default_tz(turn.coach))
    coordinator = turn.user["role"] == "coordinator"
    rhythm = values.rhythm(turn, turn.library_id) if all_kpis else "weekly"
    monthly = any(kind_of(k, rhythm) != "week" for k in all_kpis)
    # only a monthly KPI and the coordinator's summary need to know (one query less)
    first = first_of_month(turn, week, today) if monthly or coordinator else True
    state = {"week": week, "library_id": turn.library_id, "todo": [], "total": 0,
             "periods": {}, "stored": [], "skipped": [], "no_kpis": not all_kpis,
             "done_q": ask_done["id"] if ask_done else None, "confirm": None,
             "replace": None, "setup": kpi_setup.needing(turn, all_kpis), "setup_parts": [],
             "planned": False, "first": first, "again": again, "today": today.isoformat()}
    summary = ""
    if first and coordinator and all_kpis:
        summary = team_summary(turn, all_kpis)
    intro = turn.t("checkins.intro", week=week_number(week), notes=notes or [],
                   has_kpis=bool(all_kpis), setup=bool(state["setup"]), summary=markup(summary))
    if not state["setup"]:
        intro = "\n".join(t for t in (intro, _plan(turn, state)) if t.strip())
    turn.detour(MODE, checkin=state)
    return _next(turn, state, intro)


def _plan(turn: Turn, state: dict[str, Any]) -> str:
    """Decide which KPIs this check-in asks, for which period; returns what to say
    about it (only these are due, colleagues' values already in)."""
    from datetime import date

    db, library_id, me = turn.db, state["library_id"], turn.user["id"]
    rhythm = values.rhythm(turn, library_id)
    today = date.fromisoformat(state["today"])
    todo, later, colleagues, own = [], [], [], []
    for kpi in values.library_kpis(turn, library_id):
        due = due_for(kpi, rhythm, today, state["week"], state["first"])
        if not due.due:
            later.append({"kpi": kpi.name, "kind": due.kind})
            continue
        state["periods"][kpi.key] = due.period
        row = measurements.in_period(db, library_id, kpi.key, due.period)
        if row is None or (state["again"] and row["author_id"] == me):
            todo.append(kpi.key)
            continue
        entry = {"kpi": kpi.name, "name": row["author_name"],
                 "value": fmt(row["value"], turn, bool(row["percent"]))}
        (own if row["author_id"] == me else colleagues).append(entry)
    names = {k.key: k.name for k in values.library_kpis(turn, library_id)}
    state.update(todo=todo, total=len(todo), planned=True, names=names)
    if todo and not (colleagues or own or later):
        return ""  # everything is asked: nothing to say about it
    return turn.t("checkins.plan", colleagues=colleagues, own=own, later=later,
                  only=[names[k] for k in todo] if later else [], todo=len(todo),
                  has_kpis=bool(names))


# --------------------------------------------------------------------------- asking


def _next(turn: Turn, state: dict[str, Any], notice: str = "") -> list[Reply]:
    """Ask the next open thing, or finish."""
    row = open_suggestion(turn, state.get("done_q"))
    if row is None:
        state["done_q"] = None  # answered meanwhile, or gone with its library
    else:
        step = load_steps().get(row["step_id"])
        _save(turn, state)
        return [turn.say("checkins.ask_done", choices=step_done.buttons(turn),
                         notice=markup(notice),
                         title=step.title[turn.lang] if step else row["step_id"])]
    kpis = values.by_key(turn, state)
    notes = [notice] if notice else []
    while state.get("setup"):
        kpi = kpis.get(state["setup"][0])
        if kpi is not None and state.get("setup_current") != kpi.key:
            state["setup_current"] = kpi.key
            notes.append(kpi_setup.begin(turn, state, kpi))
        if kpi is None or not state["setup_parts"]:
            state["setup"].pop(0)
            continue
        _save(turn, state)
        return [kpi_setup.ask(turn, state, kpi, "\n".join(n for n in notes if n))]
    if not state.get("planned"):
        turn.memo.pop(("library_kpis", state["library_id"]), None)  # the setup changed them
        kpis = values.by_key(turn, state)
        notes.append(_plan(turn, state))
    while state["todo"]:
        key = state["todo"][0]
        if key not in kpis:  # deleted (or renamed) after the check-in was sent
            notes.append(turn.t("checkins.kpi_gone", kpi=state.get("names", {}).get(key, key)))
            state["todo"].pop(0)
            continue
        _save(turn, state)
        return [values.ask_kpi(turn, state, kpis[key], "\n".join(n for n in notes if n))]
    return _finish(turn, state, "\n".join(n for n in notes if n))


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
        outcome = step_done.read_outcome(text)
        if outcome:
            return _answer_done(turn, state, outcome)
        if action == "skip":
            return _answer_done(turn, state, None)
        return _next(turn, state, turn.t("checkins.which_done"))
    if state.get("setup") and state.get("setup_parts"):
        return _setup_answer(turn, state, text=text, skip=action == "skip")
    if action == "skip":
        return _skip(turn, state)
    if state.get("replace"):
        if word_in(text, YES):
            return _replace(turn, state, True)
        if word_in(text, NO):
            return _replace(turn, state, False)
        state["replace"] = None
    if state.get("confirm"):
        if word_in(text, YES):
            return values.confirmed(turn, state, _next)
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
        notice = turn.t("checkins.bad_number", reason=error.reason,
                        example=values.example(turn, kpi))
        _save(turn, state)
        return [values.ask_kpi(turn, state, kpi, notice)]
    return values.take(turn, state, kpi, parsed, _next)


def _current_kpi(turn: Turn, state: dict[str, Any]):
    if not state["todo"]:
        return None
    return values.by_key(turn, state).get(state["todo"][0])


def _setup_answer(turn: Turn, state: dict[str, Any], *, text: str | None = None,
                  option: str | None = None, skip: bool = False) -> list[Reply]:
    kpi = values.by_key(turn, state).get(state["setup"][0])
    if kpi is None:
        state["setup_parts"] = []
        return _next(turn, state)
    if skip:
        kpi_setup.skip(turn, state, kpi)
        return _next(turn, state, turn.t("checkins.skipped"))
    problem = kpi_setup.answer(turn, state, kpi, text=text, option=option)
    if problem:
        _save(turn, state)
        return [kpi_setup.ask(turn, state, kpi, problem)]
    return _next(turn, state, turn.t("checkins.set_saved"))


def _replace(turn: Turn, state: dict[str, Any], yes: bool) -> list[Reply]:
    pending = state.get("replace") or {}
    if not yes or not pending:
        return values.keep_existing(turn, state, _next)
    return values.store_value(turn, state, pending["kpi"], pending["value"], pending["percent"],
                              _next, replace=True)


def _skip(turn: Turn, state: dict[str, Any]) -> list[Reply]:
    state["confirm"] = state["replace"] = None
    if state["todo"]:
        key = state["todo"].pop(0)
        kpi = values.by_key(turn, state).get(key)
        state["skipped"].append(kpi.name if kpi else key)
    return _next(turn, state, turn.t("checkins.skipped"))


def _answer_done(turn: Turn, state: dict[str, Any], outcome: str | None) -> list[Reply]:
    if outcome is not None:
        checkins.answer_suggestion(turn.db, state["done_q"], turn.user["id"], turn.library_id,
                                   outcome == "done", turn.now, outcome)
    state["done_q"] = None
    return _next(turn, state, turn.t("checkins.done_answer", outcome=outcome or "skipped"))


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
    if state.get("replace") and state["todo"]:
        pending = state["replace"]
        return values.store_value(turn, {**state, "replace": None}, pending["kpi"],
                                  pending["value"], pending["percent"], _next)
    if state.get("confirm") and state["todo"]:
        kpi = _current_kpi(turn, state)
        if kpi is not None:
            confirm = state["confirm"]
            return values.take(turn, {**state, "confirm": None}, kpi,
                               ParsedNumber(confirm["value"], percent=confirm["percent"]), _next)
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
    if action in step_done.BUTTONS and state.get("done_q"):
        return _answer_done(turn, state, step_done.BUTTONS[action])
    in_setup = bool(state.get("setup") and state.get("setup_parts") and not state.get("done_q"))
    if action in ("per", "dl") and in_setup:
        part = "period" if action == "per" else "deadline"
        if state["setup_parts"][0] == part:
            return _setup_answer(turn, state, option=token)
    if action == "setskip" and in_setup:
        return _setup_answer(turn, state, skip=True)
    fresh = not state.get("done_q") and not in_setup and token == str(len(state["todo"]))
    if action == "skip" and fresh:
        return _skip(turn, state)
    if action in ("rep", "keep") and fresh and state.get("replace"):
        return _replace(turn, state, action == "rep")
    if action == "ok" and fresh and state.get("confirm"):
        return values.confirmed(turn, state, _next)
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
    reason, detail = step.why
    return [turn.say("checkins.finished", choices=rows, notice=markup(notice), stored=stored,
                     skipped=state["skipped"], no_kpis=state.get("no_kpis", False),
                     kind=step.kind, title=step.title, description=step.description,
                     minutes=step.minutes, reason=reason, detail=detail)]


def cmd_checkin(turn: Turn, args: str) -> list[Reply]:
    """/checkin: a check-in now (claims this week, so the scheduled one does not follow)."""
    schedule = member_schedule(turn.coach, turn.user["id"])
    tz = schedule.tz if schedule else default_tz(turn.coach)
    week = iso_week(turn.now, tz)
    fresh = checkins.claim(turn.db, turn.user, week, turn.now, "command")
    notes = []
    if schedule and schedule.stopped:
        notes.append(turn.t("checkins.note_stopped"))
    elif schedule and is_paused(schedule, turn.now):
        notes.append(turn.t("checkins.note_paused", until=local_date(turn, schedule.paused_until)))
    return _open(turn, week, notes, again=not fresh)
