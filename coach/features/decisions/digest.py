"""The coordinator's daily digest: what colleagues contributed since the last one.

At most one digest a day per library, and only when colleagues contributed: the
moment it is sent is claimed (committed, ``libraries.settings["digest_at"]``) before
the message goes out, so a restart never sends it twice.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from coach.core.events import Reply
from coach.flow.library import open_decisions
from coach.storage import answers, libraries, users
from coach.storage.db import transaction
from coach.storage.sql import iso

if TYPE_CHECKING:
    from coach.core.engine import Coach

DIGEST_EVERY = timedelta(days=1)
KEY = "digest_at"


def _since(db, library: dict) -> str:
    return libraries.setting(db, library["id"], KEY, None) or library["created_at"]


def _news(db, library: dict, coordinator: dict) -> list[dict]:
    return answers.contributed_since(db, library["id"], _since(db, library), coordinator["id"])


def due_digests(coach: Coach, now: datetime, prefix: str | None = None) -> Iterator[str]:
    """Coordinators whose colleagues contributed since the last digest, a day ago or more."""
    for library in libraries.all_libraries(coach.db):
        if _since(coach.db, library) > iso(now - DIGEST_EVERY):
            continue
        for member in users.members(coach.db, library["id"]):
            if member["role"] != "coordinator" or member.get("active") == 0:
                continue
            if prefix and not member["id"].startswith(prefix):
                continue
            if _news(coach.db, library, member):
                yield member["id"]


def start_digest(coach: Coach, user_id: str, now: datetime | None = None) -> list[Reply]:
    """Claim today's digest for the coordinator's library and build it ([] when it
    was sent already, nothing is new, or the user is no longer the coordinator)."""
    now = now or coach.clock()
    with transaction(coach.db):
        turn = coach.turn_for(user_id, now)
        if turn is None or not turn.library_id or turn.user["role"] != "coordinator":
            return []
        library = libraries.get_library(coach.db, turn.library_id)
        if _since(coach.db, library) > iso(now - DIGEST_EVERY):
            return []
        news = _news(coach.db, library, turn.user)
        libraries.set_setting(coach.db, library["id"], KEY, iso(now))
    if not news:
        return []
    per_person: dict[str, int] = {}
    for row in news:
        name = row["author_name"] or "?"
        per_person[name] = per_person.get(name, 0) + 1
    with transaction(coach.db):
        turn = coach.turn_for(user_id, now)
        open_count = len(open_decisions(coach.db, turn.library_id))
        choices = [[turn.button("decisions.btn_show", "d:n:0")]] if open_count else []
        return [turn.say("decisions.digest", choices=choices,
                         people=sorted(per_person.items()), open=open_count)]
