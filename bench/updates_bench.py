"""Update handling: Biebcoach's real PTB Application against two references.

    python bench/updates_bench.py [--quick]

For each size (100, 1,000, 10,000, 100,000 stored users; ``--quick``: 100 and 1,000)
the database is pre-populated in bulk (users at every point of the flow with their
answers, libraries, invites, processed update ids, check-in schedules when the schema
has them), then a sample of active users talks to the bot: new users who start, create
a library and walk the whole flow with the TYPED answers of tests/support/walk.py,
and stored users who come back with /verder and answer on. Updates are fed with
``application.process_update(Update.de_json(...))``; Bot API calls are answered
in-process by ``bench._common.LocalBotApi`` (a ``telegram.request.BaseRequest``).

Variants, each in its own process (so peak RSS is its own):

- ``bare``: a PTB Application with no persistence and one echo reply per update
  (answering callback queries): the framework's own cost.
- ``biebcoach``: ``coach.adapters.telegram.app.build_application`` (the same handlers, Defaults
  and error handler) on ``open_coach``; every answer is committed to SQLite before the
  reply is sent. AIORateLimiter is left out so all variants are compared on CPU cost.
  It runs with ``COACH_DURABILITY=normal`` (``PRAGMA synchronous = NORMAL``).
- ``biebcoach+full``: the same with ``COACH_DURABILITY=full`` (``synchronous = FULL``:
  an fsync of the WAL on every commit, so an answer survives a power cut): the cost of
  power-cut safety, in the "Durability" table. Measure it on the disk the bot will use
  (``--workdir``); a temp dir on tmpfs makes fsync free.
- ``biebcoach+limiter``: the same as built, with its rate limiter (at most 30 msg/s
  overall, Telegram's limit): shows that the limiter, not the code, bounds a busy bot.
- ``conventional``: the way most PTB bots are written: a 7-state ConversationHandler
  (one state per step, answers in ``context.user_data``) with default
  PicklePersistence (single file, ``update_interval=60``, ``on_flush=False``),
  pre-populated with the same number of users. Its saves run every 60 s inside
  ``Application.update_persistence`` and rewrite the whole pickle file once per
  changed user, chat and conversation, blocking the event loop meanwhile.

Reported: updates per second, p50/p99/max latency per update, Bot API calls per
update, errors, peak RSS (VmHWM), and for the conventional bot its load time,
pickle size and the time one 60-second save blocks the loop. For Biebcoach the time
per update is split into ``Coach.handle`` (the core, with its SQLite commit) and the
rest (the Telegram adapter, PTB and the sends), to show what throughput the rest alone
would allow.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import logging
import os
import pickle
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import (  # noqa: E402
    TOKEN,
    TYPED,
    USER_ID_BASE,
    ErrorCounter,
    LocalBotApi,
    UpdateMaker,
    git_commit,
    machine,
    percentile,
    populate,
    progress_of,
    rng,
    rss_mib,
    table,
    template_walk,
)

SIZES = [100, 1_000, 10_000, 100_000]
QUICK_SIZES = [100, 1_000]
SAVE_BUDGET = 60.0  # seconds: above this a conventional save is computed, not run




# --------------------------------------------------------------------------- scripts


def conventional_script() -> list[tuple[str, str]]:
    """What a user does with the conventional bot: /start, answers, "next" per step."""
    from coach.flow.model import load_flow

    actions: list[tuple[str, str]] = [("text", "/start")]
    for step in load_flow().steps:
        actions += [("text", TYPED[q.id]) for q in step.questions]
        actions.append(("cb", "next"))
    return actions


def conventional_state(k: int, script: list[tuple[str, str]]) -> tuple[int | None, int]:
    """(conversation state, question index) after the first k actions after /start."""
    step, qi = 0, 0
    for kind, _ in script[1 : k + 1]:
        if kind == "text":
            qi += 1
        else:
            step, qi = step + 1, 0
    return (None if step >= 7 else step), qi


def write_pickle(path: str, size: int) -> dict[str, float]:
    """The pickle file PicklePersistence would have written for ``size`` users."""
    from coach.flow.model import load_flow

    t0 = time.perf_counter()
    script = conventional_script()
    steps = load_flow().steps
    order = [q.id for s in steps for q in s.questions]
    total = len(script) - 1
    user_data: dict[int, dict[str, Any]] = {}
    conversations: dict[tuple[int, int], object] = {}
    for i in range(size):
        uid = USER_ID_BASE + i
        k = progress_of(i, total)
        state, qi = conventional_state(k, script)
        answered = sum(1 for kind, _ in script[1 : k + 1] if kind == "text")
        user_data[uid] = {
            "answers": {q: f"{TYPED[q]} ({uid})" for q in order[:answered]},
            "q": qi,
        }
        if state is not None:
            conversations[(uid, uid)] = state
    data = {
        "conversations": {"strategy": conversations},
        "user_data": user_data,
        "chat_data": {USER_ID_BASE + i: {} for i in range(size)},
        "bot_data": {},
        "callback_data": None,
    }
    with open(path, "wb") as f:
        pickle.dump(data, f, protocol=pickle.HIGHEST_PROTOCOL)
    return {"seconds": time.perf_counter() - t0}


# --------------------------------------------------------------------------- apps


def build_biebcoach(db_path: str, api: LocalBotApi, limiter: bool,
                    durability: str = "normal") -> Any:
    """``build_application`` as the bot runs it, with a local request object (and,
    unless ``limiter``, without the rate limiter). Handlers, Defaults, post_init and
    the error handler are the adapter's own."""
    from coach.adapters.telegram.app import build_application
    from coach.config import Config
    from coach.wiring import open_coach

    coach = open_coach(db_path, durability)
    app = build_application(
        Config(db_path=db_path, token=TOKEN), coach, request=api,
        get_updates_request=LocalBotApi(keep_last=False), rate_limited=limiter,
    )
    return app, coach


