"""Retrying Bot API calls: flood limits (429), timeouts and network errors.

:func:`call_with_retry` wraps one Bot API call and is the only layer that retries it:
the rate limiter (``pacing.py``) paces sends and retries nothing itself, so a call is
tried at most :data:`SEND_ATTEMPTS` times in all, and gives up rather than wait past
:data:`SEND_PATIENCE` seconds. :class:`Backoff` is the doubling wait between two tries
that it, long polling and the start-up share; :func:`sleep_unless` waits unless the bot
is stopping. Bad requests, a blocked bot and a rejected token are never retried.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TimedOut,
)

log = logging.getLogger("coach.telegram")

SEND_ATTEMPTS = 8  # tries per Bot API call in all: flood limits, timeouts, network errors
SEND_PATIENCE = 120.0  # seconds of waiting between tries per call, at most
RETRY_DELAY = 0.5  # first back-off after a network error; doubles up to RETRY_DELAY_MAX
RETRY_DELAY_MAX = 10.0

T = TypeVar("T")


class Backoff:
    """Waits between two tries: RETRY_DELAY first, then doubling up to RETRY_DELAY_MAX;
    :meth:`reset` after a success starts again at RETRY_DELAY."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.delay = RETRY_DELAY

    def next(self) -> float:
        """Seconds to wait before the next try (and double the wait after it)."""
        wait = self.delay
        self.delay = min(self.delay * 2, RETRY_DELAY_MAX)
        return wait


def retry_seconds(exc: RetryAfter) -> float:
    value = exc.retry_after  # a timedelta (PTB_TIMEDELTA, set in coach/__init__.py)
    return float(value.total_seconds() if hasattr(value, "total_seconds") else value)


async def sleep_unless(stop: asyncio.Event, seconds: float) -> None:
    """Sleep ``seconds``, or less when ``stop`` is set in the meantime."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)


async def call_with_retry(make_call: Callable[[], Awaitable[T]], what: str) -> T:
    """Run a Bot API call, retrying flood limits, timeouts and network errors: at most
    :data:`SEND_ATTEMPTS` tries and :data:`SEND_PATIENCE` seconds of waiting in all.

    Bad requests, a blocked bot and a rejected token are not retried.
    """
    backoff = Backoff()
    waited = 0.0
    for attempt in range(1, SEND_ATTEMPTS + 1):
        try:
            return await make_call()
        except (BadRequest, Forbidden, InvalidToken, ChatMigrated):
            raise
        except RetryAfter as exc:
            wait = retry_seconds(exc) + 0.1
            if attempt == SEND_ATTEMPTS or waited + wait > SEND_PATIENCE:
                log.warning("%s: flood limit after %d tries; giving up", what, attempt)
                raise
            log.warning("%s: flood limit, retrying in %.1f s", what, wait)
        except (TimedOut, NetworkError) as exc:
            wait = backoff.next()
            if attempt == SEND_ATTEMPTS or waited + wait > SEND_PATIENCE:
                log.warning("%s: %s after %d tries; giving up", what, exc, attempt)
                raise
            log.warning("%s: %s, retry %d in %.1f s", what, exc, attempt, wait)
        waited += wait
        await asyncio.sleep(wait)
    raise AssertionError("unreachable")
