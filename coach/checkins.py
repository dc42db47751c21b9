"""Weekly check-ins: this week's KPI values, progress, and one next small step.

Nothing here knows Telegram. The adapter (``coach/tg_checkins.py``, or ``python bot.py
checkins send-due``) asks :func:`due_checkins` who is due, calls :func:`start_checkin`
for each and sends the replies; a user who blocked the bot goes to
:func:`mark_unreachable`.

Schedules
    A library checks in weekly (default Monday 09:30 in ``COACH_TZ``, Europe/Amsterdam);
    a coordinator changes that in /settings. A member may choose their own day and time,
    pause until a date (check-ins resume *on* that date) or stop check-ins. The local
    wall-clock time is kept across daylight-saving changes (``coach.schedule``). There
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
       Dutch or English notation (``coach.numbers``); anything else is asked again with
       an example. Negative values, more than 100 % for a percentage, or more than 100x
       the target get a warning and a confirm button. A KPI can be skipped.
    3. one next small step (``coach.next_steps``), stored as a suggestion.
    Where the user was (a question of the strategy, say) is kept in ``pending`` and
    restored at the end, with a Continue button.

Choices where the issue was silent
    * A check-in answered late (after its week ended) stores its values in the week the
      check-in was for, and says so in the question ("for week 47").
    * A KPI deleted after the check-in was sent is skipped with a notice; a member who
      left (or moved to another) library gets the check-in closed, nothing stored.
    * /checkin always works, also when paused or stopped (with a note); it claims the
      week, so the scheduled check-in does not come on top of it.
    * A user marked unreachable is reachable again once they write to the bot (their
      ``updated_at`` is newer than ``unreachable_at``).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from markupsafe import Markup

from coach import kpis as kpi_store
from coach import store
from coach.advice import chosen_ids
from coach.events import Choice, Reply
from coach.matching import NO, YES, navigation_word, word_in
from coach.next_steps import (
    KpiTrend,
    LibrarySnapshot,
    NextStep,
    choose_next_step,
    is_in_place,
    load_steps,
    trend,
)
from coach.numbers import NumberError, ParsedNumber, format_number, parse_number
from coach.positions import library_view
from coach.schedule import (
    DEFAULT_TZ,
    check_in_due,
    format_time,
    iso_week,
    parse_time,
    parse_weekday,
    weekday_name,
)
from coach.store import iso
from coach.texts import markup

if TYPE_CHECKING:
    from coach.engine import Coach, Turn

MODE, SET_MODE = "checkin", "checkin_set"
DEFAULT_WEEKDAY, DEFAULT_AT = 0, time(9, 30)
ABSURD_FACTOR = 100  # a value above 100x the target is probably a typo
HISTORY_WEEKS = 8  # weeks shown by /voortgang
TREND_WEEKS = 4
MAX_PAUSE = timedelta(days=366)
STOP_WORDS = ("stop", "stoppen", "pauze", "pause", "annuleren", "cancel", "genoeg")


# --------------------------------------------------------------------------- schedules


@dataclass(frozen=True)
class Schedule:
    weekday: int
    at: time
    tz: str
    since: datetime | None  # no slot before this moment counts
    own: bool  # the member chose their own day and time
    paused_until: date | None
    stopped: bool


def default_tz(coach: Coach) -> str:
    return getattr(coach, "checkin_tz", None) or os.environ.get("COACH_TZ") or DEFAULT_TZ


def _at(text: str | None) -> time | None:
    if not text:
        return None
    hours, _, minutes = text.partition(":")
    return time(int(hours), int(minutes or 0))


def _moment(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def _schedule(row: dict[str, Any], tz: str) -> Schedule:
    """The schedule of one member from a row of the query in :func:`_member_rows`."""
    tz = row.get("lib_tz") or tz
    own = row.get("own_weekday") is not None and row.get("own_at") is not None
    if own:
        weekday, at, since = row["own_weekday"], _at(row["own_at"]), row.get("own_since")
    elif row.get("lib_weekday") is not None:
        weekday, at, since = row["lib_weekday"], _at(row["lib_at"]), row.get("lib_since")
    else:
        weekday, at, since = DEFAULT_WEEKDAY, DEFAULT_AT, None
    # a slot before the member's last change of schedule (or before they or the library
    # existed) never fires: choosing "Monday" on a Wednesday waits for next Monday
    moments = [m for m in (_moment(since), _moment(row.get("own_since")),
                           _moment(row.get("user_created")),
                           _moment(row.get("library_created"))) if m]
    paused = row.get("paused_until")
    return Schedule(weekday=weekday, at=at or DEFAULT_AT, tz=tz,
                    since=max(moments) if moments else None, own=own,
                    paused_until=date.fromisoformat(paused) if paused else None,
                    stopped=bool(row.get("stopped")))


_MEMBER_SQL = """
select u.id, u.library_id, u.created_at as user_created, l.created_at as library_created,
       ls.weekday as lib_weekday, ls.at as lib_at, ls.tz as lib_tz, ls.since as lib_since,
       ms.weekday as own_weekday, ms.at as own_at, ms.since as own_since,
       ms.paused_until, coalesce(ms.stopped, 0) as stopped
