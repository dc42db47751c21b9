"""What the answer checks cost per update.

    python bench/checks_bench.py [--quick]

Two ways, both printed as Markdown tables:

1. ``run_checks`` alone over every typed answer of ``tests/corpus/answers.yaml``
   (a question's checks, its context), repeated: the median and p99 per answer.
2. ``Coach.handle`` for a typed answer, end to end (transaction, parsing, checks,
   storing, the next question), on the real flow and on the same flow with every
   question's ``checks`` removed: the difference is what the checks add per update.
   Each sample is a fresh library whose user is at the question (a copy of a walked
   database) and types one of the corpus's strong answers, which both flows store.
"""

from __future__ import annotations

import argparse
import dataclasses
import sqlite3
import statistics
import sys
import time
from pathlib import Path

import sqlite_utils
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import git_commit, machine, table  # noqa: E402
from coach.core.events import Event  # noqa: E402
from coach.flow.answers import split_items  # noqa: E402
from coach.flow.checks import run_checks  # noqa: E402
from coach.flow.model import Flow, load_flow  # noqa: E402
from coach.storage.migrations import migrate  # noqa: E402
from coach.wiring import make_coach  # noqa: E402
from tests.support.chat import Chat, Clock  # noqa: E402
from tests.support.walk import walk  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
CORPUS = yaml.safe_load((ROOT / "tests" / "corpus" / "answers.yaml").read_text("utf-8"))
QUESTIONS = ("sm_goals.list", "kpis.per_goal", "tactics.webcare", "mission.statement")


def checks_alone(flow: Flow, rounds: int) -> list[float]:
    typed = [e for e in CORPUS if flow.question(e["question"]).kind in ("text", "list")]
    samples = []
    for _ in range(rounds):
        for e in typed:
            q = flow.question(e["question"])
            value = split_items(e["text"]) if q.kind == "list" else e["text"]
            t0 = time.perf_counter()
            run_checks(q.checks, value, e["lang"], {"item": "30 aanmeldingen", "channels": []})
            samples.append(time.perf_counter() - t0)
    return samples


def without_checks(flow: Flow) -> Flow:
    questions = {qid: dataclasses.replace(q, checks=()) for qid, q in flow.questions.items()}
    steps = tuple(dataclasses.replace(s, questions=tuple(questions[q.id] for q in s.questions))
                  for s in flow.steps)
    return dataclasses.replace(flow, steps=steps, questions=questions)


def _walked(flow: Flow, qid: str, clock: Clock) -> sqlite_utils.Database:
    base = sqlite_utils.Database(memory=True)
    migrate(base)
    user = Chat(make_coach(base, clock=clock, flow=flow), "bench:anna", "Anna")
    user.create_library()
    walk(user, until=qid)
    return base


def _handle_once(base: sqlite_utils.Database, flow: Flow, clock: Clock, text: str,
                 event_id: str) -> float:
    conn = sqlite3.connect(":memory:")
    base.conn.backup(conn)
    coach = make_coach(sqlite_utils.Database(conn), clock=clock, flow=flow)
    event = Event(user_id="bench:anna", name="Anna", text=text, event_id=event_id)
    t0 = time.perf_counter()
    coach.handle(event)
    return time.perf_counter() - t0


def handle_times(flows: dict[str, Flow], qid: str, texts: list[str],
                 rounds: int) -> dict[str, list[float]]:
    """The same typed answers through each flow, interleaved (one with, one without the
    checks, and so on), so drift on a shared machine hits both alike."""
    clock = Clock()
    bases = {name: _walked(flow, qid, clock) for name, flow in flows.items()}
    samples: dict[str, list[float]] = {name: [] for name in flows}
    for i in range(rounds):
        for text in texts:
            for name, flow in flows.items():
                samples[name].append(_handle_once(bases[name], flow, clock, text, f"{i}{text}"))
    return samples


def ms(values: list[float], q: float) -> str:
    return f"{statistics.quantiles(values, n=100)[q - 1] * 1000:.3f}" if q < 100 else ""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    rounds = 3 if args.quick else 20
    flow = load_flow()
    print(f"### Answer checks (`python bench/checks_bench.py{' --quick' if args.quick else ''}`)\n")
    print(f"Machine: {machine()}; commit {git_commit()}.\n")
    alone = checks_alone(flow, rounds)
    print(table(["what", "samples", "median ms", "p99 ms"],
                [["run_checks, one corpus answer", f"{len(alone):,}",
                  f"{statistics.median(alone) * 1000:.3f}", ms(alone, 99)]]))
    rows = []
    bare = without_checks(flow)
    for qid in QUESTIONS:
        # strong answers: stored either way, so the difference is the checks alone
        texts = [e["text"] for e in CORPUS if e["question"] == qid and e["weak"] is None]
        times = handle_times({"with": flow, "without": bare}, qid, texts, rounds)
        with_c, without = times["with"], times["without"]
        delta = statistics.median(with_c) - statistics.median(without)
        rows.append([qid, f"{len(with_c):,}", f"{statistics.median(without) * 1000:.3f}",
                     f"{statistics.median(with_c) * 1000:.3f}", f"{delta * 1000:+.3f}"])
    print()
    print(table(["question", "updates", "handle ms, no checks (median)",
                 "handle ms, with checks (median)", "checks add ms"], rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
