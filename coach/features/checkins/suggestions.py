"""The next small step a check-in ends with: choosing it, remembering it, and
whether last week's one was done."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from coach.features.next_steps.ranking import NextStep, choose_next_step
from coach.features.next_steps.snapshot import library_snapshot
from coach.features.next_steps.steps_file import load_steps
from coach.storage import checkins

if TYPE_CHECKING:
    from coach.core.turn import Turn


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
    snapshot = library_snapshot(turn.db, turn.library_id, turn.user["id"], open_question)
    return choose_next_step(snapshot, checkins.done_steps(turn.db, turn.library_id), turn.lang)


def remember(turn: Turn, step: NextStep, week: str) -> None:
    checkins.remember_suggestion(turn.db, library_id=turn.library_id, user_id=turn.user["id"],
                                 step_id=step.id, kind=step.kind, week=week, now=turn.now)
