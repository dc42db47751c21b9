"""Weekly check-ins: this week's KPI values, progress, and one next small step.

Nothing here knows Telegram. The adapter (``coach/tg_checkins.py``, or ``python bot.py
checkins send-due``) asks ``coach.features.checkins.due.iter_due_checkins`` who is due,
calls :func:`start_checkin` for each and sends the replies; a user who blocked the bot
goes to ``mark_unreachable``. Schedules live in ``coach/checkin_schedules.py``, their
/settings section in ``coach/checkin_settings.py``.

Schedules
    A library checks in weekly (default Monday 09:30 in ``COACH_TZ``, Europe/Amsterdam);
    a coordinator changes that in /settings. A member may choose their own day and time,
    pause until a date (check-ins resume *on* that date) or stop check-ins. The local
    wall-clock time is kept across daylight-saving changes (``coach.core.calendar``). There
    is no job per user: one periodic job asks the database what is due.

Exactly once per member per week
    ``checkins`` has a UNIQUE (user_id, iso_week) row. The scheduled path claims that row
    in its own committed transaction right before the first message is built and sent;
    a claimed row is never sent again, also not after a kill in the middle of a batch.
    That makes the check-in *at most once*: if the process dies in the tiny window
    between the claim and Telegram accepting the message, that member misses one weekly
    check-in (they can still type /checkin). We chose this over at-least-once because
    a missed nudge costs little while a duplicate one annoys, and a duplicate cannot be
    ruled out anyway (Telegram may accept a message whose response we never see).
    Catch-up: a slot that passed while the bot was down is sent once when it runs
    again, within the same local ISO week; earlier weeks are never caught up.

The conversation (mode ``checkin``; state in ``users.pending``)
    1. was last week's suggested step done? (a suggested strategy question is checked
       by itself: is it answered now?)
    2. for each KPI of the library that no colleague reported this week yet: this
       week's value, showing the previous value, the target and the trend. Numbers in
       Dutch or English notation (``coach.flow.numbers``); anything else is asked again with
       an example. Negative values, more than 100 % for a percentage, or more than 100x
       the target get a warning and a confirm button. A KPI can be skipped.
    3. one next small step (``coach.features.next_steps.ranking``), stored as a suggestion.
    Where the user was (a question of the strategy, say) is kept in ``pending`` and
    restored at the end, with a Continue button.

Choices where the issue was silent
    * A check-in answered late (after its week ended) stores its values in the week the
      check-in was for, and says so in the question ("for week 47").
    * A KPI deleted after the check-in was sent is skipped with a notice; a member who
      left (or moved to another) library gets the check-in closed, nothing stored.
    * /checkin always works, also when paused or stopped (with a note); it claims the
      week, so the scheduled check-in does not come on top of it.
    * A user marked unreachable is reachable again as soon as they write to the bot
      (any message, command or button: ``Coach.handle`` sets ``users.active`` again).
"""

from __future__ import annotations

from datetime import date, datetime
from functools import partial
from typing import TYPE_CHECKING, Any

from coach.core.calendar import (
    iso_week,
)
from coach.core.events import Choice, Reply
from coach.core.texts import markup
from coach.features.checkins import kpis as kpi_store
from coach.features.checkins.due import (
    claim,
    default_tz,
    is_paused,
    member_schedule,
)
from coach.features.checkins.trend import trend
from coach.features.next_steps.ranking import NextStep, choose_next_step
from coach.features.next_steps.snapshot import TREND_WEEKS, done_steps, library_snapshot
from coach.features.next_steps.steps_file import load_steps
from coach.flow.matching import NO, YES, navigation_word, word_in
from coach.flow.numbers import NumberError, ParsedNumber, format_number, parse_number
from coach.flow.views import nav_button
from coach.flow.vocabulary import words
from coach.storage import store
from coach.storage.store import iso

if TYPE_CHECKING:
    from coach.core.engine import Coach, Turn

