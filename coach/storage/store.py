"""Reading and writing the coach's data: users, libraries, answers, invites.

Functions here never commit on their own inside a transaction: the engine wraps each
event in ``db.atomic()``, so one event's changes land together or not at all.

sqlite-utils defines and migrates the schema; the queries on the per-message path use
the connection directly (``rows``, ``write``, ``insert``), which skips sqlite-utils'
per-call bookkeeping (table look-ups, savepoints) that cost more than the queries.
"""

from __future__ import annotations

import json
import secrets
from datetime import datetime, timedelta
from typing import Any

import sqlite_utils

INVITE_DAYS = 14
JOIN_WINDOW = timedelta(minutes=15)
JOIN_MAX_FAILURES = 5


def iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def rows(db: sqlite_utils.Database, sql: str, params: Any = ()) -> list[dict[str, Any]]:
    cursor = db.conn.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def write(db: sqlite_utils.Database, sql: str, params: Any = ()) -> int:
    """Run one write; commits it unless a transaction is open. Returns the last row id."""
    opened = not db.conn.in_transaction
    cursor = db.conn.execute(sql, params)
    if opened and db.conn.in_transaction:
        db.conn.execute("COMMIT")
    return cursor.lastrowid or 0


def insert(db: sqlite_utils.Database, table: str, row: dict[str, Any]) -> int:
    columns = ", ".join(f"[{c}]" for c in row)
    marks = ", ".join("?" * len(row))
    return write(db, f"insert into [{table}] ({columns}) values ({marks})", list(row.values()))


# -- users -------------------------------------------------------------------------------


def get_user(db: sqlite_utils.Database, user_id: str) -> dict[str, Any] | None:
    found = rows(db, "select * from users where id = ?", [user_id])
    return found[0] if found else None


def create_user(
    db: sqlite_utils.Database, user_id: str, name: str, lang: str, now: datetime
) -> dict[str, Any]:
    row = {
        "id": user_id,
        "name": name,
        "lang": lang,
        "library_id": None,
        "role": None,
        "mode": "onboarding",
        "question_id": None,
        "item": 0,
        "pending": "{}",
        "created_at": iso(now),
        "updated_at": iso(now),
    }
    insert(db, "users", row)
    return row


def update_user(db: sqlite_utils.Database, user_id: str, now: datetime, **fields: Any) -> None:
    fields = {**fields, "updated_at": iso(now)}
    assignments = ", ".join(f"[{c}] = ?" for c in fields)
    write(db, f"update users set {assignments} where id = ?", [*fields.values(), user_id])


