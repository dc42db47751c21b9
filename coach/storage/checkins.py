"""The ``checkins`` and ``suggestions`` tables: the once-a-week ledger and the next steps.

``checkins`` has a UNIQUE (user_id, iso_week) row: :func:`claim` inserts it, so a
member's check-in of a week is claimed once (see coach/features/checkins/conversation.py).
A suggestion is a next small step suggested to a member in a week; ``done`` is NULL
until they said whether they did it, ``outcome`` says how ("done", "partly",
"no_time", "did_not_work").
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlite_utils import Database

from coach.storage.sql import iso


def claim(db: Database, user: dict[str, Any], week: str, now: datetime, source: str) -> bool:
    """Insert the (user, week) row; False when it was there already."""
    cursor = db.execute(
        "insert or ignore into checkins (user_id, library_id, iso_week, source, claimed_at)"
        " values (?, ?, ?, ?, ?)",
        [user["id"], user["library_id"], week, source, iso(now)],
    )
    return cursor.rowcount == 1


def finish(db: Database, user_id: str, week: str, now: datetime) -> None:
    """The user's check-in of ``week`` is over."""
    db.execute(
        "update checkins set finished_at = ? where user_id = ? and iso_week = ?",
        [iso(now), user_id, week])


# -- suggestions ---------------------------------------------------------------------------


def open_suggestion(
    db: Database, suggestion_id: int, user_id: str, library_id: int
) -> dict[str, Any] | None:
    """The suggestion, if it is this user's in this library and not answered yet."""
    rows = list(db.query(
        "select * from suggestions where id = ? and user_id = ? and library_id = ?"
        " and done is null", [suggestion_id, user_id, library_id]))
    return rows[0] if rows else None


def latest_suggestion(db: Database, user_id: str, library_id: int) -> dict[str, Any] | None:
    """The user's most recent suggestion in this library, answered or not."""
    rows = list(db.query(
        "select * from suggestions where user_id = ? and library_id = ?"
        " order by id desc limit 1",
        [user_id, library_id]))
    return rows[0] if rows else None


def open_strategy_suggestions(
    db: Database, user_id: str, library_id: int
) -> list[dict[str, Any]]:
    """(id, step_id) of the user's unanswered suggestions of a strategy question."""
    return list(db.query(
        "select id, step_id from suggestions where user_id = ? and library_id = ?"
        " and kind = 'strategy' and done is null", [user_id, library_id]))


def answer_suggestion(
    db: Database, suggestion_id: int, user_id: str, library_id: int, done: bool,
    now: datetime, outcome: str | None = None,
) -> None:
    """Whether the user did the suggested step (only their own, in this library), and
    how (``outcome``; "done" or "no_time" when only yes or no is known)."""
    db.execute(
        "update suggestions set done = ?, answered_at = ?, outcome = ? where id = ?"
        " and user_id = ? and library_id = ?",
        [int(done), iso(now), outcome or ("done" if done else "no_time"), suggestion_id,
         user_id, library_id])


def remember_suggestion(
    db: Database, *, library_id: int, user_id: str, step_id: str, kind: str, week: str,
    now: datetime,
) -> None:
    """The step suggested to the user for ``week``; replaces that week's open one."""
    existing = list(db.query(
        "select id from suggestions where user_id = ? and iso_week = ? and done is null",
        [user_id, week]))
    row = {"library_id": library_id, "user_id": user_id, "step_id": step_id,
           "kind": kind, "iso_week": week, "created_at": iso(now), "done": None}
    if existing:
        db["suggestions"].update(existing[0]["id"], row)
    else:
        db["suggestions"].insert(row)


def done_steps(db: Database, library_id: int) -> set[str]:
    """Suggested steps anyone in the library said were done: never suggested again."""
    return {r[0] for r in db.execute(
        "select distinct step_id from suggestions where library_id = ? and done = 1",
        [library_id])}


def recent_suggestions(
    db: Database, user_id: str, library_id: int, limit: int = 8
) -> list[dict[str, Any]]:
    """The user's latest suggestions in this library, newest first (the four-week
    memory and the last answer to "did you do it?")."""
    return list(db.query(
        "select * from suggestions where user_id = ? and library_id = ?"
        " order by id desc limit ?", [user_id, library_id, limit]))


def library_suggestions_since(db: Database, library_id: int, since: str) -> list[dict[str, Any]]:
    """The library's suggestions answered at or after ``since`` (ISO): the team summary."""
    return list(db.query(
        "select step_id, kind, outcome, user_id from suggestions where library_id = ?"
        " and answered_at >= ?", [library_id, since]))


def recent_checkins(db: Database, user_id: str, limit: int = 6) -> list[dict[str, Any]]:
    """The user's latest claimed check-ins, newest first (is this the month's first?)."""
    return list(db.query(
        "select iso_week, claimed_at from checkins where user_id = ? order by id desc limit ?",
        [user_id, limit]))


def asked_kpis(db: Database, library_id: int) -> set[str]:
    """The library's KPIs whose missing period, deadline or baseline were asked for."""
    return {r[0] for r in db.execute("select kpi from kpi_asks where library_id = ?",
                                     [library_id])}


def mark_kpi_asked(db: Database, library_id: int, kpi: str, user_id: str, now: datetime) -> None:
    db.execute("insert or ignore into kpi_asks (library_id, kpi, user_id, asked_at)"
               " values (?, ?, ?, ?)", [library_id, kpi, user_id, iso(now)])
