"""An update the database could not store is not confirmed to Telegram, and comes again.

When ``Coach.handle`` raises ``StorageError`` (a full disk, a read-only, locked or
corrupt database), nothing of the update was stored: the engine's transaction per event
was rolled back. Then:

- :func:`on_storage_error`, the first error handler (:func:`install`), logs one line
  (no traceback), tells the user once in one sentence that the message was not stored
  and will be handled by itself later (``prompts/*/faults.j2``), and records the update
  as failed in the application's :class:`FaultLog`;
- long polling (``polling.py``) keeps the failed update unconfirmed: the getUpdates
  offset stays at it, so Telegram keeps it (up to 24 hours) and delivers it again after
  a restart. The bot itself tries it again from memory with a per-chat backoff
  (:class:`Holds`: 1 s, doubling up to 60 s, as long as it takes). Later updates of
  the *same* chat wait behind it, in order (an answer must not land on the question
  before it); updates of other chats are handled as usual. Because every getUpdates from
  that offset returns the waiting updates at once, the loop polls every second instead
  of long polling while something waits. getUpdates shows at most 100 updates from the
  offset: when all of them are waiting or already handled, the oldest failed update is
  tried again at once, and if it fails again although others were stored meanwhile (so
  the fault is its own, not everyone's), it is given up (its user is asked to send it
  again) so that no one else is blocked. When every update fails (a full disk for all),
  nothing is given up: Telegram keeps them. A stop or a crash while updates wait leaves
  the offset at the oldest of them: after the restart Telegram delivers it and
  everything after it again. The updates of other chats handled (and answered) behind
  it meanwhile are recorded in SQLite (:class:`HandledBehind`, ``handled_behind``) and
  left out when they come again, so their users are not answered twice; the record
  goes once Telegram confirmed them. (Any other update that comes again, after a crash
  between storing and answering it, is recognised by its id, ``processed_events``,
  and its user is shown where they are: their reply may never have gone out.) When the
  record itself cannot be written, the user sees their open question once more;
- the webhook (``webhook.py``) answers Telegram 503 for the failed update and for later
  updates of that chat (:class:`ChatBlocks`), so Telegram delivers them again later;
  after ``BLOCK_MAX`` without the failed update coming back, the chat is free again.

When the chat's waiting updates went through, its next fault gets a new notice.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import Application, ApplicationHandlerStop, ContextTypes

from coach.adapters.telegram.convert import user_key
from coach.adapters.telegram.send import deliver
from coach.storage import chats
from coach.storage.db import StorageError, transaction

if TYPE_CHECKING:
    from coach.core.engine import Coach

log = logging.getLogger("coach.telegram")

RETRY_FIRST = 1.0  # seconds before a chat's failed update is tried again; doubles ...
RETRY_MAX = 60.0  # ... up to this
BLOCK_MAX = 15 * 60.0  # webhook: seconds a chat waits for its failed update to come back
KEPT_BY_TELEGRAM = timedelta(hours=24)  # an unconfirmed update is delivered this long


def chat_key(update: Update) -> int:
    """The chat whose updates keep their order (the user's, or the update's own id)."""
    if update.effective_chat is not None:
        return update.effective_chat.id
    if update.effective_user is not None:
        return update.effective_user.id
    return -update.update_id


@dataclass
class FaultLog:
    """What the error handler saw: the updates that failed, the chats told about it."""

    failed: dict[int, StorageError] = field(default_factory=dict)
    told: set[int] = field(default_factory=set)

    def took(self, update: Update) -> bool:
        """After ``process_update``: True if the update was stored (did not fail)."""
        return self.failed.pop(update.update_id, None) is None

    def recovered(self, chat: int) -> None:
        if chat in self.told:
            self.told.discard(chat)
            log.info("chat %s: the messages that waited are stored now", chat)


def fault_log(app: Application) -> FaultLog:
    return app.bot_data.setdefault("storage_faults", FaultLog())


def install(app: Application) -> FaultLog:
    """Make :func:`on_storage_error` the first error handler (before app.py's, which
    would log a traceback and say "something went wrong")."""
    if on_storage_error not in app.error_handlers:
        others = dict(app.error_handlers)
        app.error_handlers.clear()
        app.add_error_handler(on_storage_error)
        app.error_handlers.update(others)
    return fault_log(app)


async def on_storage_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    error = context.error
    if not isinstance(error, StorageError):
        return  # for the next error handler
    faults = fault_log(context.application)
    if not isinstance(update, Update):  # a job (the weekly check-ins): it runs again
        log.warning("a scheduled job could not use the database (%s: %s); it runs again "
                    "at its next time", error.kind, error.detail)
        raise ApplicationHandlerStop
    faults.failed[update.update_id] = error
    chat, user = chat_key(update), update.effective_user
    if chat in faults.told:
        raise ApplicationHandlerStop
    faults.told.add(chat)
    log.warning("update %s of chat %s was not stored (%s: %s); it is not confirmed to "
                "Telegram and will be tried again", update.update_id, chat, error.kind,
                error.detail)
    effective = update.effective_chat
    if effective is not None and effective.type == ChatType.PRIVATE and user is not None:
        coach = context.application.bot_data["coach"]
        reply = coach.fault_reply(error, user_key(user.id), user.language_code, later=True)
        try:
            await deliver(context.application, effective.id, [reply])
        except Exception:  # noqa: BLE001 - the update is retried anyway
            log.warning("could not tell chat %s that its message was not stored", chat)
    raise ApplicationHandlerStop


# --------------------------------------------------------------------------- polling


@dataclass
class Waiting:
    """One chat's updates behind a failed one; the first is the one that failed."""

    updates: deque[Update]
    attempts: int = 1
    due: float = 0.0
    since: float = 0.0  # when it failed first
    failed_at: float = 0.0  # when it failed last


