"""What the document's sections read, once per document: the library's answers (only
through ``coach.flow.library.library_answers``), its KPIs and the answer history."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from coach.features.checkins.kpis import Kpi
from coach.features.export import reading
from coach.features.export.model import Texts
from coach.flow.display import display
from coach.flow.library import library_answers
from coach.flow.model import Flow, Question
from coach.flow.numbers import format_number
from coach.flow.positions import Positions
from coach.storage import Database


@dataclass
class Reading:
    """What the sections read, once per document."""

    db: Database
    flow: Flow
    library_id: int
    lang: str
    today: date
    w: Texts
    positions: Positions
    questions: dict[str, Question]
    rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    kpis: list[Kpi] = field(default_factory=list)
    history: list[dict[str, Any]] = field(default_factory=list)
    places: dict[tuple[str, str], str] = field(default_factory=dict)  # see sections._where

    def answers(self, question_id: str) -> list[dict[str, Any]]:
        """The library's rows; a foreach question only for items its list still has."""
        if question_id not in self.rows:
            # the document names a goal, KPI or tactic by its words, not by its key
            rows = [{**row, "item_key": row["item_text"] or row["item_key"]}
                    for row in library_answers(self.db, self.library_id, question_id)]
            source = self.flow.question(question_id).foreach
            if source:
                items = set(self.items(source))
                rows = [row for row in rows if row["item_key"] in items]
            self.rows[question_id] = rows
        return self.rows[question_id]

    def question(self, question_id: str) -> Question:
        return self.questions.get(question_id) or self.flow.question(question_id)

    def shown(self, row: dict[str, Any]) -> str:
        """A library answer as text; a provisional one says it is a proposal."""
        text = display(self.question(row["question_id"]), row["value"], self.lang)
        if row.get("provisional"):
            return self.w("provisional", value=text, name=row["author_name"] or "?")
        return text

    def value(self, role_or_id: str, item_key: str = "") -> str:
        qid = self._qid(role_or_id)
        row = next((r for r in self.answers(qid) if r["item_key"] == item_key), None)
        return self.shown(row) if row else ""

    def items(self, role_or_id: str) -> list[str]:
        """The items of a list answer (goals, tactics), as typed."""
        rows = self.answers(self._qid(role_or_id))
        return [str(v) for r in rows for v in (r["value"] if isinstance(r["value"], list)
                                                else [r["value"]]) if v not in (None, "")]

    def _qid(self, role_or_id: str) -> str:
        return role_or_id if role_or_id in self.flow.questions else self.flow.by_role(
            role_or_id).id

    def channel_label(self, channel_id: str) -> str:
        option = self.flow.by_role("channels").option(channel_id)
        return option.label[self.lang] if option else channel_id

    def number(self, value: float | None, percent: bool = False) -> str:
        return "" if value is None else format_number(float(value), self.lang, percent=percent)


def linked_tactics(r: Reading, kpi: Kpi) -> list[str]:
    """The tactics that serve a KPI: those naming a channel its goal or name names, else
    those sharing a word with them, else the only tactic there is."""
    tactics = r.items("tactics")
    about = f"{kpi.goal} {kpi.name}"
    channels = set(reading.channels_in(about))
    found = [x for x in tactics if channels & set(reading.channels_in(x))]
    if not found:
        words = {w for w in reading.fold(about).split() if len(w) >= 5}
        found = [x for x in tactics if words & set(reading.fold(x).split())]
    if not found and len(tactics) == 1:
        found = tactics
    return found