MODE, SET_MODE = "checkin", "checkin_set"
ABSURD_FACTOR = 100  # a value above 100x the target is probably a typo
HISTORY_WEEKS = 8  # weeks shown by /voortgang
STOP_WORDS = words("stop")  # flows/<lang>/vocabulary.yaml


# --------------------------------------------------------------------------- starting


def start_checkin(coach: Coach, user_id: str, now: datetime | None = None) -> list[Reply]:
    """Claim this week's check-in for ``user_id`` (committed on its own, before anything
    is sent) and build its first message. Returns [] when it was claimed already or the
    user is no longer in a library; whatever is returned must be sent once."""
    from coach.core.engine import Turn

    now = now or coach.clock()
    with coach.db.atomic():
        user = store.get_user(coach.db, user_id)
        if user is None or not user["library_id"]:
            return []
        schedule = member_schedule(coach, user_id)
        week = iso_week(now, schedule.tz if schedule else default_tz(coach))
        if not claim(coach, user, week, now, "schedule"):
            return []
    with coach.db.atomic():
        user = store.get_user(coach.db, user_id)
        if user is None or not user["library_id"]:
            return []
        return _open(Turn(coach, user, now), week)


# --------------------------------------------------------------------------- state


def _library_kpis(turn: Turn, library_id: int) -> list[kpi_store.Kpi]:
    """The library's KPIs, read once per event (asking, storing and going on all
    need them while a value is typed)."""
    key = ("library_kpis", library_id)
    if key not in turn.memo:
        turn.memo[key] = kpi_store.library_kpis(turn.db, library_id)
    return turn.memo[key]


def _state(turn: Turn) -> dict[str, Any]:
    return turn.pending.get("checkin") or {}


def _save(turn: Turn, state: dict[str, Any]) -> None:
    turn.update(pending={**turn.pending, "checkin": state})


def return_point(turn: Turn, keep_checkin: bool = False) -> dict[str, Any]:
    """Where the user was before a check-in or a settings question. ``keep_checkin``:
    a check-in under way is where to return to (a setting changed in the middle)."""
    if turn.user["mode"] == SET_MODE or (turn.user["mode"] == MODE and not keep_checkin):
        return turn.pending.get("return") or {"mode": "paused"}
    if turn.user["mode"] == MODE:
        return {"mode": MODE, "question_id": turn.user["question_id"],
                "item": turn.user["item"] or 0, "pending": turn.pending}
    pending = {k: v for k, v in turn.pending.items() if k not in ("checkin", "set", "return")}
    return {"mode": turn.user["mode"], "question_id": turn.user["question_id"],
            "item": turn.user["item"] or 0, "pending": pending}


def restore(turn: Turn) -> dict[str, Any]:
    back = turn.pending.get("return") or {"mode": "paused"}
    turn.update(mode=back.get("mode") or "paused", question_id=back.get("question_id"),
                item=back.get("item") or 0, pending=back.get("pending") or {})
    turn._positions = None
    return back


def _continue_row(turn: Turn) -> list[Choice]:
    return [nav_button(turn.lang, "continue")]


def local_date(turn: Turn, day: date | None) -> str:
    """A date as people write it: 5-1-2027 in Dutch, 2027-01-05 in English."""
    if day is None:
        return ""
    return turn.t("labels.date", day=day.day, month=day.month, year=day.year)


def _week_number(week: str) -> int:
    return int(week.rpartition("W")[2])


def _fmt(value: float | None, turn: Turn, percent: bool = False) -> str:
    return "" if value is None else format_number(value, turn.lang, percent=percent)


# --------------------------------------------------------------------------- opening


