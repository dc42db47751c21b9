"""The coach: takes an Event, updates SQLite, returns the Replies. No Telegram here.

Each call of ``Coach.handle`` runs in one transaction that is committed before the
replies are returned, so whatever the user was told has been stored.

The engine only registers features and dispatches to them: a command to its handler,
a button to the handler of its prefix, typed text to the handler of the user's mode
(``users.mode``). What each does lives in ``coach/features/``; the list of features is
``coach.features.FEATURES``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from coach.core.calendar import DEFAULT_TZ
from coach.core.events import Event, Reply
from coach.core.feature import Feature, Job, Mode, Registry
from coach.core.texts import lang_from_hint, render, warm_up
from coach.core.turn import Turn
from coach.flow.model import Flow, FlowError, load_flow
from coach.storage import events, users, web
from coach.storage.db import KINDS, StorageError, transaction

__all__ = ["Coach", "StorageError"]  # adapters catch StorageError from Coach.handle

EVENT_MEMORY = timedelta(days=7)
HOME_MODE = "done"  # where a user in an unknown mode goes: repeating it resumes the flow
FORWARDED_MODE = "forwarded"  # the mode whose on_text gets forwarded text (to confirm)
NO_LIBRARY_MODE = "onboarding"  # the mode of users without a library
MEDIA = {"photo", "sticker", "voice", "video", "location", "document", "contact",
         "animation", "audio", "video_note", "poll", "edited"}
MAX_CALLBACK_DATA = 64
# A button handler whose replies start with a template of one of these names (any
# feature's ``notices.stale_button``, ``checkins.stale_button``, ...; ``already_member``:
# the welcome's buttons pressed again) did not act on the press: the note alone goes
# back, as a notice (Reply.notice), not a re-ask.
PRESS_NOTICES = ("stale_button", "unknown_button", "already_member")


class NotAllowed(Exception):
    """A page or action the user may not see or do: ``reason`` is "no_user",
    "no_library", "coordinators" (the page is for coordinators) or "unknown"."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class Coach:
    def __init__(
        self,
        db: Any,
        flow: Flow | None = None,
        clock: Callable[[], datetime] | None = None,
        tz: str = DEFAULT_TZ,
        *,
        features: Iterable[Feature],
    ):
        self.db = db
        self.tz = tz  # the libraries' time zone (COACH_TZ): schedules, weeks, dates
        self.flow = flow or load_flow()
        self.clock = clock or (lambda: datetime.now(UTC))
        self.invite_link: Callable[[str], str] | None = None
        self.web_url: str | None = None  # the web view's base URL, when it is served
        self.registry = Registry(features)
        self._check_matchers()
        warm_up()

    def _check_matchers(self) -> None:
        for q in self.flow.questions.values():
            if q.matcher and q.matcher not in self.registry.matchers:
                raise FlowError(f"{q.id}: no feature reads answers with matcher {q.matcher!r}")

    @property
    def jobs(self) -> list[Job]:
        return self.registry.jobs

    # -- entry points used by adapters --------------------------------------------------

    def handle(self, event: Event) -> list[Reply]:
        now = self.clock()
        with transaction(self.db):
            user = users.get_user(self.db, event.user_id)
            if user is None:
                user = users.create_user(self.db, event.user_id, event.name or "?",
                                         lang_from_hint(event.lang_hint), now)
            elif event.name and event.name != user["name"]:
                users.update_user(self.db, event.user_id, now, name=event.name)
                user["name"] = event.name
            if user.get("active") == 0:  # marked unreachable (blocked the bot): back now
                users.update_user(self.db, event.user_id, now, active=1, unreachable_at=None)
                user.update(active=1, unreachable_at=None)
            turn = Turn(self, user, now)
            if event.event_id and events.seen_event(self.db, event.event_id, now):
                return self.where_you_are(turn)
            return self._dispatch(turn, event)

    def render(self, lang: str | None, template: str, /, **ctx: Any) -> str:
        return render(lang, template, **ctx)

    def menu(self, lang: str, ids: Iterable[str] | None = None) -> list[tuple[str, str]]:
        """(name, description) of every command, or of those with the ``ids``, in
        the menu's order."""
        wanted = set(ids) if ids is not None else None
        return [(c.name(lang), render(lang, f"commands.{c.id}")) for c in self.registry.names
                if wanted is None or c.id in wanted]

    def help_commands(self, lang: str) -> list[str]:
        return [c.name(lang) for c in self.registry.names]

    def group_notice(self, chat_id: str, lang_hint: str | None = None) -> Reply | None:
        now = self.clock()
        with transaction(self.db):
            if not events.first_group_notice(self.db, chat_id, now):
                return None
        return Reply(text=render(lang_from_hint(lang_hint), "group_notice"), key="group_notice")

    def fault_reply(self, error: StorageError, user_id: str | None = None,
                    lang_hint: str | None = None, *, later: bool = False) -> Reply:
        """The one sentence for a message that could not be stored (``Coach.handle``
        raised ``error``; nothing of it was kept). ``later``: the adapter will handle it
        again by itself (Telegram delivers it again); otherwise the user types it again.
        Reads no more than the user's language, and falls back on ``lang_hint``."""
        lang = lang_from_hint(lang_hint)
        try:
            user = users.get_user(self.db, user_id) if user_id else None
            lang = user["lang"] if user else lang
        except Exception:  # noqa: BLE001 - the database is the thing that is failing
            pass
        kind = error.kind if error.kind in KINDS else "unavailable"
        reason = render(lang, f"faults.{kind}")
        return Reply(text=render(lang, "faults.not_stored", reason=reason, later=later),
                     key=f"faults.{kind}")

    def given_up_reply(self, lang_hint: str | None = None) -> Reply:
        """For a message the adapter stopped waiting for (see adapters/telegram/faults.py)."""
        return Reply(text=render(lang_from_hint(lang_hint), "faults.given_up"),
                     key="faults.given_up")

    def error_reply(self, user_id: str) -> Reply:
        user = users.get_user(self.db, user_id)
        return Reply(text=render(user["lang"] if user else None, "error"), key="error")

    def prune(self) -> None:
        """Forget old processed-event ids (they only guard against redelivery), and the
        web view's expired sign-in links, sessions and old failed sign-ins."""
        with transaction(self.db):
            events.prune_events(self.db, self.clock(), EVENT_MEMORY)
            web.prune(self.db, self.clock())

    def mark_unreachable(self, user_id: str) -> None:
        """The user cannot be reached (blocked the bot): no jobs for them until they write."""
        with transaction(self.db):
            users.mark_unreachable(self.db, user_id, self.clock())

    def turn_for(self, user_id: str, now: datetime) -> Turn | None:
        """A turn for a message the coach starts itself (a job); None for an unknown user.
        Call it inside the transaction that the job's changes belong to."""
        user = users.get_user(self.db, user_id)
        return Turn(self, user, now) if user else None

    # -- pages (the web view) ------------------------------------------------------------

    def page(self, user_id: str, name: str, params: dict[str, str] | None = None) -> Any:
        """What page ``name`` shows ``user_id`` of their own library (read-only).
        Raises NotAllowed for an unknown user or page, a user without a library, or a
        coordinators' page and someone else."""
        with transaction(self.db):
            turn = self._page_turn(user_id, self.registry.pages.get(name))
            return self.registry.pages[name].view(turn, params or {})

    def act(self, user_id: str, name: str, fields: dict[str, str]) -> str:
        """Do action ``name`` for ``user_id`` (one transaction, committed on return);
        returns the template that says what happened. Raises NotAllowed like ``page``."""
        with transaction(self.db):
            turn = self._page_turn(user_id, self.registry.actions.get(name))
            return self.registry.actions[name].run(turn, fields)

    def viewer(self, user_id: str) -> dict[str, Any] | None:
        """The user as a page shows them (name, lang, role, library_id), or None."""
        user = users.get_user(self.db, user_id)
        if user is None:
            return None
        return {k: user[k] for k in ("id", "name", "lang", "role", "library_id")}

    def _page_turn(self, user_id: str, what: Any) -> Turn:
        if what is None:
            raise NotAllowed("unknown")
        user = users.get_user(self.db, user_id)
        if user is None:
            raise NotAllowed("no_user")
        if not user["library_id"]:
            raise NotAllowed("no_library")
        if what.coordinators and user["role"] != "coordinator":
            raise NotAllowed("coordinators")
        return Turn(self, user, self.clock())

    # -- dispatch -------------------------------------------------------------------------

    def _dispatch(self, turn: Turn, event: Event) -> list[Reply]:
        if event.media:
            kind = event.media if event.media in MEDIA else "other"
            return [turn.say(f"media.{kind}")]
        if event.command is not None:
            return self.run_command(turn, event.command, event.args.strip())
        if event.choice is not None:
            return self._press(turn, event.choice)
        if event.forwarded and event.text and FORWARDED_MODE in self.registry.modes:
            return self.registry.modes[FORWARDED_MODE].on_text(turn, event.text)
        return self.typed(turn, event.text or "")

    def typed(self, turn: Turn, text: str) -> list[Reply]:
        """Handle ``text`` as typed by the user where they are (the mode's on_text)."""
        return self._mode(turn).on_text(turn, text)

    def run_command(self, turn: Turn, name: str, args: str = "") -> list[Reply]:
        cid = self.registry.command_id(name)
        handler = self.registry.commands.get(cid) if cid else None
        if handler is None:
            return [turn.say("notices.unknown_command", command=name[:40])]
        if not turn.library_id and f"/{cid}" not in self.registry.without_library:
            return [turn.say("notices.no_library"), *self.where_you_are(turn)]
        return handler(turn, args)

    def _press(self, turn: Turn, data: str) -> list[Reply]:
        prefix, _, rest = data.partition(":")
        handler = self.registry.buttons.get(prefix)
        if handler is None or len(data) > MAX_CALLBACK_DATA:
            return [_notice(turn.say("notices.unknown_button"))]
        if not turn.library_id and f"{prefix}:" not in self.registry.without_library:
            return [turn.say("notices.no_library"), *self.where_you_are(turn)]
        replies = handler(turn, rest)
        if replies and replies[0].key.rpartition(".")[2] in PRESS_NOTICES:
            return [_notice(replies[0])]
        return replies

    def _mode(self, turn: Turn) -> Mode:
        modes = self.registry.modes
        mode = modes.get(turn.user["mode"])
        if not turn.library_id and (mode is None or mode.needs_library):
            return modes[NO_LIBRARY_MODE]
        return mode or modes[HOME_MODE]

    def where_you_are(self, turn: Turn) -> list[Reply]:
        """Repeat the open question (or the menu) without changing anything."""
        return self._mode(turn).on_repeat(turn)


def _notice(reply: Reply) -> Reply:
    """The reply as a notice about the press (see Reply.notice): its text only."""
    return Reply(text=reply.text, notice=True, key=reply.key)