async def start_biebcoach(app: Any, coach: Any) -> None:
    """What starting the bot does before the first update: ``initialize``,
    ``post_init``, and the job it schedules at once, the menus of the users marked in
    ``menu_changes`` (here: the pre-populated coordinators)."""
    from coach.adapters.telegram import menus

    await app.initialize()
    await app.post_init(app)
    await menus.sync_changed_menus(app, coach, limit=None)


def build_bare(api: LocalBotApi) -> Any:
    from telegram import Update
    from telegram.ext import ApplicationBuilder, CallbackQueryHandler, ContextTypes, filters
    from telegram.ext import MessageHandler as MH

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        msg = update.effective_message
        await context.bot.send_message(update.effective_chat.id, msg.text or "?")

    async def pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.callback_query.answer()
        await context.bot.send_message(update.effective_chat.id, update.callback_query.data)

    app = (ApplicationBuilder().token(TOKEN).request(api)
           .get_updates_request(LocalBotApi(keep_last=False)).build())
    app.add_handler(MH(filters.ALL, echo))
    app.add_handler(CallbackQueryHandler(pressed))
    return app


def build_conventional(api: LocalBotApi, pickle_path: str) -> Any:
    """A 7-state ConversationHandler with default PicklePersistence, written the usual way."""
    from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
    from telegram.ext import (
        ApplicationBuilder,
        CallbackQueryHandler,
        CommandHandler,
        ContextTypes,
        ConversationHandler,
        MessageHandler,
        PicklePersistence,
        filters,
    )

    from coach.flow.model import load_flow

    steps = load_flow().steps
    next_button = InlineKeyboardMarkup([[InlineKeyboardButton("Verder", callback_data="next")]])

    def ask(step: int, qi: int) -> str:
        q = steps[step].questions[qi]
        head = f"Stap {step + 1} van 7: {steps[step].title['nl']}\n\n" if qi == 0 else ""
        return f"{head}{q.prompt['nl']}\n\n{q.hint['nl']}"

    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
        context.user_data["answers"] = {}
        context.user_data["q"] = 0
        await update.effective_message.reply_text(ask(0, 0))
        return 0

    def answer_in(step: int):
        async def answer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
            questions = steps[step].questions
            qi = context.user_data.get("q", 0)
            if qi < len(questions):
                context.user_data.setdefault("answers", {})[questions[qi].id] = (
                    update.effective_message.text
                )
                qi += 1
                context.user_data["q"] = qi
            if qi < len(questions):
                await update.effective_message.reply_text(ask(step, qi))
            else:
                answers = context.user_data["answers"]
                summary = "\n".join(f"- {answers.get(q.id, '')}" for q in questions)
                await update.effective_message.reply_text(
                    f"Stap {step + 1} is klaar:\n{summary}", reply_markup=next_button
                )
            return step

        return answer

    def next_from(step: int):
        async def go_on(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
            await update.callback_query.answer()
            chat_id = update.effective_chat.id
            if step + 1 >= len(steps):
                await context.bot.send_message(chat_id, "Je strategie is klaar!")
                return ConversationHandler.END
            context.user_data["q"] = 0
            await context.bot.send_message(chat_id, ask(step + 1, 0))
            return step + 1

        return go_on

    async def cancel(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
        await update.effective_message.reply_text("Gestopt.")
        return ConversationHandler.END

    text = filters.TEXT & ~filters.COMMAND
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # per_message=False with a CallbackQueryHandler
        conversation = ConversationHandler(
            entry_points=[CommandHandler("start", start)],
            states={
                i: [MessageHandler(text, answer_in(i)),
                    CallbackQueryHandler(next_from(i), pattern="^next$")]
                for i in range(len(steps))
            },
            fallbacks=[CommandHandler("cancel", cancel)],
            name="strategy",
            persistent=True,
        )
    class CountingPicklePersistence(PicklePersistence):
        """Default PicklePersistence; counts its file writes (and can skip them)."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.writes = 0
            self.write = True

        def _dump_singlefile(self) -> None:
            self.writes += 1
            if self.write:
                super()._dump_singlefile()

    app = (ApplicationBuilder().token(TOKEN).request(api)
           .get_updates_request(LocalBotApi(keep_last=False))
           .persistence(CountingPicklePersistence(pickle_path)).build())
    app.add_handler(conversation)
    return app


# --------------------------------------------------------------------------- drivers


class CoachUser:
    """A synthetic user of Biebcoach; decides the next update from the DB and replies."""

    def __init__(self, uid: int, new: bool, limit: int) -> None:
        self.uid = uid
        self.phase = "start" if new else "resume"
        self.left = limit

    def next(self, maker: UpdateMaker, api: LocalBotApi, db: Any) -> dict[str, Any] | None:
        if self.left <= 0:
            return None
        self.left -= 1
        uid = self.uid
        if self.phase == "start":
            self.phase = "new"
            return maker.message(uid, "/start")
        if self.phase == "new":
            self.phase = "name"
            return maker.callback(uid, "l:new", api.last.get(uid))
        if self.phase == "name":
            self.phase = "walk"
            return maker.message(uid, f"Bibliotheek {uid}")
        if self.phase == "resume":
            self.phase = "walk"
            return maker.message(uid, "/verder")
        mode, qid = db.execute(
            "select mode, question_id from users where id = ?", [f"tg:{uid}"]
        ).fetchone()
        last = api.last.get(uid) or {}
        if mode == "done":
            return None
        if mode == "step_done":
            return maker.callback(uid, "n:continue", last)
        if "Bedoel je" in last.get("text", ""):
            rows = (last.get("reply_markup") or {}).get("inline_keyboard", [])
            data = next(b["callback_data"] for row in rows for b in row
                        if b.get("callback_data", "").startswith("y:"))
            return maker.callback(uid, data, last)
        return maker.message(uid, TYPED[qid])


class ScriptUser:
    """A synthetic user of the bare and conventional bots: a fixed list of actions."""

    def __init__(self, uid: int, actions: list[tuple[str, str]]) -> None:
        self.uid, self.actions = uid, list(actions)

    def next(self, maker: UpdateMaker, api: LocalBotApi, db: Any) -> dict[str, Any] | None:
        if not self.actions:
            return None
        kind, value = self.actions.pop(0)
        if kind == "text":
            return maker.message(self.uid, value)
        return maker.callback(self.uid, value, api.last.get(self.uid))


async def drive(app: Any, api: LocalBotApi, maker: UpdateMaker, users: list[Any],
                db: Any = None, record: bool = True) -> list[float]:
    """Round-robin over the active users, one update at a time; latency per update."""
    from telegram import Update

    latencies: list[float] = []
    active = list(users)
    bot = app.bot
    while active:
        still = []
        for user in active:
            data = user.next(maker, api, db)
            if data is None:
                continue
            still.append(user)
            t0 = time.perf_counter()
            await app.process_update(Update.de_json(data, bot))
            if record:
                latencies.append(time.perf_counter() - t0)
        active = still
    return latencies


# --------------------------------------------------------------------------- worker


def time_engine(coach: Any) -> list[float]:
    """Add up the time spent in ``Coach.handle`` (the core with its SQLite commit), to
    tell it apart from PTB's own work and the sends."""
    spent = [0.0]
    handle = coach.handle

    def timed(event: Any) -> Any:
        t0 = time.perf_counter()
        try:
            return handle(event)
        finally:
            spent[0] += time.perf_counter() - t0

    coach.handle = timed
    return spent


async def worker(args: argparse.Namespace) -> dict[str, Any]:
    errors = ErrorCounter()
    logging.basicConfig(level=logging.CRITICAL)
    logging.getLogger().addHandler(errors)
    r = rng(args.seed)
    api = LocalBotApi()
    variant = args.worker
    new_base = 900_000_000 + args.run * 100_000
    result: dict[str, Any] = {"variant": variant, "size": args.size}
    db = None
    t0 = time.perf_counter()
    if variant.startswith("biebcoach"):
        app, coach = build_biebcoach(args.db, api, limiter=variant.endswith("limiter"),
                                     durability="full" if "+full" in variant else "normal")
        db = coach.db
        engine_s = time_engine(coach)
        await start_biebcoach(app, coach)
        total = len(template_walk()[0])
        olds = [i for i in r.sample(range(args.size), min(args.size, args.old * 3))
                if progress_of(i, total) < total][: args.old]
        warm = [CoachUser(new_base + 90_000 + j, True, 80) for j in range(2)]
        users = [CoachUser(new_base + j, True, 80) for j in range(args.new)]
        users += [CoachUser(USER_ID_BASE + i, False, 12) for i in olds]
    else:
        script = conventional_script()
        app = build_bare(api) if variant == "bare" else build_conventional(api, args.pickle)
        await app.initialize()
        total = len(script) - 1
        olds = [i for i in r.sample(range(args.size), min(args.size, args.old * 3))
                if progress_of(i, total) < total][: args.old]
        warm = [ScriptUser(new_base + 90_000 + j, script) for j in range(2)]
        users = [ScriptUser(new_base + j, script) for j in range(args.new)]
        if variant == "bare":
            users += [ScriptUser(USER_ID_BASE + i, script[1:13]) for i in olds]
        else:
            users += [ScriptUser(USER_ID_BASE + i,
                                 script[progress_of(i, total) + 1:][:12]) for i in olds]
    result["init_s"] = time.perf_counter() - t0
    result["rss_after_init"] = rss_mib()[0]
    if args.limit_updates:
        users = users[: max(1, args.limit_updates // 30)]
    # update ids are unique per run: the coach ignores an update id it has seen
    maker = UpdateMaker(start_id=2_000_000_000 + args.run * 1_000_000)
    await drive(app, api, maker, warm, db, record=False)
    calls_before = sum(api.calls.values())
    if db is not None:
        engine_s[0] = 0.0
    gc.collect()
    t0 = time.perf_counter()
    latencies = await drive(app, api, maker, users, db)
    elapsed = time.perf_counter() - t0
    result.update(
        updates=len(latencies),
        seconds=elapsed,
        ups=len(latencies) / elapsed,
        p50_ms=percentile(latencies, 50) * 1000,
        p99_ms=percentile(latencies, 99) * 1000,
        max_ms=max(latencies) * 1000,
        over_50ms=sum(1 for x in latencies if x > 0.05),
        engine_ms=engine_s[0] * 1000 / len(latencies) if db is not None else None,
        calls_per_update=(sum(api.calls.values()) - calls_before) / len(latencies),
        errors=errors.count,
    )
    if db is not None:
        ids = [f"tg:{u.uid}" for u in users]
        marks = ",".join("?" * len(ids))
        result["answers_stored"] = db.execute(
            f"select count(*) from answers where author_id in ({marks})", ids
        ).fetchone()[0]
        result["sample_done"] = db.execute(
            f"select count(*) from users where mode = 'done' and id in ({marks})", ids
        ).fetchone()[0]
    if variant == "conventional":
        result.update(await conventional_save(app, args, len(users) + len(warm)))
    result["rss_end"], result["rss_peak"] = rss_mib()
    await app.shutdown()
    return result


async def conventional_save(app: Any, args: argparse.Namespace, n_users: int) -> dict:
    """How long the 60-second persistence tick blocks the loop after the sample."""
    persistence = app.persistence
    out: dict[str, Any] = {"pickle_mib": os.path.getsize(args.pickle) / 2**20}
    # one write of the whole file, as each changed user/chat/conversation causes
    t0 = time.perf_counter()
    await persistence.flush()
    out["write_s"] = time.perf_counter() - t0
    pending = (len(app._user_ids_to_be_updated_in_persistence)
               + len(app._chat_ids_to_be_updated_in_persistence) + n_users)
    real = pending * out["write_s"] <= SAVE_BUDGET
    persistence.write = real  # too slow to run: count the writes, compute the time
    persistence.writes = 0
    t0 = time.perf_counter()
    await app.update_persistence()
    spent = time.perf_counter() - t0
    persistence.write = True
    out["writes"] = persistence.writes
    out["save_s"] = spent if real else spent + persistence.writes * out["write_s"]
    out["save_measured"] = real
    out["pickle_mib"] = os.path.getsize(args.pickle) / 2**20
    return out


# --------------------------------------------------------------------------- durability


def commit_costs(workdir: str, rounds: int = 10, per_round: int = 30) -> dict[str, list[float]]:
    """Seconds per commit of one small answer-sized transaction, through
    ``coach.storage.db`` with each durability, interleaved round by round on the same disk
    (so that the machine's load hits both alike)."""
    from coach.storage.db import open_db, transaction

    dbs = {}
    for setting in ("normal", "full"):
        path = Path(workdir) / f"durability-{setting}.db"
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        dbs[setting] = open_db(str(path), setting)
        dbs[setting].execute("create table t (id integer primary key, value text)")
    times: dict[str, list[float]] = {"normal": [], "full": []}
    for _ in range(rounds):
        for setting, db in dbs.items():
            for _ in range(per_round):
                t0 = time.perf_counter()
                with transaction(db):
                    db.execute("insert into t (value) values (?)", ["x" * 200])
                times[setting].append(time.perf_counter() - t0)
    for db in dbs.values():
        db.close()
    return times


# --------------------------------------------------------------------------- main


def run_worker(variant: str, size: int, run: int, paths: dict[str, str],
               args: argparse.Namespace, limit_updates: int = 0) -> dict[str, Any]:
    cmd = [sys.executable, __file__, "--worker", variant, "--size", str(size),
           "--run", str(run), "--db", paths["db"], "--pickle", paths["pickle"],
           "--new", str(args.new), "--old", str(args.old), "--seed", str(args.seed + run),
           "--limit-updates", str(limit_updates)]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr)
        raise SystemExit(f"worker {variant} at {size} failed")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def fmt(x: float, digits: int = 2) -> str:
    return f"{x:,.{digits}f}"


def report(results: list[dict[str, Any]], sizes: list[int], populate_s: dict[int, float],
           args: argparse.Namespace, started: float) -> str:
    by = {(r["variant"], r["size"]): r for r in results}
    quick = " --quick" if args.quick else ""
    lines = [f"### Update handling (`python bench/updates_bench.py{quick}`)",
             "", f"Machine: {machine()}; commit {git_commit()}; "
             f"sample: {args.new} new users walking the whole flow + {args.old} stored users "
             "resuming (≤ 12 updates each), round-robin, after 2 warm-up walks.", ""]
    rows = []
    for size in sizes:
        for variant in ("bare", "biebcoach", "biebcoach+full", "biebcoach+limiter",
                        "conventional"):
            r = by.get((variant, size))
            if r is None:
                continue
            rows.append([f"{size:,}", variant, f"{r['updates']:,}", fmt(r["ups"], 0),
                         fmt(r["p50_ms"]), fmt(r["p99_ms"]), fmt(r["max_ms"], 1),
                         r["over_50ms"], fmt(r["calls_per_update"]), r["errors"],
                         fmt(r["rss_peak"], 0)])
    lines.append(table(["stored users", "variant", "updates", "updates/s", "p50 ms", "p99 ms",
                        "max ms", "> 50 ms", "API calls/update", "errors", "peak RSS MiB"],
                       rows))
    lines += ["", "Conventional bot (PicklePersistence, default settings): what its saves cost",
              ""]
    rows = []
    for size in sizes:
        r = by.get(("conventional", size))
        if r is None:
            continue
        handling = r["seconds"]
        rows.append([f"{size:,}", fmt(r["init_s"], 2), fmt(r["pickle_mib"], 1),
                     fmt(r["write_s"] * 1000, 1), r["writes"],
                     fmt(r["save_s"], 2) + ("" if r["save_measured"] else " (computed)"),
                     fmt(r["updates"] / (handling + r["save_s"]), 0)])
    lines.append(table(["stored users", "load s", "pickle MiB", "one file write ms",
                        "writes per 60 s tick", "loop blocked by the tick s",
                        "updates/s incl. saves"], rows))
    lines += ["", "Durability: `COACH_DURABILITY=normal` (`synchronous = NORMAL`) against "
              "`full` (`synchronous = FULL`, an fsync of the WAL per commit)", ""]
    rows = []
    for size in sizes:
        normal, full = by.get(("biebcoach", size)), by.get(("biebcoach+full", size))
        if not normal or not full:
            continue
        rows.append([f"{size:,}", fmt(normal["ups"], 0), fmt(full["ups"], 0),
                     f"{full['ups'] / normal['ups']:.2f}", fmt(normal["engine_ms"]),
                     fmt(full["engine_ms"]), fmt(full["engine_ms"] - normal["engine_ms"]),
                     fmt(normal["p99_ms"]), fmt(full["p99_ms"]), fmt(full["max_ms"], 1)])
    lines.append(table(["stored users", "normal updates/s", "full updates/s", "full / normal",
                        "normal Coach.handle ms", "full Coach.handle ms",
                        "fsync cost ms/update", "normal p99 ms", "full p99 ms",
                        "full max ms"], rows))
    costs = getattr(args, "commit_costs", None)
    if costs:
        lines += ["", f"One small commit through `coach.storage.db`, {len(costs['full'])} "
                  "of each, interleaved, on the benchmark's disk:", ""]
        rows = [[setting, fmt(percentile(costs[setting], 50) * 1000),
                 fmt(percentile(costs[setting], 99) * 1000),
                 fmt(1 / percentile(costs[setting], 50), 0)] for setting in ("normal", "full")]
        lines.append(table(["COACH_DURABILITY", "p50 ms/commit", "p99 ms/commit",
                            "commits/s at p50"], rows))
    lines += ["", "Targets (reported, not asserted)", ""]
    rows = []
    for size in sizes:
        bare, ours = by.get(("bare", size)), by.get(("biebcoach", size))
        if not bare or not ours:
            continue
        ratio = ours["ups"] / bare["ups"]
        rest_ms = 1000 / ours["ups"] - ours["engine_ms"]
        rows.append([f"{size:,}", f"{ratio:.2f} × bare " + ("✅" if ratio >= 0.5 else "❌"),
                     fmt(ours["engine_ms"]), fmt(rest_ms), fmt(1000 / bare["ups"]),
                     f"{1000 / rest_ms / bare['ups']:.2f} × bare",
                     fmt(ours["p99_ms"]) + (" ✅" if ours["p99_ms"] < 2 else " ❌"),
                     fmt(ours["max_ms"], 1) + (" ✅" if ours["max_ms"] < 50 else " ❌"),
                     f"{ours['answers_stored']:,}", fmt(ours["rss_peak"], 0)])
    lines.append(table(["stored users", "throughput ≥ 0.5 × bare",
                        "Coach.handle ms/update", "adapter, PTB, sends ms/update",
                        "bare ms/update", "if Coach.handle took no time", "p99 < 2 ms",
                        "max < 50 ms", "answers committed in sample", "peak RSS MiB"], rows))
    lines += ["", "Pre-population (bulk inserts, one transaction): " + ", ".join(
        f"{s:,} users {populate_s[s]:.1f} s" for s in sizes),
        f"Total run time {time.perf_counter() - started:.0f} s.", ""]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="100 and 1,000 users only")
    parser.add_argument("--sizes", type=lambda s: [int(x) for x in s.split(",")])
    parser.add_argument("--new", type=int, default=None, help="new users in the sample")
    parser.add_argument("--old", type=int, default=None, help="stored users in the sample")
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--workdir", help="keep the databases here (default: a temp dir)")
    parser.add_argument("--json", help="also write the raw results to this file")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--size", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--run", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    parser.add_argument("--pickle", help=argparse.SUPPRESS)
    parser.add_argument("--limit-updates", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.new is None:
        args.new = 30 if args.quick else 60
    if args.old is None:
        args.old = 20 if args.quick else 40

    if args.worker:
        print(json.dumps(asyncio.run(worker(args))))
        return

    started = time.perf_counter()
    sizes = args.sizes or (QUICK_SIZES if args.quick else SIZES)
    workdir = args.workdir or tempfile.mkdtemp(prefix="biebcoach-bench-")
    Path(workdir).mkdir(parents=True, exist_ok=True)
    paths = {"db": str(Path(workdir) / "coach.db"), "pickle": str(Path(workdir) / "conv.pickle")}
    for suffix in ("", "-wal", "-shm"):
        Path(paths["db"] + suffix).unlink(missing_ok=True)
    template = template_walk()
    results, populate_s, done, run = [], {}, 0, 0
    try:
        for size in sorted(sizes):
            stats = populate(paths["db"], done, size, template)
            write_pickle(paths["pickle"], size)
            populate_s[size] = stats["seconds"]
            done = size
            print(f"-- {size:,} users stored ({stats['answers']:,} answers added, "
                  f"{stats['seconds']:.1f} s)", file=sys.stderr)
            variants = ["bare", "biebcoach", "biebcoach+full", "conventional"]
            for variant in variants:
                run += 1
                results.append(run_worker(variant, size, run, paths, args))
                r = results[-1]
                print(f"   {variant:<18} {r['ups']:8.0f} upd/s  p99 {r['p99_ms']:.2f} ms  "
                      f"max {r['max_ms']:.1f} ms  peak {r['rss_peak']:.0f} MiB",
                      file=sys.stderr)
            if size == min(sizes):
                run += 1
                results.append(run_worker("biebcoach+limiter", size, run, paths, args,
                                          limit_updates=120 if args.quick else 300))
        args.commit_costs = commit_costs(workdir)
    finally:
        if not args.workdir:
            shutil.rmtree(workdir, ignore_errors=True)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))
    print(report(results, sorted(sizes), populate_s, args, started))


if __name__ == "__main__":
    main()
