"""The next small step a check-in ends with: choosing it (with its reason), remembering
it, and whether last week's one was done.

How the last answer to "did you do it?" steers the choice (``step_done.py``):
"deels" offers the same step again, to finish it; "geen tijd" a step of at most 15
minutes; "werkte niet" a step of another kind (``area`` in flows/next_steps.yaml).
A step suggested to the member in the last four weeks (less than 28 days ago) is not
offered again (unless they said "deels": then they asked for it); a step the library
did is never offered again.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from coach.features.checkins.due import default_tz
from coach.features.next_steps.ranking import NextStep, choose_next_step, step_again
from coach.features.next_steps.snapshot import library_snapshot
from coach.features.next_steps.steps_file import SMALL_MINUTES, load_steps
from coach.storage import checkins

if TYPE_CHECKING:
    from coach.core.turn import Turn

MEMORY = timedelta(weeks=4)


def open_suggestion(turn: Turn, suggestion_id: int | None) -> dict[str, Any] | None:
    """An open suggestion of this user in their current library, by id."""
    if not suggestion_id:
        return None
    return checkins.open_suggestion(turn.db, suggestion_id, turn.user["id"], turn.library_id)


def earlier_suggestion(turn: Turn, week: str) -> dict[str, Any] | None:
    """The user's latest suggestion from an earlier week that was not answered yet."""
    row = checkins.latest_suggestion(turn.db, turn.user["id"], turn.library_id)
    if row is None or row["done"] is not None or row["iso_week"] == week:
        return None
    if load_steps().get(row["step_id"]) is None:
        return None
    return row


def first_of_month(turn: Turn, week: str, today: date) -> bool:
    """No earlier check-in of this member in the month of ``today`` (local)."""
    zone = ZoneInfo(default_tz(turn.coach))
    for row in checkins.recent_checkins(turn.db, turn.user["id"]):
        if row["iso_week"] == week or not row["claimed_at"]:
            continue
        claimed = datetime.fromisoformat(row["claimed_at"]).astimezone(zone).date()
        if (claimed.year, claimed.month) == (today.year, today.month) and claimed < today:
            return False
    return True


def resolve_strategy_suggestions(turn: Turn) -> None:
    """A suggested strategy question is done when it is answered now: no need to ask."""
    answered = {qid for (qid, _item), status in turn.positions.status.items()
                if status == "answered"}
    for row in checkins.open_strategy_suggestions(turn.db, turn.user["id"], turn.library_id):
        checkins.answer_suggestion(turn.db, row["id"], turn.user["id"], turn.library_id,
                                   row["step_id"] in answered, turn.now)


def next_step(turn: Turn) -> NextStep:
    position = turn.positions.next_open()
    open_question = None
    if position is not None:
        prompt = position.question.prompt[turn.lang].replace("{item}", position.item_text)
        open_question = (position.question.id, prompt)
    snapshot = library_snapshot(turn.db, turn.library_id, open_question)
    done = checkins.done_steps(turn.db, turn.library_id)
    recent = checkins.recent_suggestions(turn.db, turn.user["id"], turn.library_id)
    catalog = load_steps()
    last = next((r for r in recent if r["outcome"]), None)
    outcome = last["outcome"] if last else None
    if open_question is None and outcome == "partly" and last is not None:
        same = None if last["step_id"] in done else step_again(last["step_id"], snapshot,
                                                               turn.lang)
        if same is not None:
            return replace(same, why=("partly", ""))
    since = turn.now - MEMORY
    memory = {r["step_id"] for r in recent
              if r["created_at"] and datetime.fromisoformat(r["created_at"]) > since}
    last_step = catalog.get(last["step_id"]) if last else None
    return choose_next_step(
        snapshot, done, turn.lang,
        max_minutes=SMALL_MINUTES if outcome == "no_time" else None,
        avoid_areas={last_step.area} if outcome == "did_not_work" and last_step else (),
        avoid_ids=memory)


def remember(turn: Turn, step: NextStep, week: str) -> None:
    checkins.remember_suggestion(turn.db, library_id=turn.library_id, user_id=turn.user["id"],
                                 step_id=step.id, kind=step.kind, week=week, now=turn.now)
