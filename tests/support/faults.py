"""Real SQLite faults for tests, on the coach's own connection.

- :func:`disk_full_for`: the database may grow by only a few pages (``PRAGMA
  max_page_count``), and a TEMP trigger makes every change of one user's row write a
  megabyte, so SQLite itself fails that user's transaction with SQLITE_FULL ("database
  or disk is full") while the others' small writes still fit. ``everyone=True`` fills
  it for all users.
- :func:`read_only`: ``PRAGMA query_only``: every write fails with SQLITE_READONLY.
- :func:`locked`: another connection holds the write lock (SQLITE_BUSY after the busy
  timeout, shortened here).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

NO_LIMIT = 1073741823  # SQLite's default max_page_count


@contextmanager
def disk_full_for(db, user_id: str | None = None, *, spare_pages: int = 60) -> Iterator[None]:
    db.execute("create table if not exists fault_filler (b blob)")
    db.execute("delete from fault_filler")
    pages = db.execute("pragma page_count").fetchone()[0]
    db.execute(f"pragma max_page_count = {pages + spare_pages}")
    when = f"when new.id = '{user_id}'" if user_id else ""
    db.execute(f"create temp trigger fault_fill after update on main.users {when} begin "
               "insert into fault_filler values (randomblob(1000000)); end")
    try:
        yield
    finally:
        db.execute("drop trigger if exists temp.fault_fill")
        db.execute(f"pragma max_page_count = {NO_LIMIT}")


@contextmanager
def read_only(db) -> Iterator[None]:
    db.execute("pragma query_only = 1")
    try:
        yield
    finally:
        db.execute("pragma query_only = 0")


@contextmanager
def locked(db, path: str) -> Iterator[None]:
    """Another connection holds the write lock; ``db`` waits only 50 ms for it."""
    db.execute("pragma busy_timeout = 50")
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("begin exclusive")
    try:
        yield
    finally:
        other.execute("rollback")
        other.close()
        db.execute("pragma busy_timeout = 5000")


def answers_of(path: str, author_id: str) -> list[tuple[str, str]]:
    """The current answers of one author, straight from the file: (question, value)."""
    con = sqlite3.connect(path)
    try:
        return con.execute(
            "select question_id, value from answers where author_id = ? and "
            "superseded_at is null order by id", [author_id]).fetchall()
    finally:
        con.close()
