"""/overzicht: the library's strategy so far, step by step, with its answers in short.

Each step shows where the user is (done, current, started, not yet), how many of its
questions have an answer, and the library's answers themselves (read through
``coach.flow.library.library_answers``, one line per question, shortened), so that
"zie je alles terug" is true without an export.
"""

from __future__ import annotations

from typing import Any

from coach.core.events import Reply
from coach.core.turn import Turn
from coach.features.strategy.asking import active_position
from coach.features.strategy.views import nav_button
from coach.flow.display import display
from coach.flow.library import library_answers
from coach.flow.model import Step
from coach.storage import libraries

ANSWER_LENGTH = 90  # characters of one question's answer in the overview


def cmd_overview(turn: Turn, args: str) -> list[Reply]:
    current = active_position(turn)
    current_step = current.question.step_id if current else None
    steps = []
    for s in turn.flow.steps:
        answered, skipped, total = turn.positions.counts(s.id)
        steps.append({"number": s.number, "title": s.title[turn.lang], "answered": answered,
                      "skipped": skipped, "total": total, "current": s.id == current_step,
                      "waits_for": _waits_for(turn, s) if not total else None,
                      "answers": _answers(turn, s)})
    where = None
    if current:
        step = turn.flow.step_of(current.question)
        where = {"step": step.number, "question": [q.id for q in step.questions].index(
            current.question.id) + 1, "questions": len(step.questions)}
    choices = [[nav_button(turn.lang, "continue"), nav_button(turn.lang, "edit")]]
    library = libraries.get_library(turn.db, turn.library_id)
    return [turn.say("overview", choices=choices, steps=steps, where=where,
                     step_count=len(turn.flow.steps), library=library["name"],
                     length=ANSWER_LENGTH)]


def _answers(turn: Turn, step: Step) -> list[dict[str, Any]]:
    """The library's answer to each question of the step that has one: its label and
    the answer as text (the items of a per-goal question together)."""
    shown = []
    for q in step.questions:
        rows = library_answers(turn.db, turn.library_id, q.id)
        texts = []
        for r in rows:
            text = display(q, r["value"], turn.lang)
            if text and r["item_key"]:
                text = f"{r['item_key']}: {text}"
            if text:
                texts.append(text)
        if texts:
            shown.append({"label": q.label[turn.lang], "text": "; ".join(texts)})
    return shown


def _waits_for(turn: Turn, step: Step) -> int | None:
    """The number of the step whose answers make this step's questions (a step of
    only ``foreach`` questions has none until that list is answered)."""
    for q in step.questions:
        source = turn.flow.question(q.foreach)
        if source is not None:
            return turn.flow.step_of(source).number
    return None
