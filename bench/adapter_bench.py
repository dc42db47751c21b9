"""The Telegram adapter's own work per update: what it costs, with and without it.

    python bench/adapter_bench.py [--stored 10000] [--rounds 6] [--walkers 12]

Issue 17 added work to every update: after it, the menu check (``menus.py``: the
users marked as changed, and whether the sender's own menu is the one it should be);
before every text, the paste check (``pastes.py``: is it the tail of a long paste?);
after every press, the closing edit of the pressed message (``send.close_pressed``:
one ``editMessageText`` through PTB). This measures, on the real Application of
``bench/updates_bench.py`` (``build_application``, no rate limiter, ``COACH_DURABILITY=
normal`` so that the CPU is what is measured, against ``bench._common.LocalBotApi``):

- end to end: new users walking the whole flow with typed answers (and a press per
  step), the same walk twice per round, once as built and once with the three pieces
  replaced by no-ops, alternating which goes first; CPU time (``time.process_time``)
  and wall time per update, and Bot API calls per update;
- each piece alone, called in a loop as the handlers call it (µs of CPU per call).

The machine's load average is printed before and after: the end-to-end difference
is small against the noise of a shared machine, the pieces alone are the clean figure.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import (  # noqa: E402
    LocalBotApi,
    UpdateMaker,
    git_commit,
    machine,
    populate,
    table,
    template_walk,
)
from bench.updates_bench import CoachUser, build_biebcoach, drive, start_biebcoach  # noqa: E402


def load() -> str:
    return " / ".join(f"{x:.2f}" for x in os.getloadavg())


PIECES = [("menu check", "menus", "sync_changed_menus"),
          ("paste check", "pastes", "is_tail"),
          ("closing edit", "app", "close_pressed")]


class Patched:
    """While inside, the three pieces of per-update work are replaced: by no-ops
    (``lean``), or by themselves with their CPU time added up (``spent``)."""

    def __init__(self, lean: bool) -> None:
        self.lean = lean
        self.spent = {name: [0, 0.0] for name, _, _ in PIECES}  # calls, CPU seconds

    def _timed(self, name: str, real: Any) -> Any:
        spent = self.spent[name]
        if asyncio.iscoroutinefunction(real):
            async def timed_async(*args: Any, **kwargs: Any) -> Any:
                t0 = time.process_time()
                try:
                    return await real(*args, **kwargs)
                finally:
                    spent[0] += 1
                    spent[1] += time.process_time() - t0
            return timed_async

        def timed(*args: Any, **kwargs: Any) -> Any:
            t0 = time.process_time()
            try:
                return real(*args, **kwargs)
            finally:
                spent[0] += 1
                spent[1] += time.process_time() - t0
        return timed

    def __enter__(self) -> Patched:
        from coach.adapters.telegram import app, menus, pastes

        async def nothing(*args: Any, **kwargs: Any) -> int:
            return 0

        modules = {"app": app, "menus": menus, "pastes": pastes}
        self.saved = []
        for name, module, attribute in PIECES:
            real = getattr(modules[module], attribute)
            self.saved.append((modules[module], attribute, real))
            if not self.lean:
                replacement = self._timed(name, real)
            elif name == "paste check":
                replacement = lambda *args: False  # noqa: E731
            else:
                replacement = nothing
            setattr(modules[module], attribute, replacement)
        return self

    def __exit__(self, *exc: object) -> None:
        for module, attribute, value in self.saved:
            setattr(module, attribute, value)


async def walk_round(app: Any, api: LocalBotApi, db: Any, maker: UpdateMaker,
                     first_uid: int, walkers: int) -> dict[str, float]:
    users = [CoachUser(first_uid + j, True, 80) for j in range(walkers)]
    calls = sum(api.calls.values())
    gc.collect()
    cpu, wall = time.process_time(), time.perf_counter()
    latencies = await drive(app, api, maker, users, db)
    return {"updates": len(latencies), "cpu": time.process_time() - cpu,
            "wall": time.perf_counter() - wall,
            "calls": sum(api.calls.values()) - calls}


async def pieces(app: Any, coach: Any, maker: UpdateMaker, uid: int,
                 n: int = 2000) -> dict[str, float]:
    """µs of CPU per call of each piece, as the handlers call it (nothing to change)."""
    from telegram import Message, Update

    from coach.adapters.telegram import menus, pastes
    from coach.adapters.telegram.send import close_pressed

    out: dict[str, float] = {}
    sender = (f"tg:{uid}", "nl")
    t0 = time.process_time()
    for _ in range(n):
        await menus.sync_changed_menus(app, coach, sender=sender)
    out["menu check"] = (time.process_time() - t0) / n * 1e6
    text = Update.de_json(maker.message(uid, "Meer jongeren in de bibliotheek"), app.bot)
    message = text.effective_message
    t0 = time.process_time()
    for _ in range(n):
        pastes.is_tail(coach, f"tg:{uid}", message)
    out["paste check"] = (time.process_time() - t0) / n * 1e6
    keyboard = {"inline_keyboard": [[{"text": "Verder", "callback_data": "n:continue"},
                                     {"text": "Pauze", "callback_data": "n:pause"}]]}
    pressed = Message.de_json({**maker.message(uid, "x")["message"], "text":
                               "Stap 1 is klaar.", "reply_markup": keyboard}, app.bot)
    rounds = n // 4
    t0 = time.process_time()
    for _ in range(rounds):
        await close_pressed(app, uid, pressed, "n:continue")
    out["closing edit"] = (time.process_time() - t0) / rounds * 1e6
    return out


async def run(args: argparse.Namespace, db_path: str) -> dict[str, Any]:
    logging.basicConfig(level=logging.CRITICAL)
    api = LocalBotApi()
    app, coach = build_biebcoach(db_path, api, limiter=False, durability="normal")
    await start_biebcoach(app, coach)
    maker = UpdateMaker(start_id=5_000_000_000)  # above the stored processed ids
    base = 950_000_000
    await walk_round(app, api, coach.db, maker, base, 2)  # warm up
    results: dict[str, list[dict[str, float]]] = {"as built": [], "without": []}
    spent = {name: [0, 0.0] for name, _, _ in PIECES}
    for r in range(args.rounds):
        order = ["as built", "without"] if r % 2 == 0 else ["without", "as built"]
        for i, mode in enumerate(order):
            first = base + 1000 * (2 * r + i + 1)
            with Patched(lean=mode == "without") as patched:
                results[mode].append(
                    await walk_round(app, api, coach.db, maker, first, args.walkers))
            for name, (calls, cpu) in patched.spent.items():
                spent[name][0] += calls
                spent[name][1] += cpu
    alone = await pieces(app, coach, maker, base + 1)
    await app.shutdown()
    return {"rounds": results, "pieces": alone, "spent": spent}


def report(out: dict[str, Any], args: argparse.Namespace, before: str, after: str) -> str:
    lines = ["### The adapter's per-update work (`python bench/adapter_bench.py`)", "",
             f"Machine: {machine()}; commit {git_commit()}; {args.stored:,} stored users; "
             f"{args.rounds} rounds of {args.walkers} new users walking the whole flow, "
             f"alternating; load average (1/5/15 min) {before} before, {after} after.", ""]
    rows = []
    totals = {}
    for mode, rounds in out["rounds"].items():
        updates = sum(r["updates"] for r in rounds)
        per = [r["cpu"] / r["updates"] * 1000 for r in rounds]
        totals[mode] = sum(r["cpu"] for r in rounds) / updates * 1000
        rows.append([mode, f"{updates:,}", f"{totals[mode]:.3f}",
                     f"{min(per):.3f}–{max(per):.3f}",
                     f"{sum(r['wall'] for r in rounds) / updates * 1000:.3f}",
                     f"{sum(r['calls'] for r in rounds) / updates:.2f}"])
    lines.append(table(["variant", "updates", "CPU ms/update", "range over rounds",
                        "wall ms/update", "API calls/update"], rows))
    diff = totals["as built"] - totals["without"]
    updates = sum(r["updates"] for r in out["rounds"]["as built"])
    lines += ["", f"Difference: {diff:+.3f} ms of CPU per update "
              f"({diff / totals['without'] * 100:+.1f} %).", "",
              "Inside the walks as built (each piece timed where the handlers call it):", ""]
    rows = [[name, f"{calls / updates:.2f}", f"{cpu / calls * 1e6:.1f}" if calls else "-",
             f"{cpu / updates * 1000:.3f}"]
            for name, (calls, cpu) in out["spent"].items()]
    total = sum(cpu for _, cpu in out["spent"].values()) / updates * 1000
    rows.append(["all three", "", "", f"{total:.3f}"])
    lines.append(table(["piece", "calls/update", "µs CPU/call", "CPU ms/update"], rows))
    lines += ["", "Each piece alone, in a loop (µs of CPU per call; nothing to change, as "
              "on most updates):", ""]
    lines.append(table(["piece", "µs/call", "runs"],
                       [[k, f"{v:.1f}", "after every update" if k == "menu check" else
                         "before every text" if k == "paste check" else "after every press"]
                        for k, v in out["pieces"].items()]))
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--stored", type=int, default=10_000, help="pre-populated users")
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--walkers", type=int, default=12, help="new users per round")
    args = parser.parse_args()
    before = load()
    workdir = tempfile.mkdtemp(prefix="biebcoach-adapter-bench-")
    try:
        db_path = str(Path(workdir) / "coach.db")
        populate(db_path, 0, args.stored, template_walk())
        out = asyncio.run(run(args, db_path))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print(report(out, args, before, load()))


if __name__ == "__main__":
    main()
