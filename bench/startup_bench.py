"""Start-up time and memory of the Telegram bot with many users in the database.

    python bench/startup_bench.py [--quick]

The database is pre-populated in bulk (see bench/_common.populate): users at every
point of the flow with their answers, libraries, invites, processed update ids and,
when coach/db.py's migrations have created them, check-in schedules
(library_schedules, member_schedules) and last week's check-in ledger. Then, in a
fresh process per run (so RSS is the run's own), it times what ``python bot.py``
does before it can serve: importing the bot, ``open_coach`` (migrations, flow,
extensions), ``build_application`` and ``application.initialize()`` plus the
post_init hook (getMe, setMyCommands) against a local BaseRequest, then the first
update (an existing user's ``/verder``). When the check-ins are committed, the
first look for due check-ins (the catch-up after a restart) is timed too.

Sizes: 0 and 100,000 users (``--quick``: 0 and 10,000); 3 runs each, median shown.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

T_START = time.perf_counter()
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import (  # noqa: E402
    TOKEN,
    USER_ID_BASE,
    LocalBotApi,
    UpdateMaker,
    committed,
    git_commit,
    machine,
    populate,
    rss_mib,
    table,
    template_walk,
)


async def worker(db_path: str) -> dict[str, Any]:
    out: dict[str, Any] = {"rss_python": rss_mib()[0]}
    from telegram import Update

    from coach.adapters.telegram.app import build_application
    from coach.config import Config
    from coach.wiring import open_coach

    # from the start of this script: python-telegram-bot, the coach and bench/_common
    out["import_s"] = time.perf_counter() - T_START
    out["rss_imported"] = rss_mib()[0]

    api = LocalBotApi()

    t0 = time.perf_counter()
    coach = open_coach(db_path)
    out["open_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    app = build_application(
        Config(db_path=db_path, token=TOKEN), coach, request=api,
        get_updates_request=LocalBotApi(keep_last=False),
    )
    out["build_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    await app.initialize()
    if app.post_init:
        await app.post_init(app)
    out["initialize_s"] = time.perf_counter() - t0
    out["ready_s"] = out["import_s"] + out["open_s"] + out["build_s"] + out["initialize_s"]
    out["rss_ready"] = rss_mib()[0]

    # the first update: an existing user comes back
    maker = UpdateMaker(start_id=4_000_000_000)
    t0 = time.perf_counter()
    await app.process_update(Update.de_json(maker.message(USER_ID_BASE + 1, "/verder"),
                                            app.bot))
    out["first_update_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    await app.process_update(Update.de_json(maker.message(USER_ID_BASE + 2, "/verder"),
                                            app.bot))
    out["second_update_s"] = time.perf_counter() - t0

    out["due_scan_s"] = None
    if committed("coach/features/checkins/due.py"):
        try:
            from itertools import islice

            from coach.features.checkins.due import due_checkins, iter_due_checkins

            t0 = time.perf_counter()  # what one pass of the job holds the loop for
            list(islice(iter_due_checkins(coach, coach.clock(), prefix="tg:"), 500))
            out["due_page_s"] = time.perf_counter() - t0
            t0 = time.perf_counter()
            due = list(due_checkins(coach, coach.clock(), prefix="tg:"))
            out["due_scan_s"] = time.perf_counter() - t0
            out["due"] = len(due)
        except Exception as exc:  # noqa: BLE001 - report, don't fail the benchmark
            out["due_error"] = f"{type(exc).__name__}: {exc}"
    out["rss_end"], out["rss_peak"] = rss_mib()
    out["process_s"] = time.perf_counter() - T_START
    await app.shutdown()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="0 and 10,000 users")
    parser.add_argument("--users", type=int, default=None)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(asyncio.run(worker(args.worker))))
        return

    started = time.perf_counter()
    users = args.users or (10_000 if args.quick else 100_000)
    workdir = tempfile.mkdtemp(prefix="biebcoach-startup-")
    rows, details = [], []
    try:
        template = template_walk()
        for size in (0, users):
            db_path = str(Path(workdir) / f"coach-{size}.db")
            stats = populate(db_path, 0, size, template) if size else populate(db_path, 0, 0)
            counts = {}
            with sqlite3.connect(db_path) as conn:
                for name in ("users", "answers", "library_schedules", "member_schedules",
                             "checkins"):
                    try:
                        counts[name] = conn.execute(f"select count(*) from {name}").fetchone()[0]
                    except sqlite3.OperationalError:
                        counts[name] = None
            runs = []
            for _ in range(args.runs):
                proc = subprocess.run([sys.executable, __file__, "--worker", db_path],
                                      capture_output=True, text=True, check=False)
                if proc.returncode != 0:
                    sys.stderr.write(proc.stderr)
                    raise SystemExit("startup worker failed")
                runs.append(json.loads(proc.stdout.strip().splitlines()[-1]))

            def med(key: str, runs: list[dict[str, Any]] = runs) -> float | None:
                values = [r[key] for r in runs if r.get(key) is not None]
                return statistics.median(values) if values else None

            def ms(key: str) -> str:
                value = med(key)
                return "n/a" if value is None else f"{value * 1000:,.0f}"

            schedules = counts["member_schedules"]
            rows.append([
                f"{counts['users']:,}", f"{counts['answers']:,}",
                "no table" if schedules is None else f"{schedules:,}",
                f"{os.path.getsize(db_path) / 2**20:,.1f}", f"{stats['seconds']:.1f}",
                ms("import_s"), ms("open_s"), ms("build_s"), ms("initialize_s"),
                ms("ready_s"), ms("first_update_s"), ms("second_update_s"),
                ms("due_page_s"), ms("due_scan_s"),
                f"{med('rss_ready'):,.0f}", f"{med('rss_peak'):,.0f}",
            ])
            details.append({"users": size, "counts": counts, "runs": runs})
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    quick = " --quick" if args.quick else ""
    print(f"### Start-up (`python bench/startup_bench.py{quick}`)\n")
    print(f"Machine: {machine()}; commit {git_commit()}; median of {args.runs} fresh "
          "processes per size; page cache warm (the database was just written).\n")
    print(table(["users", "answers", "member schedules", "DB MiB", "fill s", "imports ms",
                 "Coach.open ms", "build_application ms", "initialize+post_init ms",
                 "ready ms", "1st update ms", "2nd update ms", "first due page ms",
                 "whole due scan ms",
                 "RSS ready MiB", "peak RSS MiB"], rows))
    errors = {r.get("due_error") for d in details for r in d["runs"] if r.get("due_error")}
    if errors:
        print(f"\nDue-check scan failed: {'; '.join(sorted(errors))}")
    if not committed("coach/features/checkins/due.py"):
        print("\nDue-check scan: n/a (coach/features/checkins/due.py is not committed yet).")
    print(f"\nTotal run time {time.perf_counter() - started:.0f} s.")


if __name__ == "__main__":
    main()