class Holds:
    """Polling: the chats whose updates wait (see the module docstring)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.chats: dict[int, Waiting] = {}
        self.clock = clock

    def __bool__(self) -> bool:
        return bool(self.chats)

    def __contains__(self, update_id: int) -> bool:
        return any(u.update_id == update_id for w in self.chats.values() for u in w.updates)

    def waits(self, update: Update) -> bool:
        """Queue ``update`` if its chat waits already; True if it was queued."""
        waiting = self.chats.get(chat_key(update))
        if waiting is None:
            return False
        waiting.updates.append(update)
        return True

    def failed(self, update: Update) -> None:
        """``update`` could not be stored: its chat waits, the update first."""
        chat = chat_key(update)
        waiting = self.chats.get(chat)
        if waiting is None:
            now = self.clock()
            self.chats[chat] = Waiting(deque([update]), due=now + RETRY_FIRST, since=now,
                                       failed_at=now)
        else:  # the head failed again
            waiting.attempts += 1
            delay = min(RETRY_FIRST * 2 ** (waiting.attempts - 1), RETRY_MAX)
            waiting.failed_at = self.clock()
            waiting.due = waiting.failed_at + delay

    def first_id(self) -> int | None:
        ids = [w.updates[0].update_id for w in self.chats.values() if w.updates]
        return min(ids, default=None)

    def due(self) -> list[int]:
        now = self.clock()
        return [chat for chat, w in self.chats.items() if w.due <= now]

    def seconds_to_next(self) -> float:
        return max(0.0, min((w.due for w in self.chats.values()), default=0.0) - self.clock())

    def oldest(self) -> int | None:
        """The chat whose failed update is the oldest (the one that holds the offset)."""
        first = self.first_id()
        return next((c for c, w in self.chats.items() if w.updates[0].update_id == first),
                    None)


class HandledBehind:
    """Polling: the ids of the updates handled and answered while an older update was
    held, in SQLite (``chats.handled_behind``), read once at the start."""

    def __init__(self, coach: Coach) -> None:
        self.db = coach.db
        self.clock = coach.clock
        try:
            self.ids = chats.handled_behind(self.db, self.clock() - KEPT_BY_TELEGRAM)
        except StorageError as exc:  # the first update will say what is wrong
            log.warning("could not read the updates handled before the restart (%s)",
                        exc.kind)
            self.ids = set()

    def __contains__(self, update_id: int) -> bool:
        return update_id in self.ids

    def add(self, update_id: int) -> None:
        try:
            with transaction(self.db):
                chats.record_handled_behind(self.db, [update_id], self.clock())
        except StorageError as exc:  # after a restart its user sees their question again
            log.warning("could not record update %s as handled (%s)", update_id, exc.kind)
            return
        self.ids.add(update_id)

    def confirmed(self, offset: int | None) -> None:
        """A getUpdates from ``offset`` went through: the updates before it are
        confirmed, Telegram sends them no more."""
        if offset is None or not any(i < offset for i in self.ids):
            return
        try:
            with transaction(self.db):
                chats.forget_handled_behind(self.db, offset, self.clock() - KEPT_BY_TELEGRAM)
        except StorageError:
            return  # tried again after the next getUpdates
        self.ids = {i for i in self.ids if i >= offset}


# --------------------------------------------------------------------------- webhook


@dataclass
class ChatBlocks:
    """Webhook: chats whose failed update Telegram will post again, and since when."""

    blocked: dict[int, tuple[int, float]] = field(default_factory=dict)
    clock: Callable[[], float] = time.monotonic

    def refuses(self, update: Update) -> bool:
        """True if ``update`` must wait for an earlier failed one of its chat."""
        chat = chat_key(update)
        entry = self.blocked.get(chat)
        if entry is None or entry[0] == update.update_id:
            return False
        if self.clock() - entry[1] > BLOCK_MAX:  # Telegram gave that one up
            del self.blocked[chat]
            return False
        return True

    def failed(self, update: Update) -> None:
        self.blocked.setdefault(chat_key(update), (update.update_id, self.clock()))

    def stored(self, update: Update) -> bool:
        """True if ``update`` was the failed one its chat waited for."""
        chat = chat_key(update)
        if self.blocked.get(chat, (None,))[0] == update.update_id:
            del self.blocked[chat]
            return True
        return False
