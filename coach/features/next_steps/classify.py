"""Reading what a library wrote: what a KPI counts (:func:`kpi_kind`) and whether an
answer about listening or webcare describes something in place (:func:`is_in_place`).
The words are in ``flows/<lang>/vocabulary.yaml`` (``kpi_kinds``, ``not_in_place``);
every language is read at once."""

from __future__ import annotations

import re
from functools import cache

from coach.features.next_steps.channels import channel_aliases, known_channels
from coach.flow.text import fold, words
from coach.flow.vocabulary import load_vocabulary

KPI_KINDS = ("engagement", "reach", "conversion", "other")
# Words are matched against the words of the KPI name: a keyword matches a word that
# starts or ends with it (Dutch compounds: "websiteklikken", "volgersgroei"). Checked
# in the vocabulary's order (other, conversion, engagement, reach); the first kind with
# a match wins.
_KIND_KEYWORDS: tuple[tuple[str, tuple[str, ...]], ...] = tuple(
    (kind, tuple(fold(w) for w in known))
    for kind, known in load_vocabulary().group("kpi_kinds").items()
)
_NOT_IN_PLACE = {fold(w) for w in load_vocabulary().words("not_in_place")}


@cache
def _channel_words() -> frozenset[str]:
    """Channel names, left out of a KPI's name ("LinkedIn-volgers" counts followers)."""
    return frozenset(known_channels()) | frozenset(channel_aliases())


def _word_matches(word: str, keyword: str) -> bool:
    if len(keyword) <= 3:
        return word == keyword
    return word.startswith(keyword) or word.endswith(keyword)


def kpi_kind(name: str) -> str:
    """Classify a KPI name (Dutch or English): 'engagement', 'reach', 'conversion' or
    'other' (webcare response time, sentiment, unknown)."""
    text = name or ""
    # "sign-ups" -> also "signups"; "LinkedIn-volgers" -> "linkedin", "volgers"
    found = words(text) + words(re.sub(r"(?<=\w)-(?=\w)", "", text))
    found = [w for w in found if w not in _channel_words()]
    for kind, keywords in _KIND_KEYWORDS:
        if any(_word_matches(w, k) for w in found for k in keywords):
            return kind
    return "other"


def is_in_place(answer: str | None) -> bool:
    """Does a free-text answer to "how do you listen?" / "who answers questions?"
    (the questions with the roles ``listening`` and ``webcare``) describe something real?

    False for no answer and for short refusals ("nog niet", "geen", "niemand",
    "weet ik niet", "n.v.t.", "-", "not yet"); any longer description counts as in place
    ("Geen tool, wel een Google Alert op onze naam" is True).
    """
    if not answer or not answer.strip():
        return False
    found = words(answer)
    if not found:
        return False
    return not (len(found) <= 4 and any(w in _NOT_IN_PLACE for w in found))
