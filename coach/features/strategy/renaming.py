"""A list answer that leaves out a goal, KPI or tactic that other answers depend on.

Before such an answer becomes the library's answer, the coach asks, per entry left
out: is one of the new entries the same one in new words (it keeps its key, so a
goal keeps its KPIs and a KPI its measurements, target and chart), should it go (its
answers and measurements stay stored, out of sight, and come back when it is named
again), or should it stay after all? The answer waits in the strategy's state
(``renaming``) until every entry is settled, then is stored with the renames.

Callback data (handled in ``answering.py``): ``w:r:<ref>:<n>`` the n-th new entry is
the left-out one reworded, ``w:d:<ref>`` let it go, ``w:k:<ref>`` keep it in the list.
"""

from __future__ import annotations

from typing import Any

from coach.core.events import Reply
from coach.core.turn import Turn
from coach.features.strategy.state import set_state, state
from coach.flow import agreement
from coach.flow.display import position_ref
from coach.flow.positions import Position
from coach.flow.text import fold
from coach.storage import items

SHOWN = 4  # new entries offered as the rewording


def check(turn: Turn, position: Position, value: Any, feedback: str | None,
          notice: str) -> list[Reply]:
    """Ask about left-out entries first; [] when there are none to ask about."""
    q = position.question
    if not agreement.becomes_library(turn.db, turn.library_id, turn.user, q.id,
                                     position.item_key):
        return []
    dropped = agreement.dropped(turn.db, turn.flow, turn.library_id, q.id,
                                position.item_key, value)
    if not dropped:
        return []
    set_state(turn, renaming={"ref": position_ref(position), "value": list(value),
                              "feedback": feedback, "notice": notice, "renames": {},
                              "dropped": dropped})
    return [prompt(turn, position)]


def new_entries(turn: Turn, position: Position, pending: dict[str, Any]) -> list[str]:
    """The entries of the new answer that are not an existing item (or a rename yet)."""
    known = {fold(i["text"]).strip() for i in items.items_of(turn.db, turn.library_id,
                                                             position.question.id)}
    taken = set(pending["renames"])
    return [str(v) for v in pending["value"]
            if fold(str(v)).strip() not in known and str(v) not in taken]


def prompt(turn: Turn, position: Position) -> Reply:
    """The question about the first left-out entry that is not settled yet."""
    pending = state(turn)["renaming"]
    entry = pending["dropped"][0]
    ref = position_ref(position)
    rows = [[turn.button("renaming.btn_rename", f"w:r:{ref}:{n}", new=text[:40])]
            for n, text in enumerate(new_entries(turn, position, pending)[:SHOWN])]
    rows.append([turn.button("renaming.btn_drop", f"w:d:{ref}"),
                 turn.button("renaming.btn_keep", f"w:k:{ref}")])
    deps = entry["dependents"]
    return turn.say("renaming.ask", choices=rows, text=entry["text"],
                    label=position.question.label[turn.lang],
                    measurements=deps.get("measurements", 0),
                    answers=sum(n for k, n in deps.items() if k != "measurements"))
