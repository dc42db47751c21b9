"""Migration 7: one strategy per library (library answers, items, assignments)."""

from __future__ import annotations

import json

import sqlite_utils

# The list questions whose entries other questions are asked about, and those
# questions, as flows/strategy.yaml had them at schema 7 (KPIs are also measured).
_ITEM_SOURCES = {"sm_goals.list": ("sm_goals.link", "kpis.per_goal"),
                 "kpis.per_goal": ("kpis.target",), "tactics.list": ("measure.per_tactic",)}


def _fold(text: str) -> str:
    return " ".join(str(text).casefold().split())


def _m7_library_answers(db: sqlite_utils.Database) -> None:
    """One strategy per library: the library's answer beside the contributions, stable
    item ids (goals, KPIs, tactics), agreements, reviews and assignments. For each
    question, the coordinator's latest answer (else the latest answer) becomes the
    library's answer; the contributions stay as they are."""
    db["answers"].add_column("agrees_with", int)  # the contribution this one agrees with
    db["answers"].add_column("reviewed_at", str)  # the coordinator decided on it
    db["library_answers"].create({
        "id": int, "library_id": int, "question_id": str, "item_key": str, "value": str,
        "items": str, "provisional": int, "source_answer_id": int, "author_id": str,
        "author_name": str, "decided_by": str, "decided_by_name": str, "how": str,
        "created_at": str, "superseded_at": str,
    }, pk="id")
    db["library_answers"].create_index(["library_id", "question_id", "item_key"])
    db["items"].create({"id": int, "library_id": int, "question_id": str, "text": str,
                        "created_at": str, "removed_at": str}, pk="id")
    db["items"].create_index(["library_id", "question_id"])
    db["assignments"].create({"library_id": int, "user_id": str, "step_id": str,
                              "created_by": str, "created_at": str},
                             pk=("library_id", "user_id", "step_id"))
    roles = dict(db.execute("select id, role from users").fetchall())
    for (library_id,) in db.execute("select id from libraries").fetchall():
        keys = _m7_items(db, library_id)
        latest: dict[tuple[str, str], tuple] = {}
        for row in db.execute(
            "select id, question_id, item_key, author_id, author_name, value, created_at"
            " from answers where library_id = ? and superseded_at is null and"
            " status = 'answered' order by id", [library_id]
        ).fetchall():
            key = (row[1], row[2])
            mine = roles.get(row[3]) == "coordinator"
            if key not in latest or mine or roles.get(latest[key][3]) != "coordinator":
                latest[key] = row
        for (question_id, item_key), row in sorted(latest.items(), key=lambda kv: kv[1][0]):
            value = json.loads(row[5]) if row[5] else None
            items = None
            if question_id in _ITEM_SOURCES and isinstance(value, list):
                items = [keys[(question_id, _fold(v))] for v in value]
            db["library_answers"].insert({
                "library_id": library_id, "question_id": question_id, "item_key": item_key,
                "value": row[5], "items": json.dumps(items) if items is not None else None,
                "provisional": 0, "source_answer_id": row[0], "author_id": row[3],
                "author_name": row[4], "decided_by": None, "decided_by_name": None,
                "how": "migrated", "created_at": row[6], "superseded_at": None,
            })


def _m7_items(db: sqlite_utils.Database, library_id: int) -> dict[tuple[str, str], str]:
    """Give every goal, KPI and tactic text of the library an item; answers about an
    entry and measurements of a KPI then refer to its key instead of its text."""
    keys: dict[tuple[str, str], str] = {}
    by_text: dict[str, dict[str, str]] = {}
    for source, dependents in _ITEM_SOURCES.items():
        found: dict[str, str] = {}
        for raw, created in db.execute(
            "select value, created_at from answers where library_id = ? and question_id = ?"
            " and status = 'answered' order by id", [library_id, source]
        ).fetchall():
            texts = json.loads(raw) if raw else []
            for text in texts if isinstance(texts, list) else []:
                found.setdefault(str(text), created)
        marks = ",".join("?" * len(dependents))
        for text, created in db.execute(
            f"select item_key, min(created_at) from answers where library_id = ? and"
            f" question_id in ({marks}) and item_key != '' group by item_key",
            [library_id, *dependents],
        ).fetchall():
            found.setdefault(text, created)
        for text, created in found.items():
            if (source, _fold(text)) not in keys:
                table = db["items"].insert({"library_id": library_id, "question_id": source,
                                            "text": text, "created_at": created,
                                            "removed_at": None})
                keys[(source, _fold(text))] = f"i{table.last_pk}"
        by_text[source] = {t: keys[(source, _fold(t))] for t in found}
        for text, key in by_text[source].items():
            db.execute(f"update answers set item_key = ? where library_id = ? and"
                       f" question_id in ({marks}) and item_key = ?",
                       [key, library_id, *dependents, text])
    for text, key in by_text["kpis.per_goal"].items():
        db.execute("update measurements set kpi = ? where library_id = ? and kpi = ?",
                   [key, library_id, text])
    return keys
