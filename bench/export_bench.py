#!/usr/bin/env python3
"""How long does exporting a big team's strategy take?

Builds one library with MEMBERS members who each answered every question (one walk
through the engine, copied for the others with their own wording), plus WEEKS weeks
of measurements for every KPI, then renders the export N times and prints a Markdown
table. Target: well under a second per export.

    python bench/export_bench.py [--members 50] [--weeks 52] [-n 20]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench._common import git_commit, machine, table, template_walk  # noqa: E402
from coach import kpis  # noqa: E402
from coach.db import open_db  # noqa: E402
from coach.export import build_export  # noqa: E402
from coach.flow import load_flow  # noqa: E402

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def build(db_path: str, members: int, weeks: int) -> tuple[int, int]:
    """The library (id 1) with its members, answers and measurements; returns (id, KPIs)."""
    flow = load_flow()
    answers, _ = template_walk()
    db = open_db(db_path)
    db["libraries"].insert({"id": 1, "name": "Bibliotheek Benchmark", "created_at":
                            NOW.isoformat(), "created_by": "bench:0", "settings": "{}"})
    users, rows = [], []
    for m in range(members):
        uid, name = f"bench:{m}", f"Collega {m:02d}"
        users.append({"id": uid, "name": name, "lang": "nl", "library_id": 1,
                      "role": "coordinator" if m == 0 else "member", "mode": "done",
                      "question_id": None, "item": 0, "pending": "{}",
                      "created_at": NOW.isoformat(), "updated_at": NOW.isoformat()})
        for a in answers:
            value = a["value"]
            if flow.question(a["question_id"]).kind == "text":  # everyone has their own words
                value = json.dumps(f"{json.loads(value)} (volgens {name})", ensure_ascii=False)
            rows.append({**{k: a[k] for k in ("question_id", "item_key", "status",
                                              "created_at")},
                         "library_id": 1, "author_id": uid, "author_name": name,
                         "value": value, "superseded_at": None})
    with db.atomic():
        db["users"].insert_all(users)
        db["answers"].insert_all(rows)
        found = kpis.library_kpis(db, 1)
        author = {"id": "bench:0", "name": "Collega 00"}
        monday = date(2025, 11, 24)
        for k_index, kpi in enumerate(found):
            for w in range(weeks):
                year, week, _ = (monday + timedelta(weeks=w)).isocalendar()
                kpis.record(db, library_id=1, kpi=kpi.name, week=f"{year}-W{week:02d}",
                            value=100 + 3 * w + 10 * k_index, percent=False, author=author,
                            now=NOW)
    db.close()
    return 1, len(found)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=50)
    parser.add_argument("--weeks", type=int, default=52)
    parser.add_argument("-n", type=int, default=20, help="exports to time")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        path = str(Path(tmp) / "bench.db")
        library_id, kpi_count = build(path, args.members, args.weeks)
        db = open_db(path)
        build_export(db, library_id, "nl", NOW)  # warm up: templates, channel data
        times, size = [], 0
        for _ in range(args.n):
            t0 = time.perf_counter()
            result = build_export(db, library_id, "nl", NOW)
            times.append((time.perf_counter() - t0) * 1000)
            size = len(result.text.encode("utf-8"))
        db.close()
    print(f"Export benchmark, commit {git_commit()}; {machine()}\n")
    print(table(["members", "weeks", "KPIs", "bytes", "exports", "median ms", "max ms"],
                [[args.members, args.weeks, kpi_count, size, args.n,
                  f"{statistics.median(times):.1f}", f"{max(times):.1f}"]]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
