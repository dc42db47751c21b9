"""What the bot knows of a user's private chat beyond the conversation.

Blocking: Telegram tells the bot when a user blocks or unblocks it (``my_chat_member``);
:func:`record_block` and :func:`record_unblock` keep the latest of each in
``chat_blocks`` and make the user unreachable (no check-ins) or reachable again.

Menus: ``chat_menus`` holds the chats that have a command menu of their own at
Telegram (a coordinator's), ``menu_changes`` the users whose role or language changed
since (the triggers of migration 7 mark them in the same transaction as the change);
the Telegram adapter reads :func:`menu_changes` and brings each menu up to date.
"""

from __future__ import annotations

from datetime import datetime

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


def menu_target(db: Database, user_ref: str) -> str | None:
    """The language of the coordinator menu ``user_ref`` should have; None for none
    (not a coordinator, or gone)."""
    found = rows(db, "select lang from users where id = ? and role = 'coordinator'", [user_ref])
    return (found[0]["lang"] or "nl") if found else None


def menu_lang(db: Database, user_ref: str) -> str | None:
    """The language of the menu the chat has at Telegram; None for none."""
    found = rows(db, "select lang from chat_menus where user_ref = ?", [user_ref])
    return found[0]["lang"] if found else None


def menu_synced(db: Database, user_ref: str, lang: str | None) -> None:
    """The chat now has a menu in ``lang`` at Telegram (None: none); its mark is done."""
    if lang is None:
        write(db, "delete from chat_menus where user_ref = ?", [user_ref])
    else:
        write(db, "insert or replace into chat_menus (user_ref, lang) values (?, ?)",
              [user_ref, lang])
    write(db, "delete from menu_changes where user_ref = ?", [user_ref])