def _open(turn: Turn, week: str, notes: list[str] | None = None) -> list[Reply]:
    """Start the conversation for ``week``; returns its first message(s)."""
    db, library_id = turn.db, turn.library_id
    back = return_point(turn)
    _resolve_strategy_suggestion(turn)
    ask_done = _open_suggestion(turn, week)
    all_kpis = kpi_store.library_kpis(db, library_id)
    reported = kpi_store.reported_this_week(db, library_id, week)
    todo = [k.name for k in all_kpis if k.name not in reported]
    colleagues = [
        {"kpi": k.name, "name": reported[k.name]["author_name"],
         "value": _fmt(reported[k.name]["value"], turn, bool(reported[k.name]["percent"]))}
        for k in all_kpis if k.name in reported
    ]
    intro = turn.t("checkins.intro", week=_week_number(week), notes=notes or [],
                   colleagues=colleagues, has_kpis=bool(all_kpis), todo=len(todo))
    state = {"week": week, "library_id": library_id, "todo": todo, "total": len(todo),
             "stored": [],
             "skipped": [], "no_kpis": not all_kpis,
             "done_q": ask_done["id"] if ask_done else None, "confirm": None}
    turn.update(mode=MODE, pending={"checkin": state, "return": back})
    return _next(turn, state, intro)


def _suggestion(turn: Turn, suggestion_id: int | None) -> dict[str, Any] | None:
    """An open suggestion of this user in their current library, by id."""
    if not suggestion_id:
        return None
    rows = list(turn.db.query(
        "select * from suggestions where id = ? and user_id = ? and library_id = ?"
        " and done is null", [suggestion_id, turn.user["id"], turn.library_id]))
    return rows[0] if rows else None


def _open_suggestion(turn: Turn, week: str) -> dict[str, Any] | None:
    """The user's latest suggestion from an earlier week that was not answered yet."""
    rows = list(turn.db.query(
        "select * from suggestions where user_id = ? and library_id = ?"
        " order by id desc limit 1",
        [turn.user["id"], turn.library_id]))
    if not rows or rows[0]["done"] is not None or rows[0]["iso_week"] == week:
        return None
    if load_steps().get(rows[0]["step_id"]) is None:
        return None
    return rows[0]


def _resolve_strategy_suggestion(turn: Turn) -> None:
    """A suggested strategy question is done when it is answered now: no need to ask."""
    answered = {qid for (qid, _item), status in turn.positions.status.items()
                if status == "answered"}
    for row in turn.db.query(
        "select id, step_id from suggestions where user_id = ? and library_id = ?"
        " and kind = 'strategy' and done is null", [turn.user["id"], turn.library_id]
    ):
        turn.db.execute("update suggestions set done = ?, answered_at = ? where id = ?",
                        [int(row["step_id"] in answered), iso(turn.now), row["id"]])


# --------------------------------------------------------------------------- asking


def _next(turn: Turn, state: dict[str, Any], notice: str = "") -> list[Reply]:
    """Ask the next open thing, or finish."""
    row = _suggestion(turn, state.get("done_q"))
    if row is None:
        state["done_q"] = None  # answered meanwhile, or gone with its library
    else:
        step = load_steps().get(row["step_id"])
        _save(turn, state)
        choices = [[turn.button("checkins.label_done_yes", "ci:yes"),
                    turn.button("checkins.label_done_no", "ci:no")]]
        return [turn.say("checkins.ask_done", choices=choices, notice=markup(notice),
                         title=step.title[turn.lang] if step else row["step_id"])]
    kpis = {k.name: k for k in _library_kpis(turn, state["library_id"])}
    reported = kpi_store.reported_this_week(turn.db, state["library_id"], state["week"])
    notes = [notice] if notice else []
    while state["todo"]:
        name = state["todo"][0]
        if name not in kpis:  # deleted (or renamed) after the check-in was sent
            notes.append(turn.t("checkins.kpi_gone", kpi=name))
            state["todo"].pop(0)
            continue
        if name in reported and reported[name]["author_id"] != turn.user["id"]:
            row = reported[name]
            notes.append(turn.t("checkins.reported_meanwhile", kpi=name, name=row["author_name"],
                                value=_fmt(row["value"], turn, bool(row["percent"]))))
            state["todo"].pop(0)
            continue
        _save(turn, state)
        return [_ask_kpi(turn, state, kpis[name], "\n".join(notes))]
    return _finish(turn, state, "\n".join(notes))


