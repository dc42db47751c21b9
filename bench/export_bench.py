#!/usr/bin/env python3
"""How long does exporting a big team's strategy document take, in each format?

Builds one library with MEMBERS members who each answered every question (one walk
through the engine, copied for the others with their own wording), plus WEEKS weeks
of measurements for every KPI, then renders the document N times per format (Word,
HTML, Markdown; the chart in Word and HTML) and prints a Markdown table. Target: a
median under 300 ms per format, chart included.

Each export is timed whole (read from the database, then written, the chart drawn
anew every time, as after a new measurement), with the part that runs in the update's
transaction on the event loop (the reading) in its own column: Telegram writes the file
in a worker thread.

    python bench/export_bench.py [--members 50] [--weeks 52] [-n 20]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from coach.features.checkins import kpis  # noqa: E402
from coach.features.export.feature import FORMATS, export_document, render_document  # noqa: E402
from coach.flow.model import load_flow  # noqa: E402
from coach.storage import measurements  # noqa: E402
from coach.storage.db import open_db  # noqa: E402
from coach.wiring import make_coach  # noqa: E402
from tests.support.chat import Chat  # noqa: E402
from tests.support.walk import walk  # noqa: E402

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def build(db_path: str, members: int, weeks: int) -> tuple[int, int]:
    """The library with its members, answers and measurements; returns (id, KPIs)."""
    flow = load_flow()
    coach = make_coach(open_db(db_path), clock=lambda: NOW)
    first = Chat(coach, "bench:0", "Collega 00")
    first.create_library("Bibliotheek Benchmark")
    walk(first)  # the first member answers everything through the engine
    db = coach.db
    library_id = first.user()["library_id"]
    answers = [dict(r) for r in db.query("select * from answers where author_id = 'bench:0'"
                                         " and superseded_at is null order by id")]
    users, rows = [], []
    for m in range(1, members):
        uid, name = f"bench:{m}", f"Collega {m:02d}"
        users.append({"id": uid, "name": name, "lang": "nl", "library_id": library_id,
                      "role": "member", "mode": "done",
                      "question_id": None, "item": 0, "pending": "{}",
                      "created_at": NOW.isoformat(), "updated_at": NOW.isoformat()})
        for a in answers:
            value = a["value"]
            if flow.question(a["question_id"]).kind == "text":  # everyone has their own words
                value = json.dumps(f"{json.loads(value)} (volgens {name})", ensure_ascii=False)
            rows.append({**{k: a[k] for k in ("question_id", "item_key", "status",
                                              "created_at")},
                         "library_id": library_id, "author_id": uid, "author_name": name,
                         "value": value, "superseded_at": None})
    with db.atomic():
        db["users"].insert_all(users)
        db["answers"].insert_all(rows)
        found = kpis.library_kpis(db, library_id)
        author = {"id": "bench:0", "name": "Collega 00"}
        monday = date(2025, 11, 24)
        for k_index, kpi in enumerate(found):
            for w in range(weeks):
                year, week, _ = (monday + timedelta(weeks=w)).isocalendar()
                measurements.record(db, library_id=library_id, kpi=kpi.key,
                                    week=f"{year}-W{week:02d}", value=100 + 3 * w + 10 * k_index,
                                    percent=False, author=author, now=NOW)
    db.close()
    return library_id, len(found)


def library_arguments(doc: str, argv: list[str] | None, n: int, what: str) -> argparse.Namespace:
    """The options of a benchmark over :func:`build`'s library: ``--members``,
    ``--weeks``, ``-n`` (``what`` to time, ``n`` by default) and ``--quick``."""
    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=50)
    parser.add_argument("--weeks", type=int, default=52)
    parser.add_argument("-n", type=int, default=n, help=f"{what} to time")
    parser.add_argument("--quick", action="store_true", help=f"10 members, 12 weeks, 5 {what}")
    args = parser.parse_args(argv)
    if args.quick:
        args.members, args.weeks, args.n = 10, 12, 5
    return args


def main(argv: list[str] | None = None) -> int:
    args = library_arguments(__doc__, argv, 20, "exports")
    with tempfile.TemporaryDirectory() as tmp:
        path = str(Path(tmp) / "bench.db")
        library_id, kpi_count = build(path, args.members, args.weeks)
        db = open_db(path)
        rows = []
        for fmt in FORMATS:
            render_document(db, library_id, "nl", NOW, fmt)  # warm up: imports, templates
            times, cpu, reads, size = [], [], [], 0
            for _ in range(args.n):
                t0, c0 = time.perf_counter(), time.process_time()
                document = export_document(db, library_id, "nl", NOW, fmt)
                t1 = time.perf_counter()
                size = len(document.content)  # written: the chart is drawn anew each time
                times.append((time.perf_counter() - t0) * 1000)
                cpu.append((time.process_time() - c0) * 1000)
                reads.append((t1 - t0) * 1000)
            rows.append((fmt, "yes" if fmt != "md" else "no", size, statistics.median(times),
                         max(times), statistics.median(cpu), statistics.median(reads)))
        db.close()
    print(f"Export benchmark; Python {platform.python_version()} on {platform.machine()}\n")
    print(f"{args.members} members, {args.weeks} weeks of values for {kpi_count} KPIs,"
          f" {args.n} exports per row\n")
    print(f"load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
          " (CPU ms: this process's own time, what a quiet machine's wall time comes"
          " close to)\n")
    print("| format | chart | bytes | median ms | max ms | median CPU ms | of which read,"
          " on the event loop (median ms) |")
    print("|---|---|---|---|---|---|---|")
    for fmt, chart, size, median, worst, cpu_median, read in rows:
        print(f"| {fmt} | {chart} | {size} | {median:.1f} | {worst:.1f} | {cpu_median:.1f}"
              f" | {read:.1f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
