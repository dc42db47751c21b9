"""The SQLite connection: opening the database (WAL mode, migrated) and transactions.

SQLite is the only source of truth. Every change the coach makes while handling one
event happens inside one :func:`transaction` and is committed before the reply goes
out. The schema and its migrations are in ``coach/storage/migrations/``.

When SQLite cannot store or read (a full disk, a read-only or locked database, a
corrupt file, a file it cannot open), :func:`transaction` and :func:`open_db` raise
:class:`StorageError` with a ``kind`` that the adapters turn into one clear sentence;
the transaction was rolled back, so nothing of the event is half-written. Every other
SQLite error is a bug and propagates as it is.

Durability (``COACH_DURABILITY``): in WAL mode, ``normal`` (``PRAGMA synchronous =
NORMAL``) writes every commit to the WAL before COMMIT returns, so it survives a crash
of the process, but the last commits before an operating-system crash or a power cut
can be lost (the database stays consistent). ``full`` also waits for the WAL to reach
the disk (fsync) on every commit, so a committed answer survives those too.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

import sqlite_utils

from coach.storage.migrations import migrate

BUSY_TIMEOUT_MS = 5000  # how long a write waits for another connection's lock
DURABILITY = {"normal": "NORMAL", "full": "FULL"}  # COACH_DURABILITY -> PRAGMA synchronous
DEFAULT_DURABILITY = "full"

# SQLite's primary result codes (https://sqlite.org/rescode.html) -> StorageError.kind
_KINDS = {
    13: "full",  # SQLITE_FULL: the disk (or the database's page limit) is full
    8: "readonly",  # SQLITE_READONLY
    5: "locked", 6: "locked",  # SQLITE_BUSY, SQLITE_LOCKED: held longer than the timeout
    11: "corrupt", 26: "corrupt",  # SQLITE_CORRUPT, SQLITE_NOTADB
    14: "unavailable", 10: "unavailable", 3: "unavailable",  # CANTOPEN, IOERR, PERM
}
KINDS = ("full", "readonly", "locked", "corrupt", "unavailable")


class StorageError(Exception):
    """SQLite could not store or read; ``kind`` is one of :data:`KINDS`."""

    def __init__(self, kind: str, detail: str = "", path: str | None = None):
        super().__init__(f"{kind}: {detail}" if detail else kind)
        self.kind, self.detail, self.path = kind, detail, path


def fault_kind(exc: BaseException) -> str | None:
    """The :data:`KINDS` entry for an SQLite error that is a fault of the storage, not
    of the code (None for a bug such as a constraint or a syntax error)."""
    if isinstance(exc, StorageError):
        return exc.kind
    if not isinstance(exc, sqlite3.Error):
        return None
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return _KINDS.get(code & 0xFF)
    return "corrupt" if "not a database" in str(exc) else None


@contextmanager
def storage_faults(path: str | None = None) -> Iterator[None]:
    """Turn an SQLite storage fault raised inside into :class:`StorageError`."""
    try:
        yield
    except sqlite3.Error as exc:
        kind = fault_kind(exc)
        if kind is None:
            raise
        raise StorageError(kind, str(exc), path) from exc


def open_db(path: str, durability: str | None = None, *,
            writable: bool = True) -> sqlite_utils.Database:
    """Open (or create) the database at ``path`` (":memory:" for tests), migrated, and
    check that it can be written (``writable=False``: not, for reading only, such as an
    export from a copy on read-only storage). ``durability`` is a key of
    :data:`DURABILITY` (None: :data:`DEFAULT_DURABILITY`). Raises :class:`StorageError`
    when it cannot be opened, read, migrated or written (full disk, read-only, locked,
    corrupt)."""
    with storage_faults(path):
        if path == ":memory:":
            db = sqlite_utils.Database(memory=True)
        else:
            db = sqlite_utils.Database(path)
            db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            db.enable_wal()
            synchronous = DURABILITY[durability or DEFAULT_DURABILITY]
            db.execute(f"PRAGMA synchronous = {synchronous}")
        db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        db.execute("PRAGMA foreign_keys = ON")
        migrate(db)
        if writable:
            # a database that opens but cannot take a write (a read-only file, another
            # process holding the lock) is found now, not at the first user's answer
            db.execute("BEGIN IMMEDIATE")
            db.execute("ROLLBACK")
    return db


@contextmanager
def transaction(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    """``with transaction(db):`` commits everything inside at the end, or nothing when it
    raises; inside another transaction it is a savepoint of that one. A storage fault
    (full disk, read-only, locked, corrupt) raises :class:`StorageError`, after the
    rollback."""
    with storage_faults(), db.atomic():
        yield db
