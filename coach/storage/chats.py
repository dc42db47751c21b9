"""What the bot knows of a user's private chat beyond the conversation.

Blocking: Telegram tells the bot when a user blocks or unblocks it (``my_chat_member``);
:func:`record_block` and :func:`record_unblock` keep the latest of each in
``chat_blocks`` and make the user unreachable (no check-ins) or reachable again.

Menus: ``chat_menus`` holds the chats that have a command menu of their own at
Telegram (which one, in which language); ``menu_changes`` the users whose role or
language changed since (the triggers of migrations 8 and 12 mark them in the same
transaction as the change); the Telegram adapter reads :func:`menu_changes` and
:func:`menu_state` and brings each menu up to date (``adapters/telegram/menus.py``).

Long pastes: ``chat_pastes`` holds a user's last text near Telegram's length limit
(:func:`record_long_text`): Telegram splits a longer paste into messages, and the
adapter takes what follows within seconds for its tail (:func:`long_text`).

Held updates: ``handled_behind`` holds the updates long polling handled while the
offset was held at another chat's failed update (``adapters/telegram/faults.py``):
Telegram delivers them again after a restart, and they are not answered twice.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlite_utils import Database

from coach.storage.sql import iso, rows, write


def record_block(db: Database, user_id: str, now: datetime) -> bool:
    """The user blocked the bot: recorded, and inactive until they unblock or write.
    False (nothing recorded) for a user the coach does not know."""
    if not rows(db, "select 1 from users where id = ?", [user_id]):
        return False
    write(db, "insert into chat_blocks (user_id, blocked_at) values (?, ?) on conflict"
              " (user_id) do update set blocked_at = excluded.blocked_at", [user_id, iso(now)])
    write(db, "update users set active = 0, unreachable_at = ? where id = ?",
          [iso(now), user_id])
    return True


def record_unblock(db: Database, user_id: str, now: datetime) -> bool:
    """The user unblocked the bot (restarted the chat): recorded, and reachable again.
    False (nothing recorded) for a user the coach does not know."""
    if not rows(db, "select 1 from users where id = ?", [user_id]):
        return False
    write(db, "insert into chat_blocks (user_id, unblocked_at) values (?, ?) on conflict"
              " (user_id) do update set unblocked_at = excluded.unblocked_at",
          [user_id, iso(now)])
    write(db, "update users set active = 1, unreachable_at = null where id = ?", [user_id])
    return True


def block_state(db: Database, user_id: str) -> dict[str, str | None] | None:
    """``{"blocked_at", "unblocked_at"}`` of the user, or None when neither happened."""
    found = rows(db, "select blocked_at, unblocked_at from chat_blocks where user_id = ?",
                 [user_id])
    return found[0] if found else None


def menu_changes(db: Database) -> list[str]:
    """The users whose menu may be out of date (their role or language changed)."""
    return [r["user_ref"] for r in rows(db, "select user_ref from menu_changes")]


def menu_state(db: Database, user_ref: str) -> dict[str, Any]:
    """What a user's own menu depends on and what it is: ``known`` (False once they are
    forgotten), ``role``, ``lang``, and ``menu`` and ``menu_lang`` at Telegram (None for
    none)."""
    return rows(db, "select u.id is not null as known, u.role, u.lang, m.menu,"
                    " m.lang as menu_lang from (select ? as ref) r"
                    " left join users u on u.id = r.ref"
                    " left join chat_menus m on m.user_ref = r.ref", [user_ref])[0]


def menu_synced(db: Database, user_ref: str, menu: tuple[str, str] | None) -> None:
    """The chat now has ``menu`` (its kind and language) at Telegram, or none (None);
    its mark is done."""
    if menu is None:
        write(db, "delete from chat_menus where user_ref = ?", [user_ref])
    else:
        write(db, "insert or replace into chat_menus (user_ref, menu, lang) values (?, ?, ?)",
              [user_ref, *menu])
    write(db, "delete from menu_changes where user_ref = ?", [user_ref])


def record_long_text(db: Database, user_id: str, message_id: int, sent_at: datetime) -> None:
    """The user sent a text near Telegram's length limit (part of a longer paste)."""
    write(db, "insert or replace into chat_pastes (user_id, message_id, sent_at)"
              " values (?, ?, ?)", [user_id, message_id, iso(sent_at)])


def long_text(db: Database, user_id: str) -> tuple[int, datetime] | None:
    """The message id and time of the user's last text near the length limit, if any."""
    found = rows(db, "select message_id, sent_at from chat_pastes where user_id = ?",
                 [user_id])
    return (found[0]["message_id"], datetime.fromisoformat(found[0]["sent_at"])
            ) if found else None


def record_handled_behind(db: Database, update_ids: list[int], now: datetime) -> None:
    """These updates were handled and answered while the offset was held behind them."""
    db.conn.executemany("insert or ignore into handled_behind (update_id, handled_at)"
                        " values (?, ?)", [(i, iso(now)) for i in update_ids])


def handled_behind(db: Database, since: datetime) -> set[int]:
    """The ids of the updates handled while the offset was held behind them, since
    ``since`` (Telegram keeps an update for 24 hours)."""
    return {r["update_id"] for r in rows(
        db, "select update_id from handled_behind where handled_at >= ?", [iso(since)])}


def forget_handled_behind(db: Database, before: int, older_than: datetime) -> None:
    """Telegram confirmed every update before ``before`` (it sends them no more), and
    forgot those older than ``older_than``."""
    write(db, "delete from handled_behind where update_id < ? or handled_at < ?",
          [before, iso(older_than)])
