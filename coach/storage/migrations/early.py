"""Migrations 1-6: the first schema, measurements, check-ins, indexes, per-feature
conversation state, answer feedback."""

from __future__ import annotations

import json

import sqlite_utils


def _m1_initial(db: sqlite_utils.Database) -> None:
    db["libraries"].create(
        {"id": int, "name": str, "created_at": str, "created_by": str, "settings": str},
        pk="id",
    )
    db["users"].create(
        {
            "id": str,  # adapter-prefixed, e.g. "tg:12345"
            "name": str,
            "lang": str,
            "library_id": int,
            "role": str,  # "coordinator" | "member" | None
            "mode": str,  # where the user is in the conversation, see engine.py
            "question_id": str,
            "item": int,  # index into the items of a foreach question
            "pending": str,  # JSON: confirmation, multi-choice selection, redo marker
            "created_at": str,
            "updated_at": str,
        },
        pk="id",
    )
    db["answers"].create(
        {
            "id": int,
            "library_id": int,
            "question_id": str,
            "item_key": str,  # the item of a foreach question ("" otherwise)
            "author_id": str,
            "author_name": str,
            "status": str,  # "answered" | "skipped"
            "value": str,  # JSON
            "created_at": str,
            "superseded_at": str,  # set when a newer version replaces this one
        },
        pk="id",
    )
    db["answers"].create_index(["library_id", "question_id", "item_key"])
    db["answers"].create_index(["author_id", "question_id"])
    db["invites"].create(
        {
            "code": str,
            "library_id": int,
            "created_by": str,
            "created_at": str,
            "expires_at": str,
            "revoked_at": str,
        },
        pk="code",
    )
    db["invites"].create_index(["library_id"])
    db["join_attempts"].create({"user_id": str, "at": str, "ok": int})
    db["join_attempts"].create_index(["user_id", "at"])
    db["processed_events"].create({"event_id": str, "at": str}, pk="event_id")
    db["group_notices"].create({"chat_id": str, "at": str}, pk="chat_id")


def _m2_measurements(db: sqlite_utils.Database) -> None:
    db["measurements"].create(
        {
            "id": int,
            "library_id": int,
            "kpi": str,  # the KPI's name, as answered in step 5
            "iso_week": str,  # e.g. "2026-W48", in the library's time zone
            "value": float,
            "percent": int,
            "author_id": str,
            "author_name": str,
            "created_at": str,
            "superseded_at": str,  # a later value for the same KPI and week replaced it
        },
        pk="id",
    )
    db["measurements"].create_index(["library_id", "kpi", "iso_week"])


def _m3_checkins(db: sqlite_utils.Database) -> None:
    """Weekly check-ins (coach/features/checkins/): schedules, the once-a-week ledger, the
    suggested next steps, and whether a user can be reached at all."""
    db["users"].add_column("active", int, not_null_default=1)  # 0: blocked the bot
    db["users"].add_column("unreachable_at", str)
    db["library_schedules"].create(
        {"library_id": int, "weekday": int, "at": str, "tz": str, "since": str,
         "updated_by": str},
        pk="library_id",
    )
    db["member_schedules"].create(
        {
            "user_id": str,
            "weekday": int,  # own day and time; NULL: the library's schedule
            "at": str,  # "HH:MM", local time in the library's time zone
            "since": str,  # when the own day/time was chosen (no check-in fires at once)
            "paused_until": str,  # local date (ISO): no check-ins before this day
            "stopped": int,  # 1: no check-ins until switched on again
            "updated_at": str,
        },
        pk="user_id",
        not_null={"stopped"},
        defaults={"stopped": 0},
    )
    db["checkins"].create(
        {
            "id": int,
            "user_id": str,
            "library_id": int,
            "iso_week": str,  # the local ISO week the check-in is for
            "source": str,  # "schedule" | "command"
            "claimed_at": str,  # committed right before the first message is sent
            "finished_at": str,
        },
        pk="id",
    )
    db["checkins"].create_index(["user_id", "iso_week"], unique=True)
    db["suggestions"].create(
        {
            "id": int,
            "library_id": int,
            "user_id": str,
            "step_id": str,  # an id from flows/next_steps.yaml, or a strategy question id
            "kind": str,  # "strategy" | "action" | "fallback"
            "iso_week": str,
            "created_at": str,
            "done": int,  # NULL: not asked yet; 1 done; 0 not done
            "answered_at": str,
        },
        pk="id",
    )
    db["suggestions"].create_index(["library_id", "step_id"])
    db["suggestions"].create_index(["user_id", "id"])


def _m4_indexes(db: sqlite_utils.Database) -> None:
    """Indexes the benchmarks asked for: team look-ups and the check-in scan."""
    db["users"].create_index(["library_id"])
    db["checkins"].create_index(["iso_week"])


_STRATEGY_KEYS = ("confirm", "selection", "edit", "redo")


def _namespaced(pending: dict) -> dict:
    """A users.pending of schema 4 in the form of schema 5: each feature's state under
    its own key (the strategy's four loose keys under "strategy", the check-in
    settings' "set" under "checkin_set"), also inside a detour's way back."""
    out = {k: v for k, v in pending.items() if k not in (*_STRATEGY_KEYS, "set", "return")}
    if strategy := {k: pending[k] for k in _STRATEGY_KEYS if k in pending}:
        out["strategy"] = strategy
    if pending.get("set"):
        out["checkin_set"] = {"what": pending["set"]}
    back = pending.get("return")
    if isinstance(back, dict):
        out["return"] = {**back, "pending": _namespaced(back.get("pending") or {})}
    return out


def _m5_pending_per_feature(db: sqlite_utils.Database) -> None:
    """users.pending keeps each feature's conversation state under the feature's key."""
    for user_id, raw in db.execute(
        "select id, pending from users where pending not in ('', '{}')"
    ).fetchall():
        try:
            pending = json.loads(raw)
        except ValueError:
            pending = {}
        fresh = _namespaced(pending) if isinstance(pending, dict) else {}
        db.execute("update users set pending = ? where id = ?", [json.dumps(fresh), user_id])


def _m6_answer_feedback(db: sqlite_utils.Database) -> None:
    """answers.feedback: the weakness (a check's kind) the coach pointed out and the
    author kept anyway, so the export and the check-ins can come back to it."""
    db["answers"].add_column("feedback", str)
