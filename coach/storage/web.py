"""The web view's tables: one-time sign-in links, sessions, sign-in attempts, the key.

- ``web_secret``: one random key (created once), which signs the session cookies.
- ``web_tokens``: one-time sign-in links (``/web`` and ``bot.py web``): only a hash of
  the token is stored; a token is valid for ``TOKEN_MINUTES`` and used at most once.
- ``web_sessions``: a signed-in browser: the hash of the session id, the user, the
  CSRF token of its forms and when it expires (``SESSION_HOURS``).
- ``web_attempts``: failed sign-ins per client, for the rate limit.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Any

from sqlite_utils import Database

from coach.storage.sql import insert, iso, rows, write

TOKEN_MINUTES = 15
SESSION_HOURS = 8
ATTEMPT_WINDOW = timedelta(minutes=15)


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def signing_key(db: Database) -> bytes:
    """The key that signs session cookies, made once and kept in the database."""
    found = rows(db, "select key from web_secret where id = 1")
    if found:
        return bytes.fromhex(found[0]["key"])
    key = secrets.token_hex(32)
    write(db, "insert or ignore into web_secret (id, key) values (1, ?)", [key])
    return bytes.fromhex(rows(db, "select key from web_secret where id = 1")[0]["key"])


def new_sign_in_token(db: Database, user_id: str, now: datetime) -> str:
    """A fresh random one-time sign-in token for ``user_id`` (returned once, stored hashed)."""
    token = secrets.token_urlsafe(24)  # 192 bits
    insert(db, "web_tokens", {
        "token_hash": _hash(token), "user_id": user_id, "created_at": iso(now),
        "expires_at": iso(now + timedelta(minutes=TOKEN_MINUTES)), "used_at": None,
    })
    return token


def use_sign_in_token(db: Database, token: str, now: datetime) -> str | None:
    """The user a valid, unused token belongs to (marking it used), else None."""
    found = rows(db, "select user_id, expires_at, used_at from web_tokens where token_hash = ?",
                 [_hash(token)])
    if not found or found[0]["used_at"] or found[0]["expires_at"] <= iso(now):
        return None
    write(db, "update web_tokens set used_at = ? where token_hash = ?", [iso(now), _hash(token)])
    return found[0]["user_id"]


def new_session(db: Database, user_id: str, now: datetime) -> tuple[str, str]:
    """Start a session: returns (session id, CSRF token); the id is stored hashed."""
    session_id, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
    insert(db, "web_sessions", {
        "id_hash": _hash(session_id), "user_id": user_id, "csrf": csrf,
        "created_at": iso(now),
        "expires_at": iso(now + timedelta(hours=SESSION_HOURS)),
    })
    return session_id, csrf


def get_session(db: Database, session_id: str, now: datetime) -> dict[str, Any] | None:
    """The live session with this id (``user_id``, ``csrf``, ``expires_at``), or None."""
    found = rows(db, "select user_id, csrf, expires_at from web_sessions where id_hash = ?"
                 " and expires_at > ?", [_hash(session_id), iso(now)])
    return found[0] if found else None


def end_session(db: Database, session_id: str) -> None:
    write(db, "delete from web_sessions where id_hash = ?", [_hash(session_id)])


def failed_attempts(db: Database, client: str, now: datetime) -> int:
    """Failed sign-ins of ``client`` in the last ``ATTEMPT_WINDOW``."""
    return rows(db, "select count(*) as n from web_attempts where client = ? and at > ?",
                [client, iso(now - ATTEMPT_WINDOW)])[0]["n"]


def record_failed_attempt(db: Database, client: str, now: datetime) -> None:
    insert(db, "web_attempts", {"client": client, "at": iso(now)})


def prune(db: Database, now: datetime) -> None:
    """Forget expired tokens and sessions and old attempts."""
    write(db, "delete from web_tokens where expires_at <= ?", [iso(now)])
    write(db, "delete from web_sessions where expires_at <= ?", [iso(now)])
    write(db, "delete from web_attempts where at <= ?", [iso(now - ATTEMPT_WINDOW)])


def library_version(db: Database, library_id: int) -> tuple:
    """A value that changes whenever what the web view's cached pages show of a library
    may have changed: its answers (also the coordinator's "leave it" on them) and the
    library's answers, items, assignments, measurements, members, done steps and
    settings."""
    return tuple(rows(db, """
        select (select count(*) || ':' || coalesce(max(id), 0) || ':'
                       || coalesce(max(superseded_at), '') || ':'
                       || coalesce(max(reviewed_at), '')
                  from answers where library_id = :lib) as answers,
               (select count(*) || ':' || coalesce(max(id), 0)
                  from measurements where library_id = :lib) as measurements,
               (select group_concat(id || '|' || coalesce(role, '') || '|' || name, ';')
                  from users where library_id = :lib) as members,
               (select count(*) from suggestions where library_id = :lib and done = 1)
                   as done_steps,
               (select name || '|' || coalesce(settings, '') from libraries where id = :lib)
                   as library,
               (select count(*) || ':' || coalesce(max(id), 0) || ':'
                       || coalesce(max(superseded_at), '')
                  from library_answers where library_id = :lib) as library_answers,
               (select group_concat(id || '|' || text || '|' || coalesce(removed_at, ''), ';')
                  from items where library_id = :lib) as items,
               (select group_concat(user_id || '|' || step_id, ';')
                  from assignments where library_id = :lib) as assignments
        """, {"lib": library_id})[0].values())
