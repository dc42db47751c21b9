""""Did you do last week's step?": ja / deels / nee, geen tijd / nee, het werkte niet.

Typed answers are read inside a longer message too ("nee, geen tijd gehad"), with the
words of ``flows/<lang>/vocabulary.yaml`` (``step_done``): "werkte niet" wins over
"geen tijd", that over "deels", that over "gedaan"; a plain "nee" counts as no time
(the gentle reading: the next step is then a smaller one). The outcome is stored with
the suggestion (``suggestions.outcome``) and steers the next step (``suggestions.py``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from coach.core.events import Choice
from coach.flow.matching import NO, YES, word_in
from coach.flow.text import fold, words
from coach.flow.vocabulary import load_vocabulary

if TYPE_CHECKING:
    from coach.core.turn import Turn

OUTCOMES = ("done", "partly", "no_time", "did_not_work")
BUTTONS = {"yes": "done", "partly": "partly", "notime": "no_time", "failed": "did_not_work",
           "no": "no_time"}  # "no": a button of an earlier version
_ORDER = ("did_not_work", "no_time", "partly", "done")
_PHRASES = {key: tuple(" ".join(words(fold(w))) for w in known)
            for key, known in load_vocabulary().group("step_done").items()}


def read_outcome(text: str) -> str | None:
    """The outcome a typed answer says, or None."""
    if len(text) > 200:
        return None
    typed = f" {' '.join(words(fold(text)))} "
    for outcome in _ORDER:
        if any(p and f" {p} " in typed for p in _PHRASES[outcome]):
            return outcome
    if word_in(text, NO):
        return "no_time"
    if word_in(text, YES):
        return "done"
    return None


def buttons(turn: Turn) -> list[list[Choice]]:
    return [[turn.button("checkins.label_done_yes", "ci:yes"),
             turn.button("checkins.label_done_partly", "ci:partly")],
            [turn.button("checkins.label_done_no_time", "ci:notime"),
             turn.button("checkins.label_done_failed", "ci:failed")]]