from users u
join libraries l on l.id = u.library_id
left join library_schedules ls on ls.library_id = u.library_id
left join member_schedules ms on ms.user_id = u.id
"""


def member_schedule(coach: Coach, user_id: str) -> Schedule | None:
    rows = list(coach.db.query(_MEMBER_SQL + " where u.id = ?", [user_id]))
    return _schedule(rows[0], default_tz(coach)) if rows else None


def _local_today(now: datetime, tz: str) -> date:
    return now.astimezone(ZoneInfo(tz)).date()


def is_paused(schedule: Schedule, now: datetime) -> bool:
    return bool(schedule.paused_until and _local_today(now, schedule.tz) < schedule.paused_until)


def due_checkins(coach: Coach, now: datetime, prefix: str | None = None) -> list[str]:
    """The users whose check-in is due now: this local ISO week's slot has passed (also
    while the bot was down, within the same week), it was not claimed yet, the user is
    active, in a library, not paused and not stopped. ``prefix`` ("tg:") keeps only
    users of one adapter. Uses the database only."""
    return list(iter_due_checkins(coach, now, prefix))


def iter_due_checkins(
    coach: Coach, now: datetime, prefix: str | None = None, page: int = 500
) -> Iterator[str]:
    """:func:`due_checkins`, read a page of members at a time (in user id order), so a
    big first run of the week never holds the event loop for long."""
    tz = default_tz(coach)
    zones = {tz} | {r[0] for r in coach.db.execute(
        "select distinct tz from library_schedules where tz is not null")}
    weeks = sorted({iso_week(now, zone) for zone in zones})
    latest_weekday = max(_local_today(now, zone).weekday() for zone in zones)
    # SQL narrows the scan to members whose day has come this week and who have no
    # check-in this week yet, so the minute-by-minute look stays small at scale;
    # Python then decides exactly (time of day, pauses, schedule changes).
    marks = ",".join("?" * len(weeks))
    sql = (
        _MEMBER_SQL
        + " where coalesce(ms.stopped, 0) = 0 and (coalesce(u.active, 1) = 1"
        " or u.updated_at > u.unreachable_at)"
        " and coalesce(case when ms.at is not null then ms.weekday end, ls.weekday, ?) <= ?"
        f" and not exists (select 1 from checkins c where c.user_id = u.id"
        f" and c.iso_week in ({marks})) and u.id like ? and u.id > ? order by u.id limit ?"
    )
    after = ""
    while True:
        rows = list(coach.db.query(sql, [DEFAULT_WEEKDAY, latest_weekday, *weeks,
                                         f"{prefix or ''}%", after, page]))
        for row in rows:
            schedule = _schedule(row, tz)
            if not is_paused(schedule, now) and check_in_due(
                schedule.weekday, schedule.at, schedule.tz, now, None, schedule.since
            ):
                yield row["id"]
        if len(rows) < page:
            return
        after = rows[-1]["id"]


def _claim(coach: Coach, user: dict[str, Any], week: str, now: datetime, source: str) -> bool:
    """Insert the (user, week) row; False when it was there already."""
    cursor = coach.db.execute(
        "insert or ignore into checkins (user_id, library_id, iso_week, source, claimed_at)"
        " values (?, ?, ?, ?, ?)",
        [user["id"], user["library_id"], week, source, iso(now)],
    )
    return cursor.rowcount == 1


def start_checkin(coach: Coach, user_id: str, now: datetime | None = None) -> list[Reply]:
    """Claim this week's check-in for ``user_id`` (committed on its own, before anything
    is sent) and build its first message. Returns [] when it was claimed already or the
    user is no longer in a library; whatever is returned must be sent once."""
    from coach.engine import Turn

    now = now or coach.clock()
    with coach.db.atomic():
        user = store.get_user(coach.db, user_id)
        if user is None or not user["library_id"]:
            return []
        schedule = member_schedule(coach, user_id)
        week = iso_week(now, schedule.tz if schedule else default_tz(coach))
        if not _claim(coach, user, week, now, "schedule"):
            return []
    with coach.db.atomic():
        user = store.get_user(coach.db, user_id)
        if user is None or not user["library_id"]:
            return []
        return _open(Turn(coach, user, now), week)


def mark_unreachable(coach: Coach, user_id: str) -> None:
    """The user blocked the bot: no more check-ins until they write to it again."""
    with coach.db.atomic():
        coach.db.execute(
            "update users set active = 0, unreachable_at = ? where id = ?",
            [iso(coach.clock()), user_id],
        )


# --------------------------------------------------------------------------- state


def _state(turn: Turn) -> dict[str, Any]:
    return turn.pending.get("checkin") or {}


def _save(turn: Turn, state: dict[str, Any]) -> None:
    turn.update(pending={**turn.pending, "checkin": state})


def _return_point(turn: Turn) -> dict[str, Any]:
    """Where the user was before a check-in or a settings question."""
    if turn.user["mode"] in (MODE, SET_MODE):
        return turn.pending.get("return") or {"mode": "paused"}
    pending = {k: v for k, v in turn.pending.items() if k not in ("checkin", "set", "return")}
    return {"mode": turn.user["mode"], "question_id": turn.user["question_id"],
            "item": turn.user["item"] or 0, "pending": pending}


def _restore(turn: Turn) -> dict[str, Any]:
    back = turn.pending.get("return") or {"mode": "paused"}
    turn.update(mode=back.get("mode") or "paused", question_id=back.get("question_id"),
                item=back.get("item") or 0, pending=back.get("pending") or {})
    turn._positions = None
    return back


def _button(text: str, data: str) -> Choice:
    return Choice(str(Markup(text).unescape()), data)


def _continue_row(turn: Turn) -> list[Choice]:
    from coach.views import nav_button

    return [nav_button(turn.lang, "continue")]


def _week_number(week: str) -> int:
    return int(week.rpartition("W")[2])


def _fmt(value: float | None, turn: Turn, percent: bool = False) -> str:
    return "" if value is None else format_number(value, turn.lang, percent=percent)


# --------------------------------------------------------------------------- opening


def _open(turn: Turn, week: str, notes: list[str] | None = None) -> list[Reply]:
    """Start the conversation for ``week``; returns its first message(s)."""
    db, library_id = turn.db, turn.library_id
    back = _return_point(turn)
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


def _open_suggestion(turn: Turn, week: str) -> dict[str, Any] | None:
    """The user's latest suggestion from an earlier week that was not answered yet."""
    rows = list(turn.db.query(
        "select * from suggestions where user_id = ? order by id desc limit 1",
        [turn.user["id"]]))
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
        "select id, step_id from suggestions where user_id = ? and kind = 'strategy'"
        " and done is null", [turn.user["id"]]
    ):
        turn.db.execute("update suggestions set done = ?, answered_at = ? where id = ?",
                        [int(row["step_id"] in answered), iso(turn.now), row["id"]])


