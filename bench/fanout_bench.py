"""Check-in fan-out: N due weekly check-ins sent through the real bot (SKELETON).

    python bench/fanout_bench.py [--quick] [--n 10000]

This benchmark needs the weekly check-ins: ``coach/checkins.py`` (who is due, claiming
a check-in exactly once per member per week) and ``coach/tg_checkins.py`` (the JobQueue
job that sends them with the adapter's ``send_reply``). Until both are committed it
only prints what it would measure and exits with status 0.

What it will measure once they are in:

1. Pre-populate N users (default 10,000; ``--quick``: 300) in bulk with
   ``bench._common.populate`` and make every check-in due now (library schedules on
   today's weekday, a time earlier today, ``since`` last week).
2. Start ``tests/fake_bot_api.FakeBotApi`` on 127.0.0.1 with :class:`FloodGate` as
   its ``fault_hook``: at most 30 messages per rolling second overall (Telegram's
   limit for a bot); beyond that it answers 429 with ``retry_after``.
3. Run the real bot (``coach.telegram_bot.build_application`` with ``TELEGRAM_API_URL``
   pointing at the fake server, so its own AIORateLimiter and call_with_retry are in
   play) and call ``coach.tg_checkins.send_due`` (what the repeating job runs).
4. Report messages per second achieved (target: at least 29/s), the number of 429
   answers (target: 0), and p50/p99/max delay between a check-in's slot and its
   delivery.
5. Restart half way: stop the application after N/2 sent messages (cancel the task
   that sends, as SIGTERM would), build a new Application on the same database and
   send the rest. Count messages per chat on the server: every chat must have
   exactly one check-in (no duplicates; at most the one in flight lost, as
   coach/checkins.py documents "at most once").
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from collections import deque
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import ROOT  # noqa: E402

NEEDS = ("coach/checkins.py", "coach/tg_checkins.py")
MESSAGE_METHODS = {"sendMessage", "sendPhoto", "sendDocument", "editMessageText"}


def committed(path: str) -> bool:
    out = subprocess.run(["git", "-C", str(ROOT), "ls-files", "--error-unmatch", path],
                         capture_output=True, text=True, check=False)
    return out.returncode == 0


class FloodGate:
    """A ``FakeBotApi.fault_hook``: 30 messages per rolling second, 429 beyond.

    Counts what it let through and what it refused, so the benchmark can report the
    achieved rate and the rate-limit errors.
    """

    def __init__(self, per_second: int = 30, retry_after: int = 1) -> None:
        self.per_second, self.retry_after = per_second, retry_after
        self.window: deque[float] = deque()
        self.accepted = 0
        self.refused = 0
        self.first: float | None = None
        self.last: float | None = None

    async def __call__(self, method: str, params: dict[str, Any]) -> Any:
        if method not in MESSAGE_METHODS:
            return None
        from aiohttp import web

        now = time.monotonic()
        while self.window and now - self.window[0] >= 1.0:
            self.window.popleft()
        if len(self.window) >= self.per_second:
            self.refused += 1
            return web.json_response(
                {"ok": False, "error_code": 429,
                 "description": f"Too Many Requests: retry after {self.retry_after}",
                 "parameters": {"retry_after": self.retry_after}},
                status=429,
            )
        self.window.append(now)
        self.accepted += 1
        self.first = self.first if self.first is not None else now
        self.last = now
        return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="300 check-ins")
    parser.add_argument("--n", type=int, default=None, help="due check-ins (default 10,000)")
    args = parser.parse_args()
    n = args.n or (300 if args.quick else 10_000)
    missing = [p for p in NEEDS if not committed(p)]
    if missing:
        print("### Check-in fan-out (`python bench/fanout_bench.py`)\n")
        print(f"Not run: {', '.join(missing)} not committed yet. This benchmark sends "
              f"{n:,} due check-ins through the real bot to a local Bot API server that "
              "allows 30 messages per second and answers 429 beyond; see the docstring "
              "of bench/fanout_bench.py for what it will report.")
        return 0
    # The modules exist: the measurement described in the module docstring goes here.
    print("### Check-in fan-out\n\nNot implemented yet: coach/checkins.py and "
          "coach/tg_checkins.py were committed after this skeleton was written.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
