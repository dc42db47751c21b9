"""Sending the weekly check-ins over Telegram (the core is in coach/features/checkins/).

:func:`install` adds ONE repeating JobQueue job that asks the database what is due
(:func:`coach.features.checkins.due.iter_due_checkins`, a page at a time) and sends each
check-in with the adapter's own ``send_replies`` (``send.py``: HTML, inline keyboards,
photos). There is no job per user, so schedules changed in /settings need no
rescheduling and a restart loses nothing: what came due while the bot was down is found
by the first run after the start.

Telegram's limits (about 30 messages per second overall) are kept by the
application's rate limiter (``pacing.py``: PTB's ``AIORateLimiter`` with at most
30 sends in any second), which also waits out a ``RetryAfter``; the adapter's
``call_with_retry`` retries network trouble. A user who blocked the bot
(``Forbidden``) is marked unreachable and not tried again until they write to the bot.
Another error leaves the claimed check-in unsent (at most once, see
coach/features/checkins/feature.py).

:func:`send_due` is the loop over the users who are due; what is due and what they
are sent are its ``due`` and ``start`` (the check-in's by default).
``python bot.py checkins send-due`` runs it once, for cron (``run.py``).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import TYPE_CHECKING

from telegram.error import ChatMigrated, Forbidden, TelegramError
from telegram.ext import Application, ContextTypes

from coach.adapters.telegram.convert import USER_PREFIX, chat_id
from coach.adapters.telegram.send import send_replies
from coach.config import Config
from coach.core.events import Reply
from coach.features.checkins.due import iter_due_checkins, mark_unreachable
from coach.features.checkins.feature import start_checkin

if TYPE_CHECKING:
    from coach.core.engine import Coach

log = logging.getLogger("coach.checkins")

INTERVAL = 60.0  # seconds between two looks at the database
FIRST = 5.0  # seconds after the start for the first look (catch-up after downtime)
JOB_NAME = "weekly-checkins"

# the two parts of a job, as coach.core.feature.Job declares them:
# who is due: ``due(coach, now, prefix)``, the ids (with the prefix) of the users due now
Due = Callable[["Coach", datetime, str], Iterable[str]]
# what a due user is sent: ``start(coach, user_id, now)``, [] for nothing (claimed already)
Start = Callable[["Coach", str, datetime], list[Reply]]


async def send_due(
    app: Application,
    coach: Coach,
    now: datetime | None = None,
    *,
    in_job: bool = False,
    due: Due = iter_due_checkins,
    start: Start = start_checkin,
) -> int:
    """Send ``start``'s replies to every user ``due`` now; returns how many were sent.

    ``in_job``: run by the running bot's job, which stops between two users when
    the bot stops (PTB waits for a running job), so no claimed check-in is cut off."""
    lock = app.bot_data.setdefault("checkins_lock", asyncio.Lock())
    sent = 0
    async with lock:  # a slow batch and the next run never overlap
        now = now or coach.clock()
        for user_id in due(coach, now, USER_PREFIX):
            if in_job and not app.running:
                break  # the bot is stopping: the rest go out after the restart
            chat = chat_id(user_id)
            if chat is None:
                continue
            replies = start(coach, user_id, now)  # claimed and committed here
            if not replies:
                continue
            try:
                await send_replies(app, chat, replies)
                sent += 1
            except (Forbidden, ChatMigrated) as exc:
                log.info("check-in for %s not delivered (%s); marked unreachable", user_id, exc)
                mark_unreachable(coach, user_id)
            except TelegramError as exc:
                log.warning("check-in for %s not delivered: %s", user_id, exc)
    if sent:
        log.info("sent %d weekly check-in(s)", sent)
    return sent


async def _tick(context: ContextTypes.DEFAULT_TYPE) -> None:
    coach = context.application.bot_data["coach"]
    try:
        await send_due(context.application, coach, in_job=True)
    except Exception:  # noqa: BLE001 - one bad run must not stop the next ones
        log.exception("sending weekly check-ins failed")


def install(
    application: Application,
    coach: Coach,
    config: Config,
    interval: float = INTERVAL,
    first: float = FIRST,
) -> None:
    """Register the one repeating job that sends due check-ins."""
    application.bot_data.setdefault("coach", coach)
    if application.job_queue is None:
        log.warning("no JobQueue (install python-telegram-bot[job-queue]); "
                    "weekly check-ins only go out with `bot.py checkins send-due`")
        return
    for job in application.job_queue.get_jobs_by_name(JOB_NAME):
        job.schedule_removal()
    application.job_queue.run_repeating(_tick, interval=interval, first=first, name=JOB_NAME)
