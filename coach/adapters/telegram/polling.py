"""Long polling that confirms an update to Telegram only after it was handled.

Unlike PTB's Updater, :func:`poll_updates` confirms an update (by the offset of the
next getUpdates call) only after it was handled and its replies were sent. A crash or
SIGKILL in between means Telegram delivers it again after the restart; the coach
recognises the update id and repeats where the user is. ``webhook.py`` does the same
for a webhook.

An update the database could not store (a full disk, a locked database, ...) stays
unconfirmed and is tried again, while other chats go on: ``faults.py`` says how. A 409
Conflict from getUpdates means another process polls with the same token: one log line,
then a growing wait (``CONFLICT_DELAY`` up to ``CONFLICT_DELAY_MAX``) until it is gone.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from telegram import Update
from telegram.error import Conflict, InvalidToken, RetryAfter, TelegramError
from telegram.ext import Application

from coach.adapters.telegram import faults
from coach.adapters.telegram.app import ALLOWED_UPDATES
from coach.adapters.telegram.retry import Backoff, retry_seconds, sleep_unless
from coach.adapters.telegram.send import deliver

log = logging.getLogger("coach.telegram")

POLL_TIMEOUT = 30  # seconds of long polling per getUpdates call
POLL_WHILE_WAITING = 1.0  # seconds between getUpdates calls while an update waits
GET_UPDATES_LIMIT = 100  # Telegram's maximum per getUpdates call
CONFLICT_DELAY = 5.0  # first wait after a 409 Conflict; doubles up to CONFLICT_DELAY_MAX
CONFLICT_DELAY_MAX = 60.0


class _Conflicts:
    """Waits after 409 Conflicts; logs the first of a series and its end."""

    def __init__(self) -> None:
        self.delay: float | None = None

    def next(self, exc: Conflict) -> float:
        if self.delay is None:
            self.delay = CONFLICT_DELAY
            if "webhook" in str(exc).lower():
                log.warning("a webhook was set for this bot while it polls (409 Conflict); "
                            "removing it")
            else:
                log.warning("another process is polling this bot (409 Conflict from "
                            "getUpdates); stop the other one. Trying again in %.0f s, then "
                            "less and less often", self.delay)
        else:
            self.delay = min(self.delay * 2, CONFLICT_DELAY_MAX)
        return self.delay

    def over(self) -> None:
        if self.delay is not None:
            log.info("polling again: the other process stopped")
            self.delay = None


async def poll_updates(
    app: Application, stop: asyncio.Event, timeout: float = POLL_TIMEOUT
) -> None:
    """Fetch updates with long polling and handle them one by one until ``stop`` is set.

    An update is confirmed to Telegram only after it was handled (see the module
    docstring).
    """
    bot = app.bot
    fault_log = faults.install(app)
    holds = faults.Holds()
    behind = faults.HandledBehind(app.bot_data["coach"])  # answered while others were held
    done: set[int] = set()  # handled ids from the offset on: Telegram sends them again
    newest: int | None = None  # the highest update id seen
    offset: int | None = None
    backoff = Backoff()
    conflicts = _Conflicts()
    webhook_cleared = False  # a webhook left set would make getUpdates fail
    stop_wait = asyncio.ensure_future(stop.wait())

    def next_offset() -> int | None:
        """The first update not handled yet (Telegram forgets those before it)."""
        if holds:
            return holds.first_id()
        return None if newest is None else newest + 1

    last_stored = [0.0]  # when an update was last stored (clock of holds)

    async def handled(update: Update) -> bool:
        await app.process_update(update)
        if fault_log.took(update):
            last_stored[0] = holds.clock()
            first = holds.first_id()
            if first is not None and update.update_id > first:  # Telegram sends it again
                behind.add(update.update_id)
            return True
        return False

    async def retry_waiting() -> None:
        for chat in holds.due():
            waiting = holds.chats[chat]
            while waiting.updates:
                update = waiting.updates[0]
                if not await handled(update):
                    holds.failed(update)
                    break
                waiting.updates.popleft()
                done.add(update.update_id)
            if not waiting.updates:
                del holds.chats[chat]
                fault_log.recovered(chat)

    async def give_up_oldest() -> None:
        chat = holds.oldest()
        if chat is None or last_stored[0] <= holds.chats[chat].since:
            return  # nothing was stored since it failed: everyone's fault, so wait
        waiting = holds.chats[chat]
        if waiting.failed_at < last_stored[0]:
            waiting.due = 0.0  # others were stored since its last try: try it now first
            return
        update = waiting.updates.popleft()
        done.add(update.update_id)
        waiting.due = 0.0  # the ones behind it are tried now
        log.warning("update %s of chat %s could not be stored and is given up: %d updates "
                    "wait behind it", update.update_id, chat, GET_UPDATES_LIMIT)
        user = update.effective_user
        if user is not None and chat > 0:
            reply = app.bot_data["coach"].given_up_reply(user.language_code)
            with contextlib.suppress(Exception):
                await deliver(app, chat, [reply])
        if not waiting.updates:
            del holds.chats[chat]
            fault_log.recovered(chat)

    try:
        while not stop.is_set():
            if webhook_cleared:
                if holds:
                    await retry_waiting()
                offset = next_offset()
                done.difference_update([i for i in done if offset is None or i < offset])
                call = bot.get_updates(
                    offset=offset, timeout=0 if holds else int(timeout),
                    limit=GET_UPDATES_LIMIT, allowed_updates=ALLOWED_UPDATES,
                )
            else:
                call = bot.delete_webhook(drop_pending_updates=False)
            fetch = asyncio.ensure_future(call)
            await asyncio.wait({fetch, stop_wait}, return_when=asyncio.FIRST_COMPLETED)
            if not fetch.done():
                # stopping: nothing fetched in this call was confirmed or handled
                fetch.cancel()
                with contextlib.suppress(asyncio.CancelledError, TelegramError):
                    await fetch
                break
            try:
                updates = fetch.result()
            except InvalidToken:
                raise
            except RetryAfter as exc:
                await sleep_unless(stop, retry_seconds(exc))
                continue
            except Conflict as exc:  # another process polls, or a webhook was set
                wait = conflicts.next(exc)
                if "webhook" in str(exc).lower():
                    webhook_cleared = False
                await sleep_unless(stop, wait)
                continue
            except TelegramError as exc:  # network trouble, ...
                what = "getUpdates" if webhook_cleared else "deleteWebhook"
                wait = backoff.next()
                log.warning("%s failed: %s; retrying in %.1f s", what, exc, wait)
                await sleep_unless(stop, wait)
                continue
            backoff.reset()
            if not webhook_cleared:
                webhook_cleared = True
                continue
            conflicts.over()
            behind.confirmed(offset)
            new = 0
            for update in updates:
                uid = update.update_id
                newest = uid if newest is None else max(newest, uid)
                if uid in done or uid in holds:
                    continue  # handled, or waiting behind its chat's failed update
                if uid in behind:  # handled before a restart, behind a held update
                    done.add(uid)
                    continue
                new += 1
                if holds.waits(update):
                    continue
                if await handled(update):
                    done.add(uid)
                else:
                    holds.failed(update)
            if holds:
                if new == 0 and len(updates) >= GET_UPDATES_LIMIT:
                    await give_up_oldest()  # nothing newer can be seen behind it
                await sleep_unless(stop, min(POLL_WHILE_WAITING, holds.seconds_to_next()))
        offset = next_offset()
        if offset is not None:
            # confirm what was handled, so a clean restart does not see it again
            with contextlib.suppress(TelegramError):
                await bot.get_updates(offset=offset, timeout=0, limit=1)
    finally:
        stop_wait.cancel()
