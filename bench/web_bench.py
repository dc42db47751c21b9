#!/usr/bin/env python3
"""How fast does the web view answer for a big library while the bot is busy?

Builds the library of bench/export_bench.py (MEMBERS members who answered everything,
WEEKS weekly values for every KPI), serves the web view (coach/adapters/web) in the
event loop of the real Telegram Application (in-process Bot API, bench/_common.py),
and requests each page N times as the coordinator, once with the bot idle and once
while simulated users keep sending it updates. Server time is what aiohttp measures
from the request's start to its answer (its access-log time). Target: median under
100 ms per page.

    python bench/web_bench.py [--members 50] [--weeks 52] [-n 30] [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402
from aiohttp import web  # noqa: E402
from aiohttp.abc import AbstractAccessLogger  # noqa: E402
from telegram import Update  # noqa: E402

from bench._common import TOKEN, LocalBotApi, UpdateMaker  # noqa: E402
from bench.export_bench import build, library_arguments  # noqa: E402
from coach.adapters.telegram.app import build_application  # noqa: E402
from coach.adapters.web import keys  # noqa: E402
from coach.adapters.web.app import build_web_app  # noqa: E402
from coach.adapters.web.auth import sign  # noqa: E402
from coach.adapters.web.session import SESSION_COOKIE  # noqa: E402
from coach.config import Config  # noqa: E402
from coach.features.web import pages  # noqa: E402
from coach.storage import web as web_store  # noqa: E402
from coach.storage.db import transaction  # noqa: E402
from coach.wiring import open_coach  # noqa: E402
from tests.support.web import free_port  # noqa: E402

PAGES = ("strategy", "kpis", "team", "download/md")
CHATTY_USERS = 20
TEXTS = ("/help", "/overzicht", "hallo", "/verder", "Meer kinderen lid maken")


class Recorder(AbstractAccessLogger):
    times: dict[str, list[float]] = {}

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        Recorder.times.setdefault(request.path, []).append(time * 1000)


async def chatter(app: Any, stop: asyncio.Event, counter: list[int]) -> None:
    """Simulated Telegram users talking to the bot, one update after another."""
    maker = UpdateMaker(start_id=10_000)
    i = 0
    while not stop.is_set():
        uid = 50_000 + i % CHATTY_USERS
        data = maker.message(uid, "/start" if i < CHATTY_USERS else TEXTS[i % len(TEXTS)])
        await app.process_update(Update.de_json(data, app.bot))
        counter[0] += 1
        i += 1
        await asyncio.sleep(0)


async def measure(base: str, cookie: str, n: int, cold: bool = False) -> dict[str, list[float]]:
    """Server times of ``n`` requests per page; ``cold``: nothing cached (as right
    after a change in the library: every answer and value invalidates the cache)."""
    Recorder.times = {}
    async with aiohttp.ClientSession(cookies={SESSION_COOKIE: cookie}) as client:
        for _ in range(n):
            for page in PAGES:
                if cold:
                    pages._cache.clear()
                async with client.get(f"{base}/{page}") as answer:
                    assert answer.status == 200, (page, answer.status)
                    await answer.read()
    return {page: Recorder.times[f"/{page}"] for page in PAGES}


async def run(args: argparse.Namespace, path: str) -> tuple[dict, dict, dict, int, float]:
    build(path, args.members, args.weeks)
    coach = open_coach(path)
    app = build_application(Config(db_path=path, token=TOKEN), coach, request=LocalBotApi(),
                            get_updates_request=LocalBotApi(keep_last=False),
                            rate_limited=False)
    await app.initialize()
    web_app = build_web_app(coach, "http://127.0.0.1", None)
    runner = web.AppRunner(web_app, access_log_class=Recorder)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    base = f"http://127.0.0.1:{port}"
    with transaction(coach.db):
        sid, _ = web_store.new_session(coach.db, "bench:0", coach.clock())
    cookie = sign(web_app[keys.KEY], sid)
    try:
        await measure(base, cookie, 2)  # warm up: templates, channel data, markdown
        idle = await measure(base, cookie, args.n)
        stop, counter = asyncio.Event(), [0]
        task = asyncio.create_task(chatter(app, stop, counter))
        await asyncio.sleep(0.5)
        started, before = time.perf_counter(), counter[0]
        busy = await measure(base, cookie, args.n)
        cold = await measure(base, cookie, max(3, args.n // 5), cold=True)
        rate = (counter[0] - before) / (time.perf_counter() - started)
        stop.set()
        await task
    finally:
        await runner.cleanup()
        await app.shutdown()
    return idle, busy, cold, counter[0], rate


def main(argv: list[str] | None = None) -> int:
    args = library_arguments(__doc__, argv, 30, "requests per page and phase")
    with tempfile.TemporaryDirectory() as tmp:
        idle, busy, cold, updates, rate = asyncio.run(run(args, str(Path(tmp) / "bench.db")))
    print(f"Web view benchmark; Python {platform.python_version()} on {platform.machine()}; "
          f"{args.members} members, {args.weeks} weekly values per KPI, {args.n} requests "
          f"per page and phase ('cold': built afresh, as after a change in the library)\n")
    print("| page | bot | median ms | p90 ms | max ms |")
    print("|---|---|---|---|---|")
    for page in PAGES:
        for phase, times in (("idle", idle[page]), ("busy", busy[page]),
                             ("busy, cold", cold[page])):
            ordered = sorted(times)
            p90 = ordered[int(0.9 * (len(ordered) - 1))]
            print(f"| /{page} | {phase} | {statistics.median(times):.1f} | {p90:.1f} |"
                  f" {max(times):.1f} |")
    print(f"\nWhile busy, the bot handled {rate:.0f} updates a second ({updates} in all) in "
          "the same event loop.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
