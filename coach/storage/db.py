"""The SQLite connection: opening the database (WAL mode, migrated) and transactions.

SQLite is the only source of truth. Every change the coach makes while handling one
event happens inside one :func:`transaction` and is committed before the reply goes
out. The schema and its migrations are in ``coach/storage/migrations.py``.
"""

from __future__ import annotations

from contextlib import AbstractContextManager

import sqlite_utils

from coach.storage.migrations import migrate


def open_db(path: str) -> sqlite_utils.Database:
    """Open (or create) the database at ``path`` (":memory:" for tests), migrated."""
    if path == ":memory:":
        db = sqlite_utils.Database(memory=True)
    else:
        db = sqlite_utils.Database(path)
        db.enable_wal()
        # In WAL mode, NORMAL keeps every committed transaction across a process
        # crash (kill -9): the WAL is written before COMMIT returns. Only a power
        # loss could undo the last commits; FULL would fsync on every commit.
        db.execute("PRAGMA synchronous = NORMAL")
    db.execute("PRAGMA busy_timeout = 5000")
    db.execute("PRAGMA foreign_keys = ON")
    migrate(db)
    return db


def transaction(db: sqlite_utils.Database) -> AbstractContextManager[sqlite_utils.Database]:
    """``with transaction(db):`` commits everything inside at the end, or nothing when it
    raises; inside another transaction it is a savepoint of that one."""
    return db.atomic()