# --------------------------------------------------------------------------- asking


def _next(turn: Turn, state: dict[str, Any], notice: str = "") -> list[Reply]:
    """Ask the next open thing, or finish."""
    if state.get("done_q"):
        row = turn.db["suggestions"].get(state["done_q"])
        step = load_steps().get(row["step_id"])
        _save(turn, state)
        choices = [[_button(turn.t("checkins.label_done_yes"), "ci:yes"),
                    _button(turn.t("checkins.label_done_no"), "ci:no")]]
        return [turn.say("checkins.ask_done", choices=choices, notice=markup(notice),
                         title=step.title[turn.lang] if step else row["step_id"])]
    kpis = {k.name: k for k in kpi_store.library_kpis(turn.db, state["library_id"])}
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
    choices = [[_button(turn.t("checkins.label_skip"), f"ci:skip:{len(state['todo'])}"),
                _button(turn.t("checkins.label_stop"), "ci:stop")]]
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
        _restore(turn)
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
    kpis = {k.name: k for k in kpi_store.library_kpis(turn.db, state["library_id"])}
    return kpis.get(state["todo"][0])


def _take(turn: Turn, state: dict[str, Any], kpi: kpi_store.Kpi, parsed: ParsedNumber):
    percent = parsed.percent or kpi.target_percent
    problem = _warning(kpi, parsed.value, percent)
    if problem:
        state["confirm"] = {"kpi": kpi.name, "value": parsed.value, "percent": percent}
        _save(turn, state)
        n = len(state["todo"])
        choices = [[_button(turn.t("checkins.label_confirm"), f"ci:ok:{n}"),
                    _button(turn.t("checkins.label_correct"), f"ci:redo:{n}")]]
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
    if name not in {k.name for k in kpi_store.library_kpis(turn.db, state["library_id"])}:
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
        turn.db.execute("update suggestions set done = ?, answered_at = ? where id = ?",
                        [int(done), iso(turn.now), state["done_q"]])
    state["done_q"] = None
    notice = {True: "checkins.done_yes", False: "checkins.done_no", None: "checkins.skipped"}
    return _next(turn, state, turn.t(notice[done]))


