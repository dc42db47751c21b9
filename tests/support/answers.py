"""Answers written straight into a library, as the strategy feature stores them."""

from __future__ import annotations

from typing import Any

from coach.flow import agreement
from coach.flow.library import library_entries
from coach.flow.model import load_flow
from coach.storage import answers


def give(db, library_id: int, author: dict, rows: list[tuple[str, str, Any]], now) -> None:
    """Store ``(question id, item text, value)`` rows as ``author``'s answers, in order;
    the item text names the goal, KPI or tactic a foreach question is about."""
    flow = load_flow()
    for qid, item, value in rows:
        q = flow.question(qid)
        key = ""
        if q.foreach:
            key = dict((text, k) for k, text in library_entries(db, library_id, q.foreach))[item]
        answer_id = answers.save_answer(db, library_id=library_id, question_id=qid,
                                        item_key=key, author=author, status="answered",
                                        value=value, now=now)
        agreement.contributed(db, flow, library_id, author, answer_id, now)
