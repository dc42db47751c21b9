"""Simulated Telegram users who walk the seven steps against the fake Bot API.

A :class:`SimUser` reacts to what the bot sends it: it creates a library (or joins a
colleague's with the invite code), answers every question by typing the answers of
``tests/support/walk.TYPED``, says "ja" to a "Bedoel je ...?" and presses Verder
after each step. One answer it types is a weak one (:data:`WEAK`) that it keeps when
the coach pushes back, so a kept answer goes through crashes too. It checks as it goes
that every question it is asked is the one it should be asked now, and it keeps a
ledger of the answers the bot acknowledged.

**Acknowledgement.** Each user has at most one update in flight: it pushes an update
and waits until the fake server saw the bot confirm it (a ``getUpdates`` offset past
it, which our poller sends only after handling the update and sending its replies).
Every bot message to the user's private chat recorded from the push until the user's
next push therefore answers that update, including messages of a redelivery after a
crash. An answer typed for position P is *acknowledged* when one of those messages

- contains "✔️ Bewaard" (explicit), or is the step summary "Stap N (...) is klaar" or
  the "alle zeven stappen" message (explicit: they replace the notice at a step end);
- or shows the next question, or "Je bent gepauzeerd" at a step end, without the
  notice (implicit: after a crash the redelivered update is answered by repeating where
  the user is, and the user now is past P, so P's answer must have been stored).

The ledger maps each acknowledged position to the typed text and the value the engine
parses from it; :func:`check_database` compares it with the SQLite file.

Two transports drive users: :class:`HttpConversation` (the fake Bot API, the real bot
polling it) and :class:`EngineConversation` (a Coach in memory: the fault-free
reference of the same conversation).
"""

from __future__ import annotations

import asyncio
import json
import re
import sqlite3
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from coach.core.events import Event
from coach.flow.answers import parse_text, split_items
from coach.flow.model import load_flow
from coach.flow.positions import Positions
from coach.storage.db import open_db
from coach.wiring import make_coach
from tests.support.chat import Chat
from tests.support.fake_bot_api import FakeBotApi, closes_pressed
from tests.support.html import parse_html
from tests.support.walk import TYPED, walk

FLOW = load_flow()

# What the bot says (Dutch), as the users recognise it.
SAVED = "✔️ Bewaard"
KEEP = "f:keep:"  # the button that keeps an answer the coach pushed back on
# answers the users type instead of TYPED's, and keep after the push-back (not on a
# question whose answers make later questions, so the positions stay TYPED's)
WEAK = {"tactics.webcare": "ik, als ik tijd heb"}
SUMMARY = re.compile(r"Stap \d+ \(.+?\) is klaar\.")
ALL_DONE = "Je hebt alle zeven stappen doorlopen"
# the hint to typed text after a step's summary, or while paused
PAUSED_HINTS = ("Op naar stap ", "Je antwoorden zijn bewaard. ")
CONFIRM = "Bedoel je"
NAMING = "Hoe heet je bibliotheek?"
ERROR = "er ging iets mis aan mijn kant"
INVITE = re.compile(r"\?start=([A-Za-z0-9_-]+)")
# "Stap 5 van 7 · KPI's · vraag 1 van 2 (doel 2 van 2)": step, question, item
HEADER = re.compile(
    r"Stap (\d+) van \d+ · .+? · vraag (\d+) van \d+(?: \((?:\w+ )?(\d+) van \d+\))?"
)
# right below a step's intro ("Stap 2 van 7: ...") a question names only itself
INTRO = re.compile(r"Stap (\d+) van \d+: ")
SHORT_HEADER = re.compile(r"^Vraag (\d+) van \d+(?: \((?:\w+ )?(\d+) van \d+\))?", re.M)


@dataclass(frozen=True)
class Pos:
    """A position in the walk: question id, item index (foreach), item text."""

    qid: str
    item: int = 0
    item_key: str = ""

    @property
    def key(self) -> tuple[str, int]:
        return (self.qid, self.item)

    def __str__(self) -> str:
        return f"{self.qid}[{self.item}]"


def question_of(text: str, step_number: int | None = None) -> tuple[str, int] | None:
    """(question id, item index) of a question message, from its header line (a short
    header "Vraag 1 van 4" needs the number of the step whose intro came before it)."""
    m = HEADER.search(text)
    if m:
        number, question, item = int(m.group(1)), m.group(2), m.group(3)
    elif step_number and (m := SHORT_HEADER.search(text)):
        number, question, item = step_number, m.group(1), m.group(2)
    else:
        return None
    step = FLOW.steps[number - 1]
    q = step.questions[int(question) - 1]
    return (q.id, int(item or 1) - 1)


