"""What the document reads in the library's answers: a tactic's channel and rhythm,
who answers and who takes over, the response time and hours, the monitoring tool.

The words are data (``flows/document.yaml``, weekday names from
``flows/<lang>/vocabulary.yaml``, channel and source words from ``flows/<lang>/checks.yaml``).
Every part found is quoted as written in the answer, never made up; what is not found
stays empty, and the document says it is not agreed yet.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from pathlib import Path

import yaml

from coach.flow.checks import check_words
from coach.flow.model import LANGS, ROOT
from coach.flow.text import fold
from coach.flow.vocabulary import load_vocabulary

DOCUMENT_WORDS = ROOT / "flows" / "document.yaml"
FREQUENCIES = ("daily", "weekly", "biweekly", "monthly")
WEEKS = 4
_CLAUSES = re.compile(r"\s*(?:[;\n]|[,.](?=\s|$)|\s-\s|\s–\s)\s*")


@cache
def document_words(path: Path = DOCUMENT_WORDS) -> dict:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or set(data.get("rhythm") or {}) != set(FREQUENCIES):
        raise ValueError(f"{path}: expected rhythm with {', '.join(FREQUENCIES)}")
    return data


@cache
def _pattern(words: tuple[str, ...], plural: bool = False) -> re.Pattern[str] | None:
    if not words:
        return None
    alternation = "|".join(re.escape(fold(w)).replace(r"\ ", r"\s+")
                           for w in sorted(words, key=len, reverse=True))
    suffix = r"(?:s|en)?" if plural else ""
    return re.compile(rf"(?<![\w])(?:{alternation}){suffix}(?![\w])")


def find(words: list[str] | tuple[str, ...], text: str) -> str:
    """The first of ``words`` in ``text``, as written there ("" if none)."""
    pattern = _pattern(tuple(words))
    folded = fold(text)
    if pattern is None or len(folded) != len(text):
        match = pattern.search(folded) if pattern else None
        return match.group(0) if match else ""
    match = pattern.search(folded)
    return text[match.start():match.end()] if match else ""


def clauses(text: str) -> list[str]:
    return [c.strip() for c in _CLAUSES.split(" ".join(str(text).split())) if c.strip()]


def clause_with(words: list[str] | tuple[str, ...], text: str) -> str:
    return next((c for c in clauses(text) if find(words, c)), "")


# -- the rhythm of a tactic --------------------------------------------------------------


@dataclass(frozen=True)
class Rhythm:
    frequency: str  # one of FREQUENCIES, "" when the tactic names none
    weekdays: tuple[int, ...] = ()  # 0 = Monday


@cache
def _weekday_patterns() -> tuple[re.Pattern[str], ...]:
    """One pattern per weekday: its full name in every language, "vrijdags", "Fridays"."""
    vocabulary = load_vocabulary()
    names = [tuple(vocabulary.table("weekdays", lang)[d][0] for lang in LANGS) for d in range(7)]
    return tuple(_pattern(n, plural=True) for n in names)


def rhythm_of(text: str) -> Rhythm:
    folded = fold(text)
    days = tuple(d for d, p in enumerate(_weekday_patterns()) if p.search(folded))
    groups = document_words()["rhythm"]
    frequency = next((f for f in FREQUENCIES if find(groups[f], text)), "")
    if not frequency and days:
        frequency = "weekly"
    return Rhythm(frequency, days)


def rhythm_words(text: str) -> str:
    """The words of ``text`` that say its rhythm, as written ("elke vrijdag")."""
    groups = document_words()["rhythm"]
    for f in FREQUENCIES:
        if found := find(groups[f], text):
            return found
    folded = fold(text)
    for p in _weekday_patterns():
        if m := p.search(folded):
            start = max(0, m.start())
            before = text[:start].split()
            word = (before[-1] + " ") if before and len(before[-1]) <= 6 else ""
            return word + text[m.start():m.end()]
    return ""


def first_monday_after(day: date) -> date:
    return day + timedelta(days=7 - day.weekday())


def dates_in_first_weeks(rhythm: Rhythm, start: date) -> list[tuple[date, str]]:
    """The dates of the first :data:`WEEKS` weeks from Monday ``start`` on which the
    tactic happens, each with how the date reads: "day", "week" (a weekly tactic with
    no day: the week's Monday) or "daily" (one row a week)."""
    days = rhythm.weekdays or (0,)
    weeks = {"daily": range(WEEKS), "weekly": range(WEEKS), "biweekly": range(0, WEEKS, 2),
             "monthly": range(1)}.get(rhythm.frequency, ())
    kind = "daily" if rhythm.frequency == "daily" else "day" if rhythm.weekdays else "week"
    if kind == "daily":
        days = (0,)
    return sorted((start + timedelta(weeks=w, days=d), kind) for w in weeks for d in days)


# -- channels, people and plans -----------------------------------------------------------


def channels_in(text: str) -> list[str]:
    """The channel ids a text names (the answer checks' channel words)."""
    return check_words().channels(text)


def source_in(text: str) -> str:
    return find(check_words().words("source_words"), text)


def tool_in(text: str) -> str:
    return find(document_words()["tools"], text)


def backup_in(text: str) -> str:
    """The backup named in ``text`` ("Bram is backup" → "Bram"), or ""."""
    words = document_words()
    part = clause_with(words["backup"], text)
    if not part:
        return ""
    rest = _pattern(tuple(words["backup"])).sub(" ", fold(part)) if part else ""
    fillers = {fold(w) for w in words["backup_fillers"]}
    kept = [w for w, f in zip(part.split(), fold(part).split(), strict=False)
            if f in rest.split() and f.strip(":,") not in fillers]
    return " ".join(kept).strip(" :,")


def who_in(text: str) -> str:
    """The clause of ``text`` that names who does it (not the backup's), or ""."""
    backup = document_words()["backup"]
    checks = check_words()
    for part in clauses(text):
        if find(backup, part):
            continue
        if checks.find("owner_words", part) or any(fold(n) not in _not_names()
                                                    for n in _NAME.findall(part)):
            return part
    return ""


_NAME = re.compile(r"(?<![\w'’])([A-Z][a-zà-ÿ]{2,})(?![\w])")


@cache
def _not_names() -> frozenset[str]:
    """Capitalised words that are not a colleague's name: rhythm, tool, channel words."""
    checks = check_words()
    words = [*checks.words("rhythm_words"), *checks.words("non_owner_words"),
             *checks.words("channel_words"), *checks.words("place_words"),
             *checks.words("source_words"), *document_words()["tools"],
             *(w for group in document_words()["rhythm"].values() for w in group)]
    vocabulary = load_vocabulary()
    words += [w for lang in LANGS for row in vocabulary.table("weekdays", lang) for w in row]
    return frozenset(part for w in words for part in fold(w).split())


def response_time_in(text: str) -> str:
    return clause_with(check_words().words("response_time_words"), text)


def hours_in(text: str) -> str:
    found = clause_with(document_words()["hours"], text)
    if found:
        return found
    return next((c for c in clauses(text) if re.search(r"\d{1,2}[:.]?\d{0,2}\s*[-–]\s*\d", c)),
                "")


def how_often_in(text: str) -> str:
    found = rhythm_words(text)
    return found or find(check_words().words("rhythm_words"), text)


def places_in(text: str, channel_label) -> list[str]:
    """Where a listening plan looks: the channels it names and its places, as written."""
    places = [channel_label(c) for c in channels_in(text)]
    for word in ("tools", "place_words"):
        source = document_words()["tools"] if word == "tools" else check_words().words(word)
        if (found := find(source, text)) and found.casefold() not in map(str.casefold, places):
            places.append(found)
    return places
