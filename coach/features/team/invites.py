"""Invites: /uitnodigen gives the coordinator a code and a link for colleagues."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from coach.core.events import Choice, Reply
from coach.core.texts import label
from coach.core.turn import Turn
from coach.storage import invites


def cmd_invite(turn: Turn, args: str) -> list[Reply]:
    if turn.user["role"] != "coordinator":
        return [turn.say("notices.coordinator_only")]
    invite = invites.open_invite(turn.db, turn.library_id, turn.now)
    if invite is None or args.lower() in ("new", "nieuw"):
        invite = invites.new_invite(turn.db, turn.library_id, turn.user["id"], turn.now)
    return [invite_reply(turn, invite)]


def press_invite(turn: Turn, action: str) -> list[Reply]:
    return cmd_invite(turn, "new" if action == "new" else "")


def invite_reply(turn: Turn, invite: dict[str, Any]) -> Reply:
    link = turn.coach.invite_link(invite["code"]) if turn.coach.invite_link else ""
    expires = datetime.fromisoformat(invite["expires_at"]).date().isoformat()
    choices = [[Choice(label(turn.lang, "regenerate"), "i:new")]]
    return turn.say("invite", choices=choices, code=invite["code"], link=link,
                    expires=expires)