def _stop(turn: Turn, state: dict[str, Any]) -> list[Reply]:
    _restore(turn)
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


def library_snapshot(turn: Turn) -> LibrarySnapshot:
    """What the next-step choice needs to know about the user's library."""
    db, library_id, user_id = turn.db, turn.library_id, turn.user["id"]
    position = turn.positions.next_open()
    open_question = None
    if position is not None:
        prompt = position.question.prompt[turn.lang].replace("{item}", position.item_key)
        open_question = (position.question.id, prompt)
    trends = []
    for kpi in kpi_store.library_kpis(db, library_id):
        history = [r["value"] for r in kpi_store.values(db, library_id, kpi.name,
                                                        limit=TREND_WEEKS)]
        trends.append(KpiTrend(kpi.name, trend(history, window=TREND_WEEKS)))

    def text(question_id: str) -> str:
        return " ".join(str(r["value"]) for r in library_view(db, library_id, user_id,
                                                              question_id))

    tactics = [str(t) for r in library_view(db, library_id, user_id, "tactics.list")
               for t in (r["value"] if isinstance(r["value"], list) else [r["value"]])]
    return LibrarySnapshot(
        next_open_question=open_question,
        channels=chosen_ids(db, library_id, user_id, "tactics.channels"),
        tactics=tactics, kpis=trends,
        has_listening=is_in_place(text("tactics.listening")),
        has_webcare=is_in_place(text("tactics.webcare")),
    )


def done_steps(turn: Turn) -> set[str]:
    """Steps anyone in the library said were done: never suggested again."""
    return {r["step_id"] for r in turn.db.query(
        "select step_id from suggestions where library_id = ? and done = 1",
        [turn.library_id])}


def next_step(turn: Turn) -> NextStep:
    return choose_next_step(library_snapshot(turn), done_steps(turn), turn.lang)


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
    back = _restore(turn)
    step = next_step(turn)
    _remember(turn, step, state["week"])
    stored = [{"kpi": name, "value": _fmt(value, turn, percent)}
              for name, value, percent in state["stored"]]
    rows = []
    if step.kind == "strategy" or back.get("mode") in ("asking", "step_done", "paused"):
        rows.append(_continue_row(turn))
    if not state.get("no_kpis"):
        rows.append([_button(turn.t("checkins.label_progress"), "ci:progress")])
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
    _claim(turn.coach, turn.user, week, turn.now, "command")
    turn.db.execute("update users set active = 1 where id = ?", [turn.user["id"]])
    notes = []
    if schedule and schedule.stopped:
        notes.append(turn.t("checkins.note_stopped"))
    elif schedule and is_paused(schedule, turn.now):
        notes.append(turn.t("checkins.note_paused", until=_date(turn, schedule.paused_until)))
    return _open(turn, week, notes)


def progress(turn: Turn, args: str) -> list[Reply]:
    """/voortgang: each KPI's recent values against its target, as a chart and a table."""
    from coach.chart import Series, progress_chart

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
                         choices=[[_button(turn.t("checkins.label_checkin"), "ci:start")]])]
    text = turn.t("checkins.progress", kpis=table)
    png = progress_chart(series, target_label=turn.t("checkins.chart_target"),
                         title=turn.t("checkins.chart_title"))
    return [Reply(text=text, photo=png)]


# --------------------------------------------------------------------------- settings


def _date(turn: Turn, day: date | None) -> str:
    if day is None:
        return ""
    return f"{day.day}-{day.month}-{day.year}" if turn.lang == "nl" else day.isoformat()


