"""The ``users`` table: a user, their place in the conversation, their library's members."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlite_utils import Database

from coach.storage.sql import insert, iso, rows, write

# A user without a library and without a place in the flow: where a new user starts,
# and where a removed member and the members of a deleted library go back to.
ONBOARDING: dict[str, Any] = {
    "library_id": None,
    "role": None,
    "mode": "onboarding",
    "question_id": None,
    "item": 0,
    "pending": "{}",
}


def get_user(db: Database, user_id: str) -> dict[str, Any] | None:
    found = rows(db, "select * from users where id = ?", [user_id])
    return found[0] if found else None


def users_with_prefix(db: Database, prefix: str) -> list[dict[str, Any]]:
    """The users whose id starts with ``prefix`` (an adapter's, e.g. ``console:``),
    most recently active first."""
    return rows(db, "select * from users where substr(id, 1, ?) = ? order by updated_at desc",
                [len(prefix), prefix])


def create_user(db: Database, user_id: str, name: str, lang: str, now: datetime) -> dict[str, Any]:
    row = {
        "id": user_id,
        "name": name,
        "lang": lang,
        **ONBOARDING,
        "created_at": iso(now),
        "updated_at": iso(now),
    }
    insert(db, "users", row)
    return row


def update_user(db: Database, user_id: str, now: datetime, **fields: Any) -> None:
    fields = {**fields, "updated_at": iso(now)}
    assignments = ", ".join(f"[{c}] = ?" for c in fields)
    write(db, f"update users set {assignments} where id = ?", [*fields.values(), user_id])


def reset_to_onboarding(
    db: Database,
    *,
    user_id: str | None = None,
    library_id: int | None = None,
    now: datetime | None = None,
) -> None:
    """Put one user, or every member of ``library_id``, back to :data:`ONBOARDING`.
    With ``now``, ``updated_at`` is stamped too (deleting a library never stamped it)."""
    if (user_id is None) == (library_id is None):
        raise ValueError("reset_to_onboarding needs either user_id or library_id")
    fields = {**ONBOARDING, **({"updated_at": iso(now)} if now is not None else {})}
    assignments = ", ".join(f"[{c}] = ?" for c in fields)
    where, key = ("id", user_id) if user_id is not None else ("library_id", library_id)
    write(db, f"update users set {assignments} where [{where}] = ?", [*fields.values(), key])


def pending(user: dict[str, Any]) -> dict[str, Any]:
    """The user's ``pending`` column decoded (confirmation, selection, redo marker)."""
    try:
        value = json.loads(user.get("pending") or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def members(db: Database, library_id: int) -> list[dict[str, Any]]:
    """The library's users, coordinators first, then by name."""
    return rows(
        db,
        "select * from users where library_id = ? order by role = 'coordinator' desc, name",
        [library_id],
    )


def mark_unreachable(db: Database, user_id: str, now: datetime) -> None:
    """The user blocked the bot: inactive (no check-ins) until they write to it again."""
    db.execute("update users set active = 0, unreachable_at = ? where id = ?",
               [iso(now), user_id])
