"""Deleting personal data: forgetting a person and deleting a library with its data.

Which columns hold people is declared once in ``PERSONAL``; any other table with a
``user_id`` column is cleaned by that column too, so a new table cannot be forgotten.
What happens to a person's answers (anonymised or removed) is the caller's choice,
per library: see coach/features/privacy/feature.py.
"""

from __future__ import annotations

import secrets
from collections.abc import Collection

from sqlite_utils import Database

from coach.storage.users import reset_to_onboarding

# (table, person id column, person name column or None, what to do with the rows)
#   "content": the library's work; anonymised or removed as the coordinator chose
#   "mention": only the person's id is recorded; it is anonymised, the row stays
#   "personal": about the person; deleted
PERSONAL: list[tuple[str, str, str | None, str]] = [
    ("answers", "author_id", "author_name", "content"),
    ("measurements", "author_id", "author_name", "content"),
    ("library_answers", "author_id", "author_name", "content"),
    ("library_answers", "decided_by", "decided_by_name", "mention"),
    ("assignments", "created_by", None, "mention"),
    ("assignments", "user_id", None, "personal"),
    ("invites", "created_by", None, "mention"),
    ("libraries", "created_by", None, "mention"),
    ("library_schedules", "updated_by", None, "mention"),
    ("join_attempts", "user_id", None, "personal"),
]


def _columns(db: Database, table: str) -> set[str]:
    return set(db[table].columns_dict) if db[table].exists() else set()


def libraries_with_work(db: Database, user_id: str) -> set[int]:
    """The ids of the libraries that hold this person's work ("content" rows), also of
    a library they left or that no longer exists."""
    return {r[0] for table, id_col, _name, kind in PERSONAL if kind == "content"
            and {id_col, "library_id"} <= _columns(db, table)
            for r in db.execute(f"select distinct library_id from [{table}]"
                                f" where [{id_col}] = ?", [user_id])}


def forget_user(db: Database, user_id: str, former: str, remove_in: Collection[int]) -> None:
    """Delete everything about ``user_id``. Their work is removed in the libraries
    ``remove_in`` and anonymised elsewhere (a random id, the name ``former``)."""
    alias = f"anon:{secrets.token_hex(6)}"
    removed = list(remove_in)
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


def delete_library(db: Database, library_id: int) -> None:
    """Remove a library and all its data; its members are left without a library."""
    for table in db.table_names():
        if table not in ("libraries", "users") and "library_id" in _columns(db, table):
            db.execute(f"delete from [{table}] where library_id = ?", [library_id])
    reset_to_onboarding(db, library_id=library_id)
    db.execute("delete from libraries where id = ?", [library_id])
