"""Temporary façade for coach/core/engine.py only; everything else imports the modules."""

from __future__ import annotations

from coach.storage.answers import current_answers, my_answer, save_answer
from coach.storage.events import first_group_notice, prune_events, seen_event
from coach.storage.invites import (
    JOIN_MAX_FAILURES,
    find_invite,
    join_failures,
    new_invite,
    open_invite,
    record_join_attempt,
)
from coach.storage.libraries import create_library, get_library
from coach.storage.sql import iso
from coach.storage.users import create_user, get_user, pending, update_user

__all__ = [
    "JOIN_MAX_FAILURES",
    "create_library",
    "create_user",
    "current_answers",
    "find_invite",
    "first_group_notice",
    "get_library",
    "get_user",
    "iso",
    "join_failures",
    "my_answer",
    "new_invite",
    "open_invite",
    "pending",
    "prune_events",
    "record_join_attempt",
    "save_answer",
    "seen_event",
    "update_user",
]
