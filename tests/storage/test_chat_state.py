"""Migration 8 (chat state: blocks, menus) opens older databases, and its triggers mark
every change of a coordinator's role or language, whichever code makes it."""

from __future__ import annotations

import sqlite_utils

from coach.storage import chats, users
from coach.storage.db import transaction
from coach.storage.migrations import MIGRATIONS, schema_version
from coach.wiring import open_coach
from tests.storage.test_migrations import drop_later_tables, undo_checkin_migrations
from tests.support.chat import Chat


def database_of_schema_6(path: str) -> None:
    db = sqlite_utils.Database(path)
    for number, migration in enumerate(MIGRATIONS[:6], start=1):
        migration(db)
        db.execute(f"PRAGMA user_version = {number}")
    db.conn.commit()
    db.close()


def test_a_database_of_schema_6_opens_and_its_coordinators_get_their_menu(tmp_path, clock):
    path = str(tmp_path / "coach.db")
    database_of_schema_6(path)
    coach = open_coach(path, clock=clock)
    anna = Chat(coach, "tg:1", "Anna")
    anna.create_library()
    # an older database: the coordinator existed before migration 8 (no mark yet)
    coach.db.execute("delete from menu_changes")
    coach.db.execute("drop trigger menu_role_insert")
    coach.db.execute("drop trigger menu_role_update")
    coach.db.execute("drop trigger menu_role_delete")
    for table in ("chat_blocks", "chat_menus", "menu_changes"):
        coach.db.execute(f"drop table {table}")
    undo_checkin_migrations(coach.db)  # they come after 8: run again, in order
    drop_later_tables(coach.db)
    coach.db.execute("PRAGMA user_version = 7")
    coach.db.conn.commit()
    coach.db.close()

    coach = open_coach(path, clock=clock)
    assert schema_version(coach.db) == len(MIGRATIONS)
    assert chats.menu_changes(coach.db) == ["tg:1"]  # set at the next start
    assert chats.menu_target(coach.db, "tg:1") == "nl"
    assert Chat(coach, "tg:1", "Anna").user()["role"] == "coordinator"  # carries on


def test_the_triggers_mark_role_and_language_changes_of_coordinators(coach, clock):
    db = coach.db
    anna = Chat(coach, "tg:1", "Anna")
    anna.create_library()
    assert chats.menu_changes(db) == ["tg:1"]
    with transaction(db):
        chats.menu_synced(db, "tg:1", "nl")
    assert chats.menu_changes(db) == [] and chats.menu_lang(db, "tg:1") == "nl"

    bram = Chat(coach, "tg:2", "Bram")
    bram.cmd("start")
    with transaction(db):
        users.update_user(db, "tg:2", clock(), lang="en")  # not a coordinator: no mark
    assert chats.menu_changes(db) == []
    anna.cmd("taal")
    anna.press_data("g:en")
    assert chats.menu_changes(db) == ["tg:1"]
    assert chats.menu_target(db, "tg:1") == "en"
    with transaction(db):
        chats.menu_synced(db, "tg:1", "en")
    anna.cmd("vergeet")
    anna.press_data("p:forget")  # the only member: the library goes with her
    assert chats.menu_changes(db) == ["tg:1"]  # her menu must go too
    assert chats.menu_target(db, "tg:1") is None
    assert chats.menu_lang(db, "tg:1") == "en"  # kept until the menu at Telegram is gone


def test_block_state_is_only_kept_for_known_users_and_forgotten_with_them(coach, clock):
    db = coach.db
    with transaction(db):
        assert not chats.record_block(db, "tg:9", clock())
    assert chats.block_state(db, "tg:9") is None
    anna = Chat(coach, "tg:1", "Anna")
    anna.cmd("start")
    with transaction(db):
        assert chats.record_block(db, "tg:1", clock())
    assert users.get_user(db, "tg:1")["active"] == 0
    anna.cmd("vergeet")
    anna.press_data("p:forget")
    assert chats.block_state(db, "tg:1") is None
