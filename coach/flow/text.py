"""Typed text made comparable, in one place: folding, normalising, splitting into words,
the fuzzy-matching thresholds, and a language from a hint.

Every module that reads what people type starts from :func:`fold` (lower case, accents
removed); what it keeps of punctuation depends on what it reads, so the splitting into
words takes a pattern.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

from coach.flow.model import LANGS

DEFAULT_LANG = "nl"

# Fuzzy matching (rapidfuzz ratio, 0-100): every threshold the coach uses, together.
SURE = 86  # a typed option: at or above, take it
UNSURE = 66  # a typed option: at or above (and below SURE), ask to confirm
WORD_SURE = 90  # a whole message as a command word ("terug", "klaar") of six letters or more
ALIAS_SURE = 85  # a run of words in free text naming an audience (always confirmed)
WEEKDAY_SURE = 75  # a weekday with a typo ("woensdg")

WORD = re.compile(r"[a-z0-9]+")  # words and numbers of folded text


def fold(text: str) -> str:
    """Lower case without accents: "Reactiés" → "reacties"."""
    if text.isascii():  # most text: nothing to decompose
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def normalize(text: str) -> str:
    """Folded, emoji and punctuation to spaces (``+ ? & ' -`` kept), spaces collapsed."""
    # short texts (vocabulary, typed options) repeat a lot: remember those only
    return _normalize_short(text) if len(text) <= 100 else _normalize(text)


@lru_cache(maxsize=8192)
def _normalize_short(text: str) -> str:
    return _normalize(text)


def _normalize(text: str) -> str:
    text = re.sub(r"[^\w+?&'\s-]", " ", fold(text))
    return re.sub(r"\s+", " ", text).strip()


def words(text: str, pattern: re.Pattern[str] = WORD) -> list[str]:
    """The words of the folded text: "Websiteklikken (IG)" → ["websiteklikken", "ig"]."""
    return pattern.findall(fold(text))


def longest_first(found: Iterable[str]) -> tuple[str, ...]:
    """Each word once, longest first (then alphabetically): the order in which to try
    words that may start or end one another ("rond de" before "rond")."""
    return tuple(sorted(set(found), key=lambda w: (-len(w), w)))


def alternation(found: Iterable[str]) -> str:
    """A regex alternation of literal words, longest first: ``tot en met|tot``."""
    return "|".join(re.escape(w) for w in longest_first(found))


def lang_from_hint(hint: str | None, default: str = DEFAULT_LANG) -> str:
    """A language from a hint such as a client's or a locale's (``en-GB`` → en,
    ``nl_NL.UTF-8`` → nl); ``default`` for anything else."""
    hint = (hint or "").lower()
    return next((lang for lang in LANGS if hint.startswith(lang)), default)
