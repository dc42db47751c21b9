"""Where a user can be in the flow: the ordered list of positions for a library.

A position is a question, or for a ``foreach`` question one of its items (each goal of
step 4 gets its own KPI question). Items come from the library's answers to the
question named by ``foreach``: the user's own answer when they gave one, otherwise
the colleagues' latest answers.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from coach.flow.model import LANGS, Flow, Option, Question
from coach.storage import Database, answers


@dataclass(frozen=True)
class Position:
    question: Question
    item_index: int = 0
    item_key: str = ""  # the item text for foreach questions, "" otherwise

    @property
    def key(self) -> tuple[str, str]:
        return (self.question.id, self.item_key)


def _as_items(value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(v) for v in value]
    if isinstance(value, str):
        return [value]
    return []


def library_view(
    db: Database, library_id: int, user_id: str, question_id: str
) -> list[dict[str, Any]]:
    """The answers that stand for the library: the user's own, else the latest per item."""
    rows = [
        r for r in answers.current_answers(db, library_id, question_id) if r["status"] == "answered"
    ]
    mine = [r for r in rows if r["author_id"] == user_id]
    if mine:
        return mine
    latest: dict[str, dict[str, Any]] = {}
    for r in rows:  # oldest first, so the newest wins
        latest[r["item_key"]] = r
    return sorted(latest.values(), key=lambda r: r["id"])


class Positions:
    """The positions of one user in their library, computed once per event."""

    def __init__(self, db: Database, flow: Flow, library_id: int, user_id: str):
        self.db, self.flow, self.library_id, self.user_id = db, flow, library_id, user_id
        self._items: dict[str, list[str]] = {}
        self.all: list[Position] = []
        for qid in flow.order:
            q = self._with_options(flow.questions[qid])
            if q.options_from and not q.options:
                continue  # asked once the answers it chooses from exist
            if q.foreach:
                self.all.extend(
                    Position(q, i, key) for i, key in enumerate(self.items(q.foreach))
                )
            else:
                self.all.append(Position(q))
        self.status = answers.answered_positions(db, library_id, user_id)

    def _with_options(self, q: Question) -> Question:
        """A question whose options are earlier answers (``options_from``), with them."""
        if not q.options_from:
            return q
        texts = [t for ref in q.options_from for t in self.items(ref)]
        options = tuple(Option(id=f"g{n}", label=dict.fromkeys(LANGS, text))
                        for n, text in enumerate(dict.fromkeys(texts), start=1))
        return replace(q, options=options)

    def items(self, question_id: str) -> list[str]:
        if question_id not in self._items:
            items: list[str] = []
            for row in library_view(self.db, self.library_id, self.user_id, question_id):
                for item in _as_items(row["value"]):
                    if item not in items:
                        items.append(item)
            self._items[question_id] = items
        return self._items[question_id]

    def find(self, question_id: str | None, item_index: int = 0) -> Position | None:
        matching = [p for p in self.all if p.question.id == question_id]
        if not matching:
            return None
        return matching[min(max(item_index, 0), len(matching) - 1)]

    def index(self, position: Position) -> int:
        return self.all.index(position)

    def is_open(self, position: Position) -> bool:
        return position.key not in self.status

    def next_open(self, after: Position | None = None) -> Position | None:
        """The first unanswered position after ``after`` (wrapping to the start)."""
        start = self.index(after) + 1 if after in self.all else 0
        for p in self.all[start:] + self.all[:start]:
            if self.is_open(p):
                return p
        return None

    def first_skipped(self) -> Position | None:
        return next((p for p in self.all if self.status.get(p.key) == "skipped"), None)

    def previous(self, position: Position) -> Position | None:
        i = self.index(position)
        return self.all[i - 1] if i > 0 else None

    def following(self, position: Position) -> Position | None:
        i = self.index(position)
        return self.all[i + 1] if i + 1 < len(self.all) else None

    def in_step(self, step_id: str) -> list[Position]:
        return [p for p in self.all if p.question.step_id == step_id]

    def step_finished(self, step_id: str) -> bool:
        return all(not self.is_open(p) for p in self.in_step(step_id))

    def counts(self, step_id: str) -> tuple[int, int, int]:
        """(answered, skipped, total) positions of a step for this user."""
        ps = self.in_step(step_id)
        answered = sum(self.status.get(p.key) == "answered" for p in ps)
        skipped = sum(self.status.get(p.key) == "skipped" for p in ps)
        return answered, skipped, len(ps)

    def mark(self, position: Position, status: str) -> None:
        """Record a status change made during this event (the DB already has it)."""
        self.status[position.key] = status
        sources = {ref for q in self.flow.questions.values()
                   for ref in (q.foreach, *q.options_from) if ref}
        if position.question.id in sources:
            # the items of a later foreach question may have changed: recompute
            fresh = Positions(self.db, self.flow, self.library_id, self.user_id)
            self.all, self._items, self.status = fresh.all, fresh._items, fresh.status