def questions_in(texts: list[str]) -> list[tuple[str, int]]:
    """The questions among a reply's messages, in order."""
    found, step_number = [], None
    for text in texts:
        if m := INTRO.search(text):
            step_number = int(m.group(1))
        if q := question_of(text, step_number):
            found.append(q)
    return found


@cache
def expected_positions() -> tuple[Pos, ...]:
    """The positions a user answering TYPED is asked, in order (a walk in memory)."""
    coach = make_coach(open_db(":memory:"))
    chat = Chat(coach, "sim:walk", "Walk")
    chat.create_library()
    out: list[Pos] = []

    def note(user: dict) -> None:
        positions = Positions(coach.db, coach.flow, user["library_id"], user["id"])
        p = positions.find(user["question_id"], user["item"] or 0)
        assert p is not None
        out.append(Pos(p.question.id, p.item_index, p.item_text))

    walk(chat, on_ask=note)
    return tuple(out)


@dataclass
class Msg:
    """A bot message as the user sees it."""

    html: str
    text: str
    buttons: list[str]
    message_id: int = 0


@dataclass
class Action:
    kind: str  # "command", "text" or "press"
    value: str
    args: str = ""
    answer: Pos | None = None  # the position a typed answer is for
    answer_text: str = ""

    def __str__(self) -> str:
        if self.kind == "command":
            return f"/{self.value}" + (f" {self.args}" if self.args else "")
        return f"{self.kind}:{self.value[:30]}"


@dataclass
class Ack:
    text: str
    value: Any
    how: str  # "explicit" or "implicit"


@dataclass
class Inflight:
    action: Action
    update_id: int
    mark: int  # call index on the fake server when it was pushed


