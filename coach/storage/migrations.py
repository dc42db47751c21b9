"""The schema: versioned migrations, each run once, in order, in its own transaction.

The schema version lives in ``PRAGMA user_version``. Never change a migration that
has shipped: existing databases ran it already; add a new one at the end instead.
"""

from __future__ import annotations

import json
from collections.abc import Callable

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


MIGRATIONS: list[Callable[[sqlite_utils.Database], None]] = [
    _m1_initial, _m2_measurements, _m3_checkins,
    _m4_indexes, _m5_pending_per_feature, _m6_answer_feedback, _m7_library_answers,
    _m8_chat_state, _m9_measurement_periods, _m10_suggestion_outcomes, _m11_web,
    _m12_chat_state_for_everyone,
]


def schema_version(db: sqlite_utils.Database) -> int:
    return db.execute("PRAGMA user_version").fetchone()[0]


def migrate(db: sqlite_utils.Database) -> int:
    """Bring the schema up to date; returns the new version."""
    version = schema_version(db)
    for number, migration in enumerate(MIGRATIONS, start=1):
        if number <= version:
            continue
        with db.atomic():
            migration(db)
            db.execute(f"PRAGMA user_version = {number}")
    return schema_version(db)
