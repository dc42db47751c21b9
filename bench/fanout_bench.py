"""Check-in fan-out: N due weekly check-ins sent through the real bot.

    python bench/fanout_bench.py [--quick] [--n 10000]

This benchmark needs the weekly check-ins: ``coach/features/checkins/`` (who is due, claiming
a check-in exactly once per member per week) and ``coach/adapters/telegram/jobs.py`` (the
job that sends them with the adapter's ``send_replies``); without them committed it only
prints what it would measure and exits with status 0.

What it measures:

1. Pre-populate N users (default 10,000; ``--quick``: 300) in bulk with
   ``bench._common.populate`` and make every check-in due now (library schedules on
   today's weekday, a time earlier today, ``since`` last week).
2. Start ``tests/support/fake_bot_api.FakeBotApi`` on 127.0.0.1 with its ``FloodGate`` as
   its ``fault_hook``: at most 30 messages per rolling second overall (Telegram's
   limit for a bot); beyond that it answers 429 with ``retry_after``.
3. Run the real bot (``coach.adapters.telegram.app.build_application`` with ``TELEGRAM_API_URL``
   pointing at the fake server over HTTP, so its own rate limiter and call_with_retry
   are in play) and call ``coach.adapters.telegram.jobs.send_due`` (what the repeating job runs)
   at a moment when every member's slot of this week has passed.
4. Report messages per second achieved (target: at least 29/s), the number of 429
   answers (target: 0), and p50/p99/max delay between a check-in's slot and its
   delivery... (slot-to-delivery delay is not reported yet: all are due at once).
5. Restart half way: stop the application after N/2 sent messages (cancel the task
   that sends, as SIGTERM would), build a new Application on the same database and
   send the rest. Count messages per chat on the server: every chat must have
   exactly one check-in (no duplicates; at most the one in flight lost, as
   coach/features/checkins/ documents "at most once").
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import shutil
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import ErrorCounter, committed, git_commit, machine, populate, table  # noqa: E402

NEEDS = ("coach/features/checkins/due.py", "coach/adapters/telegram/jobs.py")


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
    started = time.perf_counter()
    result = asyncio.run(run(n))
    quick = " --quick" if args.quick else ""
    print(f"### Check-in fan-out (`python bench/fanout_bench.py{quick}`)\n")
    print(f"Machine: {machine()}; commit {git_commit()}; {n:,} due check-ins, real bot "
          "(build_application with its rate limiter, coach/tg_pacing.py) over HTTP to "
          "tests/support/fake_bot_api.py on 127.0.0.1, which allows 30 messages per rolling "
          "second and answers 429 (retry_after 1) beyond; restart after half of them.\n")
    rows = [[name, f"{r['sent']:,}", f"{r['messages']:,}", f"{r['rate']:.1f}",
             f"{r['refused']:,}", f"{r['seconds']:.1f}", f"{r['scan_s'] * 1000:,.0f}"]
            for name, r in result["runs"]]
    print(table(["run", "check-ins sent", "messages accepted", "messages/s",
                 "429 answers", "seconds", "due scan ms"], rows))
    per_chat = result["per_chat"]
    print()
    print(table(["chats with 0 check-in messages", "chats with more than the usual "
                 f"{result['usual']} message(s) (duplicates)", "errors logged"],
                [[per_chat["missing"], per_chat["more"], result["errors"]]]))
    print(f"\nTarget: ≥ 29 messages/s with 0 answers 429, no duplicates after a restart. "
          f"Total run time {time.perf_counter() - started:.0f} s.")
    return 0




async def run(n: int) -> dict[str, Any]:
    from coach.adapters.telegram import jobs
    from coach.adapters.telegram.app import build_application
    from coach.config import Config
    from coach.wiring import open_coach
    from tests.support.fake_bot_api import MESSAGE_METHODS, TOKEN, FakeBotApi, FloodGate

    errors = ErrorCounter()
    logging.basicConfig(level=logging.CRITICAL)
    logging.getLogger().addHandler(errors)
    workdir = tempfile.mkdtemp(prefix="biebcoach-fanout-")
    db_path = str(Path(workdir) / "coach.db")
    populate(db_path, 0, n)
    # Sunday evening of ISO week 2026-W02: every weekday slot (Mon-Fri 09:30) has passed
    now = datetime(2026, 1, 11, 19, 0, tzinfo=UTC)
    server = await FakeBotApi().start()
    gate = FloodGate()
    server.fault_hook = gate
    config = Config(db_path=db_path, token=TOKEN, api_url=server.url)

    async def one_run(stop_after: int | None) -> dict[str, Any]:
        coach = open_coach(db_path, clock=lambda: now)
        app = build_application(config, coach)
        await app.initialize()
        from coach.features.checkins.due import due_checkins

        t0 = time.perf_counter()
        due = len(due_checkins(coach, now, prefix="tg:"))
        scan = time.perf_counter() - t0
        accepted0, refused0 = gate.accepted, gate.refused
        gate.first = None
        t0 = time.perf_counter()
        task = asyncio.create_task(jobs.send_due(app, coach, now))
        sent: int | None = None
        while not task.done():
            await asyncio.sleep(0.05)
            if stop_after is not None and gate.accepted - accepted0 >= stop_after:
                task.cancel()  # as SIGTERM would end the batch
                with contextlib.suppress(asyncio.CancelledError):
                    await task
                break
        if not task.cancelled():
            sent = task.result()
        seconds = time.perf_counter() - t0
        await app.shutdown()
        coach.db.close()
        messages = gate.accepted - accepted0
        span = (gate.last - gate.first) if gate.first is not None and gate.last else 0
        return {"due": due, "sent": sent if sent is not None else messages,
                "messages": messages, "refused": gate.refused - refused0,
                "rate": (messages - 1) / span if span else 0.0, "seconds": seconds,
                "scan_s": scan}

    try:
        first = await one_run(stop_after=n // 2)
        second = await one_run(stop_after=None)
    finally:
        await server.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    per_chat: Counter[int] = Counter()
    for call in server.calls:
        if call.method in MESSAGE_METHODS and call.status == 200:
            per_chat[int(call.params["chat_id"])] += 1
    usual = Counter(per_chat.values()).most_common(1)[0][0] if per_chat else 0
    return {
        "runs": [("until stopped half way", first), ("after the restart", second)],
        "per_chat": {"missing": n - len(per_chat),
                     "more": sum(1 for c in per_chat.values() if c > usual)},
        "usual": usual,
        "errors": errors.count,
    }


if __name__ == "__main__":
    sys.exit(main())
