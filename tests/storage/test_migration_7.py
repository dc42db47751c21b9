"""Migration 7 (one strategy per library) opens a database made by schema 6."""

from __future__ import annotations

import json

import sqlite_utils

from coach.features.checkins.kpis import library_kpis
from coach.flow.library import library_answers, library_value, open_decisions
from coach.storage import measurements
from coach.storage.migrations import MIGRATIONS, schema_version
from coach.wiring import open_coach

AT = "2026-11-02T10:00:00+00:00"


def schema_6_database(path: str) -> None:
    """A team's database as schema 6 wrote it: answers about a goal or KPI name it by
    its text, measurements name their KPI by its text."""
    db = sqlite_utils.Database(path)
    for migration in MIGRATIONS[:6]:
        migration(db)
    db.execute("PRAGMA user_version = 6")
    db["libraries"].insert({"id": 1, "name": "Bieb", "created_at": AT, "created_by": "t:anna",
                            "settings": "{}"})
    for uid, name, role in (("t:anna", "Anna", "coordinator"), ("t:bram", "Bram", "member")):
        db["users"].insert({"id": uid, "name": name, "lang": "nl", "library_id": 1,
                            "role": role, "mode": "done", "question_id": None, "item": 0,
                            "pending": "{}", "created_at": AT, "updated_at": AT})
    rows = [
        ("t:anna", "mission.statement", "", "Anna's missie"),
        ("t:bram", "mission.statement", "", "Brams missie"),  # later: still Anna's
        ("t:bram", "audience.words", "", "Brams woorden"),  # only Bram answered
        ("t:anna", "sm_goals.list", "", ["Meer jeugdleden", "Meer bereik"]),
        ("t:bram", "sm_goals.list", "", ["Meer jeugdleden"]),
        ("t:anna", "kpis.per_goal", "Meer jeugdleden", ["aantal volgers"]),
        ("t:anna", "kpis.target", "aantal volgers",
         {"value": 200, "percent": False, "unit": None}),
    ]
    for author, qid, item, value in rows:
        db["answers"].insert({"library_id": 1, "question_id": qid, "item_key": item,
                              "author_id": author, "author_name": author[2:].title(),
                              "status": "answered", "value": json.dumps(value),
                              "created_at": AT, "superseded_at": None, "feedback": None})
    for week, value in (("2026-W45", 30), ("2026-W46", 47), ("2026-W47", 61)):
        db["measurements"].insert({"library_id": 1, "kpi": "aantal volgers", "iso_week": week,
                                   "value": value, "percent": 0, "author_id": "t:anna",
                                   "author_name": "Anna", "created_at": AT,
                                   "superseded_at": None})
    db.close()


def test_a_schema_6_team_database_gets_one_library_answer_per_question(tmp_path, clock):
    path = str(tmp_path / "coach.db")
    schema_6_database(path)
    coach = open_coach(path, clock=clock)
    db = coach.db
    assert schema_version(db) == len(MIGRATIONS)
    # the coordinator's answer is the library's; else the latest answer
    assert library_value(db, 1, "mission.statement") == "Anna's missie"
    assert library_value(db, 1, "audience.words") == "Brams woorden"
    assert library_value(db, 1, "sm_goals.list") == ["Meer jeugdleden", "Meer bereik"]
    # contributions stay, and Bram's other mission is open for Anna to decide
    assert db.execute("select count(*) from answers").fetchone()[0] == 7
    assert [d["question_id"] for d in open_decisions(db, 1)] == ["mission.statement",
                                                                 "sm_goals.list"]
    # goals and KPIs got stable keys; the KPI keeps its target and its three values
    (kpi,) = library_kpis(db, 1)
    assert (kpi.name, kpi.goal, kpi.target) == ("aantal volgers", "Meer jeugdleden", 200)
    assert [r["value"] for r in measurements.values_for(db, 1, kpi.key)] == [30, 47, 61]
    (per_goal,) = library_answers(db, 1, "kpis.per_goal")
    assert per_goal["item_text"] == "Meer jeugdleden" and per_goal["item_key"].startswith("i")
