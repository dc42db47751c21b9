"""What a coordinator decides from the web view's team page (posted forms).

Both actions work on the to-decide list (``coach.flow.library.open_decisions``): a
decision that is no longer open, or a contribution that is not (or no longer) one of
this library's current answers to it, changes nothing and says so (a stale page).

:func:`make_library_answer` is the one place that records the library's answer; when
the team-strategy work (issue 13) adds its own way to decide, it becomes that call.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from coach.flow.answers import parse_text
from coach.flow.library import open_decisions
from coach.storage import answers

if TYPE_CHECKING:
    from collections.abc import Mapping

    from coach.core.turn import Turn
    from coach.flow.model import Question

MAX_FIELD = 4000  # characters of a typed answer (the flow's own rules are stricter)


def make_library_answer(turn: Turn, question: Question, item_key: str, value: Any) -> None:
    """Record ``value`` as the library's answer, decided by the coordinator."""
    answers.save_answer(turn.db, library_id=turn.library_id, question_id=question.id,
                        item_key=item_key, author=turn.user, status="answered",
                        value=value, now=turn.now)


def _open(turn: Turn, fields: Mapping[str, str]) -> tuple[Question, str] | None:
    """The question and item of an open decision the fields name, else None."""
    question = turn.flow.questions.get(str(fields.get("question_id", ""))[:200])
    item_key = str(fields.get("item_key", ""))[:MAX_FIELD]
    if question is None:
        return None
    if not any(d["question_id"] == question.id and d["item_key"] == item_key
               for d in open_decisions(turn.db, turn.library_id)):
        return None
    return question, item_key


def adopt(turn: Turn, fields: Mapping[str, str]) -> str:
    """Adopt one colleague's contribution as the library's answer."""
    found = _open(turn, fields)
    answer_id = str(fields.get("answer_id", ""))
    if found is None or not answer_id.isdigit():
        return "stale"
    question, item_key = found
    for row in answers.current_answers(turn.db, turn.library_id, question.id):
        if (row["id"] == int(answer_id) and row["item_key"] == item_key
                and row["status"] == "answered"):
            make_library_answer(turn, question, item_key, row["value"])
            return "adopted"
    return "stale"


def edit(turn: Turn, fields: Mapping[str, str]) -> str:
    """The coordinator's own wording (read as the chat reads a typed answer)."""
    found = _open(turn, fields)
    if found is None:
        return "stale"
    question, item_key = found
    text = str(fields.get("value", ""))
    if not text.strip() or len(text) > MAX_FIELD:
        return "invalid"
    outcome = parse_text(question, text, turn.coach.registry.matchers)
    if outcome.error or outcome.value in (None, "", []):
        return "invalid"
    make_library_answer(turn, question, item_key, outcome.value)
    return "edited"
