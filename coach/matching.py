"""Understanding typed text: options with typos and short forms, navigation words.

Matching is deliberately cautious: a confident match is taken, an uncertain one is
returned as such so that the coach asks to confirm instead of guessing.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz

from coach.flow import Option

SURE = 86  # at or above: take it
UNSURE = 66  # at or above (and below SURE): ask to confirm

NAVIGATION_WORDS: dict[str, tuple[str, ...]] = {
    "back": ("terug", "vorige", "ga terug", "back", "go back", "previous"),
    "skip": ("overslaan", "sla over", "later", "skip", "skip it", "volgende keer"),
    "pause": ("pauze", "pauzeer", "stop", "stoppen", "pause", "genoeg voor vandaag"),
    "help": ("help", "hulp", "?", "help me", "wat moet ik doen"),
    "continue": ("verder", "ga verder", "doorgaan", "ga door", "continue", "resume", "go on"),
    "overview": ("overzicht", "waar ben ik", "overview", "where am i"),
}
YES = ("ja", "j", "jazeker", "klopt", "ok", "oke", "prima", "goed", "yes", "y", "yep", "sure")
NO = ("nee", "n", "neen", "niet", "no", "nope", "nah")
DONE = ("klaar", "dat was het", "done", "ready", "that's all", "thats all", "ok")


@lru_cache(maxsize=8192)
def normalize(text: str) -> str:
    """Lower case, accents and emoji removed, punctuation to spaces, spaces collapsed."""
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = re.sub(r"[^\w+?&'\s-]", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def _score(a: str, b: str) -> float:
    if not a or not b:
        return 0.0
    if a == b or a.replace(" ", "") == b.replace(" ", ""):
        return 100.0
    if min(len(a), len(b)) <= 2:
        return 0.0  # "x", "fb", "ig" only match exactly
    return max(fuzz.ratio(a, b), fuzz.ratio(a.replace(" ", ""), b.replace(" ", "")))


def word_in(text: str, words: tuple[str, ...]) -> bool:
    """True when the whole text is (nearly) one of ``words``."""
    norm = normalize(text)
    if len(norm) > 30:
        return False
    return any(_score(norm, normalize(w)) >= (100 if len(w) <= 5 else 90) for w in words)


def navigation_word(text: str) -> str | None:
    """The navigation action the whole text stands for, if any."""
    for action, words in NAVIGATION_WORDS.items():
        if word_in(text, words):
            return action
    return None


@dataclass(frozen=True)
class OptionMatch:
    option_id: str | None
    score: float
    token: str

    @property
    def sure(self) -> bool:
        return self.option_id is not None and self.score >= SURE


def match_option(token: str, options: tuple[Option, ...]) -> OptionMatch:
    """The best option for one typed token (its id is None when nothing is close)."""
    norm = normalize(token)
    best: tuple[float, str | None] = (0.0, None)
    for option in options:
        names = [option.id.replace("_", " "), *option.label.values(), *option.aliases]
        for name in names:
            score = _score(norm, normalize(name))
            if score > best[0]:
                best = (score, option.id)
    score, option_id = best
    if score < UNSURE:
        return OptionMatch(None, score, token)
    return OptionMatch(option_id, score, token)


SPLIT_TOKENS = re.compile(r"\s*(?:[,;\n/&+]|\s-\s|\ben\b|\band\b|\bof\b|\bor\b)\s*", re.I)


def split_tokens(text: str) -> list[str]:
    """Split a typed list of options: "insta, fb en tik tok" → three tokens."""
    return [t.strip() for t in SPLIT_TOKENS.split(text) if t and t.strip(" .!-")]
