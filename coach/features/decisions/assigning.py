"""Who answers what (``/verdeel``): the coordinator gives colleagues steps to answer.

A colleague then walks their assigned steps and the questions the library has no
answer to yet (``coach.flow.positions``), not all of them. ``/verdeel`` lists the
colleagues; a press shows the steps as toggles (stored on every press). Typed works
too: ``/verdeel Bram: stap 2 en 7``.

Callback data (prefix ``v``): ``v:m:<who>`` a colleague's steps, ``v:t:<who>:<step
number>`` toggle a step, ``v:l`` the list again. ``<who>`` is as in /team.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from coach.core.events import Choice, Reply
from coach.features.team.feature import token
from coach.flow.text import fold
from coach.storage import assignments, users

if TYPE_CHECKING:
    from coach.core.turn import Turn


def _colleagues(turn: Turn) -> list[dict[str, Any]]:
    return [m for m in users.members(turn.db, turn.library_id) if m["id"] != turn.user["id"]]


def _find(turn: Turn, who: str) -> dict[str, Any] | None:
    return next((m for m in _colleagues(turn) if token(m["id"]) == who), None)


def _step_numbers(turn: Turn, step_ids: list[str]) -> list[int]:
    return [s.number for s in turn.flow.steps if s.id in step_ids]


def list_reply(turn: Turn, notice: str = "") -> Reply:
    given = assignments.all_assignments(turn.db, turn.library_id)
    people = [{"name": m["name"] or "?", "steps": _step_numbers(turn, given.get(m["id"], []))}
              for m in _colleagues(turn)]
    rows = [[Choice((m["name"] or "?")[:40], f"v:m:{token(m['id'])}")]
            for m in _colleagues(turn)]
    return turn.say("decisions.assign_list", choices=rows, people=people, notice=notice)


def member_reply(turn: Turn, member: dict[str, Any], notice: str = "",
                 replace: bool = False) -> Reply:
    mine = assignments.assigned_steps(turn.db, turn.library_id, member["id"])
    tok = token(member["id"])
    buttons = [Choice(f"{s.number}. {s.title[turn.lang]}" + (" ✅" if s.id in mine else ""),
                      f"v:t:{tok}:{s.number}") for s in turn.flow.steps]
    rows = [buttons[i:i + 2] for i in range(0, len(buttons), 2)]
    rows.append([turn.button("decisions.btn_assign_back", "v:l")])
    reply = turn.say("decisions.assign_member", choices=rows, name=member["name"] or "?",
                     steps=_step_numbers(turn, mine), notice=notice)
    reply.replace = replace
    return reply


def cmd_assign(turn: Turn, args: str) -> list[Reply]:
    if turn.user["role"] != "coordinator":
        return [turn.say("notices.coordinator_only")]
    if not _colleagues(turn):
        return [turn.say("decisions.assign_alone")]
    if args.strip():
        return [_typed(turn, args)]
    return [list_reply(turn)]


def _typed(turn: Turn, args: str) -> Reply:
    """``Bram: stap 2 en 7`` (or ``Bram 2, 7``): replaces Bram's steps."""
    name, _, rest = args.partition(":") if ":" in args else (args, "", args)
    words = fold(name).split()
    member = next((m for m in _colleagues(turn)
                   if words and fold(m["name"] or "").split()[:1] == words[:1]), None)
    numbers = {int(n) for n in re.findall(r"\d+", rest)}
    steps = [s.id for s in turn.flow.steps if s.number in numbers]
    if member is None or not steps:
        return list_reply(turn, notice=turn.t("decisions.assign_not_understood"))
    assignments.assign(turn.db, turn.library_id, member["id"], steps, turn.user["id"], turn.now)
    return member_reply(turn, member, notice=turn.t("decisions.assign_saved",
                                                    name=member["name"] or "?"))


def press(turn: Turn, rest: str) -> list[Reply]:
    if turn.user["role"] != "coordinator":
        return [turn.say("notices.coordinator_only")]
    action, _, arg = rest.partition(":")
    if action == "l":
        return [list_reply(turn)]
    who, _, number = arg.rpartition(":") if action == "t" else (arg, "", "")
    member = _find(turn, who)
    if action not in ("m", "t") or member is None:
        return [list_reply(turn, notice=turn.t("team.not_member"))]
    if action == "m":
        return [member_reply(turn, member)]
    step = next((s for s in turn.flow.steps if str(s.number) == number), None)
    if step is None:
        return [member_reply(turn, member, notice=turn.t("notices.unknown_button"))]
    mine = assignments.assigned_steps(turn.db, turn.library_id, member["id"])
    mine = [s for s in mine if s != step.id] if step.id in mine else [*mine, step.id]
    assignments.assign(turn.db, turn.library_id, member["id"], mine, turn.user["id"], turn.now)
    return [member_reply(turn, member, replace=True)]
