"""Shared pieces of the benchmarks: a local Bot API, bulk pre-population, tables.

Not a benchmark itself. The scripts in bench/ import it as ``bench._common`` after
putting the repository root on ``sys.path``.
"""

from __future__ import annotations

import json
import logging
import os
import platform
import random
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from telegram.request import BaseRequest, RequestData  # noqa: E402

TOKEN = "123456789:AAbenchTokenNotRealAtAll_abcdefghijk"
BOT_ID = 123456789
BOT_USERNAME = "biebcoach_bench_bot"
USERS_PER_LIBRARY = 5
USER_ID_BASE = 10_000_000  # pre-populated Telegram user ids: USER_ID_BASE + i
HIGH_LIBRARY_ID = 900_000_000  # pre-populated libraries have ids 1.. below this

# The typed answers of tests/support/walk.py (kept in sync by importing them).
from tests.support.walk import TYPED  # noqa: E402

# --------------------------------------------------------------------------- Bot API


class LocalBotApi(BaseRequest):
    """A ``telegram.request.BaseRequest`` that answers Bot API calls in-process.

    It encodes the parameters as the HTTP request would (``json_parameters``) and
    answers with realistic JSON (a Message for sends and edits, True otherwise), so
    python-telegram-bot does all of its own work except the network round trip.
    It remembers the last bot message per chat so a driver can press its buttons.
    """

    def __init__(self, keep_last: bool = True) -> None:
        self.calls: Counter[str] = Counter()
        self.last: dict[int, dict[str, Any]] = {}
        self.keep_last = keep_last
        self._next_id: dict[int, int] = {}

    @property
    def read_timeout(self) -> float | None:
        return 5.0

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    def _message(self, chat_id: int, params: dict[str, Any]) -> dict[str, Any]:
        message_id = params.get("message_id")
        if message_id is None:
            message_id = self._next_id.get(chat_id, 1000) + 1
            self._next_id[chat_id] = message_id
        msg: dict[str, Any] = {
            "message_id": int(message_id),
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private", "first_name": f"User{chat_id}"},
            "from": bot_user(),
            "text": params.get("text", ""),
        }
        if params.get("reply_markup"):
            msg["reply_markup"] = params["reply_markup"]
        if "message_id" in params:
            msg["edit_date"] = int(time.time())
        if self.keep_last:
            self.last[chat_id] = msg
        return msg

    def answer(self, method: str, params: dict[str, Any]) -> Any:
        if method == "getMe":
            return {**bot_user(), "can_join_groups": True,
                    "can_read_all_group_messages": False, "supports_inline_queries": False}
        if method in ("sendMessage", "editMessageText"):
            return self._message(int(params["chat_id"]), params)
        if method in ("sendDocument", "sendPhoto"):
            return self._message(int(params["chat_id"]), {"text": ""})
        if method in ("getUpdates", "getMyCommands"):
            return []
        if method in ("getMyName", "getMyDescription", "getMyShortDescription"):
            field = {"getMyName": "name", "getMyDescription": "description"}.get(
                method, "short_description")
            return {field: ""}
        return True

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        name = url.rsplit("/", 1)[-1]
        self.calls[name] += 1
        params: dict[str, Any] = {}
        if request_data is not None:
            request_data.json_parameters  # noqa: B018 - the encoding a real request does
            params = request_data.parameters
        body = {"ok": True, "result": self.answer(name, params)}
        return 200, json.dumps(body).encode()


def bot_user() -> dict[str, Any]:
    return {"id": BOT_ID, "is_bot": True, "first_name": "Biebcoach", "username": BOT_USERNAME}


# --------------------------------------------------------------------------- updates


class UpdateMaker:
    """Telegram update JSON for synthetic private-chat users."""

    def __init__(self, start_id: int = 1) -> None:
        self.update_id = start_id
        self.message_id: dict[int, int] = {}
        self.cq = 0

    def _base(self) -> dict[str, Any]:
        self.update_id += 1
        return {"update_id": self.update_id}

    @staticmethod
    def user(uid: int) -> dict[str, Any]:
        return {"id": uid, "is_bot": False, "first_name": f"User{uid}", "language_code": "nl"}

    def message(self, uid: int, text: str) -> dict[str, Any]:
        mid = self.message_id.get(uid, 0) + 1
        self.message_id[uid] = mid
        msg: dict[str, Any] = {
            "message_id": mid,
            "date": int(time.time()),
            "chat": {"id": uid, "type": "private", "first_name": f"User{uid}"},
            "from": self.user(uid),
            "text": text,
        }
        if text.startswith("/"):
            msg["entities"] = [{"type": "bot_command", "offset": 0,
                                "length": len(text.split()[0])}]
        return {**self._base(), "message": msg}

    def callback(self, uid: int, data: str, message: dict[str, Any] | None) -> dict[str, Any]:
        self.cq += 1
        cq: dict[str, Any] = {
            "id": str(self.cq),
            "from": self.user(uid),
            "chat_instance": str(uid),
            "data": data,
        }
        if message is not None:
            cq["message"] = message
        return {**self._base(), "callback_query": cq}


