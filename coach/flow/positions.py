"""Where a user can be in the flow: the ordered list of positions for a library.

A position is a question, or for a ``foreach`` question one of its items (each goal of
step 4 gets its own KPI question). Items come from the library's answer to the
question named by ``foreach`` (``coach.flow.library``), each with its stable key.

Which positions are open for a user: the ones they did not answer or skip that are
theirs to answer. In a one-person library that is every question. In a team, the
coordinator walks the questions that have no library answer yet (colleagues'
answers reach them in /beslissen), and a colleague walks the steps assigned to them
and the questions nobody answered for the library yet.

The positions depend on the library's answers only, so they are the same for every
member: :func:`members_progress` counts every member's progress from one list of them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from functools import partial

from coach.flow.library import library_answers, library_entries
from coach.flow.model import LANGS, Flow, Option, Question
from coach.storage import Database, answers, assignments, users
from coach.storage import library_answers as library_answers_store


@dataclass(frozen=True)
class Position:
    question: Question
    item_index: int = 0
    item_key: str = ""  # the item's stable key for foreach questions, "" otherwise
    item_text: str = ""  # the item's text (the goal, KPI or tactic asked about)

    @property
    def key(self) -> tuple[str, str]:
        return (self.question.id, self.item_key)


Entries = Callable[[str], list[tuple[str, str]]]


def library_positions(db: Database, flow: Flow, library_id: int,
                      entries: Entries | None = None) -> list[Position]:
    """Every position of the library, in order: the same for each of its members (it
    depends on the library's answers only). ``entries`` gives a foreach source's
    (key, text) items (default: :func:`~coach.flow.library.library_entries`)."""
    entries = entries or partial(library_entries, db, library_id)
    out: list[Position] = []
    for qid in flow.order:
        q = with_options(db, library_id, flow.questions[qid])
        if q.options_from and not q.options:
            continue  # asked once the answers it chooses from exist
        if q.foreach:
            out.extend(Position(q, i, key, text)
                       for i, (key, text) in enumerate(entries(q.foreach)))
        else:
            out.append(Position(q))
    return out


def with_options(db: Database, library_id: int, q: Question) -> Question:
    """A question whose options are earlier answers (``options_from``), with them."""
    if not q.options_from:
        return q
    texts = [str(t) for ref in q.options_from
             for row in library_answers(db, library_id, ref)
             for t in (row["value"] if isinstance(row["value"], list) else [row["value"]])]
    options = tuple(Option(id=f"g{n}", label=dict.fromkeys(LANGS, text))
                    for n, text in enumerate(dict.fromkeys(texts), start=1))
    return replace(q, options=options)


def members_progress(db: Database, flow: Flow, library_id: int,
                     user_ids: Iterable[str]) -> dict[str, tuple[int, int]]:
    """(answered, total) positions of each of ``user_ids``, as ``Positions`` counts them
    for one user (its positions answered, not skipped, of all of them), in one pass: the
    library's positions once and one read of all its current answers (``/team`` and the
    web view's team page)."""
    keys = [p.key for p in library_positions(db, flow, library_id)]
    status = answers.answered_positions_by_author(db, library_id)
    empty: dict[tuple[str, str], str] = {}
    out = {}
    for user_id in user_ids:
        mine = status.get(user_id, empty)
        out[user_id] = (sum(mine.get(k) == "answered" for k in keys), len(keys))
    return out


class Positions:
    """The positions of one user in their library, computed once per event."""

    def __init__(self, db: Database, flow: Flow, library_id: int, user_id: str):
        self.db, self.flow, self.library_id, self.user_id = db, flow, library_id, user_id
        self._items: dict[str, list[tuple[str, str]]] = {}
        self.all: list[Position] = library_positions(db, flow, library_id, self.entries)
        self.status = answers.answered_positions(db, library_id, user_id)
        self.decided = {(r["question_id"], r["item_key"])
                        for r in library_answers_store.current(db, library_id)}
        self.scope = self._scope()

    def _scope(self) -> set[str] | None:
        """The steps this user walks besides the questions the library has no answer
        to (None: every question, for a one-person library)."""
        team = users.members(self.db, self.library_id) if self.library_id else []
        if len(team) <= 1:
            return None
        me = next((m for m in team if m["id"] == self.user_id), None)
        if me is not None and me["role"] == "coordinator":
            return set()
        return set(assignments.assigned_steps(self.db, self.library_id, self.user_id))

    def entries(self, question_id: str) -> list[tuple[str, str]]:
        """(key, text) of each item of the library's answer to a foreach source."""
        if question_id not in self._items:
            self._items[question_id] = library_entries(self.db, self.library_id, question_id)
        return self._items[question_id]

    def items(self, question_id: str) -> list[str]:
        """The texts of the items of a foreach source."""
        return [text for _key, text in self.entries(question_id)]

    def find(self, question_id: str | None, item_index: int = 0) -> Position | None:
        matching = [p for p in self.all if p.question.id == question_id]
        if not matching:
            return None
        return matching[min(max(item_index, 0), len(matching) - 1)]

    def index(self, position: Position) -> int:
        return self.all.index(position)

    def is_open(self, position: Position) -> bool:
        """Not answered or skipped by this user, and theirs to answer."""
        if position.key in self.status:
            return False
        if self.scope is None or position.question.step_id in self.scope:
            return True
        return position.key not in self.decided

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
            self.decided = fresh.decided
