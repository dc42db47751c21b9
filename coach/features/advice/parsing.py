"""Typed audiences: the groups and age bands named in free text ("ouders met peuters",
"jongeren van 15 tot 20", "65-plussers"), for the flow's ``matcher: groups`` and
``matcher: ages``.  The names are the aliases in ``flows/channels.yaml``; the words
around typed ages ("tussen", "tot", "ouder dan") are in ``flows/<lang>/vocabulary.yaml``
(``ages``); every language is read at once.  What is found is always confirmed by the
user, never taken for granted.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from rapidfuzz import fuzz

from coach.features.advice.data import ChannelData, load_channel_data
from coach.flow.text import ALIAS_SURE, alternation, fold
from coach.flow.vocabulary import load_vocabulary

MAX_MATCH_INPUT = 2000  # characters of free text looked at

_TAG_RE = re.compile(r"<[^>]{0,200}>")
_WORD_RE = re.compile(r"[a-z0-9+]+")


def _normalize(text: str) -> str:
    """Folded, without tags; dashes as "-", apostrophes dropped (baby's -> babys)."""
    text = _TAG_RE.sub(" ", fold(text[:MAX_MATCH_INPUT]))
    text = re.sub(r"[\u2010-\u2015\u2212]", "-", text)  # dashes
    return re.sub(r"['\u2018\u2019`\u00b4]", "", text)


def _words(text: str) -> list[str]:
    return _WORD_RE.findall(_normalize(text))


def _age_words(key: str) -> str:
    """The words under ``ages.<key>`` of every language, as a regex alternation."""
    return alternation(_normalize(w).strip() for w in load_vocabulary().words(f"ages.{key}"))


_NUM = r"(\d{1,3})"
_YEAR = rf"(?:(?:{_age_words('year')})\s*)?"
_RANGE_RE = re.compile(
    rf"(?:(?:{_age_words('between')})\s*{_NUM}\s*{_YEAR}(?:{_age_words('and')})\s*{_NUM})"
    rf"|(?:{_NUM}\s*{_YEAR}(?:-|{_age_words('to')})\s*{_NUM})"
)
_PLUS_RE = re.compile(rf"{_NUM}\s*(?:\+|-?\s*(?:{_age_words('plus')}))")
_ABOVE_RE = re.compile(rf"\b(?:{_age_words('above')})\s*{_NUM}")
_BELOW_RE = re.compile(rf"\b(?:{_age_words('below')})\s*{_NUM}")
_SINGLE_RE = re.compile(rf"{_NUM}\s*-?\s*(?:{_age_words('old')})\b")
_MAX_AGE = 120


def _alias_matches(
    words: list[str], targets: Iterable[tuple[str, Iterable[str]]]
) -> list[tuple[int, str]]:
    """(position, target id) for every alias found, longest alias winning overlaps."""
    hits: list[tuple[int, float, int, int, str]] = []  # (-len, -score, start, end, id)
    for target, aliases in targets:
        for alias in aliases:
            aw = _words(alias)
            if not aw:
                continue
            a = " ".join(aw)
            k = len(aw)
            exact_only = len(a) <= 4 or any(ch.isdigit() for ch in a)
            for i in range(len(words) - k + 1):
                window = " ".join(words[i : i + k])
                if window == a:
                    score = 100.0
                elif exact_only or abs(len(window) - len(a)) > 3:
                    continue
                else:
                    score = fuzz.ratio(window, a)
                    if score < ALIAS_SURE:
                        continue
                hits.append((-k, -score, i, i + k, target))
    hits.sort()
    accepted: list[tuple[int, int, int, float, str]] = []
    for negk, negs, start, end, target in hits:
        overlaps = [a for a in accepted if a[0] < end and start < a[1]]
        # an overlapping hit is kept only when it ties exactly (same words, same
        # score), e.g. "senioren" naming both 65-79 and 80+
        if overlaps and not any(
            a[0] == start and a[1] == end and a[2] == negk and a[3] == negs for a in overlaps
        ):
            continue
        accepted.append((start, end, negk, negs, target))
    return [(a[0], a[4]) for a in accepted]


def match_groups(text: str, data: ChannelData | None = None) -> list[str]:
    """Group ids named in free text ("ouders met peuters" -> ["parents_young"]),
    in order of appearance; [] when nothing matches well enough."""
    if not text or not text.strip():
        return []
    data = data or load_channel_data()
    found = _alias_matches(_words(text), ((g.id, g.aliases) for g in data.groups.values()))
    found.sort()
    return list(dict.fromkeys(t for _, t in found))


def _make_range(*nums: int | None) -> tuple[int, int] | None:
    a, b = [n for n in nums if n is not None]
    return (a, b) if a <= b <= _MAX_AGE else None


def _age_ranges(text: str) -> list[tuple[int, int]]:
    text = _normalize(text)
    ranges: list[tuple[int, int]] = []

    def take(regex: re.Pattern[str], make) -> None:
        nonlocal text
        for m in regex.finditer(text):
            r = make(*(None if g is None else int(g) for g in m.groups()))
            if r is not None:
                ranges.append(r)
        text = regex.sub(" ", text)

    take(_RANGE_RE, _make_range)
    take(_PLUS_RE, lambda a: (a, _MAX_AGE) if a <= _MAX_AGE else None)
    take(_ABOVE_RE, lambda a: (a, _MAX_AGE) if a <= _MAX_AGE else None)
    take(_BELOW_RE, lambda a: (0, a) if a <= _MAX_AGE else None)
    take(_SINGLE_RE, lambda a: (a, a) if a <= _MAX_AGE else None)
    return ranges


def _bands_of_range(lo: int, hi: int, data: ChannelData) -> list[str]:
    """The bands a typed range overlaps.  A band the range only enters with its first
    year doesn't count: "12-18" is teens, not children (0-12) plus teens; "19-25" is the
    twenties.  A range that runs a year into the next band still spans both ("15-20":
    people who write the upper bound mean it)."""
    hits = [b for b in data.age_bands.values() if lo <= b.range[1] and hi >= b.range[0]]
    if lo < hi and len(hits) > 1:
        hits = [b for b in hits if b.range[1] != lo]
    return [b.id for b in hits]


def match_ages(text: str, data: ChannelData | None = None) -> list[str]:
    """Age band ids named in free text ("tieners", "65-plussers", "15-20", "12-18",
    "jongeren van 15 tot 20"), in the data file's order; [] when unsure.  A number range
    gives every band it overlaps (see :func:`_bands_of_range`)."""
    if not text or not text.strip():
        return []
    data = data or load_channel_data()
    wanted: set[str] = set()
    for lo, hi in _age_ranges(text):
        wanted.update(_bands_of_range(lo, hi, data))
    found = _alias_matches(_words(text), ((b.id, b.aliases) for b in data.age_bands.values()))
    wanted.update(t for _, t in found)
    return [a for a in data.age_bands if a in wanted]

