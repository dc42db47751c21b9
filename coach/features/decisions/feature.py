"""One strategy per library: ``/beslissen`` (the to-decide list), ``/verdeel`` (who
answers which steps), the coordinator's daily digest and the majority setting."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from coach.core.commands import Command
from coach.core.events import Reply
from coach.core.feature import Feature, Job
from coach.features.decisions import assigning, cards
from coach.features.decisions.digest import due_digests, start_digest
from coach.flow.agreement import MAJORITY
from coach.storage import libraries, users

if TYPE_CHECKING:
    from coach.core.turn import Turn


def settings_section(turn: Turn) -> list[Reply]:
    """For the coordinator of a team: who decides, the coordinator or the majority."""
    if turn.user["role"] != "coordinator" or len(users.members(turn.db, turn.library_id)) < 2:
        return []
    return [_settings_reply(turn)]


def _settings_reply(turn: Turn, notice: str = "") -> Reply:
    on = bool(libraries.setting(turn.db, turn.library_id, MAJORITY, False))
    button = turn.button("decisions.btn_majority_off" if on else "decisions.btn_majority_on",
                         "ds:off" if on else "ds:on")
    return turn.say("decisions.settings", choices=[[button]], majority=on, notice=notice)


def press_settings(turn: Turn, rest: str) -> list[Reply]:
    if turn.user["role"] != "coordinator":
        return [turn.say("notices.coordinator_only")]
    if rest not in ("on", "off"):
        return [turn.say("notices.unknown_button")]
    libraries.set_setting(turn.db, turn.library_id, MAJORITY, rest == "on")
    reply = _settings_reply(turn, notice=turn.t("decisions.settings_saved"))
    reply.replace = True
    return [reply]


DIGEST = Job("team-digest", every=timedelta(minutes=10), due=due_digests, start=start_digest)

FEATURE = Feature(
    "decisions",
    commands={"decide": cards.cmd_decide, "assign": assigning.cmd_assign},
    names=(Command("decide", "beslissen", "decide", ("besluiten",)),
           Command("assign", "verdeel", "assign", ("verdelen", "toewijzen"))),
    buttons={"d": cards.press, "v": assigning.press, "ds": press_settings},
    settings=(settings_section,),
    jobs=(DIGEST,),
)
