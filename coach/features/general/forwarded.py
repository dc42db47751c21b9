"""A forwarded message is not taken as the user's own answer without asking.

The engine hands forwarded text to this feature's mode (``forwarded``): the text is
kept in this feature's state and the user is asked whether to use it as their answer
("Ja" hands it on as if typed, "Nee" drops it). The state lives in ``users.pending``
like every conversation state, so a restart in between loses nothing; a button whose
text is gone (the user moved on) says so.
"""

from __future__ import annotations

from coach.core.events import Choice, Reply
from coach.core.feature import Mode
from coach.core.texts import label
from coach.core.turn import Turn

OWNER = "forwarded"  # this feature's key in users.pending
PREFIX = "fw"  # callback data: fw:yes / fw:no


def on_forwarded(turn: Turn, text: str) -> list[Reply]:
    turn.set_state(OWNER, {"text": text})
    choices = [[Choice(label(turn.lang, "forwarded_use"), f"{PREFIX}:yes"),
                Choice(label(turn.lang, "forwarded_drop"), f"{PREFIX}:no")]]
    return [turn.say("notices.forwarded", choices=choices, preview=text)]


def press(turn: Turn, answer: str) -> list[Reply]:
    text = turn.state(OWNER).get("text")
    turn.set_state(OWNER, None)
    if not text or answer not in ("yes", "no"):
        return [turn.say("notices.forwarded_gone"), *turn.where_you_are()]
    if answer == "no":
        return [turn.say("notices.forwarded_dropped"), *turn.where_you_are()]
    return turn.coach.typed(turn, text)


def _repeat(turn: Turn) -> list[Reply]:
    return turn.where_you_are()


MODE = Mode(OWNER, on_forwarded, _repeat, needs_library=False)
