"""Team management for coordinators: ``/team``.

The coordinator sees every member with their progress (answered / total positions)
and, per colleague, can remove them or hand over the coordinator role, each after a
confirmation; the invite link is regenerated with the engine's own ``i:new`` button.

Callback data (prefix ``t``, all at most 64 bytes):

- ``t:m:<who>``    a colleague's card (remove / make coordinator)
- ``t:rm:<who>`` / ``t:rmy:<who>``   ask to remove / remove (confirmed)
- ``t:co:<who>`` / ``t:coy:<who>``   ask to hand over / hand over (confirmed)
- ``t:list``       the team again; ``t:no`` cancel

``<who>`` is the member's user id, or ``#`` plus a hash of it when the id is too long.
Every press is checked again: the presser must (still) be the coordinator and ``<who>``
must (still) be another member of the presser's own library; otherwise the reply is a
polite refusal and nothing changes. A removed member keeps their answers (attributed);
their library and role are cleared and the core tells them nothing.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

from coach.core.events import MAX_CALLBACK_DATA_BYTES, Choice, Reply
from coach.core.feature import Feature
from coach.features.team.invites import cmd_invite, press_invite
from coach.flow.positions import members_progress
from coach.storage import assignments, libraries, users

if TYPE_CHECKING:
    from coach.core.turn import Turn

LONGEST_ACTION = "t:rmy:"


def token(user_id: str) -> str:
    """How a member is named in callback data."""
    if len((LONGEST_ACTION + user_id).encode()) <= MAX_CALLBACK_DATA_BYTES:
        return user_id
    return "#" + hashlib.sha256(user_id.encode()).hexdigest()[:16]


def progress(turn: Turn, user_id: str) -> tuple[int, int]:
    """(answered, total) positions of one member."""
    return members_progress(turn.db, turn.flow, turn.library_id, [user_id])[user_id]


def _name(member: dict[str, Any]) -> str:
    return member["name"] or "?"


def _find(turn: Turn, who: str) -> dict[str, Any] | None:
    """The colleague ``who`` names, only among the presser's own library's members."""
    for member in users.members(turn.db, turn.library_id):
        if who and token(member["id"]) == who:
            return member
    return None


def team_members(turn: Turn) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """(member row, what /team and the web view show of them): name, role, progress in
    one pass over the library's answers, and the steps assigned to them."""
    given = assignments.all_assignments(turn.db, turn.library_id)
    team = users.members(turn.db, turn.library_id)
    done = members_progress(turn.db, turn.flow, turn.library_id, [m["id"] for m in team])
    out = []
    for m in team:
        answered, total = done[m["id"]]
        steps = [s.number for s in turn.flow.steps if s.id in given.get(m["id"], [])]
        out.append((m, {"name": _name(m), "coordinator": m["role"] == "coordinator",
                        "answered": answered, "total": total, "steps": steps,
                        "percent": round(100 * answered / total) if total else 0}))
    return out


def team_reply(turn: Turn) -> Reply:
    library = libraries.get_library(turn.db, turn.library_id)
    members, rows = [], []
    for m, shown in team_members(turn):
        members.append(shown)
        if m["id"] != turn.user["id"]:
            label = _name(m)[:30] + ("" if m["role"] != "coordinator" else " 👑")
            rows.append([Choice(label, f"t:m:{token(m['id'])}")])
    rows.append([turn.button("team.btn_invite", "i:new")])
    text = turn.t("team.list", library=library["name"], members=members,
                  others=len(rows) > 1)
    return Reply(text=text, choices=rows)


def cmd_team(turn: Turn, args: str) -> list[Reply]:
    if turn.user["role"] != "coordinator":
        return [turn.say("notices.coordinator_only")]
    return [team_reply(turn)]


def press(turn: Turn, rest: str) -> list[Reply]:
    action, _, who = rest.partition(":")
    if turn.user["role"] != "coordinator":
        return [turn.say("notices.coordinator_only")]
    if action == "list":
        return [team_reply(turn)]
    if action == "no":
        return [turn.say("team.cancelled"), team_reply(turn)]
    if action not in ("m", "rm", "rmy", "co", "coy"):
        return [turn.say("notices.unknown_button"), team_reply(turn)]
    if who == token(turn.user["id"]):
        return [turn.say("team.not_yourself"), team_reply(turn)]
    member = _find(turn, who)
    if member is None:
        return [turn.say("team.not_member"), team_reply(turn)]
    name, tok = _name(member), token(member["id"])
    back = turn.button("team.btn_back", "t:list")
    if action == "m":
        answered, total = progress(turn, member["id"])
        choices = [[turn.button("team.btn_remove", f"t:rm:{tok}")],
                   [turn.button("team.btn_handover", f"t:co:{tok}")], [back]]
        return [turn.say("team.member", choices=choices, name=name, answered=answered,
                         total=total)]
    if action == "rm":
        choices = [[turn.button("team.btn_remove_yes", f"t:rmy:{tok}"),
                    turn.button("team.btn_cancel", "t:no")]]
        return [turn.say("team.confirm_remove", choices=choices, name=name)]
    if action == "co":
        choices = [[turn.button("team.btn_handover_yes", f"t:coy:{tok}"),
                    turn.button("team.btn_cancel", "t:no")]]
        return [turn.say("team.confirm_handover", choices=choices, name=name)]
    library = libraries.get_library(turn.db, turn.library_id)
    if action == "rmy":
        users.reset_to_onboarding(turn.db, user_id=member["id"], now=turn.now)
        return [turn.say("team.removed", name=name, library=library["name"],
                         choices=[[turn.button("team.btn_invite", "i:new")], [back]])]
    # coy: hand over the coordinator role
    users.update_user(turn.db, member["id"], turn.now, role="coordinator")
    turn.update(role="member")
    return [turn.say("team.handed_over", name=name, library=library["name"])]


FEATURE = Feature(
    "team",
    commands={"team": cmd_team, "invite": cmd_invite},
    buttons={"t": press, "i": press_invite},
)
