"""Pacing of Bot API sends below Telegram's overall limit of 30 messages per second.

PTB's ``AIORateLimiter`` keeps the group limits and waits out a ``RetryAfter``; in front
of it, :class:`PacedRateLimiter` gives every call that goes to a chat a slot on a fixed
grid of ``1 / MESSAGES_PER_SECOND`` seconds. Why a grid and not a leaky bucket: a
bucket measures the gap from the last send, so each late wake-up of the event loop
(about a millisecond) is lost for good and a batch runs at ~29.1 messages a second; its
default burst of 30 at once draws 429s from a strict limit. Slots on a grid do not
accumulate that lateness, and the grid runs a little under 30 per second so that
jitter of up to ~17 ms between two sends 30 apart still keeps any rolling second at
30 messages or fewer. A caller who comes later than the next slot sends at once and
the grid starts again from there (no burst to catch up).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any

from telegram.ext import AIORateLimiter

MESSAGES_PER_SECOND = 29.5
RATE_LIMITER_RETRIES = 3  # RetryAfter answers waited out per call


class Grid:
    """Hands out send times on a grid of ``period`` seconds, one per caller."""

    def __init__(self, period: float) -> None:
        self.period = period
        self.next_slot = float("-inf")

    def reserve(self, now: float) -> float:
        """The time at which this caller may send (``now`` or a later slot)."""
        slot = max(now, self.next_slot)
        self.next_slot = slot + self.period
        return slot


class PacedRateLimiter(AIORateLimiter):
    """``AIORateLimiter`` without its overall bucket, with :class:`Grid` pacing instead."""

    def __init__(self, per_second: float = MESSAGES_PER_SECOND,
                 max_retries: int = RATE_LIMITER_RETRIES) -> None:
        super().__init__(overall_max_rate=0, max_retries=max_retries)
        self.grid = Grid(1 / per_second)

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Any]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Any:
        if data.get("chat_id") is not None:  # what Telegram counts: messages to chats
            loop = asyncio.get_running_loop()
            now = loop.time()
            delay = self.grid.reserve(now) - now
            if delay > 0:
                await asyncio.sleep(delay)
        return await super().process_request(
            callback, args, kwargs, endpoint, data, rate_limit_args
        )
