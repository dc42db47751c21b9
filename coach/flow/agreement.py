"""How a contribution becomes the library's answer (``coach.flow.library`` reads it).

- One person in the library: their answer is the library's answer.
- The coordinator's own answer is the library's answer at once.
- A colleague's answer to a question without a library answer stands as the
  provisional library answer until the coordinator decides.
- Any other contribution is a proposal: it becomes the library's answer when the
  coordinator adopts or merges it, or, when the library chose majority agreement in
  /settings, when more than half of the team gives the same answer ("Eens met …").

Entries of list answers that other questions are about (goals, KPIs, tactics) get
stable item keys here: an entry keeps its key while it is in the answer, a reworded
entry keeps it when the caller says so (``renames``), and a removed one keeps its row
and everything that refers to it, to come back when it is named again.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from coach.flow.library import library_entries, same_value
from coach.flow.model import Flow
from coach.flow.text import fold
from coach.storage import Database, answers, items, libraries, users
from coach.storage import library_answers as store

MAJORITY = "majority"  # the library setting: the team decides by majority


def item_sources(flow: Flow) -> set[str]:
    """The list questions whose entries other questions are asked about."""
    return {q.foreach for q in flow.questions.values() if q.foreach}


def current_of(db: Database, library_id: int, question_id: str, item_key: str
               ) -> dict[str, Any] | None:
    return next((r for r in store.current(db, library_id, question_id)
                 if r["item_key"] == item_key), None)


def becomes_library(db: Database, library_id: int, user: dict[str, Any], question_id: str,
                    item_key: str) -> bool:
    """Whether ``user``'s answer to this question would be the library's answer (for
    good or provisionally): the caller asks about dropped goals or KPIs first."""
    if user.get("role") == "coordinator" or len(users.members(db, library_id)) <= 1:
        return True
    current = current_of(db, library_id, question_id, item_key)
    return current is None or (current["provisional"] and current["author_id"] == user["id"])


def dropped(db: Database, flow: Flow, library_id: int, question_id: str, item_key: str,
            value: Any) -> list[dict[str, Any]]:
    """The entries this list answer leaves out that something refers to (KPIs of a
    goal, measurements of a KPI): each with its key, text and ``dependents``."""
    if question_id not in item_sources(flow) or not isinstance(value, list):
        return []
    current = current_of(db, library_id, question_id, item_key)
    if current is None:
        return []
    kept = {fold(str(v)).strip() for v in value}
    elsewhere = {k for r in store.current(db, library_id, question_id)
                 if r["item_key"] != item_key for k in r["items"] or []}
    found = []
    for key, text in zip(current["items"] or [], current["value"] or [], strict=False):
        if fold(str(text)).strip() in kept or key in elsewhere:
            continue  # still in the answer, or still named for another goal
        if deps := items.dependents(db, library_id, key):
            found.append({"key": key, "text": str(text), "dependents": deps})
    return found


def contributed(db: Database, flow: Flow, library_id: int, user: dict[str, Any],
                answer_id: int, now: datetime, renames: dict[str, str] | None = None) -> str:
    """After ``user`` stored the contribution ``answer_id``: make it the library's
    answer where the rules above say so. Returns how it stands: "library",
    "provisional", "same" (it says what the library says) or "proposal"."""
    row = answers.get_answer(db, library_id, answer_id)
    if row is None or row["status"] != "answered":
        return "proposal"
    qid, item = row["question_id"], row["item_key"]
    current = current_of(db, library_id, qid, item)
    team = users.members(db, library_id)
    if user.get("role") == "coordinator" or len(team) <= 1:
        if not (current and not current["provisional"]
                and same_value(current["value"], row["value"])):
            _set(db, flow, library_id, row, row, user, "own", False, now, renames)
        answers.mark_reviewed(db, library_id, qid, item, now)
        return "library"
    if current is None or (current["provisional"] and current["author_id"] == user["id"]):
        _set(db, flow, library_id, row, row, None, "provisional", True, now, renames)
        return "provisional"
    if same_value(current["value"], row["value"]):
        return "same"
    if majority_reached(db, library_id, row, team):
        _set(db, flow, library_id, row, row, None, "majority", False, now)
        answers.mark_reviewed(db, library_id, qid, item, now)
        return "library"
    return "proposal"


def majority_reached(db: Database, library_id: int, row: dict[str, Any],
                     team: list[dict[str, Any]]) -> bool:
    if not libraries.setting(db, library_id, MAJORITY, False):
        return False
    ids = {m["id"] for m in team}
    same = {r["author_id"] for r in answers.current_answers(db, library_id, row["question_id"])
            if r["item_key"] == row["item_key"] and r["status"] == "answered"
            and r["author_id"] in ids and same_value(r["value"], row["value"])}
    return len(same) * 2 > len(team)


def decide(db: Database, flow: Flow, library_id: int, coordinator: dict[str, Any],
           question_id: str, item_key: str, value: Any, how: str, now: datetime,
           source: dict[str, Any] | None = None, renames: dict[str, str] | None = None
           ) -> None:
    """The coordinator's decision: ``value`` is the library's answer ("adopted",
    "merged", "edited", "confirmed"); every contribution to it counts as decided."""
    row = {"question_id": question_id, "item_key": item_key, "value": value}
    _set(db, flow, library_id, row, source, coordinator, how, False, now, renames)
    answers.mark_reviewed(db, library_id, question_id, item_key, now)


def merged(question_kind: str, values: list[Any]) -> Any:
    """The union of list or multiple-choice answers, in the order first given."""
    if question_kind not in ("list", "multi"):
        return None
    out: list[Any] = []
    for value in values:
        for entry in value if isinstance(value, list) else [value]:
            if not any(same_value(entry, seen) for seen in out):
                out.append(entry)
    return out


def _set(db: Database, flow: Flow, library_id: int, row: dict[str, Any],
         source: dict[str, Any] | None, decided_by: dict[str, Any] | None, how: str,
         provisional: bool, now: datetime, renames: dict[str, str] | None = None) -> None:
    """Store ``row["value"]`` as the library's answer to ``row``'s question and item."""
    qid, item = row["question_id"], row["item_key"]
    keys = None
    if qid in item_sources(flow) and isinstance(row["value"], list):
        keys = _item_keys(db, library_id, qid, item, row["value"], renames or {}, now)
    store.set_library_answer(
        db, library_id=library_id, question_id=qid, item_key=item, value=row["value"],
        source=source, decided_by=decided_by, how=how, provisional=provisional, now=now,
        items=keys)


def _item_keys(db: Database, library_id: int, question_id: str, item_key: str,
               value: list[Any], renames: dict[str, str], now: datetime) -> list[str]:
    """The item key of each entry: the same entry keeps its key, a rewording named in
    ``renames`` (text → key) takes the old key, a known entry comes back, a new one
    gets a new key; entries left out are marked removed."""
    known = items.items_of(db, library_id, question_id)
    before = {k for k, _ in library_entries(db, library_id, question_id)}
    current = current_of(db, library_id, question_id, item_key)
    mine = list(current["items"] or []) if current else []
    keys: list[str] = []
    for entry in value:
        text = str(entry)
        key = renames.get(text) or next(
            (i["key"] for i in known if fold(i["text"]).strip() == fold(text).strip()
             and i["key"] not in keys), None)
        if key is None:
            key = items.create_item(db, library_id, question_id, text, now)
        else:
            items.set_text(db, key, text)
        keys.append(key)
    others = {k for r in store.current(db, library_id, question_id)
              if r["item_key"] != item_key for k in r["items"] or []}
    for key in mine:
        if key not in keys and key not in others and key in before:
            items.remove_item(db, key, now)
    return keys
