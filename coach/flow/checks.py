"""Answer checks: does an answer carry the next step, or does the coach push back once?

Which checks a question gets is data (``checks:`` in flows/strategy.yaml, see
docs/flow-format.md); the words they look for are data too
(``flows/<lang>/checks.yaml``); what the coach then says is a template block per kind
in ``prompts/<lang>/feedback.j2``. :func:`run_checks` is pure: an answer and its
context in, at most one :class:`Finding` out (the first check that finds something).

Words are matched as whole words or phrases (a hyphen also ends a word, so "tiktok"
is in "TikTok-account"), on the lower-cased text; words written with accents or signs
("vóór", "#") only as written, the others also on the text without accents.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import yaml

from coach.flow.model import LANGS, ROOT, Check
from coach.flow.text import fold

FLOWS_DIR = ROOT / "flows"
QUOTE_MAX = 80  # the most of the user's own words a feedback message repeats
KPI_MAX = 2  # "one or two KPIs per goal"


@dataclass(frozen=True)
class Finding:
    """What is weak about an answer: ``kind`` names the feedback block; ``ctx`` holds
    what it needs. ``keep`` is False for a non-answer (it is never stored)."""

    kind: str
    quote: str
    ctx: dict[str, Any] = field(default_factory=dict)
    keep: bool = True


class CheckError(ValueError):
    """A checks vocabulary file is not valid."""


# -- words ------------------------------------------------------------------------------


def _pattern(words: Iterable[str]) -> re.Pattern[str] | None:
    words = sorted({w.lower() for w in words if w}, key=len, reverse=True)
    if not words:
        return None
    alternation = "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in words)
    return re.compile(rf"(?<![\w])(?:{alternation})(?![\w])")


class Words:
    """One language's check vocabulary, with a matcher per key."""

    def __init__(self, data: dict[str, Any]):
        self.data = data
        self._raw: dict[str, re.Pattern[str] | None] = {}
        self._folded: dict[str, re.Pattern[str] | None] = {}
        self._sets: dict[str, frozenset[str]] = {}

    def folded_set(self, keys: tuple[str, ...]) -> frozenset[str]:
        """The words of ``keys`` without accents, as one set (computed once)."""
        name = "folded:" + ",".join(keys)
        if name not in self._sets:
            self._sets[name] = frozenset(fold(w) for key in keys for w in self.words(key))
        return self._sets[name]

    def whole_answers(self, key: str) -> frozenset[str]:
        """The entries of ``key`` as whole answers compare (see :func:`whole`)."""
        if key not in self._sets:
            self._sets[key] = frozenset(whole(w) for w in self.words(key))
        return self._sets[key]

    def words(self, key: str) -> list[str]:
        """The entries of ``key``; "key.group" for one group of a grouped list."""
        name, _, group = key.partition(".")
        value = self.data.get(name) or []
        if group:
            value = value.get(group) or [] if isinstance(value, dict) else []
        if isinstance(value, dict):
            return [w for ws in value.values() for w in ws]
        return list(value)

    def find(self, key: str, text: str) -> str | None:
        """The first word of ``key`` in ``text`` (as written there), or None."""
        if key not in self._raw:
            words = self.words(key)
            self._raw[key] = _pattern(w for w in words if not w.isascii())
            self._folded[key] = _pattern(fold(w) for w in words if w.isascii())
        low = text.lower()
        for pattern, target in ((self._raw[key], low), (self._folded[key], _fold(text))):
            if pattern and (m := pattern.search(target)):
                return m.group(0)
        return None

    def without(self, key: str, text: str) -> str:
        """``text`` with the words of ``key`` taken out ("af en toe" before "elke")."""
        self.find(key, "")
        for pattern in (self._raw[key], self._folded[key]):
            if pattern:
                text = pattern.sub(" ", fold(text) if pattern is self._folded[key] else text)
        return text

    def channels(self, text: str) -> list[str]:
        """The channel ids ``text`` names, in the order of the vocabulary."""
        folded = _fold(text)
        return [channel for channel, words in (self.data.get("channel_words") or {}).items()
                if _channel_pattern(channel, tuple(words)).search(folded)]


@lru_cache(maxsize=2048)
def _fold(text: str) -> str:
    """:func:`fold`, once per text: every check looks at the same answer."""
    return fold(text)


@cache
def _channel_pattern(channel: str, words: tuple[str, ...]) -> re.Pattern[str]:
    alternation = "|".join(re.escape(fold(w)).replace(r"\ ", r"\s+")
                           for w in sorted(words, key=len, reverse=True))
    if channel == "x_twitter":  # "x" only as a word among words: not "2 x per week", "(x)"
        return re.compile(rf"(?:^|(?<=[^\S\n]))(?<!\d\s)(?:{alternation})(?=$|[\s.,;:!?-])")
    return re.compile(rf"(?<![\w])(?:{alternation})(?![\w])")


