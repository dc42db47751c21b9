"""Long polling that confirms an update to Telegram only after it was handled.

Unlike PTB's Updater, :func:`poll_updates` confirms an update (by the offset of the
next getUpdates call) only after it was handled and its replies were sent. A crash or
SIGKILL in between means Telegram delivers it again after the restart; the coach
recognises the update id and repeats where the user is. ``webhook.py`` does the same
for a webhook.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from telegram.error import InvalidToken, RetryAfter, TelegramError
from telegram.ext import Application

from coach.adapters.telegram.app import ALLOWED_UPDATES
from coach.adapters.telegram.retry import Backoff, retry_seconds, sleep_unless

log = logging.getLogger("coach.telegram")

POLL_TIMEOUT = 30  # seconds of long polling per getUpdates call


async def poll_updates(
    app: Application, stop: asyncio.Event, timeout: float = POLL_TIMEOUT
) -> None:
    """Fetch updates with long polling and handle them one by one until ``stop`` is set.

    An update is confirmed to Telegram only after it was handled (see the module
    docstring).
    """
    bot = app.bot
    offset: int | None = None
    backoff = Backoff()
    webhook_cleared = False  # a webhook left set would make getUpdates fail
    stop_wait = asyncio.ensure_future(stop.wait())
    try:
        while not stop.is_set():
            if webhook_cleared:
                call = bot.get_updates(
                    offset=offset, timeout=int(timeout), allowed_updates=ALLOWED_UPDATES
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
            except TelegramError as exc:  # network trouble, a webhook still set, ...
                what = "getUpdates" if webhook_cleared else "deleteWebhook"
                wait = backoff.next()
                log.warning("%s failed: %s; retrying in %.1f s", what, exc, wait)
                await sleep_unless(stop, wait)
                continue
            backoff.reset()
            if not webhook_cleared:
                webhook_cleared = True
                continue
            for update in updates:
                await app.process_update(update)
                offset = update.update_id + 1
        if offset is not None:
            # confirm what was handled, so a clean restart does not see it again
            with contextlib.suppress(TelegramError):
                await bot.get_updates(offset=offset, timeout=0, limit=1)
    finally:
        stop_wait.cancel()