class Team:
    """A coordinator and the colleagues who join with the invite code."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.code: str | None = None
        self.has_code = asyncio.Event()

    def publish(self, code: str) -> None:
        self.code = code
        self.has_code.set()


class SimUser:
    def __init__(self, tg_id: int, name: str, team: Team, coordinator: bool) -> None:
        self.tg_id, self.name, self.team, self.coordinator = tg_id, name, team, coordinator
        self.state = "new"
        self.i = 0  # index in expected_positions() of the open question
        self.acked: dict[Pos, Ack] = {}
        self.inflight: Inflight | None = None
        self.buttons: dict[str, int] = {}  # callback data -> newest message id with it
        self.pending: tuple[Pos, str] | None = None  # an answer waiting for "ja"
        self.invited = not coordinator
        self.resync = False  # after a restart: ask where we are with /verder
        self.history: list[str] = []
        self.questions: list[tuple[str, int]] = []  # every question shown, in order
        self.messages: list[str] = []  # every bot message (HTML), in order
        self.resumes = 0  # restarts after which the bot showed the right question
        self.skipped = 0  # questions the library had answered before this user got there

    @property
    def user_id(self) -> str:
        return f"tg:{self.tg_id}"

    @property
    def position(self) -> Pos | None:
        expected = expected_positions()
        return expected[self.i] if self.i < len(expected) else None

    def describe(self) -> str:
        return (f"user {self.tg_id} ({self.name}, state {self.state}, at {self.position}):\n  "
                + "\n  ".join(self.history[-12:]))

    # ------------------------------------------------------------------ deciding

    def next_action(self) -> Action | None:
        """What the user does now; None when it has to wait (for a code) or is done."""
        if self.state == "done":
            return None
        if self.resync and self.state != "new":
            return Action("command", "verder")
        if self.state in ("new", "welcome"):
            if self.coordinator:
                if self.state == "welcome" and "l:new" in self.buttons:
                    return Action("press", "l:new")
                return Action("command", "start")
            if self.team.code is None:
                return None
            return Action("command", "start", self.team.code)
        if self.state == "naming":
            return Action("text", f"Bibliotheek {self.team.name}")
        if self.state == "confirm":
            assert self.pending is not None
            pos, text = self.pending
            return Action("text", "ja", answer=pos, answer_text=text)
        if self.state == "feedback":
            assert self.pending is not None
            pos, text = self.pending
            keep = next(d for d in reversed(self.buttons) if d.startswith(KEEP))
            return Action("press", keep, answer=pos, answer_text=text)
        if self.state == "step_done":
            if "n:continue" in self.buttons:
                return Action("press", "n:continue")
            return Action("command", "verder")
        assert self.state == "asking", self.state
        if not self.invited:
            return Action("command", "uitnodigen")
        pos = self.position
        assert pos is not None
        text = WEAK.get(pos.qid, TYPED[pos.qid])
        return Action("text", text, answer=pos, answer_text=text)

    # ------------------------------------------------------------------ observing

    def fail(self, problem: str) -> None:
        raise AssertionError(f"{problem}\n{self.describe()}")

    def observe(self, action: Action, msgs: list[Msg], update_id: int = 0) -> None:
        """Take in the bot's messages in answer to ``action``; check and move on."""
        texts = [m.text for m in msgs]
        self.history.append(f"#{update_id} {action} -> " + " || ".join(
            t.replace("\n", " ")[:70] for t in texts))
        self.messages.extend(m.html for m in msgs)
        if not msgs:
            self.fail(f"no reply to {action}")
        if any(ERROR in t for t in texts):
            self.fail(f"the bot reported an error after {action}")
        for m in msgs:
            for data in m.buttons:
                self.buttons[data] = m.message_id
            if code := INVITE.search(m.text):
                self.team.publish(code.group(1))
                self.invited = True
        shown = questions_in(texts)
        self.questions.extend(shown)
        if action.value == "verder":
            self.resync = False

        pos = action.answer
        if pos is not None:
            explicit = any(SAVED in t or SUMMARY.search(t) or ALL_DONE in t for t in texts)
            implicit = (any(h in t for h in PAUSED_HINTS for t in texts)
                        or any(q != pos.key for q in shown))
            if explicit or implicit:
                value = typed_value(pos.qid, action.answer_text)
                self.acked[pos] = Ack(action.answer_text, value,
                                      "explicit" if explicit else "implicit")
                self.pending = None
                self.i += 1
        for q in shown:
            expected = self.position
            if expected is not None and q != expected.key:
                # in a team the library may have answered the questions in between (a
                # colleague's or the coordinator's answer): the walk skips them, but it
                # never goes back to an answered question nor to one it does not know
                later = [i for i, p in enumerate(expected_positions()) if i > self.i
                         and p.key == q]
                if later:
                    self.skipped += later[0] - self.i
                    self.i = later[0]
                    continue
            if expected is None or q != expected.key:
                self.fail(f"asked {q} after {action}, expected {expected}")

        for m in reversed(msgs):
            t = m.text
            if question_of(t) or SHORT_HEADER.search(t):
                self.state = "asking"
            elif CONFIRM in t and pos is not None:
                self.state, self.pending = "confirm", (pos, action.answer_text)
            elif any(d.startswith(KEEP) for d in m.buttons) and pos is not None:
                self.state, self.pending = "feedback", (pos, action.answer_text)
            elif SUMMARY.search(t) or any(h in t for h in PAUSED_HINTS):
                self.state = "step_done"
            elif ALL_DONE in t:
                self.state = "done"
            elif "l:new" in m.buttons:
                self.state = "welcome"
            elif NAMING in t:
                self.state = "naming"
            else:
                continue
            break
        if self.state == "done" and self.i != len(expected_positions()):
            if self.team.code is None:  # alone in the library: every question is theirs
                self.fail("all done before every question was answered")
            self.skipped += len(expected_positions()) - self.i  # the library answered them
            self.i = len(expected_positions())


# --------------------------------------------------------------------------- transports


class HttpConversation:
    """Users talking to the real bot through the fake Bot API server."""

    def __init__(self, api: FakeBotApi, reply_timeout: float = 30.0) -> None:
        self.api = api
        self.reply_timeout = reply_timeout

    def push(self, user: SimUser, action: Action) -> int:
        api, kw = self.api, {"first_name": user.name}
        if action.kind == "command":
            return api.push_command(user.tg_id, action.value, action.args, **kw)
        if action.kind == "text":
            return api.push_message(user.tg_id, action.value, **kw)
        api.push_callback(user.tg_id, action.value, user.buttons[action.value], **kw)
        return api.next_update_id - 1

    def messages(self, user: SimUser, since: int) -> list[Msg]:
        out = []
        for call in self.api.sent(user.tg_id):
            if call.seq < since or closes_pressed(call):
                continue
            html = call.params.get("text") or call.params.get("caption") or ""
            markup = call.params.get("reply_markup") or {}
            data = [b.get("callback_data", "") for row in markup.get("inline_keyboard", [])
                    for b in row]
            if call.method == "editMessageText":
                message_id = call.params["message_id"]
            else:
                message_id = (call.response or {}).get("message_id", 0)
            out.append(Msg(html, parse_html(html), data, message_id))
        return out

    def handled(self, update_id: int) -> bool:
        return self.api.confirmed_offset > update_id

    async def finish(self, user: SimUser) -> None:
        """Wait until the user's update in flight was handled; then take in the replies."""
        flight = user.inflight
        assert flight is not None
        await self.api.wait_for(lambda: self.handled(flight.update_id), self.reply_timeout,
                                f"update {flight.update_id} of user {user.tg_id}")
        user.inflight = None
        user.observe(flight.action, self.messages(user, flight.mark), flight.update_id)

    async def step(self, user: SimUser, action: Action) -> None:
        mark = self.api.mark()
        user.inflight = Inflight(action, self.push(user, action), mark)
        await self.finish(user)

    async def walk(self, user: SimUser, max_steps: int = 200) -> None:
        """Act until the user is done (cancel the task to stop it earlier)."""
        for _ in range(max_steps):
            action = user.next_action()
            if action is None:
                if user.state == "done":
                    return
                await user.team.has_code.wait()
                continue
            await self.step(user, action)
        user.fail("too many steps")


