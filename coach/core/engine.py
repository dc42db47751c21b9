"""The coach: takes an Event, updates SQLite, returns the Replies. No Telegram here.

Each call of ``Coach.handle`` runs in one transaction that is committed before the
replies are returned, so whatever the user was told has been stored.

A user's place in the conversation is ``users.mode`` plus ``question_id``/``item``:

- ``onboarding``: no library yet (``naming``/``joining`` while typing a name or code)
- ``asking``: a question is open; ``pending`` may hold a confirmation, a
  multiple-choice selection, an edit marker or a step being redone
- ``step_done``: a step was just summarised; go on or stop for today
- ``paused``: the user stopped for now; ``question_id`` is where they will resume
- ``done``: every question has an answer (or was skipped)
"""

from __future__ import annotations

import importlib
import json
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlite_utils
from markupsafe import Markup

from coach.core.calendar import DEFAULT_TZ
from coach.core.commands import COMMANDS, command_id
from coach.core.events import Choice, Event, Reply
from coach.core.texts import lang_from_hint, lang_or_default, render, warm_up
from coach.flow.answers import Outcome, check_selection, parse_text
from coach.flow.matching import DONE, NO, YES, navigation_word, word_in
from coach.flow.model import LANGS, Flow, Question, Step, load_flow
from coach.flow.positions import Position, Positions, library_view
from coach.flow.views import (
    display,
    label,
    nav_button,
    position_ref,
    question_reply,
    step_summary_reply,
)
from coach.storage import store
from coach.storage.db import open_db

LIBRARY_NAME_MAX = 80
EVENT_MEMORY = timedelta(days=7)
# Modules that add commands, buttons and hooks to the coach (each has register(coach)).
EXTENSIONS: tuple[str, ...] = (
    "coach.features.advice.feature", "coach.features.privacy.feature",
    "coach.features.export.feature", "coach.features.team.feature",
    "coach.features.checkins.feature",
)
NEEDS_LIBRARY = {"continue", "overview", "back", "skip", "edit", "restart", "pause", "invite"}


Handler = Callable[["Turn", str], list[Reply]]
Hook = Callable[["Turn"], list[Reply]]


class Turn:
    """One event being handled: the user, their library and language, and 'now'."""

    def __init__(self, coach: Coach, user: dict[str, Any], now: datetime):
        self.coach, self.db, self.flow = coach, coach.db, coach.flow
        self.user, self.now = user, now
        self.lang = lang_or_default(user["lang"])
        self._positions: Positions | None = None
        self.memo: dict[Any, Any] = {}  # what extensions compute once per event

    @property
    def library_id(self) -> int | None:
        return self.user["library_id"]

    @property
    def positions(self) -> Positions:
        if self._positions is None:
            self._positions = Positions(self.db, self.flow, self.library_id, self.user["id"])
        return self._positions

    @property
    def pending(self) -> dict[str, Any]:
        return store.pending(self.user)

    def t(self, template: str, /, **ctx: Any) -> str:
        return render(self.lang, template, **ctx)

    def button(self, template: str, data: str, /, **ctx: Any) -> Choice:
        """A button whose label is a template (labels are plain text, not HTML)."""
        return Choice(str(Markup(self.t(template, **ctx)).unescape()), data)

    def say(
        self, template: str, /, choices: list[list[Choice]] | None = None, **ctx: Any
    ) -> Reply:
        return Reply(text=self.t(template, **ctx), choices=choices or [])

    def update(self, **fields: Any) -> None:
        if "pending" in fields and not isinstance(fields["pending"], str):
            fields["pending"] = json.dumps(fields["pending"] or {})
        store.update_user(self.db, self.user["id"], self.now, **fields)
        self.user.update(fields)

    def move(self, mode: str, position: Position | None = None, pending: dict | None = None):
        self.update(
            mode=mode,
            question_id=position.question.id if position else None,
            item=position.item_index if position else 0,
            pending=pending or {},
        )

    def current(self) -> Position | None:
        return self.positions.find(self.user["question_id"], self.user["item"] or 0)


