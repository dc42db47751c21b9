"""Personal data: forgetting a member (/vergeet) and deleting a whole library.

What happens to a leaving member's answers is the coordinator's choice, per library
(``libraries.settings["on_forget"]``): ``anonymise`` (the default: the answers stay as
the team's work, attributed to "a former member") or ``remove`` (they are deleted,
earlier versions included). Everything else about the person is deleted.

Which columns hold people is declared once in ``PERSONAL``; any other table with a
``user_id`` column is cleaned by that column too, so a new table cannot be forgotten.
"""

from __future__ import annotations

import json
import secrets
from typing import TYPE_CHECKING, Any

import sqlite_utils

from coach.core.events import Choice, Reply
from coach.storage import libraries, users

if TYPE_CHECKING:
    from coach.core.engine import Coach, Turn

ANONYMISE, REMOVE = "anonymise", "remove"

# (table, person id column, person name column or None, what to do with the rows)
#   "content": the library's work; anonymised or removed as the coordinator chose
#   "mention": only the person's id is recorded; it is anonymised, the row stays
#   "personal": about the person; deleted
PERSONAL: list[tuple[str, str, str | None, str]] = [
    ("answers", "author_id", "author_name", "content"),
    ("measurements", "author_id", "author_name", "content"),
    ("invites", "created_by", None, "mention"),
    ("libraries", "created_by", None, "mention"),
    ("library_schedules", "updated_by", None, "mention"),
    ("join_attempts", "user_id", None, "personal"),
]


def library_setting(db: sqlite_utils.Database, library_id: int, key: str, default: Any) -> Any:
    library = libraries.get_library(db, library_id) or {}
    try:
        return json.loads(library.get("settings") or "{}").get(key, default)
    except ValueError:
        return default


def set_library_setting(db: sqlite_utils.Database, library_id: int, key: str, value: Any) -> None:
    library = libraries.get_library(db, library_id)
    settings = json.loads(library.get("settings") or "{}")
    settings[key] = value
    db["libraries"].update(library_id, {"settings": json.dumps(settings)})


def _columns(db: sqlite_utils.Database, table: str) -> set[str]:
    return set(db[table].columns_dict) if db[table].exists() else set()


def forget_policies(db: sqlite_utils.Database, user_id: str) -> dict[int, str]:
    """Library id → what happens to this person's answers there when they are forgotten:
    the coordinator's choice for each library that has their work (also a library they
    were removed from; answers of a deleted library are gone already)."""
    with_work = {r[0] for table, id_col, _name, kind in PERSONAL if kind == "content"
                 and {id_col, "library_id"} <= _columns(db, table)
                 for r in db.execute(f"select distinct library_id from [{table}]"
                                     f" where [{id_col}] = ?", [user_id])}
    return {lib: library_setting(db, lib, "on_forget", ANONYMISE) for lib in with_work
            if libraries.get_library(db, lib)}


def forget_user(db: sqlite_utils.Database, user_id: str, former: str) -> None:
    """Delete everything about ``user_id``; their answers are anonymised or removed as
    each library's coordinator chose (:func:`forget_policies`)."""
    alias = f"anon:{secrets.token_hex(6)}"
    removed = [lib for lib, policy in forget_policies(db, user_id).items() if policy == REMOVE]
    declared = set()
    for table, id_col, name_col, kind in PERSONAL:
        if id_col not in _columns(db, table):
            continue
        declared.add(table)
        if kind == "content" and removed:
            marks = ",".join("?" * len(removed))
            db.execute(f"delete from [{table}] where [{id_col}] = ? and library_id in ({marks})",
                       [user_id, *removed])
        if kind == "personal":
            db.execute(f"delete from [{table}] where [{id_col}] = ?", [user_id])
        else:
            names = f", [{name_col}] = ?" if name_col else ""
            params = [alias, former] if name_col else [alias]
            db.execute(f"update [{table}] set [{id_col}] = ?{names} where [{id_col}] = ?",
                       [*params, user_id])
    for table in db.table_names():
        if table not in declared and table != "users" and "user_id" in _columns(db, table):
            db.execute(f"delete from [{table}] where user_id = ?", [user_id])
    db.execute("delete from users where id = ?", [user_id])