# --------------------------------------------------------------------------- templates


def template_walk() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Walk one user through the whole flow in memory (as tests/support/walk.walk).

    Returns the answers rows in order and, for k = 0..len(answers), the user's row
    right after their k-th answer was stored (what a user with k answers looks like).
    """
    from coach.core.events import Event
    from coach.storage.db import open_db
    from coach.wiring import make_coach

    clock_now = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)
    coach = make_coach(open_db(":memory:"), clock=lambda: clock_now)
    uid = "tg:1"
    replies: list[Any] = []

    def send(**kw: Any) -> None:
        nonlocal replies
        replies = coach.handle(Event(user_id=uid, name="Template", lang_hint="nl", **kw))

    def row() -> dict[str, Any]:
        return dict(coach.db["users"].get(uid))

    def count() -> int:
        return coach.db.execute("select count(*) from answers").fetchone()[0]

    send(command="start")
    send(choice="l:new")
    send(text="Bibliotheek Sjabloon")
    snapshots: dict[int, dict[str, Any]] = {0: row()}
    for _ in range(120):
        user = row()
        if user["mode"] == "done":
            break
        last = replies[-1].text if replies else ""
        if user["mode"] == "step_done":
            send(choice="n:continue")
        elif "Bedoel je" in last or "Do you mean" in last:
            send(choice=next(c.data for r in replies for c in r.buttons()
                             if c.data.startswith("y:")))
        else:
            send(text=TYPED[user["question_id"]])
        n = count()
        if n not in snapshots or row()["mode"] == "step_done":
            snapshots[n] = row()
    else:
        raise RuntimeError("template walk did not finish")
    answers = [dict(r) for r in coach.db.query("select * from answers order by id")]
    if any(r["superseded_at"] for r in answers):
        raise RuntimeError("template walk superseded answers")
    states = [snapshots[k] for k in range(len(answers) + 1)]
    return answers, states


def progress_of(i: int, total: int) -> int:
    """How far pre-populated user i got: 0..total answers (deterministic, spread evenly)."""
    return (i * 7919 + 13) % (total + 1)


def populate(db_path: str, start: int, end: int, template: Any = None,
             chunk: int = 10_000) -> dict[str, float]:
    """Add users start..end-1 (with libraries, answers, invites, schedules) in bulk.

    One transaction per call, executemany per table. The schema comes from
    coach/db.py's migrations (open_db); optional tables (check-in schedules and the
    weekly ledger) are filled when the migrations created them.
    """
    from coach.storage.db import open_db

    t0 = time.perf_counter()
    answers_tpl, states = template or template_walk()
    total = len(answers_tpl)
    db = open_db(db_path)
    tables = set(db.table_names())
    user_cols = {c.name for c in db["users"].columns}
    conn = db.conn
    now = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)
    counts: Counter[str] = Counter()
    with conn:
        if start == 0:
            # libraries the engine creates (benchmark users) get ids above this one,
            # so they never collide with the ids of libraries pre-populated later
            conn.execute("insert or ignore into libraries (id, name, created_at, created_by,"
                         " settings) values (?, ?, ?, ?, ?)",
                         (HIGH_LIBRARY_ID, "(benchmark)", now.isoformat(), None, "{}"))
        for lo in range(start, end, chunk):
            hi = min(end, lo + chunk)
            users, libraries, answers, invites, events = [], [], [], [], []
            lib_sched, mem_sched, checkins = [], [], []
            for i in range(lo, hi):
                uid = USER_ID_BASE + i
                user_id = f"tg:{uid}"
                lib = i // USERS_PER_LIBRARY + 1
                first = i % USERS_PER_LIBRARY == 0
                k = progress_of(i, total)
                state = states[k]
                created = now - timedelta(days=30 + i % 300)
                if first:
                    libraries.append((lib, f"Bibliotheek {lib}", created.isoformat(),
                                      user_id, "{}"))
                    invites.append((f"inv{lib:012d}", lib, user_id, created.isoformat(),
                                    (now + timedelta(days=10)).isoformat(), None))
                    if "library_schedules" in tables:
                        lib_sched.append((lib, i % 5, "09:30", "Europe/Amsterdam",
                                          created.isoformat(), user_id))
                row = {
                    "id": user_id, "name": f"User{uid}", "lang": "nl", "library_id": lib,
                    "role": "coordinator" if first else "member", "mode": state["mode"],
                    "question_id": state["question_id"], "item": state["item"] or 0,
                    "pending": state["pending"] or "{}", "created_at": created.isoformat(),
                    "updated_at": (created + timedelta(days=1)).isoformat(),
                }
                if "active" in user_cols:
                    row["active"] = 1
                users.append(row)
                at = (created + timedelta(hours=1)).isoformat()
                for a in answers_tpl[:k]:
                    answers.append((lib, a["question_id"], a["item_key"], user_id,
                                    f"User{uid}", a["status"], a["value"], at, None))
                events.append((f"tg:{3_000_000_000 + i}",
                               (now - timedelta(hours=i % 160)).isoformat()))
                if "member_schedules" in tables:
                    mem_sched.append((user_id, None, None, None, None, 0,
                                      created.isoformat()))
                if "checkins" in tables and k == total:
                    checkins.append((user_id, lib, "2026-W01", "schedule", at, at))
            cols = list(users[0])
            conn.executemany(
                f"insert into users ({', '.join(cols)}) values ({', '.join('?' * len(cols))})",
                [tuple(u[c] for c in cols) for u in users],
            )
            conn.executemany("insert into libraries (id, name, created_at, created_by,"
                             " settings) values (?,?,?,?,?)", libraries)
            conn.executemany(
                "insert into answers (library_id, question_id, item_key, author_id,"
                " author_name, status, value, created_at, superseded_at)"
                " values (?,?,?,?,?,?,?,?,?)", answers)
            conn.executemany("insert into invites (code, library_id, created_by, created_at,"
                             " expires_at, revoked_at) values (?,?,?,?,?,?)", invites)
            conn.executemany("insert or ignore into processed_events (event_id, at)"
                             " values (?,?)", events)
            if lib_sched:
                conn.executemany("insert into library_schedules (library_id, weekday, at,"
                                 " tz, since, updated_by) values (?,?,?,?,?,?)", lib_sched)
            if mem_sched:
                conn.executemany("insert into member_schedules (user_id, weekday, at,"
                                 " since, paused_until, stopped, updated_at)"
                                 " values (?,?,?,?,?,?,?)", mem_sched)
            if checkins:
                conn.executemany("insert into checkins (user_id, library_id, iso_week,"
                                 " source, claimed_at, finished_at) values (?,?,?,?,?,?)",
                                 checkins)
            counts["users"] += len(users)
            counts["answers"] += len(answers)
            counts["schedules"] += len(mem_sched)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    return {"seconds": time.perf_counter() - t0, **counts}


# --------------------------------------------------------------------------- measuring


def rss_mib() -> tuple[float, float]:
    """(current RSS, peak RSS) of this process in MiB, from /proc/self/status.

    VmHWM, not ``ru_maxrss``: on Linux ru_maxrss survives exec, so a worker started by
    a big parent would report the parent's size.
    """
    values = {"VmRSS:": 0.0, "VmHWM:": 0.0}
    with open("/proc/self/status") as f:
        for line in f:
            key = line.split(maxsplit=1)[0] if line.strip() else ""
            if key in values:
                values[key] = int(line.split()[1]) / 1024
    return values["VmRSS:"], values["VmHWM:"]


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, max(0, round(p / 100 * (len(s) - 1))))]


def table(headers: list[str], rows: list[list[Any]]) -> str:
    out = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    out += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(out)


def machine() -> str:
    cpu = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return (f"{os.cpu_count()} cores (nproc {len(os.sched_getaffinity(0))}), {cpu}, "
            f"Python {platform.python_version()}, {platform.system()} {platform.release()}")


def git_commit() -> str:
    try:
        return subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
                              capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "?"


def rng(seed: int) -> random.Random:
    return random.Random(seed)


class ErrorCounter(logging.Handler):
    """Counts log records at ERROR and above (what a run logged as failed)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


def committed(path: str) -> bool:
    out = subprocess.run(["git", "-C", str(ROOT), "ls-files", "--error-unmatch", path],
                         capture_output=True, text=True, check=False)
    return out.returncode == 0
