"""Understanding typed text: options with typos and short forms, navigation words
(the words themselves: flows/<lang>/vocabulary.yaml).

Matching is deliberately cautious: a confident match is taken, an uncertain one is
returned as such so that the coach asks to confirm instead of guessing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz
from rapidfuzz.distance import OSA

from coach.flow.model import Option
from coach.flow.text import SURE, UNSURE, WORD_SURE, alternation, normalize
from coach.flow.vocabulary import load_vocabulary, words

__all__ = ["DONE", "NAVIGATION_WORDS", "NO", "SURE", "UNSURE", "YES", "OptionMatch",
           "match_option", "navigation_word", "normalize", "split_tokens", "word_in"]

# The words live in flows/<lang>/vocabulary.yaml; every language is understood at once.
NAVIGATION_WORDS: dict[str, tuple[str, ...]] = load_vocabulary().group("navigation")
YES = words("yes")
NO = words("no")
DONE = words("done")


@dataclass(frozen=True)
class Term:
    """A vocabulary entry, normalised once: its text with and without spaces."""

    text: str
    bare: str

    @classmethod
    def of(cls, text: str) -> Term:
        norm = normalize(text)
        return cls(norm, norm.replace(" ", ""))


def _is_subsequence(short: str, long: str) -> bool:
    letters = iter(long)
    return all(ch in letters for ch in short)


def similar(typed: str, known: str) -> bool:
    """True when ``typed`` can be a typo or a short form of ``known``, not just another
    word with letters in common: at most one edit per three letters of ``known``
    (a swap of two letters is one), and the same first letter unless it is one edit
    away ("iedereen" is not "ouderen", "jaarlijks" not "maandelijks", "opinternet"
    not "pinterest"); or ``typed`` is ``known`` with letters left out ("facbk")."""
    if typed == known:
        return True
    distance = OSA.distance(typed, known)
    if distance <= 1:
        return True
    if typed[:1] != known[:1]:
        return False
    if distance <= len(known) // 3:
        return True
    return len(typed) >= max(4, len(known) / 2) and _is_subsequence(typed, known)


def _score(typed: Term, known: Term) -> float:
    if not typed.text or not known.text:
        return 0.0
    if typed.text == known.text or typed.bare == known.bare:
        return 100.0
    if min(len(typed.text), len(known.text)) <= 2:
        return 0.0  # "x", "fb", "ig" only match exactly
    scores = [fuzz.ratio(a, b) for a, b in ((typed.text, known.text), (typed.bare, known.bare))
              if similar(a, b)]
    return max(scores, default=0.0)


@lru_cache(maxsize=64)
def _terms(words: tuple[str, ...]) -> tuple[tuple[Term, float], ...]:
    """The words, normalised, each with the score it needs (short words: exact)."""
    return tuple((Term.of(w), 100 if len(w) <= 5 else WORD_SURE) for w in words)


def word_in(text: str, words: tuple[str, ...]) -> bool:
    """True when the whole text is (nearly) one of ``words``."""
    if len(text) > 60:  # an answer, not one of these short words
        return False
    typed = Term.of(text)
    if len(typed.text) > 30:
        return False
    return any(_score(typed, term) >= needed for term, needed in _terms(words))


def navigation_word(text: str) -> str | None:
    """The navigation action the whole text stands for, if any."""
    for action, known in NAVIGATION_WORDS.items():
        if word_in(text, known):
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


def _option_terms(options: tuple[Option, ...]) -> list[tuple[Term, str]]:
    """Every name of every option (id, labels, aliases), normalised once per flow."""
    cached = _OPTION_TERMS.get(id(options))
    if cached is None or cached[0] is not options:
        terms = [(Term.of(name), o.id) for o in options
                 for name in (o.id.replace("_", " "), *o.label.values(), *o.aliases)]
        cached = _OPTION_TERMS[id(options)] = (options, terms)
    return cached[1]


_OPTION_TERMS: dict[int, tuple[tuple[Option, ...], list[tuple[Term, str]]]] = {}


def match_option(token: str, options: tuple[Option, ...]) -> OptionMatch:
    """The best option for one typed token (its id is None when nothing is close)."""
    typed = Term.of(token)
    best: tuple[float, str | None] = (0.0, None)
    for term, option_id in _option_terms(options):
        score = _score(typed, term)
        if score > best[0]:
            best = (score, option_id)
    score, option_id = best
    if score < UNSURE:
        return OptionMatch(None, score, token)
    return OptionMatch(option_id, score, token)


# Only what people put between the items of a list: commas (and semicolons), new lines
# and the list words ("en", "and"); not "/" or "&", which belong inside a name
# ("Twitter/X", "Klik & Tik") or a bit of pasted markup.
SPLIT_TOKENS = re.compile(
    rf"\s*(?:[,;\n]|\b(?:{alternation(words('list_words'))})\b)\s*", re.I
)


ALSO_WORDS = re.compile(rf"\b(?:{alternation(words('also'))})\b", re.I)  # "ja, en ook ..."


def split_tokens(text: str) -> list[str]:
    """Split a typed list of options: "insta, fb en tik tok" → three tokens."""
    return [t.strip() for t in SPLIT_TOKENS.split(text) if t and t.strip(" .!-")]


def yes_and_more(text: str) -> str | None:
    """"ja, en ook tieners" → "tieners": a yes to a question that adds more (None when
    the text is not a yes followed by more)."""
    tokens = split_tokens(text)
    if len(tokens) < 2 or not word_in(tokens[0], YES):
        return None
    more = [" ".join(ALSO_WORDS.sub(" ", t).split()) for t in tokens[1:]]
    return ", ".join(t for t in more if t) or None


def _shares_a_word(typed: str, label: str) -> bool:
    """A word of five letters or more in both (with a typo): "taalcafe" in "Elke week een
    vol taalcafé", not "elke" or "week"."""
    label_words = [w for w in label.split() if len(w) >= 5]
    return any(similar(w, known) for w in typed.split() if len(w) >= 5 for known in label_words)


def match_answer(typed: str, options: tuple[Option, ...]) -> OptionMatch:
    """An option that is one of the user's own earlier answers (a goal from step 1):
    its number ("2"), or the words typed from it ("taalcafé" for "Elke week een vol
    taalcafé"); a match on words alone is never sure."""
    text = typed.strip().rstrip(".)")
    if text.isdigit() and 1 <= int(text) <= len(options):
        return OptionMatch(options[int(text) - 1].id, 100.0, typed)
    typed_norm = normalize(typed)
    best, score = None, 0.0
    for option in options:
        label = normalize(next(iter(option.label.values())))
        if typed_norm and typed_norm == label:
            return OptionMatch(option.id, 100.0, typed)
        s = fuzz.token_set_ratio(typed_norm, label) if _shares_a_word(typed_norm, label) else 0.0
        if s > score:
            best, score = option, s
    if best is not None and score >= SURE:
        return OptionMatch(best.id, min(score, SURE - 1), typed)  # asked to confirm
    return OptionMatch(None, score, typed)