class Coach:
    def __init__(
        self,
        db: sqlite_utils.Database,
        flow: Flow | None = None,
        clock: Callable[[], datetime] | None = None,
        tz: str = DEFAULT_TZ,
    ):
        self.db = db
        self.tz = tz  # the libraries' time zone (COACH_TZ): schedules, weeks, dates
        self.flow = flow or load_flow()
        self.clock = clock or (lambda: datetime.now(UTC))
        self.invite_link: Callable[[str], str] | None = None
        # What commands, buttons and steps do; extensions add to these in register().
        self.commands: dict[str, Handler] = {
            c.id: getattr(self, f"_cmd_{c.id}") for c in COMMANDS if hasattr(self, f"_cmd_{c.id}")
        }
        self.needs_library = set(NEEDS_LIBRARY)
        self.buttons: dict[str, Handler] = {
            "n": self._press_nav, "o": self._press_option, "m": self._press_multi_done,
            "y": self._press_confirm, "x": self._press_reject, "k": self._press_keep,
            "s": self._press_edit_step, "e": self._press_edit_question,
            "r": self._press_restart, "l": self._press_library, "g": self._press_language,
            "i": self._press_invite,
        }
        # extension conversations: mode → (handler of typed text, repeat where the user is)
        self.modes: dict[str, tuple[Handler, Hook]] = {}
        self.settings_sections: list[Hook] = []  # extra /settings messages with buttons
        self.buttons_without_library = {"l", "g"}
        self.after_step: dict[str, list[Hook]] = defaultdict(list)
        self.after_answer: dict[str, list[Hook]] = defaultdict(list)
        for name in EXTENSIONS:
            importlib.import_module(name).register(self)
        warm_up()

    # -- extension points ---------------------------------------------------------------

    def add_command(self, command_id: str, handler: Handler, needs_library: bool = True) -> None:
        """Handle ``/command_id`` (its names are listed in coach/commands.py)."""
        self.commands[command_id] = handler
        if needs_library:
            self.needs_library.add(command_id)

    def add_mode(self, mode: str, on_text: Handler, on_repeat: Hook) -> None:
        """While a user's mode is ``mode`` (e.g. a check-in), typed text goes to ``on_text``;
        ``on_repeat`` repeats the open question (after a stale button, a redelivery)."""
        self.modes[mode] = (on_text, on_repeat)

    def add_button(self, prefix: str, handler: Handler, needs_library: bool = True) -> None:
        """Handle callback data ``prefix:rest``; the handler gets ``rest``."""
        if prefix in self.buttons:
            raise ValueError(f"button prefix {prefix!r} is taken")
        self.buttons[prefix] = handler
        if not needs_library:
            self.buttons_without_library.add(prefix)

    @classmethod
    def open(cls, db_path: str, **kwargs: Any) -> Coach:
        return cls(open_db(db_path), **kwargs)

    # -- entry points used by adapters --------------------------------------------------

    def handle(self, event: Event) -> list[Reply]:
        now = self.clock()
        with self.db.atomic():
            user = store.get_user(self.db, event.user_id)
            if user is None:
                user = store.create_user(self.db, event.user_id, event.name or "?",
                                         lang_from_hint(event.lang_hint), now)
            elif event.name and event.name != user["name"]:
                store.update_user(self.db, event.user_id, now, name=event.name)
                user["name"] = event.name
            if user.get("active") == 0:  # marked unreachable (blocked the bot): back now
                store.update_user(self.db, event.user_id, now, active=1, unreachable_at=None)
                user.update(active=1, unreachable_at=None)
            turn = Turn(self, user, now)
            if event.event_id and store.seen_event(self.db, event.event_id, now):
                return self.where_you_are(turn)
            return self._dispatch(turn, event)

    def render(self, lang: str | None, template: str, /, **ctx: Any) -> str:
        return render(lang, template, **ctx)

    def menu(self, lang: str) -> list[tuple[str, str]]:
        return [(c.name(lang), render(lang, f"commands.{c.id}")) for c in COMMANDS]

    def help_commands(self, lang: str) -> list[str]:
        return [c.name(lang) for c in COMMANDS]

    def group_notice(self, chat_id: str, lang_hint: str | None = None) -> Reply | None:
        now = self.clock()
        with self.db.atomic():
            if not store.first_group_notice(self.db, chat_id, now):
                return None
        return Reply(text=render(lang_from_hint(lang_hint), "group_notice"))

    def error_reply(self, user_id: str) -> Reply:
        user = store.get_user(self.db, user_id)
        return Reply(text=render(user["lang"] if user else None, "error"))

    def prune(self) -> None:
        """Forget old processed-event ids (they only guard against redelivery)."""
        with self.db.atomic():
            store.prune_events(self.db, self.clock(), EVENT_MEMORY)

    # -- dispatch -------------------------------------------------------------------------

    def _dispatch(self, turn: Turn, event: Event) -> list[Reply]:
        if event.media:
            return self._media(turn, event.media)
        if event.command is not None:
            return self._command(turn, event.command, event.args.strip())
        if event.choice is not None:
            return self._choice(turn, event.choice)
        return self._text(turn, event.text or "")

    def _media(self, turn: Turn, kind: str) -> list[Reply]:
        known = {"photo", "sticker", "voice", "video", "location", "document", "contact",
                 "animation", "audio", "video_note", "poll", "edited"}
        return [turn.say(f"media.{kind if kind in known else 'other'}")]

    # -- commands -------------------------------------------------------------------------

    def _command(self, turn: Turn, name: str, args: str) -> list[Reply]:
        cid = command_id(name)
        if cid is None:
            return [turn.say("notices.unknown_command", command=name[:40])]
        if cid in self.needs_library and not turn.library_id:
            return [turn.say("notices.no_library"), *self._onboarding_menu(turn)]
        if cid not in self.commands:
            return [turn.say("notices.unknown_command", command=name[:40])]
        return self.commands[cid](turn, args)

    def _cmd_start(self, turn: Turn, args: str) -> list[Reply]:
        if args:
            return self._join(turn, args.split()[0])
        if not turn.library_id:
            return self._onboarding_menu(turn, welcome=True)
        library = store.get_library(self.db, turn.library_id)
        return [turn.say("welcome_back", library=library["name"]), *self.resume(turn)]

    def _cmd_help(self, turn: Turn, args: str) -> list[Reply]:
        return [turn.say("help", commands=self.menu(turn.lang),
                         has_library=bool(turn.library_id))]

    def _cmd_privacy(self, turn: Turn, args: str) -> list[Reply]:
        return [turn.say("privacy")]

    def _cmd_settings(self, turn: Turn, args: str) -> list[Reply]:
        """Language first; extensions add their sections (e.g. check-in preferences)."""
        replies = [turn.say("settings", choices=self._language_buttons(turn))]
        for section in self.settings_sections:
            replies.extend(section(turn))
        return replies

    def _cmd_language(self, turn: Turn, args: str) -> list[Reply]:
        if args.lower() in LANGS:
            return self._set_language(turn, args.lower())
        return [turn.say("notices.choose_language", choices=self._language_buttons(turn))]

    def _cmd_continue(self, turn: Turn, args: str) -> list[Reply]:
        return self.resume(turn)

    def _cmd_pause(self, turn: Turn, args: str) -> list[Reply]:
        position = turn.current() if turn.user["mode"] in ("asking", "step_done") else None
        turn.move("paused", position or turn.positions.next_open())
        return [turn.say("paused", choices=[[nav_button(turn.lang, "continue")]])]

    def _cmd_back(self, turn: Turn, args: str) -> list[Reply]:
        position = self._active_position(turn)
        if position is None:
            return self.resume(turn)
        previous = turn.positions.previous(position)
        if previous is None:
            return [self._ask(turn, position, notice=turn.t("notices.at_first"))]
        turn.move("asking", previous)
        return [self._ask(turn, previous)]

    def _cmd_skip(self, turn: Turn, args: str) -> list[Reply]:
        position = self._active_position(turn)
        if position is None:
            return self.resume(turn)
        if turn.positions.is_open(position):
            self._store(turn, position, "skipped", None)
        return self._advance(turn, position, notice=turn.t("notices.skipped"))

    def _cmd_overview(self, turn: Turn, args: str) -> list[Reply]:
        return [self._overview(turn)]

    def _cmd_edit(self, turn: Turn, args: str) -> list[Reply]:
        steps = [
            [Choice(f"{s.number}. {s.title[turn.lang]}", f"s:{s.id}")] for s in self.flow.steps
        ]
        return [turn.say("edit_steps", choices=steps)]

    def _cmd_restart(self, turn: Turn, args: str) -> list[Reply]:
        position = turn.current() or turn.positions.next_open() or turn.positions.all[-1]
        step = self.flow.step_of(position.question)
        choices = [[Choice(label(turn.lang, "restart_yes"), f"r:{step.id}"),
                    nav_button(turn.lang, "continue")]]
        return [turn.say("restart_confirm", choices=choices, step_number=step.number,
                         step_title=step.title[turn.lang])]

    def _cmd_invite(self, turn: Turn, args: str) -> list[Reply]:
        if turn.user["role"] != "coordinator":
            return [turn.say("notices.coordinator_only")]
        invite = store.open_invite(self.db, turn.library_id, turn.now)
        if invite is None or args.lower() in ("new", "nieuw"):
            invite = store.new_invite(self.db, turn.library_id, turn.user["id"], turn.now)
        return [self._invite_reply(turn, invite)]

    # -- buttons --------------------------------------------------------------------------

    def _choice(self, turn: Turn, data: str) -> list[Reply]:
        kind, _, rest = data.partition(":")
        handler = self.buttons.get(kind)
        if handler is None or len(data) > 64:
            return [turn.say("notices.unknown_button"), *self.where_you_are(turn)]
        if kind not in self.buttons_without_library and not turn.library_id:
            return [turn.say("notices.no_library"), *self._onboarding_menu(turn)]
        return handler(turn, rest)

    def _press_nav(self, turn: Turn, action: str) -> list[Reply]:
        if action == "stop":
            return self._cmd_pause(turn, "")
        if action in ("back", "skip", "pause", "continue", "overview", "edit", "help"):
            return self._command(turn, action, "")
        return [turn.say("notices.unknown_button"), *self.where_you_are(turn)]

    def _stale(self, turn: Turn, ref: str) -> list[Reply] | None:
        """A reply for a button that belongs to another position than the open one."""
        position = turn.current()
        if turn.user["mode"] == "asking" and position and position_ref(position) == ref:
            return None
        return [turn.say("notices.stale_button"), *self.where_you_are(turn)]

    def _press_option(self, turn: Turn, rest: str) -> list[Reply]:
        ref, _, option_id = rest.partition(":")
        if stale := self._stale(turn, ref):
            return stale
        position = turn.current()
        q = position.question
        if q.option(option_id) is None:
            return [turn.say("notices.unknown_button"), self._ask(turn, position)]
        if q.kind == "choice":
            return self._accept(turn, position, option_id)
        selection = [s for s in turn.pending.get("selection", []) if q.option(s)]
        if option_id in selection:
            selection.remove(option_id)
        else:
            selection.append(option_id)
        turn.update(pending={**turn.pending, "selection": selection})
        reply = self._ask(turn, position)
        reply.replace = True
        return [reply]

    def _press_multi_done(self, turn: Turn, ref: str) -> list[Reply]:
        if stale := self._stale(turn, ref):
            return stale
        position = turn.current()
        outcome = check_selection(position.question, turn.pending.get("selection", []))
        return self._apply(turn, position, outcome)

    def _press_confirm(self, turn: Turn, ref: str) -> list[Reply]:
        confirm = turn.pending.get("confirm")
        if (stale := self._stale(turn, ref)) or not confirm:
            return stale or [turn.say("notices.stale_button"), *self.where_you_are(turn)]
        return self._accept(turn, turn.current(), confirm["value"])

    def _press_reject(self, turn: Turn, ref: str) -> list[Reply]:
        if stale := self._stale(turn, ref):
            return stale
        turn.update(pending={k: v for k, v in turn.pending.items() if k != "confirm"})
        return [self._ask(turn, turn.current(), notice=turn.t("notices.try_again"))]

    def _press_keep(self, turn: Turn, ref: str) -> list[Reply]:
        if stale := self._stale(turn, ref):
            return stale
        return self._advance(turn, turn.current())

    def _press_edit_step(self, turn: Turn, step_id: str) -> list[Reply]:
        step = self.flow.step(step_id)
        if step is None:
            return [turn.say("notices.unknown_button"), *self.where_you_are(turn)]
        rows = [[Choice(q.label[turn.lang], f"e:{q.id}")] for q in step.questions]
        return [turn.say("edit_questions", choices=rows, step_number=step.number,
                         step_title=step.title[turn.lang])]

    def _press_edit_question(self, turn: Turn, qid: str) -> list[Reply]:
        position = turn.positions.find(qid)
        if position is None:
            q = self.flow.question(qid)
            if q is None:
                return [turn.say("notices.unknown_button"), *self.where_you_are(turn)]
            source = self.flow.question(q.foreach)
            return [turn.say("notices.needs_items", source=source.label[turn.lang]),
                    *self.where_you_are(turn)]
        turn.move("asking", position, {"edit": True})
        return [self._ask(turn, position)]

    def _press_restart(self, turn: Turn, step_id: str) -> list[Reply]:
        step = self.flow.step(step_id)
        positions = turn.positions.in_step(step_id) if step else []
        if not positions:
            return [turn.say("notices.unknown_button"), *self.where_you_are(turn)]
        turn.move("asking", positions[0], {"redo": step_id})
        return [self._step_intro(turn, step_id), self._ask(turn, positions[0])]

    def _press_library(self, turn: Turn, action: str) -> list[Reply]:
        if turn.library_id:
            library = store.get_library(self.db, turn.library_id)
            return [turn.say("notices.already_member", library=library["name"]),
                    *self.where_you_are(turn)]
        if action == "new":
            turn.update(mode="naming")
            return [turn.say("ask_library_name")]
        if action == "join":
            turn.update(mode="joining")
            return [turn.say("ask_invite_code")]
        return [turn.say("notices.unknown_button"), *self._onboarding_menu(turn)]

    def _press_language(self, turn: Turn, lang: str) -> list[Reply]:
        if lang not in LANGS:
            return [turn.say("notices.unknown_button"), *self.where_you_are(turn)]
        return self._set_language(turn, lang)

    def _press_invite(self, turn: Turn, action: str) -> list[Reply]:
        return self._cmd_invite(turn, "new" if action == "new" else "")

    # -- typed text -----------------------------------------------------------------------

    def _text(self, turn: Turn, text: str) -> list[Reply]:
        mode = turn.user["mode"]
        if not turn.library_id:
            return self._onboarding_text(turn, text)
        if mode in self.modes:
            return self.modes[mode][0](turn, text)
        if not text.strip():
            return [turn.say("errors.empty"), *self.where_you_are(turn)]
        if mode == "asking" and "confirm" in turn.pending:
            if word_in(text, YES):
                return self._accept(turn, turn.current(), turn.pending["confirm"]["value"])
            if word_in(text, NO):
                return self._press_reject(turn, position_ref(turn.current()))
        action = navigation_word(text)
        if action:
            return self._command(turn, action, "")
        if mode == "asking":
            position = turn.current()
            if position is None:
                turn.move("asking", turn.positions.next_open())
                return [turn.say("notices.question_gone"), *self.resume(turn)]
            if position.question.kind == "multi" and word_in(text, DONE):
                return self._press_multi_done(turn, position_ref(position))
            return self._apply(turn, position, parse_text(position.question, text))
        if mode == "step_done" and word_in(text, YES):
            return self.resume(turn)
        if mode in ("paused", "step_done"):
            return [turn.say("notices.paused_hint", choices=[[nav_button(turn.lang, "continue")]])]
        return self.resume(turn)

    def _onboarding_text(self, turn: Turn, text: str) -> list[Reply]:
        text = text.strip()
        mode = turn.user["mode"]
        if mode == "naming":
            name = " ".join(text.split())
            if len(name) < 2 or len(name) > LIBRARY_NAME_MAX:
                return [turn.say("errors.library_name", max=LIBRARY_NAME_MAX)]
            return self._create_library(turn, name)
        if mode == "joining":
            if not text:
                return [turn.say("errors.empty"), turn.say("ask_invite_code")]
            return self._join(turn, text.split()[0])
        return self._onboarding_menu(turn)

    # -- answering ------------------------------------------------------------------------

    def _apply(self, turn: Turn, position: Position, outcome: Outcome) -> list[Reply]:
        if outcome.error:
            notice = turn.t(f"errors.{outcome.error}", **outcome.error_ctx)
            return [self._ask(turn, position, notice=notice)]
        if outcome.confirm:
            turn.update(pending={**turn.pending, "confirm": {"value": outcome.value}})
            q = position.question
            ref = position_ref(position)
            choices = [[Choice(label(turn.lang, "yes"), f"y:{ref}"),
                        Choice(label(turn.lang, "no"), f"x:{ref}")]]
            return [turn.say("confirm", choices=choices,
                             value=display(q, outcome.value, turn.lang))]
        return self._accept(turn, position, outcome.value)

    def _accept(self, turn: Turn, position: Position, value: Any) -> list[Reply]:
        self._store(turn, position, "answered", value)
        extras = [r for hook in self.after_answer[position.question.id] for r in hook(turn)]
        return [*extras, *self._advance(turn, position, notice=turn.t("notices.saved"))]

    def _store(self, turn: Turn, position: Position, status: str, value: Any) -> None:
        store.save_answer(
            self.db, library_id=turn.library_id, question_id=position.question.id,
            item_key=position.item_key, author=turn.user, status=status, value=value,
            now=turn.now,
        )
        turn.positions.mark(position, status)

    def _advance(self, turn: Turn, position: Position, notice: str = "") -> list[Reply]:
        """After answering (or skipping or keeping) ``position``: where to next."""
        pending = turn.pending
        positions = turn.positions
        position = positions.find(position.question.id, position.item_index) or position
        step_id = position.question.step_id
        if redo := pending.get("redo"):
            following = positions.following(position)
            if following and following.question.step_id == redo:
                turn.move("asking", following, {"redo": redo})
                return [self._ask(turn, following, notice=notice)]
            return self._finish_step(turn, redo, positions.next_open(position))
        if pending.get("edit"):
            following = positions.following(position)
            if following and following.question.id == position.question.id:
                turn.move("asking", following, {"edit": True})
                return [self._ask(turn, following, notice=notice)]
            nxt = positions.next_open(position)
            if nxt is None:
                return [*self._all_done(turn, notice)]
            turn.move("asking", nxt)
            return [self._ask(turn, nxt, notice=turn.t("notices.edited"))]
        nxt = positions.next_open(position)
        if positions.step_finished(step_id) and (nxt is None or nxt.question.step_id != step_id):
            return self._finish_step(turn, step_id, nxt)
        if nxt is None:
            return self._all_done(turn, notice)
        turn.move("asking", nxt)
        replies = []
        if nxt.question.step_id != step_id:
            replies.append(self._step_intro(turn, nxt.question.step_id))
        return [*replies, self._ask(turn, nxt, notice=notice)]

    def _finish_step(self, turn: Turn, step_id: str, nxt: Position | None) -> list[Reply]:
        extras = self._extras_after_step(turn, step_id)
        if nxt is None:
            return [*extras, self._summary(turn, step_id, None), *self._all_done(turn)]
        turn.move("step_done", nxt)
        return [*extras, self._summary(turn, step_id, self.flow.step(nxt.question.step_id))]

    def _extras_after_step(self, turn: Turn, step_id: str) -> list[Reply]:
        """Messages some steps add after their summary (channel advice after step 2)."""
        return [r for hook in self.after_step[step_id] for r in hook(turn)]

    def _summary(self, turn: Turn, step_id: str, next_step: Any) -> Reply:
        lines = []
        for p in turn.positions.in_step(step_id):
            row = store.my_answer(self.db, turn.library_id, turn.user["id"], p.question.id,
                                  p.item_key)
            value = "" if row is None or row["status"] != "answered" else display(
                p.question, row["value"], turn.lang)
            lines.append((p.question.label[turn.lang], p.item_key, value))
        return step_summary_reply(flow=self.flow, step_id=step_id, lang=turn.lang, lines=lines,
                                  next_step=next_step)

    def _all_done(self, turn: Turn, notice: str = "") -> list[Reply]:
        skipped = turn.positions.first_skipped()
        turn.move("done", skipped)
        choices = [[nav_button(turn.lang, "continue")]] if skipped else []
        choices.append([nav_button(turn.lang, "overview"), nav_button(turn.lang, "edit")])
        todo = sum(1 for p in turn.positions.all if turn.positions.status.get(p.key) == "skipped")
        return [turn.say("all_done", choices=choices, notice=notice, todo=todo,
                         coordinator=turn.user["role"] == "coordinator")]

    # -- showing where the user is ------------------------------------------------------

    def _active_position(self, turn: Turn) -> Position | None:
        if turn.user["mode"] in ("asking", "step_done", "paused"):
            return turn.current()
        return None

    def resume(self, turn: Turn) -> list[Reply]:
        """Go (back) to the open question: the current one, else the first unanswered."""
        if not turn.library_id:
            return self._onboarding_menu(turn)
        mode = turn.user["mode"]
        position = turn.current() if mode in ("asking", "paused", "step_done") else None
        if position is not None and not turn.positions.is_open(position) and not turn.pending:
            position = turn.positions.next_open(position)  # answered meanwhile: go on
        if position is None:
            position = turn.positions.next_open() or turn.positions.first_skipped()
        if position is None:
            return self._all_done(turn)
        starts_step = position == turn.positions.in_step(position.question.step_id)[0]
        turn.move("asking", position, turn.pending if mode == "asking" else {})
        replies = []
        if mode == "step_done" or (mode != "asking" and starts_step):
            replies.append(self._step_intro(turn, position.question.step_id))
        return [*replies, self._ask(turn, position)]

    def where_you_are(self, turn: Turn) -> list[Reply]:
        """Repeat the open question (or the menu) without changing anything."""
        if not turn.library_id:
            return self._onboarding_menu(turn)
        mode = turn.user["mode"]
        if mode in self.modes:
            return self.modes[mode][1](turn)
        position = turn.current()
        if mode == "asking" and position is not None:
            return [self._ask(turn, position)]
        if mode in ("paused", "step_done"):
            return [turn.say("notices.paused_hint", choices=[[nav_button(turn.lang, "continue")]])]
        return self.resume(turn)

    def _ask(self, turn: Turn, position: Position, notice: str = "") -> Reply:
        q = position.question
        mine_row = store.my_answer(self.db, turn.library_id, turn.user["id"], q.id,
                                   position.item_key)
        mine = mine_row["value"] if mine_row and mine_row["status"] == "answered" else None
        colleagues = [
            r for r in store.current_answers(self.db, turn.library_id, q.id)
            if r["author_id"] != turn.user["id"] and r["status"] == "answered"
            and r["item_key"] == position.item_key
        ]
        return question_reply(
            flow=self.flow, positions=turn.positions, position=position, lang=turn.lang,
            user_id=turn.user["id"], mine=mine, colleagues=colleagues,
            shown=self._shown_answers(turn, q), selected=turn.pending.get("selection", []),
            notice=notice,
        )

    def _shown_answers(self, turn: Turn, q: Question) -> list[tuple[str, str]]:
        shown = []
        for ref in q.show:
            source = self.flow.question(ref)
            rows = library_view(self.db, turn.library_id, turn.user["id"], ref)
            text = "; ".join(display(source, r["value"], turn.lang) for r in rows)
            shown.append((source.label[turn.lang], text))
        return shown

    def _step_intro(self, turn: Turn, step_id: str) -> Reply:
        step = self.flow.step(step_id)
        return turn.say("step_intro", step_number=step.number, step_count=len(self.flow.steps),
                        step_title=step.title[turn.lang], intro=step.intro[turn.lang])

    def _waits_for(self, step: Step) -> int | None:
        """The number of the step whose answers make this step's questions (a step of
        only ``foreach`` questions has none until that list is answered)."""
        for q in step.questions:
            source = self.flow.question(q.foreach)
            if source is not None:
                return self.flow.step_of(source).number
        return None

    def _overview(self, turn: Turn) -> Reply:
        current = self._active_position(turn)
        current_step = current.question.step_id if current else None
        steps = []
        for s in self.flow.steps:
            answered, skipped, total = turn.positions.counts(s.id)
            steps.append({"number": s.number, "title": s.title[turn.lang], "answered": answered,
                          "skipped": skipped, "total": total, "current": s.id == current_step,
                          "waits_for": self._waits_for(s) if not total else None})
        where = None
        if current:
            step = self.flow.step_of(current.question)
            where = {"step": step.number, "question": [q.id for q in step.questions].index(
                current.question.id) + 1, "questions": len(step.questions)}
        choices = [[nav_button(turn.lang, "continue"), nav_button(turn.lang, "edit")]]
        library = store.get_library(self.db, turn.library_id)
        return turn.say("overview", choices=choices, steps=steps, where=where,
                        step_count=len(self.flow.steps), library=library["name"])

    # -- libraries, invites, languages -------------------------------------------------------

    def _onboarding_menu(self, turn: Turn, welcome: bool = False) -> list[Reply]:
        if turn.user["mode"] not in ("onboarding",):
            turn.update(mode="onboarding")
        choices = [[Choice(label(turn.lang, "new_library"), "l:new")],
                   [Choice(label(turn.lang, "join_library"), "l:join")]]
        return [turn.say("welcome" if welcome else "onboarding", choices=choices,
                         name=turn.user["name"])]

    def _create_library(self, turn: Turn, name: str) -> list[Reply]:
        library_id = store.create_library(self.db, name, turn.user["id"], turn.now)
        turn.update(library_id=library_id, role="coordinator")
        turn._positions = None
        first = turn.positions.next_open()
        turn.move("asking", first)
        return [turn.say("library_created", library=name),
                self._step_intro(turn, first.question.step_id), self._ask(turn, first)]

    def _join(self, turn: Turn, code: str) -> list[Reply]:
        if store.join_failures(self.db, turn.user["id"], turn.now) >= store.JOIN_MAX_FAILURES:
            return [turn.say("notices.join_rate_limited")]
        invite = store.find_invite(self.db, code[:64])
        problem = None
        if invite is None or invite["revoked_at"]:
            problem = "join_invalid"
        elif invite["expires_at"] <= store.iso(turn.now):
            problem = "join_expired"
        if problem:
            store.record_join_attempt(self.db, turn.user["id"], False, turn.now)
            if not turn.library_id:
                turn.update(mode="joining")
            return [turn.say(f"notices.{problem}")]
        store.record_join_attempt(self.db, turn.user["id"], True, turn.now)
        library = store.get_library(self.db, invite["library_id"])
        if turn.library_id == library["id"]:
            return [turn.say("notices.already_member", library=library["name"]),
                    *self.where_you_are(turn)]
        if turn.library_id:
            return [turn.say("notices.in_other_library")]
        turn.update(library_id=library["id"], role="member")
        turn._positions = None
        first = turn.positions.next_open()
        turn.move("asking", first)
        return [turn.say("joined", library=library["name"]),
                self._step_intro(turn, first.question.step_id), self._ask(turn, first)]

    def _invite_reply(self, turn: Turn, invite: dict[str, Any]) -> Reply:
        link = self.invite_link(invite["code"]) if self.invite_link else ""
        expires = datetime.fromisoformat(invite["expires_at"]).date().isoformat()
        choices = [[Choice(label(turn.lang, "regenerate"), "i:new")]]
        return turn.say("invite", choices=choices, code=invite["code"], link=link,
                        expires=expires)

    def _language_buttons(self, turn: Turn) -> list[list[Choice]]:
        return [[Choice(label(turn.lang, f"lang_{lang}"), f"g:{lang}") for lang in LANGS]]

    def _set_language(self, turn: Turn, lang: str) -> list[Reply]:
        turn.update(lang=lang)
        turn.lang = lang
        return [turn.say("notices.language_set"), *self.where_you_are(turn)]
