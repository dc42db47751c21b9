"""What a coordinator decides from the web view's team page (posted forms).

Both actions work on the to-decide list (``coach.flow.library.open_decisions``): a
decision that is no longer open, or a contribution that is not (or no longer) one of
this library's current answers to it, changes nothing and says so (a stale page).

:func:`make_library_answer` records the coordinator's decision through
``coach.flow.agreement.decide``, as ``/beslissen`` in the chat does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from coach.flow import agreement
from coach.flow.answers import parse_text
from coach.flow.library import open_decisions
from coach.storage import answers

if TYPE_CHECKING:
    from collections.abc import Mapping

    from coach.core.turn import Turn
    from coach.flow.model import Question

MAX_FIELD = 4000  # characters of a typed answer (the flow's own rules are stricter)


def make_library_answer(turn: Turn, question: Question, item_key: str, value: Any,
                        source: dict[str, Any] | None = None) -> None:
    """Record ``value`` as the library's answer, decided by the coordinator (adopted
    from the contribution ``source``, or in her own words)."""
    agreement.decide(turn.db, turn.flow, turn.library_id, turn.user, question.id, item_key,
                     value, "adopted" if source else "edited", turn.now, source=source)


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
            make_library_answer(turn, question, item_key, row["value"], source=row)
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