class EngineConversation:
    """The same users talking to a Coach in memory: the fault-free reference."""

    def __init__(self) -> None:
        self.coach = make_coach(open_db(":memory:"))
        self.next_id = 1

    def walk(self, user: SimUser, max_steps: int = 200) -> None:
        for _ in range(max_steps):
            action = user.next_action()
            if action is None:
                assert user.state == "done", user.describe()
                return
            fields: dict[str, Any] = {"text": action.value}
            if action.kind == "command":
                fields = {"command": action.value, "args": action.args}
            elif action.kind == "press":
                fields = {"choice": action.value}
            event = Event(user_id=user.user_id, name=user.name, lang_hint="nl",
                          event_id=f"ref:{self.next_id}", **fields)
            self.next_id += 1
            replies = self.coach.handle(event)
            user.observe(action, [Msg(r.text, parse_html(r.text), [b.data for b in r.buttons()])
                                  for r in replies if r.text and not r.notice])
        user.fail("too many steps")


# --------------------------------------------------------------------------- the database


@dataclass
class DbReport:
    answers: int = 0
    explicit: int = 0
    implicit: int = 0
    problems: list[str] = field(default_factory=list)


def typed_value(qid: str, text: str):
    """The value the engine stores for ``text`` typed at ``qid``: for a choice among the
    user's own step-1 goals (``options_from``), the goal that its number names."""
    q = FLOW.question(qid)
    if q.options_from and text.strip().isdigit():
        goals = dict.fromkeys(g for ref in q.options_from for g in split_items(TYPED[ref]))
        return list(goals)[int(text) - 1]
    if q.options_from:
        return text.strip()  # typed as the goal itself
    return parse_text(q, text).value


def check_database(db_path: str, users: list[SimUser]) -> DbReport:
    """Every acknowledged answer is stored once, as the current version, with the typed
    value; nothing else of these users is stored; no position has two current versions."""
    report = DbReport()
    con = sqlite3.connect(db_path, timeout=10)
    try:
        dup = con.execute(
            "select library_id, question_id, item_key, author_id, count(*) from answers"
            " where superseded_at is null group by 1, 2, 3, 4 having count(*) > 1"
        ).fetchall()
        report.problems += [f"two current versions: {row}" for row in dup]
        # answers name the goal, KPI or tactic they are about by its item's key
        texts = dict(con.execute("select 'i' || id, text from items").fetchall())
        for user in users:
            rows: dict[tuple[str, str], list[tuple]] = {}
            for qid, item_key, status, value, superseded, feedback in con.execute(
                "select question_id, item_key, status, value, superseded_at, feedback"
                " from answers where author_id = ? order by id", [user.user_id]
            ):
                rows.setdefault((qid, texts.get(item_key, item_key)), []).append(
                    (status, value, superseded))
                if qid in WEAK and superseded is None and not feedback:
                    report.problems.append(f"user {user.tg_id}: {qid} kept without its flag")
            acked = {(p.qid, p.item_key): (p, a) for p, a in user.acked.items()}
            for key, (pos, ack) in acked.items():
                report.answers += 1
                report.explicit += ack.how == "explicit"
                report.implicit += ack.how == "implicit"
                stored = rows.get(key, [])
                if len(stored) != 1:
                    report.problems.append(
                        f"user {user.tg_id}: {len(stored)} rows for acknowledged {pos}")
                    continue
                status, value, superseded = stored[0]
                if status != "answered" or superseded is not None:
                    report.problems.append(f"user {user.tg_id}: {pos} is {status}/{superseded}")
                elif json.loads(value) != ack.value:
                    report.problems.append(
                        f"user {user.tg_id}: {pos} stored {value}, acknowledged {ack.value!r}")
            for key in rows.keys() - acked.keys():
                report.problems.append(f"user {user.tg_id}: unacknowledged answer {key} stored")
    finally:
        con.close()
    return report