def delete_library(db: sqlite_utils.Database, library_id: int) -> None:
    """Remove a library and all its data; its members are left without a library."""
    for table in db.table_names():
        if table not in ("libraries", "users") and "library_id" in _columns(db, table):
            db.execute(f"delete from [{table}] where library_id = ?", [library_id])
    db.execute(
        "update users set library_id = null, role = null, mode = 'onboarding',"
        " question_id = null, item = 0, pending = '{}' where library_id = ?",
        [library_id],
    )
    db.execute("delete from libraries where id = ?", [library_id])


# -- the conversation ---------------------------------------------------------------------


def _others(turn: Turn) -> list[dict]:
    if not turn.library_id:
        return []
    return [m for m in users.members(turn.db, turn.library_id) if m["id"] != turn.user["id"]]


def cmd_forget(turn: Turn, args: str) -> list[Reply]:
    others = _others(turn)
    if turn.user["role"] == "coordinator" and others:
        return [turn.say("privacy_texts.coordinator_first")]
    policies = set(forget_policies(turn.db, turn.user["id"]).values())
    if turn.library_id and not policies:  # nothing answered yet: the library's choice
        policies = {library_setting(turn.db, turn.library_id, "on_forget", ANONYMISE)}
    policy = policies.pop() if len(policies) == 1 else "mixed" if policies else ANONYMISE
    choices = [[turn.button("labels.forget_yes", "p:forget"),
                turn.button("labels.cancel", "p:cancel")]]
    return [turn.say("privacy_texts.forget_confirm", choices=choices, policy=policy,
                     alone=bool(turn.library_id) and not others)]


def cmd_delete_library(turn: Turn, args: str) -> list[Reply]:
    if turn.user["role"] != "coordinator":
        return [turn.say("notices.coordinator_only")]
    library = libraries.get_library(turn.db, turn.library_id)
    choices = [[turn.button("labels.delete_library_yes", f"p:dellib:{library['id']}"),
                turn.button("labels.cancel", "p:cancel")]]
    return [turn.say("privacy_texts.delete_library_confirm", choices=choices,
                     library=library["name"], members=len(_others(turn)) + 1)]


def _settings_section(turn: Turn) -> list[Reply]:
    if turn.user["role"] != "coordinator":
        return []
    policy = library_setting(turn.db, turn.library_id, "on_forget", ANONYMISE)
    choices = [[Choice(("✅ " if policy == p else "") + turn.t(f"labels.on_forget_{p}"),
                       f"p:policy:{p}")] for p in (ANONYMISE, REMOVE)]
    return [turn.say("privacy_texts.policy_setting", choices=choices, policy=policy)]


def make_press(coach: Coach):
    def press(turn: Turn, rest: str) -> list[Reply]:
        action, _, arg = rest.partition(":")
        if action == "cancel":
            return [turn.say("privacy_texts.cancelled"), *coach.where_you_are(turn)]
        if action == "forget":
            if turn.user["role"] == "coordinator" and _others(turn):
                return [turn.say("privacy_texts.coordinator_first")]
            lang, library_id = turn.lang, turn.library_id
            if library_id and not _others(turn):
                delete_library(turn.db, library_id)
            former = coach.render(lang, "privacy_texts.former_member")
            forget_user(turn.db, turn.user["id"], former)
            return [Reply(text=coach.render(lang, "privacy_texts.forgotten"))]
        if turn.user["role"] != "coordinator":
            return [turn.say("notices.coordinator_only")]
        if action == "policy" and arg in (ANONYMISE, REMOVE):
            set_library_setting(turn.db, turn.library_id, "on_forget", arg)
            return [turn.say("privacy_texts.policy_set", policy=arg)]
        if action == "dellib" and arg == str(turn.library_id):
            library = libraries.get_library(turn.db, turn.library_id)
            delete_library(turn.db, turn.library_id)
            return [turn.say("privacy_texts.library_deleted", library=library["name"])]
        return [turn.say("notices.unknown_button"), *coach.where_you_are(turn)]

    return press


def register(coach: Coach) -> None:
    coach.add_command("forget", cmd_forget, needs_library=False)
    coach.add_command("delete_library", cmd_delete_library)
    coach.add_button("p", make_press(coach), needs_library=False)
    coach.settings_sections.append(_settings_section)
