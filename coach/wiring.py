"""The coach with all its features: what the adapters, ``bot.py`` and the tests run."""

from __future__ import annotations

from typing import Any

from coach.core.engine import Coach
from coach.features import FEATURES
from coach.storage.db import open_db


def make_coach(db: Any, **kwargs: Any) -> Coach:
    """A coach over an open database, with every feature of ``coach.features.FEATURES``."""
    return Coach(db, features=FEATURES, **kwargs)


def open_coach(db_path: str, durability: str | None = None, **kwargs: Any) -> Coach:
    """Open (and migrate) the database at ``db_path`` and build the coach over it.
    Raises ``coach.storage.db.StorageError`` when the database cannot be used."""
    return make_coach(open_db(db_path, durability), **kwargs)