def settings_section(turn: Turn) -> list[Reply]:
    if not turn.library_id:
        return []
    return [_settings_reply(turn)]


def _settings_reply(turn: Turn, notice: str = "") -> Reply:
    s = member_schedule(turn.coach, turn.user["id"])
    coordinator = turn.user["role"] == "coordinator"
    library = _library_schedule(turn)
    rows = [[_button(turn.t("checkins.label_own_time"), "cs:own")]]
    if s.own:
        rows[0].append(_button(turn.t("checkins.label_library_time"), "cs:reset"))
    paused = is_paused(s, turn.now)
    rows.append([_button(turn.t("checkins.label_resume"), "cs:resume") if paused
                 else _button(turn.t("checkins.label_pause"), "cs:pause"),
                 _button(turn.t("checkins.label_start"), "cs:start") if s.stopped
                 else _button(turn.t("checkins.label_stop_all"), "cs:stop")])
    if coordinator:
        rows.append([_button(turn.t("checkins.label_set_library"), "cs:library")])
    return turn.say(
        "checkins.settings", choices=rows, notice=markup(notice),
        day=weekday_name(s.weekday, turn.lang), time=format_time(s.at), own=s.own,
        paused_until=_date(turn, s.paused_until) if paused else "", stopped=s.stopped,
        coordinator=coordinator, library_day=weekday_name(library[0], turn.lang),
        library_time=format_time(library[1]),
    )


def _library_schedule(turn: Turn) -> tuple[int, time]:
    rows = list(turn.db.query("select * from library_schedules where library_id = ?",
                              [turn.library_id]))
    if not rows:
        return DEFAULT_WEEKDAY, DEFAULT_AT
    return rows[0]["weekday"], _at(rows[0]["at"]) or DEFAULT_AT


def _member_row(turn: Turn, **fields: Any) -> None:
    table = turn.db["member_schedules"]
    row = {"user_id": turn.user["id"], "updated_at": iso(turn.now), **fields}
    if list(turn.db.query("select 1 from member_schedules where user_id = ?",
                          [turn.user["id"]])):
        table.update(turn.user["id"], row)
    else:
        table.insert({"stopped": 0, **row})


def press_settings(turn: Turn, action: str) -> list[Reply]:
    """Buttons of the /settings check-in section: ``cs:<action>``."""
    if action in ("own", "library", "pause"):
        if action == "library" and turn.user["role"] != "coordinator":
            return [turn.say("notices.coordinator_only")]
        back = _return_point(turn)
        turn.update(mode=SET_MODE, pending={"set": action, "return": back})
        return [_ask_setting(turn, action)]
    if action == "reset":
        _member_row(turn, weekday=None, at=None, since=iso(turn.now))
        return [_settings_reply(turn, turn.t("checkins.set_saved"))]
    if action == "resume":
        _member_row(turn, paused_until=None)
        return [_settings_reply(turn, turn.t("checkins.set_saved"))]
    if action in ("stop", "start"):
        _member_row(turn, stopped=int(action == "stop"))
        return [_settings_reply(turn, turn.t("checkins.set_saved"))]
    if action == "cancel":
        if turn.user["mode"] == SET_MODE:
            _restore(turn)
        return [_settings_reply(turn)]
    return [turn.say("checkins.stale_button"), *turn.coach.where_you_are(turn)]


def _ask_setting(turn: Turn, what: str, notice: str = "") -> Reply:
    choices = [[_button(turn.t("checkins.label_cancel"), "cs:cancel")]]
    return turn.say("checkins.ask_setting", choices=choices, what=what, notice=markup(notice))


def parse_day_and_time(text: str, lang: str = "nl") -> tuple[int | None, time | None] | None:
    """"dinsdag 10:00", "di 10u", "10:00", "vrijdag" → (weekday or None, time or None);
    None when it is neither."""
    words = text.replace(",", " ").split()
    if not words:
        return None
    for cut in range(1, len(words) + 1):
        head = " ".join(words[:cut])
        day = None if any(ch.isdigit() for ch in head) else parse_weekday(head, lang)
        if day is not None:
            rest = " ".join(words[cut:])
            if not rest:
                return day, None
            at = parse_time(rest)
            if at is not None:
                return day, at
    at = parse_time(text)
    return (None, at) if at is not None else None


