"""Pacing of Bot API sends under Telegram's overall limit of 30 messages per second.

PTB's ``AIORateLimiter`` keeps the group limits and waits out a ``RetryAfter``; in front
of it, :class:`PacedRateLimiter` lets a call that goes to a chat start only when
:class:`SendWindow` allows it: at most 30 sends in any second, counted from the moment
each earlier send *ended*. Telegram received a send somewhere between its start and
its end, so counting from the end keeps every rolling second at Telegram's side at 30
or fewer, whatever the network or a busy event loop did to the timing.

Why not a bucket: PTB's default bucket allows a burst of 30 and then 30 a second, up to
60 in the first second; a bucket of one message measures the gap from the previous
send, so each late wake-up of the event loop (about a millisecond) is lost for good
(~29.1 a second), and a send delayed by a stall is followed by on-time ones that can
put 31 into one second. So the window is the guarantee, and for an even flow (not 30
at once, and a margin for another process of the bot just before a restart) starts
are also spaced on a grid of 1/29.8 s; a start a few milliseconds late keeps the grid,
so late wake-ups do not add up. A batch runs at ~29.8 a second with none refused.

Retries are ``call_with_retry``'s alone (``retry.py``): the limiter retries nothing
(``max_retries=0``), so a flood limit (429) goes straight back to it, and every other
send waits out the ``retry_after`` too (:meth:`SendWindow.hold`), as Telegram asks.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import math
from collections.abc import Callable, Coroutine
from typing import Any

from telegram.constants import FloodLimit
from telegram.error import RetryAfter
from telegram.ext import AIORateLimiter

from coach.adapters.telegram.retry import retry_seconds

MESSAGES_PER_SECOND = FloodLimit.MESSAGES_PER_SECOND  # Telegram's 30 a second in all
SPACING = 1 / 29.8  # seconds between two starts on the grid
RATE_LIMITER_RETRIES = 0  # the limiter retries nothing: call_with_retry is the one layer


class _OwnRetries(logging.Filter):
    """PTB's limiter logs each flood limit it does not retry as an error with a
    traceback; with no retries of its own that is every one, and call_with_retry
    retries it and logs one line."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("Rate limit hit after maximum of 0")


logging.getLogger("telegram.ext.AIORateLimiter").addFilter(_OwnRetries())


class SendWindow:
    """Which sends may start: at most ``limit`` ended within any ``period`` seconds
    (sends in flight count as not yet ended), and starts ``spacing`` apart on a grid.
    Times are the caller's clock."""

    def __init__(self, limit: int = MESSAGES_PER_SECOND, period: float = 1.0,
                 spacing: float = SPACING) -> None:
        self.limit, self.period, self.spacing = limit, period, spacing
        self.ends: dict[int, float] = {}  # recent sends: end time, inf while in flight
        self.next_slot = -math.inf
        self._keys = itertools.count()

    def delay(self, now: float) -> float:
        """Seconds until a send may start (0 or less: now; inf: when one ends)."""
        self.ends = {k: end for k, end in self.ends.items() if end + self.period > now}
        wait = self.next_slot - now
        if len(self.ends) >= self.limit:
            ends = sorted(self.ends.values())
            wait = max(wait, ends[len(ends) - self.limit] + self.period - now)
        return wait

    def start(self, now: float) -> int:
        key = next(self._keys)
        self.ends[key] = math.inf
        slot = max(self.next_slot, now - self.spacing / 4)  # a little late: keep the grid
        self.next_slot = slot + self.spacing
        return key

    def end(self, key: int, now: float) -> None:
        if key in self.ends:
            self.ends[key] = now

    def hold(self, until: float) -> None:
        """No send starts before ``until`` (Telegram asked to wait: a flood limit)."""
        self.next_slot = max(self.next_slot, until)


class PacedRateLimiter(AIORateLimiter):
    """``AIORateLimiter`` whose overall limit is a :class:`SendWindow`."""

    def __init__(self, max_retries: int = RATE_LIMITER_RETRIES) -> None:
        super().__init__(overall_max_rate=0, max_retries=max_retries)
        self.window = SendWindow()
        self._turn = asyncio.Lock()  # first come, first served
        self._ended = asyncio.Event()

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Any]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Any:
        if data.get("chat_id") is None:  # Telegram counts messages to chats
            return await super().process_request(
                callback, args, kwargs, endpoint, data, rate_limit_args
            )
        loop = asyncio.get_running_loop()
        key = await self._start(loop)
        try:
            return await super().process_request(
                callback, args, kwargs, endpoint, data, rate_limit_args
            )
        except RetryAfter as exc:
            self.window.hold(loop.time() + retry_seconds(exc))
            raise
        finally:
            self.window.end(key, loop.time())
            self._ended.set()

    async def _start(self, loop: asyncio.AbstractEventLoop) -> int:
        async with self._turn:
            while (delay := self.window.delay(loop.time())) > 0:
                if delay == math.inf:  # the window is full of sends still in flight
                    self._ended.clear()
                    await self._ended.wait()
                else:
                    await asyncio.sleep(delay)
            return self.window.start(loop.time())
