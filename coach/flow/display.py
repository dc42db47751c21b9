"""Answers and positions as text: a stored value as people read it, a position as a
button names it."""

from __future__ import annotations

from typing import Any

from coach.flow.model import Question
from coach.flow.numbers import format_number
from coach.flow.positions import Position


def display(q: Question, value: Any, lang: str) -> str:
    """A stored answer value as plain text."""
    if value is None:
        return ""
    if q.kind == "list":
        return "; ".join(str(v) for v in value)
    if q.kind in ("choice", "multi"):
        ids = value if isinstance(value, list) else [value]
        labels = [o.label[lang] if (o := q.option(i)) else str(i) for i in ids]
        return ", ".join(labels)
    if q.kind == "number" and isinstance(value, dict):
        number, percent = float(value.get("value", 0)), bool(value.get("percent"))
        text = format_number(number, lang, percent=percent)
        if q.unit and not percent:
            one, many = q.unit.get(lang) or q.unit["nl"]
            text = f"{text} {one if number == 1 else many}"
        return text
    return str(value)


def position_ref(position: Position | None) -> str:
    """How a button names the position it belongs to: the question id, with "~<item>"
    for the second and later items of a foreach question (so an old button of another
    item is recognised as stale)."""
    if position is None:
        return ""
    qid = position.question.id
    return qid if position.item_index == 0 else f"{qid}~{position.item_index}"