def _read(lang: str) -> dict[str, Any]:
    path = FLOWS_DIR / lang / "checks.yaml"
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise CheckError(f"{path}: {exc}") from exc
    if not isinstance(data, dict):
        raise CheckError(f"{path}: expected a mapping of word lists")
    return data


@cache
def check_words() -> Words:
    """The words of every language together: people type in both (an English "be more
    visible" in a Dutch chat is still vague); the language only picks the feedback."""
    merged: dict[str, Any] = {}
    for lang in LANGS:
        for key, value in _read(lang).items():
            if isinstance(value, dict):
                group = merged.setdefault(key, {})
                for sub, words in value.items():
                    group[sub] = [*group.get(sub, []), *words]
            else:
                merged[key] = [*merged.get(key, []), *(value or [])]
    return Words(merged)


# -- helpers ----------------------------------------------------------------------------

_TRAILING = re.compile(r"[\s.!,;:]+$")
_SENTENCE_END = re.compile(r"[.!?](?:\s+|$)")
_DIGIT = re.compile(r"\d")
_NAME = re.compile(r"(?<![\w'’])([A-Z][a-zà-ÿ]{2,})(?![\w])")


def quote(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= QUOTE_MAX else text[: QUOTE_MAX - 1].rstrip() + "…"


def whole(text: str) -> str:
    """An answer as compared with the non-answer lists."""
    text = " ".join(text.lower().split())
    if text.strip("?"):
        text = text.rstrip("?")
    return _TRAILING.sub("", text)


def has_number(words: Words, text: str) -> bool:
    return bool(_DIGIT.search(text)) or words.find("numbers_words", text) is not None


def _items(value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(v) for v in value]
    return [str(value)] if value is not None else []


# -- the checks -------------------------------------------------------------------------
# Each gets (check, items, words, context) and returns a Finding or None.


def non_answer(check: Check, items: list[str], words: Words, ctx: dict) -> Finding | None:
    """"ja", "geen idee", "zoals bram zegt": never an answer (for every item)."""
    found = [_non_answer(item, words, ctx) for item in items]
    if not items or not all(found):
        return None
    first = next(f for f in found if f)
    return Finding("non_answer", quote(" / ".join(items)), first, keep=False)


def _non_answer(item: str, words: Words, ctx: dict) -> dict | None:
    text = whole(item)
    if not text.strip("?-.… ") or text in words.whole_answers("non_answers"):
        return {"colleague": ""}
    if ctx.get("pick_one") and text in words.whole_answers("pick_one_non_answers"):
        return {"colleague": "", "pick_one": True}
    for prefix in sorted(words.words("non_answer_prefixes"), key=len, reverse=True):
        if text.startswith(prefix + " "):
            rest = text[len(prefix):].split()
            if len(rest) <= 3:
                return {"colleague": rest[0] if rest else ""}
    return None


def vague_goal(check: Check, items: list[str], words: Words, ctx: dict) -> Finding | None:
    """Firm: a number and a period or deadline. Gentle: an outcome or any measure."""
    for item in items:
        number = has_number(words, item)
        if check.firm:
            period = words.find("period_words", item) is not None
            if not (number and period):
                missing = "both" if not (number or period) else "number" if period else "period"
                return Finding("vague_goal", quote(item), {"missing": missing, "firm": True})
        elif (words.find("vague_goal_phrases", item) and not number
              and not words.find("outcome_words", item)):
            return Finding("vague_goal", quote(item), {"missing": "both", "firm": False})
    return None


def channel_as_goal(check: Check, items: list[str], words: Words, ctx: dict) -> Finding | None:
    """"Op TikTok zijn": a platform, not an outcome."""
    for item in items:
        channels = words.channels(item)
        if channels and not words.find("outcome_words", item) and not has_number(words, item):
            return Finding("channel_as_goal", quote(item), {"channel": channels[0]})
    return None


_KPI_SPLIT = re.compile(r"\s*(?:,|;|\s+en\s+|\s+and\s+|\s+/\s+|\s+\+\s+)\s*", re.I)


def several_kpis(check: Check, items: list[str], words: Words, ctx: dict) -> Finding | None:
    """More than one or two KPIs for one goal, also when typed on one line."""
    parts = [p for item in items for p in _KPI_SPLIT.split(item) if p.strip()]
    if len(parts) > KPI_MAX:
        return Finding("several_kpis", quote(" / ".join(items)),
                       {"parts": [quote(p) for p in parts], "count": len(parts),
                        "max": KPI_MAX})
    return None


def vanity_kpi(check: Check, items: list[str], words: Words, ctx: dict) -> Finding | None:
    """Likes, followers, views with no library outcome; suggest one from the goal."""
    for item in items:
        if words.find("vanity_words", item) and not words.find("outcome_words", item):
            return Finding("vanity_kpi", quote(item),
                           {"outcome": outcome_phrase(words, ctx.get("item", ""))})
    return None


def outcome_phrase(words: Words, goal: str) -> str:
    """The library outcome in a goal's own words: "30 aanmeldingen voor Klik & Tik vóór
    1 juni" → "aanmeldingen voor Klik & Tik"."""
    found = words.find("outcome_words", goal)
    if not found:
        return ""
    start = fold(goal).find(fold(found))
    rest = goal[start:]
    if stop := words.find("period_words", rest):
        low = rest.lower()
        rest = rest[: low.find(stop) if stop in low else fold(rest).find(stop)]
    return quote(_DIGIT.split(rest)[0].strip(" ,.;:-"))


NEEDS: dict[str, Callable[[Words, str], bool]] = {
    "owner": lambda w, t: bool(w.find("owner_words", t) or _names(w, t)),
    "response_time": lambda w, t: bool(w.find("response_time_words", t)),
    "rhythm": lambda w, t: bool(w.find("rhythm_words", w.without("vague_rhythm_words", t))),
    "place": lambda w, t: bool(w.find("place_words", t) or w.channels(t) or "#" in t),
    "source": lambda w, t: bool(w.find("source_words", t)),
}


def _names(words: Words, text: str) -> list[str]:
    """Capitalised words that could be a colleague's name."""
    skip = words.folded_set(("non_owner_words", "numbers_words", "channel_words"))
    return [n for n in _NAME.findall(text) if fold(n) not in skip]


def needs(check: Check, items: list[str], words: Words, ctx: dict) -> Finding | None:
    """A webcare, listening or measuring plan names each part it needs."""
    text = " ".join(items)
    missing = [need for need in check.needs if not NEEDS[need](words, text)]
    if missing:
        return Finding(check.feedback or "needs", quote(text), {"missing": missing})
    return None


def tactic_channels(check: Check, items: list[str], words: Words, ctx: dict) -> Finding | None:
    """A tactic on a channel that was not chosen; a chosen channel without a tactic."""
    chosen = list(ctx.get("channels") or [])
    if not chosen:
        return None
    named: list[str] = []
    for item in items:
        for channel in words.channels(item):
            if channel not in chosen:
                return Finding("tactic_channel_not_chosen", quote(item),
                               {"channel": channel, "chosen": chosen})
            named.append(channel)
    if named and len(items) > 1 and (left := [c for c in chosen if c not in named]):
        return Finding("channel_without_tactic", quote(" / ".join(items)),
                       {"channels": left})
    return None


def mission(check: Check, items: list[str], words: Words, ctx: dict) -> Finding | None:
    """One sentence, about what the audience gains rather than what the library wants."""
    text = " ".join(items).strip()
    sentences = [s for s in _SENTENCE_END.split(text) if s.strip()]
    if len(sentences) > 1 or len(text) > 240:
        return Finding("mission_too_long", quote(text), {"sentences": len(sentences)})
    if words.find("vanity_words", text) or (words.find("mission_library_words", text)
                                             and not words.find("mission_audience_words", text)):
        return Finding("mission_about_library", quote(text))
    return None


def why_about_library(check: Check, items: list[str], words: Words,
                      ctx: dict) -> Finding | None:
    """A why that is only duty or fashion ("omdat het moet", "iedereen doet het") or only
    the library's own visibility ("voor de zichtbaarheid", "meer volgers"), with nobody
    who gains and nothing gained. Not the mission's "voor", "zodat", "kan" ("voor de
    zichtbaarheid" has a "voor", "zodat we zichtbaarder worden" a "zodat")."""
    text = " ".join(items)
    if (words.find("mission_audience_words.who", text)
            or words.find("mission_audience_words.gains", text)):
        return None
    if words.find("why_duty_words", text):
        return Finding("why_about_library", quote(text), {"reason": "duty"})
    if words.find("mission_library_words.self", text):
        return Finding("why_about_library", quote(text), {"reason": "self"})
    return None


def broadcast_only(check: Check, items: list[str], words: Words, ctx: dict) -> Finding | None:
    """Getting into conversation by only sending ("posten", "we delen onze activiteiten"):
    nothing that invites a reaction or answers one (a question, a poll, replies, DMs)."""
    text = " ".join(items)
    if words.find("broadcast_words", text) and not words.find("conversation_words", text):
        return Finding("broadcast_only", quote(text))
    return None


CHECKS: dict[str, Callable[[Check, list[str], Words, dict], Finding | None]] = {
    "non_answer": non_answer, "vague_goal": vague_goal, "channel_as_goal": channel_as_goal,
    "several_kpis": several_kpis, "vanity_kpi": vanity_kpi, "needs": needs,
    "tactic_channels": tactic_channels, "mission": mission,
    "why_about_library": why_about_library, "broadcast_only": broadcast_only,
}


def run_checks(checks: Sequence[Check], value: Any, lang: str,
               context: dict[str, Any] | None = None) -> Finding | None:
    """The first weakness the checks find in an answer ``value`` (text or list)."""
    items = [i for i in _items(value) if i.strip()] or _items(value)
    words = check_words()
    for check in checks:
        if finding := CHECKS[check.kind](check, items, words, context or {}):
            return finding
    return None
