"""The ``invites`` and ``join_attempts`` tables: invite codes and the attempts to use one."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlite_utils import Database

from coach.storage.sql import iso

INVITE_DAYS = 14
JOIN_WINDOW = timedelta(minutes=15)
JOIN_MAX_FAILURES = 5


def new_invite(db: Database, library_id: int, user_id: str, now: datetime) -> dict:
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


def open_invite(db: Database, library_id: int, now: datetime) -> dict | None:
    rows = list(
        db.query(
            "select * from invites where library_id = ? and revoked_at is null"
            " and expires_at > ? order by created_at desc limit 1",
            [library_id, iso(now)],
        )
    )
    return rows[0] if rows else None


def find_invite(db: Database, code: str) -> dict | None:
    rows = list(db.query("select * from invites where code = ?", [code]))
    return rows[0] if rows else None


def join_failures(db: Database, user_id: str, now: datetime) -> int:
    """The user's failed join attempts in the last ``JOIN_WINDOW``."""
    return db.execute(
        "select count(*) from join_attempts where user_id = ? and ok = 0 and at > ?",
        [user_id, iso(now - JOIN_WINDOW)],
    ).fetchone()[0]


def record_join_attempt(db: Database, user_id: str, ok: bool, now: datetime) -> None:
    db["join_attempts"].insert({"user_id": user_id, "at": iso(now), "ok": int(ok)})
