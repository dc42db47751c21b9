"""Running the features' scheduled jobs over Telegram (the weekly check-in is one).

Each :class:`~coach.core.feature.Job` a feature declares gets ONE repeating JobQueue job
(:func:`install`) that asks the database who is due (``Job.due``, a page at a time)
and sends each user what ``Job.start`` returns, with the adapter's own
``send_replies`` (``send.py``: HTML, inline keyboards, photos). There is no job per
user, so schedules changed in /settings need no rescheduling and a restart loses
nothing: what came due while the bot was down is found by the first run after the
start.

Telegram's limits (about 30 messages per second overall) are kept by the
application's rate limiter (``pacing.py``: PTB's ``AIORateLimiter`` with at most
30 sends in any second), which also waits out a ``RetryAfter``; the adapter's
``call_with_retry`` retries network trouble. A user who blocked the bot
(``Forbidden``) is marked unreachable (``Coach.mark_unreachable``) and not tried again
until they write to the bot. Another error leaves what ``start`` claimed unsent (the
weekly check-in is at most once, see coach/features/checkins/).

``python bot.py checkins send-due`` runs :func:`send_due` once, for cron (``run.py``).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from typing import TYPE_CHECKING

from telegram.error import ChatMigrated, Forbidden, TelegramError
from telegram.ext import Application, ContextTypes

from coach.adapters.telegram.convert import USER_PREFIX, chat_id
from coach.adapters.telegram.send import send_replies
from coach.config import Config
from coach.core.feature import Job
from coach.storage.db import StorageError

if TYPE_CHECKING:
    from coach.core.engine import Coach

log = logging.getLogger("coach.checkins")

FIRST = 5.0  # seconds after the start for the first look (catch-up after downtime)


async def send_due(
    app: Application, coach: Coach, now: datetime | None = None, *, in_job: bool = False,
    jobs: list[Job] | None = None,
) -> int:
    """Send what each job (all of the coach's by default) has for the users who are due
    now; returns how many users got their messages.

    ``in_job``: run by the running bot's job, which stops between two users when
    the bot stops (PTB waits for a running job), so nothing claimed is cut off."""
    sent = 0
    for job in coach.jobs if jobs is None else jobs:
        sent += await _run(app, coach, job, now or coach.clock(), in_job)
    return sent


async def _run(app: Application, coach: Coach, job: Job, now: datetime, in_job: bool) -> int:
    lock = app.bot_data.setdefault(f"job_lock:{job.name}", asyncio.Lock())
    sent = 0
    async with lock:  # a slow batch and the next run never overlap
        for user_id in job.due(coach, now, USER_PREFIX):
            if in_job and not app.running:
                break  # the bot is stopping: the rest go out after the restart
            chat = chat_id(user_id)
            if chat is None:
                continue
            replies = job.start(coach, user_id, now)  # claimed and committed here
            if not replies:
                continue
            try:
                await send_replies(app, chat, replies)
                sent += 1
            except (Forbidden, ChatMigrated) as exc:
                log.info("%s for %s not delivered (%s); marked unreachable",
                         job.name, user_id, exc)
                coach.mark_unreachable(user_id)
            except TelegramError as exc:
                log.warning("%s for %s not delivered: %s", job.name, user_id, exc)
    if sent:
        log.info("%s: sent to %d user(s)", job.name, sent)
    return sent


def _tick(job: Job):
    async def tick(context: ContextTypes.DEFAULT_TYPE) -> None:
        coach = context.application.bot_data["coach"]
        try:
            await send_due(context.application, coach, in_job=True, jobs=[job])
        except StorageError as exc:  # disk full, locked...: the next run tries again
            log.warning("job %s: the database is unavailable (%s); next run retries",
                        job.name, exc.kind)
        except Exception:  # noqa: BLE001 - one bad run must not stop the next ones
            log.exception("job %s failed", job.name)
    return tick


def install(
    application: Application,
    coach: Coach,
    config: Config,
    interval: float | None = None,
    first: float = FIRST,
) -> None:
    """Register one repeating job per feature job (every ``Job.every``, or ``interval``
    seconds when given)."""
    application.bot_data.setdefault("coach", coach)
    if application.job_queue is None:
        log.warning("no JobQueue (install python-telegram-bot[job-queue]); "
                    "scheduled messages only go out with `bot.py checkins send-due`")
        return
    for job in coach.jobs:
        for old in application.job_queue.get_jobs_by_name(job.name):
            old.schedule_removal()
        every = interval if interval is not None else job.every.total_seconds()
        application.job_queue.run_repeating(_tick(job), interval=every, first=first,
                                            name=job.name)
