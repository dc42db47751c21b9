"""The schema: versioned migrations, each run once, in order, in its own transaction.

The schema version lives in ``PRAGMA user_version``. Never change a migration that
has shipped: existing databases ran it already; add a new one at the end instead
(in ``later.py``, or a module of its own when that grows past a few hundred lines),
and list it in :data:`MIGRATIONS`.
"""

from __future__ import annotations

from collections.abc import Callable

import sqlite_utils

from coach.storage.migrations.early import (
    _m1_initial,
    _m2_measurements,
    _m3_checkins,
    _m4_indexes,
    _m5_pending_per_feature,
    _m6_answer_feedback,
)
from coach.storage.migrations.later import (
    _m8_chat_state,
    _m9_measurement_periods,
    _m10_suggestion_outcomes,
    _m11_web,
    _m12_chat_state_for_everyone,
)
from coach.storage.migrations.team import _m7_library_answers

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
