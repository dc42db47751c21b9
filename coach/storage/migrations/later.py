"""Migrations 8-12: chat state (menus, blocks, pastes), measurement periods, suggestion
outcomes, the web view."""

from __future__ import annotations

import sqlite_utils


def _m8_chat_state(db: sqlite_utils.Database) -> None:
    """What the bot knows of each private chat beyond the conversation.

    ``chat_blocks``: the latest block and unblock of the bot (Telegram's
    ``my_chat_member``), per user. ``chat_menus``: the chats that have a command menu
    of their own at Telegram (coordinators'), in which language; ``menu_changes``: users
    whose role or language changed since (Telegram's users only: ids ``tg:...``), marked
    by the triggers below in the same transaction as the change, so that the adapter
    brings the menu up to date even after a crash. The latter two name the user
    ``user_ref``, not ``user_id``: forgetting a person deletes every row with a
    ``user_id`` (storage/privacy.py), and these rows must live until the menu at
    Telegram is deleted too (right after the update that forgot them; then they go).
    """
    db["chat_blocks"].create(
        {"user_id": str, "blocked_at": str, "unblocked_at": str}, pk="user_id",
        if_not_exists=True,
    )
    db["chat_menus"].create({"user_ref": str, "lang": str}, pk="user_ref", if_not_exists=True)
    db["menu_changes"].create({"user_ref": str}, pk="user_ref", if_not_exists=True)
    mark = "insert or ignore into menu_changes (user_ref) values"
    coordinator = "(old.role = 'coordinator' or new.role = 'coordinator')"
    telegram = "like 'tg:%'"  # only Telegram's users have a menu there
    db.execute(f"""create trigger if not exists menu_role_insert after insert on users
        when new.id {telegram} and new.role = 'coordinator'
        begin {mark} (new.id); end""")
    db.execute(f"""create trigger if not exists menu_role_update
        after update of role, lang on users
        when new.id {telegram} and ((old.role is not new.role and {coordinator})
          or (new.role = 'coordinator' and old.lang is not new.lang))
        begin {mark} (new.id); end""")
    db.execute(f"""create trigger if not exists menu_role_delete after delete on users
        when old.id {telegram} and old.role = 'coordinator'
        begin {mark} (old.id); end""")
    # the coordinators of an older database get their menu at the next start
    db.execute("insert or ignore into menu_changes (user_ref)"
               f" select id from users where id {telegram} and role = 'coordinator'")


def _m9_measurement_periods(db: sqlite_utils.Database) -> None:
    """measurements.period: the period a value is for ("2026-W48" for a weekly KPI,
    "2026-11" for a monthly one, "2026-Q4" at a quarterly rhythm); one current value per
    library, KPI and period. Earlier values were all weekly: their period is their week."""
    db["measurements"].add_column("period", str)
    db.execute("update measurements set period = iso_week")
    db["measurements"].create_index(["library_id", "kpi", "period"])


def _m10_suggestion_outcomes(db: sqlite_utils.Database) -> None:
    """suggestions.outcome: how a member answered "did you do it?" ("done", "partly",
    "no_time", "did_not_work"), so the next step can be smaller or of another kind and
    a step is not offered again within four weeks. Earlier answers were yes or no."""
    db["suggestions"].add_column("outcome", str)
    db.execute("update suggestions set outcome = case done when 1 then 'done'"
               " when 0 then 'no_time' end where done is not null")
    db["suggestions"].create_index(["user_id", "step_id"])
    # the KPIs of an older strategy whose period, deadline or baseline a check-in asked
    # for (once: a KPI is in here from the moment the question was shown)
    db["kpi_asks"].create({"library_id": int, "kpi": str, "user_id": str, "asked_at": str},
                          pk=("library_id", "kpi"))


def _m11_web(db: sqlite_utils.Database) -> None:
    """The web view (coach/storage/web.py): its signing key, one-time sign-in links,
    sessions and failed sign-in attempts."""
    db["web_secret"].create({"id": int, "key": str}, pk="id")
    db["web_tokens"].create({"token_hash": str, "user_id": str, "created_at": str,
                             "expires_at": str, "used_at": str}, pk="token_hash")
    db["web_sessions"].create({"id_hash": str, "user_id": str, "csrf": str,
                               "created_at": str, "expires_at": str}, pk="id_hash")
    db["web_attempts"].create({"id": int, "client": str, "at": str}, pk="id")
    db["web_attempts"].create_index(["client", "at"])


def _m12_chat_state_for_everyone(db: sqlite_utils.Database) -> None:
    """Migration 8's chat state for every Telegram user (coach/storage/chats.py says what
    each holds): ``chat_menus.menu`` (``coordinator`` for the rows so far, or ``private``)
    with triggers that mark every language change and the deletion of a user whose chat
    has a menu; ``chat_pastes``; ``handled_behind``."""
    db["chat_menus"].add_column("menu", str)
    db.execute("update chat_menus set menu = 'coordinator'")
    mark = "insert or ignore into menu_changes (user_ref) values"
    for trigger in ("menu_role_update", "menu_role_delete"):
        db.execute(f"drop trigger if exists {trigger}")
    db.execute(f"""create trigger menu_role_update after update of role, lang on users
        when new.id like 'tg:%' and (old.lang is not new.lang or (old.role is not new.role
          and (old.role = 'coordinator' or new.role = 'coordinator')))
        begin {mark} (new.id); end""")
    db.execute(f"""create trigger menu_role_delete after delete on users
        when old.id like 'tg:%' and (old.role = 'coordinator'
          or exists (select 1 from chat_menus where user_ref = old.id))
        begin {mark} (old.id); end""")
    db["chat_pastes"].create({"user_id": str, "message_id": int, "sent_at": str},
                             pk="user_id")
    db["handled_behind"].create({"update_id": int, "handled_at": str}, pk="update_id")
