"""A consistent copy of the live database, with SQLite's online backup API.

Safe while the bot runs: the copy is a snapshot of committed transactions (WAL mode
lets the bot keep writing meanwhile). Restore by stopping the bot and copying the
backup file over ``COACH_DB`` (and removing any ``-wal``/``-shm`` files beside it).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path


def backup(db_path: str, target: str) -> int:
    """Copy ``db_path`` to ``target`` (overwritten); returns the copy's size in bytes."""
    source_file = Path(db_path)
    if not source_file.exists():
        raise FileNotFoundError(db_path)
    target_file = Path(target)
    if target_file.resolve() == source_file.resolve():
        raise ValueError("the backup must not overwrite the database itself")
    partial = target_file.with_name(target_file.name + ".partial")
    source = sqlite3.connect(f"file:{source_file}?mode=ro", uri=True)
    try:
        copy = sqlite3.connect(partial)
        try:
            source.backup(copy)
            copy.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
        finally:
            copy.close()
    finally:
        source.close()
    partial.replace(target_file)  # atomic: a half-written backup never has the real name
    return target_file.stat().st_size
