"""Migrations 8 and 12 (chat state: blocks, menus, long pastes, held updates) open older
databases, and their triggers mark every change of a coordinator's role and of anyone's
language, whichever code makes it."""

from __future__ import annotations

from datetime import timedelta

import sqlite_utils

from coach.storage import chats, users
from coach.storage.db import transaction
from coach.storage.migrations import MIGRATIONS, _m8_chat_state, schema_version
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
    state = chats.menu_state(coach.db, "tg:1")
    assert (state["role"], state["lang"], state["menu"]) == ("coordinator", "nl", None)
    assert Chat(coach, "tg:1", "Anna").user()["role"] == "coordinator"  # carries on


def test_a_database_of_schema_11_keeps_its_coordinator_menus_and_marks_members_too(
        tmp_path, clock):
    path = str(tmp_path / "coach.db")
    coach = open_coach(path, clock=clock)
    anna = Chat(coach, "tg:1", "Anna")
    anna.create_library()
    Chat(coach, "tg:2", "Bram").cmd("start", anna.invite_code())
    # as schema 11 was: chat_menus without its menu column, migration 8's triggers
    drop_later_tables(coach.db)
    for trigger in ("menu_role_update", "menu_role_delete"):
        coach.db.execute(f"drop trigger {trigger}")
    _m8_chat_state(coach.db)
    with transaction(coach.db):
        coach.db.execute("delete from menu_changes")
        coach.db.execute("insert into chat_menus (user_ref, lang) values ('tg:1', 'nl')")
        coach.db.execute("PRAGMA user_version = 11")
    coach.db.close()

    coach = open_coach(path, clock=clock)
    assert schema_version(coach.db) == len(MIGRATIONS)
    assert chats.menu_state(coach.db, "tg:1") == {
        "known": 1, "role": "coordinator", "lang": "nl", "menu": "coordinator",
        "menu_lang": "nl"}
    assert chats.menu_changes(coach.db) == []  # nothing to do at the start
    bram = Chat(coach, "tg:2", "Bram")
    bram.cmd("taal")
    bram.press_data("g:en")  # a member's language: marked now
    assert chats.menu_changes(coach.db) == ["tg:2"]
    assert {"chat_pastes", "handled_behind"} <= set(coach.db.table_names())


def test_the_triggers_mark_role_changes_of_coordinators_and_every_language_change(
        coach, clock):
    db = coach.db
    anna = Chat(coach, "tg:1", "Anna")
    anna.create_library()
    assert chats.menu_changes(db) == ["tg:1"]
    with transaction(db):
        chats.menu_synced(db, "tg:1", ("coordinator", "nl"))
    assert chats.menu_changes(db) == []
    assert chats.menu_state(db, "tg:1")["menu_lang"] == "nl"

    bram = Chat(coach, "tg:2", "Bram")
    bram.cmd("start")
    Chat(coach, "test:3", "Cas").cmd("start")
    assert chats.menu_changes(db) == []  # new users who are not coordinators
    with transaction(db):
        users.update_user(db, "tg:2", clock(), lang="en")
        users.update_user(db, "test:3", clock(), lang="en")  # not Telegram's: no menu
    assert chats.menu_changes(db) == ["tg:2"]
    with transaction(db):
        chats.menu_synced(db, "tg:2", ("private", "en"))
        users.update_user(db, "tg:2", clock(), name="Bram B.")  # neither role nor language
    assert chats.menu_changes(db) == []
    anna.cmd("taal")
    anna.press_data("g:en")
    assert chats.menu_changes(db) == ["tg:1"]
    assert chats.menu_state(db, "tg:1")["lang"] == "en"
    with transaction(db):
        chats.menu_synced(db, "tg:1", ("coordinator", "en"))
    anna.cmd("vergeet")
    anna.press_data("p:forget")  # the only member: the library goes with her
    assert chats.menu_changes(db) == ["tg:1"]  # her menu must go too
    state = chats.menu_state(db, "tg:1")
    assert not state["known"] and state["menu_lang"] == "en"  # kept until it is gone
    with transaction(db):
        chats.menu_synced(db, "tg:1", None)
    bram.cmd("vergeet")
    bram.press_data("p:forget")  # a member with a menu of his own: marked too
    assert chats.menu_changes(db) == ["tg:2"]


def test_a_long_text_is_kept_per_user_and_forgotten_with_them(coach, clock):
    db = coach.db
    anna = Chat(coach, "tg:1", "Anna")
    anna.cmd("start")
    assert chats.long_text(db, "tg:1") is None
    with transaction(db):
        chats.record_long_text(db, "tg:1", 7, clock())
        chats.record_long_text(db, "tg:1", 9, clock())  # the newest counts
    assert chats.long_text(db, "tg:1") == (9, clock())
    anna.cmd("vergeet")
    anna.press_data("p:forget")
    assert chats.long_text(db, "tg:1") is None


def test_updates_handled_behind_a_held_one_are_kept_until_confirmed(coach, clock):
    db = coach.db
    with transaction(db):
        chats.record_handled_behind(db, [19], clock() - timedelta(days=2))
        chats.record_handled_behind(db, [11, 12, 14], clock())
        chats.record_handled_behind(db, [12], clock())
    day_ago = clock() - timedelta(days=1)
    assert chats.handled_behind(db, since=day_ago) == {11, 12, 14}
    assert chats.handled_behind(db, since=day_ago - timedelta(days=2)) == {11, 12, 14, 19}
    with transaction(db):
        chats.forget_handled_behind(db, before=13, older_than=day_ago)
    assert chats.handled_behind(db, since=day_ago - timedelta(days=2)) == {14}


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
