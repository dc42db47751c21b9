"""Databases of earlier schemas open and carry on where their users were."""

from __future__ import annotations

import json

from coach.storage.migrations import MIGRATIONS, schema_version
from coach.wiring import open_coach
from tests.support.chat import Chat
from tests.support.walk import walk, with_kpis


def as_schema_4(pending: dict) -> dict:
    """users.pending as schema 4 wrote it: the strategy's keys loose at the top, the
    check-in setting as "set", the same inside a detour's way back."""
    old = {k: v for k, v in pending.items() if k not in ("strategy", "checkin_set", "return")}
    old.update(pending.get("strategy") or {})
    if "checkin_set" in pending:
        old["set"] = pending["checkin_set"]["what"]
    if "return" in pending:
        back = pending["return"]
        old["return"] = {**back, "pending": as_schema_4(back.get("pending") or {})}
    return old


def undo_checkin_migrations(db) -> None:
    """Take back what migrations 9 and 10 added (measurement periods, suggestion
    outcomes, the asked-once KPIs), as a database of schema 8 was."""
    db.execute("drop index if exists idx_measurements_library_id_kpi_period")
    db.execute("alter table measurements drop column period")
    db.execute("drop index if exists idx_suggestions_user_id_step_id")
    db.execute("alter table suggestions drop column outcome")
    db.execute("drop table kpi_asks")


WEB_TABLES = ("web_secret", "web_tokens", "web_sessions", "web_attempts")  # migration 11


def drop_later_tables(db) -> None:
    """Undo what the migrations after 10 created: the web view's tables (11), and the
    chat state of migration 12 (its triggers are made again when it runs again)."""
    for table in (*WEB_TABLES, "chat_pastes", "handled_behind"):
        db.execute(f"drop table if exists {table}")
    if "menu" in db["chat_menus"].columns_dict:
        db.execute("alter table chat_menus drop column menu")


def undo_to_schema_4(db) -> None:
    """Take back what migrations 5 to 11 added to the schema (the pending states are
    the caller's), as a database of schema 4 was."""
    undo_checkin_migrations(db)
    db.execute("alter table answers drop column feedback")  # added by migration 6
    for column in ("agrees_with", "reviewed_at"):  # added by migration 7, with the tables
        db.execute(f"alter table answers drop column {column}")
    for table in ("library_answers", "items", "assignments"):
        db.execute(f"drop table {table}")
    for trigger in ("menu_role_insert", "menu_role_update", "menu_role_delete"):  # m8
        db.execute(f"drop trigger {trigger}")
    for table in ("chat_blocks", "chat_menus", "menu_changes"):
        db.execute(f"drop table {table}")
    drop_later_tables(db)
    db.execute("PRAGMA user_version = 4")


def reopen_as_schema_4(coach, path, clock):
    """Close the database with every user's pending state written as schema 4 did."""
    for user_id, raw in coach.db.execute("select id, pending from users").fetchall():
        coach.db.execute("update users set pending = ? where id = ?",
                         [json.dumps(as_schema_4(json.loads(raw))), user_id])
    undo_to_schema_4(coach.db)
    coach.db.close()
    fresh = open_coach(path, clock=clock)
    assert schema_version(fresh.db) == len(MIGRATIONS)
    return fresh


def test_a_multiple_choice_selection_made_before_the_upgrade_is_kept(tmp_path, clock):
    path = str(tmp_path / "coach.db")
    coach = open_coach(path, clock=clock)
    anna = Chat(coach, "test:anna", "Anna")
    anna.create_library()
    walk(anna, until="audience.groups")
    option = next(d for d in anna.buttons() if d.startswith("o:"))
    anna.press_data(option)
    selected = {"strategy": {"selection": [option.split(":")[-1]]}}
    assert json.loads(anna.user()["pending"]) == selected
    coach = reopen_as_schema_4(coach, path, clock)
    anna = Chat(coach, "test:anna", "Anna")
    assert json.loads(anna.user()["pending"]) == selected
    ref = option.split(":")[1]
    anna.press_data(f"m:{ref}")
    stored = coach.db.execute(
        "select value from answers where question_id = 'audience.groups'").fetchone()[0]
    assert json.loads(stored) == [option.split(":")[-1]]


def test_a_setting_changed_inside_a_check_in_returns_to_it_after_the_upgrade(tmp_path, clock):
    path = str(tmp_path / "coach.db")
    coach = open_coach(path, clock=clock)
    anna = Chat(coach, "test:anna", "Anna")
    with_kpis(anna)
    anna.cmd("checkin")
    assert anna.user()["mode"] == "checkin"
    anna.press_data("cs:own")
    assert anna.user()["mode"] == "checkin_set"
    coach = reopen_as_schema_4(coach, path, clock)
    anna = Chat(coach, "test:anna", "Anna")
    pending = json.loads(anna.user()["pending"])
    assert pending["checkin_set"] == {"what": "own"}
    assert pending["return"]["mode"] == "checkin"
    anna.say("dinsdag 10:00")
    assert anna.user()["mode"] == "checkin"
    assert "dinsdag" in anna.texts().lower()


def test_a_broken_pending_state_opens_as_an_empty_one(tmp_path, clock):
    path = str(tmp_path / "coach.db")
    coach = open_coach(path, clock=clock)
    anna = Chat(coach, "test:anna", "Anna")
    anna.create_library()
    coach.db.execute("update users set pending = 'not json', mode = 'asking'")
    undo_to_schema_4(coach.db)
    coach.db.close()
    coach = open_coach(path, clock=clock)
    anna = Chat(coach, "test:anna", "Anna")
    assert anna.user()["pending"] == "{}"
    anna.cmd("verder")
    assert anna.user()["mode"] == "asking"


def test_a_schema_10_database_gets_the_web_tables_and_keeps_its_members(tmp_path, clock):
    path = str(tmp_path / "coach.db")
    coach = open_coach(path, clock=clock)
    Chat(coach, "test:anna", "Anna").create_library()
    drop_later_tables(coach.db)
    coach.db.execute("PRAGMA user_version = 10")
    coach.db.close()
    fresh = open_coach(path, clock=clock)
    assert schema_version(fresh.db) == len(MIGRATIONS)
    assert set(WEB_TABLES) <= set(fresh.db.table_names())
    assert Chat(fresh, "test:anna", "Anna").user()["role"] == "coordinator"
