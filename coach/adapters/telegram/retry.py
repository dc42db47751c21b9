"""Retrying Bot API calls: flood limits (429), timeouts and network errors.

:func:`call_with_retry` wraps one Bot API call; :func:`sleep_unless` waits unless the
bot is stopping. Bad requests, a blocked bot and a rejected token are
never retried.
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

SEND_ATTEMPTS = 8  # per Bot API call, for flood limits, timeouts and network errors
RETRY_DELAY = 0.5  # first back-off after a network error; doubles up to RETRY_DELAY_MAX
RETRY_DELAY_MAX = 10.0

T = TypeVar("T")


def retry_seconds(exc: RetryAfter) -> float:
    value = exc.retry_after  # a timedelta (PTB_TIMEDELTA, set in coach/__init__.py)
    return float(value.total_seconds() if hasattr(value, "total_seconds") else value)


async def sleep_unless(stop: asyncio.Event, seconds: float) -> None:
    """Sleep ``seconds``, or less when ``stop`` is set in the meantime."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)


async def call_with_retry(make_call: Callable[[], Awaitable[T]], what: str) -> T:
    """Run a Bot API call, retrying flood limits, timeouts and network errors.

    Bad requests, a blocked bot and a rejected token are not retried.
    """
    delay = RETRY_DELAY
    for attempt in range(1, SEND_ATTEMPTS + 1):
        try:
            return await make_call()
        except (BadRequest, Forbidden, InvalidToken, ChatMigrated):
            raise
        except RetryAfter as exc:
            if attempt == SEND_ATTEMPTS:
                raise
            wait = retry_seconds(exc) + 0.1
            log.warning("%s: flood limit, retrying in %.1f s", what, wait)
        except (TimedOut, NetworkError) as exc:
            if attempt == SEND_ATTEMPTS:
                raise
            wait = delay
            delay = min(delay * 2, RETRY_DELAY_MAX)
            log.warning("%s: %s, retry %d in %.1f s", what, exc, attempt, wait)
        await asyncio.sleep(wait)
    raise AssertionError("unreachable")