def _ask_kpi(turn: Turn, state: dict[str, Any], kpi: kpi_store.Kpi, notice: str = "") -> Reply:
    history = [r for r in kpi_store.values(turn.db, state["library_id"], kpi.name)
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
        target=_fmt(kpi.target, turn, kpi.target_percent),
        previous=_fmt(previous["value"], turn, bool(previous["percent"])) if previous else "",
        previous_week=_week_number(previous["iso_week"]) if previous else 0,
        trend=direction, late=state["week"] < current_week,
        week=_week_number(state["week"]), example=_example(turn, kpi),
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
        restore(turn)
        return turn.coach.where_you_are(turn)
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
    kpis = {k.name: k for k in _library_kpis(turn, state["library_id"])}
    return kpis.get(state["todo"][0])


def _take(turn: Turn, state: dict[str, Any], kpi: kpi_store.Kpi, parsed: ParsedNumber):
    percent = parsed.percent or kpi.target_percent
    problem = _warning(kpi, parsed.value, percent)
    if problem:
        state["confirm"] = {"kpi": kpi.name, "value": parsed.value, "percent": percent}
        _save(turn, state)
        n = len(state["todo"])
        choices = [[turn.button("checkins.label_confirm", f"ci:ok:{n}"),
                    turn.button("checkins.label_correct", f"ci:redo:{n}")]]
        return [turn.say("checkins.warning", choices=choices, problem=problem, kpi=kpi.name,
                         value=_fmt(parsed.value, turn, percent),
                         target=_fmt(kpi.target, turn, kpi.target_percent),
                         factor=ABSURD_FACTOR)]
    return _store_value(turn, state, kpi.name, parsed.value, percent)


def _confirmed(turn: Turn, state: dict[str, Any]) -> list[Reply]:
    confirm = state.get("confirm") or {}
    if not state["todo"] or confirm.get("kpi") != state["todo"][0]:
        state["confirm"] = None
        return _next(turn, state)
    return _store_value(turn, state, confirm["kpi"], confirm["value"], confirm["percent"])


def _store_value(turn: Turn, state: dict[str, Any], name: str, value: float, percent: bool):
    state["confirm"] = None
    if name not in {k.name for k in _library_kpis(turn, state["library_id"])}:
        return _next(turn, state)  # deleted meanwhile: _next says so and skips it
    kpi_store.record(turn.db, library_id=state["library_id"], kpi=name, week=state["week"],
                     value=value, percent=percent, author=turn.user, now=turn.now)
    state["todo"].pop(0)
    state["stored"].append([name, value, percent])
    return _next(turn, state, turn.t("checkins.saved", kpi=name,
                                     value=_fmt(value, turn, percent)))


def _skip(turn: Turn, state: dict[str, Any]) -> list[Reply]:
    state["confirm"] = None
    if state["todo"]:
        state["skipped"].append(state["todo"].pop(0))
    return _next(turn, state, turn.t("checkins.skipped"))


def _answer_done(turn: Turn, state: dict[str, Any], done: bool | None) -> list[Reply]:
    if done is not None:
        turn.db.execute(
            "update suggestions set done = ?, answered_at = ? where id = ? and user_id = ?"
            " and library_id = ?",
            [int(done), iso(turn.now), state["done_q"], turn.user["id"], turn.library_id])
    state["done_q"] = None
    notice = {True: "checkins.done_yes", False: "checkins.done_no", None: "checkins.skipped"}
    return _next(turn, state, turn.t(notice[done]))


def _stop(turn: Turn, state: dict[str, Any]) -> list[Reply]:
    restore(turn)
    return [turn.say("checkins.stopped", stored=len(state.get("stored", [])),
                     choices=[_continue_row(turn)])]


def _left_library(turn: Turn) -> list[Reply]:
    turn.update(mode="paused", question_id=None, item=0, pending={})
    return [turn.say("checkins.left_library"), *turn.coach.where_you_are(turn)]


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
        return [turn.say("checkins.stale_button"), *turn.coach.where_you_are(turn)]
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


def next_step(turn: Turn) -> NextStep:
    position = turn.positions.next_open()
    open_question = None
    if position is not None:
        prompt = position.question.prompt[turn.lang].replace("{item}", position.item_key)
        open_question = (position.question.id, prompt)
    snapshot = library_snapshot(turn.db, turn.library_id, turn.user["id"], open_question)
    return choose_next_step(snapshot, done_steps(turn.db, turn.library_id), turn.lang)


def _remember(turn: Turn, step: NextStep, week: str) -> None:
    existing = list(turn.db.query(
        "select id from suggestions where user_id = ? and iso_week = ? and done is null",
        [turn.user["id"], week]))
    row = {"library_id": turn.library_id, "user_id": turn.user["id"], "step_id": step.id,
           "kind": step.kind, "iso_week": week, "created_at": iso(turn.now), "done": None}
    if existing:
        turn.db["suggestions"].update(existing[0]["id"], row)
    else:
        turn.db["suggestions"].insert(row)


def _finish(turn: Turn, state: dict[str, Any], notice: str = "") -> list[Reply]:
    turn.db.execute(
        "update checkins set finished_at = ? where user_id = ? and iso_week = ?",
        [iso(turn.now), turn.user["id"], state["week"]])
    back = restore(turn)
    step = next_step(turn)
    _remember(turn, step, state["week"])
    stored = [{"kpi": name, "value": _fmt(value, turn, percent)}
              for name, value, percent in state["stored"]]
    rows = []
    if step.kind == "strategy" or back.get("mode") in ("asking", "step_done", "paused"):
        rows.append(_continue_row(turn))
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
    claim(turn.coach, turn.user, week, turn.now, "command")
    notes = []
    if schedule and schedule.stopped:
        notes.append(turn.t("checkins.note_stopped"))
    elif schedule and is_paused(schedule, turn.now):
        notes.append(turn.t("checkins.note_paused", until=local_date(turn, schedule.paused_until)))
    return _open(turn, week, notes)


def progress(turn: Turn, args: str) -> list[Reply]:
    """/voortgang: each KPI's recent values against its target, as a chart and a table."""
    from coach.features.checkins.chart import Series, progress_chart

    kpis = kpi_store.library_kpis(turn.db, turn.library_id)
    if not kpis:
        return [turn.say("checkins.progress_no_kpis", choices=[_continue_row(turn)])]
    series, table = [], []
    for kpi in kpis:
        rows = kpi_store.values(turn.db, turn.library_id, kpi.name, limit=HISTORY_WEEKS)
        series.append(Series(kpi.name, [f"W{_week_number(r['iso_week'])}" for r in rows],
                             [r["value"] for r in rows], kpi.target, kpi.target_percent))
        table.append({
            "kpi": kpi.name, "target": _fmt(kpi.target, turn, kpi.target_percent),
            "trend": trend([r["value"] for r in rows], window=TREND_WEEKS),
            "rows": [(_week_number(r["iso_week"]), _fmt(r["value"], turn, bool(r["percent"])),
                      r["author_name"]) for r in rows],
        })
    measured = any(s.values for s in series)
    if not measured:
        return [turn.say("checkins.progress_empty", kpis=table,
                         choices=[[turn.button("checkins.label_checkin", "ci:start")]])]
    text = turn.t("checkins.progress", kpis=table)
    draw = partial(progress_chart, series, target_label=turn.t("checkins.chart_target"),
                   title=turn.t("checkins.chart_title"))
    return [Reply(text=text, photo=draw)]

# --------------------------------------------------------------------------- wiring


def register(coach: Coach) -> None:
    coach.add_command("checkin", cmd_checkin)
    coach.add_command("progress", progress)
    coach.add_mode(MODE, on_text, on_repeat)
    coach.add_button("ci", press)
    from coach.features.checkins import preferences as checkin_settings

    checkin_settings.register(coach)