_MONTHS = {
    "jan": 1, "januari": 1, "january": 1, "feb": 2, "februari": 2, "february": 2,
    "mrt": 3, "maart": 3, "mar": 3, "march": 3, "apr": 4, "april": 4, "mei": 5, "may": 5,
    "jun": 6, "juni": 6, "june": 6, "jul": 7, "juli": 7, "july": 7, "aug": 8,
    "augustus": 8, "august": 8, "sep": 9, "sept": 9, "september": 9, "okt": 10,
    "oct": 10, "oktober": 10, "october": 10, "nov": 11, "november": 11, "dec": 12,
    "december": 12,
}


def parse_date(text: str, today: date) -> date | None:
    """"2027-01-05", "5-1", "5/1/2027", "5 januari", "5 jan 2027", "3 weken", "2 weeks",
    "10 dagen" → a date after ``today`` (a day-month without year that has passed this
    year means next year); None when unreadable."""
    t = " ".join(text.casefold().replace(".", " ").split())
    found = re.fullmatch(r"(\d{1,2})\s*(weken|week|weeks|dagen|dag|days|day)", t)
    if found:
        n = int(found.group(1))
        return today + (timedelta(weeks=n) if found.group(2).startswith("we")
                        else timedelta(days=n))
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", t):
            return date.fromisoformat(t)
        found = re.fullmatch(r"(\d{1,2})[-/](\d{1,2})(?:[-/](\d{2}|\d{4}))?", t) or \
            re.fullmatch(r"(\d{1,2}) ([a-z]+)(?: (\d{4}))?", t)
        if not found:
            return None
        day, month, year = found.groups()
        month_no = int(month) if month.isdigit() else _MONTHS.get(month)
        if month_no is None:
            return None
        year_no = int(year) + (2000 if year and len(year) == 2 else 0) if year else today.year
        result = date(year_no, month_no, int(day))
        if not year and result <= today:
            result = date(today.year + 1, month_no, int(day))
        return result
    except ValueError:
        return None


def on_setting_text(turn: Turn, text: str) -> list[Reply]:
    what = turn.pending.get("set")
    if what not in ("own", "library", "pause"):
        _restore(turn)
        return turn.coach.where_you_are(turn)
    if word_in(text, STOP_WORDS) or navigation_word(text) in ("back", "pause"):
        _restore(turn)
        return [_settings_reply(turn)]
    if what == "pause":
        today = _local_today(turn.now, default_tz(turn.coach))
        until = parse_date(text, today)
        if until is None or until <= today or until > today + MAX_PAUSE:
            problem = "date" if until is None else "date_range"
            return [_ask_setting(turn, what, turn.t("checkins.bad_setting", problem=problem))]
        _restore(turn)
        _member_row(turn, paused_until=until.isoformat())
        return [_settings_reply(turn, turn.t("checkins.set_saved"))]
    parsed = parse_day_and_time(text, turn.lang)
    if parsed is None:
        return [_ask_setting(turn, what, turn.t("checkins.bad_setting", problem="day_time"))]
    if what == "library" and turn.user["role"] != "coordinator":
        _restore(turn)
        return [turn.say("notices.coordinator_only")]
    if what == "library":
        current = _library_schedule(turn)
    else:
        s = member_schedule(turn.coach, turn.user["id"])
        current = (s.weekday, s.at)
    weekday = parsed[0] if parsed[0] is not None else current[0]
    at = parsed[1] or current[1]
    _restore(turn)
    if what == "library":
        turn.db["library_schedules"].upsert(
            {"library_id": turn.library_id, "weekday": weekday, "at": format_time(at),
             "tz": default_tz(turn.coach), "since": iso(turn.now),
             "updated_by": turn.user["id"]}, pk="library_id")
    else:
        _member_row(turn, weekday=weekday, at=format_time(at), since=iso(turn.now))
    return [_settings_reply(turn, turn.t("checkins.set_saved"))]


def on_setting_repeat(turn: Turn) -> list[Reply]:
    what = turn.pending.get("set")
    if what not in ("own", "library", "pause"):
        _restore(turn)
        return turn.coach.where_you_are(turn)
    return [_ask_setting(turn, what)]


# --------------------------------------------------------------------------- wiring


def register(coach: Coach) -> None:
    coach.checkin_tz = os.environ.get("COACH_TZ") or DEFAULT_TZ
    coach.add_command("checkin", cmd_checkin)
    coach.add_command("progress", progress)
    coach.add_mode(MODE, on_text, on_repeat)
    coach.add_mode(SET_MODE, on_setting_text, on_setting_repeat)
    coach.add_button("ci", press)
    coach.add_button("cs", press_settings)
    coach.settings_sections.append(settings_section)