def pending(user: dict[str, Any]) -> dict[str, Any]:
    try:
        value = json.loads(user.get("pending") or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def members(db: sqlite_utils.Database, library_id: int) -> list[dict[str, Any]]:
    return rows(
        db,
        "select * from users where library_id = ? order by role = 'coordinator' desc, name",
        [library_id],
    )


# -- libraries -----------------------------------------------------------------------------


def create_library(db: sqlite_utils.Database, name: str, user_id: str, now: datetime) -> int:
    return insert(
        db,
        "libraries",
        {"name": name, "created_at": iso(now), "created_by": user_id, "settings": "{}"},
    )


def get_library(db: sqlite_utils.Database, library_id: int | None) -> dict[str, Any] | None:
    if library_id is None:
        return None
    found = rows(db, "select * from libraries where id = ?", [library_id])
    return found[0] if found else None


# -- answers -------------------------------------------------------------------------------


def save_answer(
    db: sqlite_utils.Database,
    *,
    library_id: int,
    question_id: str,
    item_key: str,
    author: dict[str, Any],
    status: str,
    value: Any,
    now: datetime,
) -> int:
    """Store a new version of this author's answer; the previous one is kept, superseded."""
    write(
        db,
        "update answers set superseded_at = ? where library_id = ? and question_id = ?"
        " and item_key = ? and author_id = ? and superseded_at is null",
        [iso(now), library_id, question_id, item_key, author["id"]],
    )
    return insert(
        db,
        "answers",
        {
            "library_id": library_id,
            "question_id": question_id,
            "item_key": item_key,
            "author_id": author["id"],
            "author_name": author["name"],
            "status": status,
            "value": json.dumps(value, ensure_ascii=False),
            "created_at": iso(now),
            "superseded_at": None,
        },
    )


def _decode(row: dict[str, Any]) -> dict[str, Any]:
    row = dict(row)
    row["value"] = json.loads(row["value"]) if row["value"] else None
    return row


def current_answers(
    db: sqlite_utils.Database, library_id: int, question_id: str | None = None
) -> list[dict[str, Any]]:
    """Every current (not superseded) answer of the library, oldest first."""
    sql = "select * from answers where library_id = ? and superseded_at is null"
    params: list[Any] = [library_id]
    if question_id is not None:
        sql += " and question_id = ?"
        params.append(question_id)
    return [_decode(r) for r in rows(db, sql + " order by id", params)]


def my_answer(
    db: sqlite_utils.Database, library_id: int, user_id: str, question_id: str, item_key: str
) -> dict[str, Any] | None:
    found = rows(
        db,
        "select * from answers where library_id = ? and author_id = ? and question_id = ?"
        " and item_key = ? and superseded_at is null",
        [library_id, user_id, question_id, item_key],
    )
    return _decode(found[0]) if found else None


def answered_positions(
    db: sqlite_utils.Database, library_id: int, user_id: str
) -> dict[tuple[str, str], str]:
    """(question id, item key) → status, for this user's current answers."""
    return {
        (r["question_id"], r["item_key"]): r["status"]
        for r in rows(
            db,
            "select question_id, item_key, status from answers where library_id = ?"
            " and author_id = ? and superseded_at is null",
            [library_id, user_id],
        )
    }


# -- invites -------------------------------------------------------------------------------


def new_invite(db: sqlite_utils.Database, library_id: int, user_id: str, now: datetime) -> dict:
    """Revoke the library's open invites and make a fresh random code."""
    db.execute(
        "update invites set revoked_at = ? where library_id = ? and revoked_at is null",
        [iso(now), library_id],
    )
    row = {
        "code": secrets.token_urlsafe(12),  # 16 characters, 96 bits: not guessable
        "library_id": library_id,
        "created_by": user_id,
        "created_at": iso(now),
        "expires_at": iso(now + timedelta(days=INVITE_DAYS)),
        "revoked_at": None,
    }
    db["invites"].insert(row)
    return row


def open_invite(db: sqlite_utils.Database, library_id: int, now: datetime) -> dict | None:
    rows = list(
        db.query(
            "select * from invites where library_id = ? and revoked_at is null"
            " and expires_at > ? order by created_at desc limit 1",
            [library_id, iso(now)],
        )
    )
    return rows[0] if rows else None


def find_invite(db: sqlite_utils.Database, code: str) -> dict | None:
    rows = list(db.query("select * from invites where code = ?", [code]))
    return rows[0] if rows else None


def join_failures(db: sqlite_utils.Database, user_id: str, now: datetime) -> int:
    return db.execute(
        "select count(*) from join_attempts where user_id = ? and ok = 0 and at > ?",
        [user_id, iso(now - JOIN_WINDOW)],
    ).fetchone()[0]


def record_join_attempt(db: sqlite_utils.Database, user_id: str, ok: bool, now: datetime) -> None:
    db["join_attempts"].insert({"user_id": user_id, "at": iso(now), "ok": int(ok)})


# -- events and group notices -------------------------------------------------------------


def seen_event(db: sqlite_utils.Database, event_id: str, now: datetime) -> bool:
    """True if the event was handled before; otherwise remember it."""
    if rows(db, "select 1 from processed_events where event_id = ?", [event_id]):
        return True
    insert(db, "processed_events", {"event_id": event_id, "at": iso(now)})
    return False


def prune_events(db: sqlite_utils.Database, now: datetime, keep: timedelta) -> None:
    db.execute("delete from processed_events where at < ?", [iso(now - keep)])


def first_group_notice(db: sqlite_utils.Database, chat_id: str, now: datetime) -> bool:
    if list(db.query("select 1 from group_notices where chat_id = ?", [chat_id])):
        return False
    db["group_notices"].insert({"chat_id": chat_id, "at": iso(now)})
    return True


def mark_unreachable(db: sqlite_utils.Database, user_id: str, now: datetime) -> None:
    """The user blocked the bot: no messages the coach starts itself until they write."""
    db.execute("update users set active = 0, unreachable_at = ? where id = ?",
               [iso(now), user_id])
