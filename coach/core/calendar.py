"""Weekly check-in slots in the library's local time (pure functions, injected "now").

A schedule is a weekday (0 = Monday ... 6 = Sunday) plus a wall-clock time in an IANA
time zone (default ``Europe/Amsterdam``). All moments going in must be timezone-aware;
all moments coming out are aware UTC datetimes, ready to store and compare.

Daylight saving: the local time stays the same across the changes, so a Monday 09:30
check-in in Amsterdam is 07:30 UTC in summer (CEST, +2) and 08:30 UTC in winter
(CET, +1). A wall-clock time that does not exist (02:30 on the
spring-forward Sunday) fires at the same instant as 03:30; one that exists twice
(02:30 on the autumn Sunday) fires the first time (``fold=0``).

Catch-up after downtime (one check-in per local ISO week): on start-up, call
:func:`check_in_due` for each user. This week's slot is due when it has passed, no
check-in was sent in this local ISO week, and the schedule existed at the slot. A slot
of an earlier week is never caught up (:func:`due_this_week` only looks at the
current week), so a bot that was down for a fortnight sends at most one check-in.

Typed input: :func:`parse_weekday` and :func:`parse_time` return None for input they
cannot read, so the caller can ask again.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from rapidfuzz import fuzz, process

from coach.flow.model import LANGS
from coach.flow.text import WEEKDAY_SURE, alternation, fold, lang_from_hint
from coach.flow.vocabulary import load_vocabulary

__all__ = [
    "DEFAULT_TZ",
    "check_in_due",
    "due_this_week",
    "format_time",
    "iso_week",
    "next_due",
    "parse_time",
    "parse_weekday",
    "weekday_name",
]

DEFAULT_TZ = "Europe/Amsterdam"

# The words live in flows/<lang>/vocabulary.yaml: per language seven entries, Monday
# first, each the day's name and its short forms.
_VOCABULARY = load_vocabulary()
_WEEKDAY_NAMES = {
    lang: tuple(entry[0] for entry in _VOCABULARY.table("weekdays", lang)) for lang in LANGS
}


# Exact forms: names and short forms of every language, and the names' adverbial
# "-s" forms ("maandags", "mondays").
_WEEKDAY_FORMS = _VOCABULARY.index("weekdays", fold) | {
    fold(name) + "s": day for names in _WEEKDAY_NAMES.values() for day, name in enumerate(names)
}
_FUZZY_CHOICES = {
    lang: [fold(name) for name in names] for lang, names in _WEEKDAY_NAMES.items()
}
_FILLER_WORDS = {fold(w) for w in _VOCABULARY.words("weekday_fillers")}


def _alternatives(key: str) -> str:
    return alternation(fold(w) for w in _VOCABULARY.words(key))


def _zone(tz: str) -> ZoneInfo:
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise ValueError(f"unknown time zone {tz!r}") from None


def _require_aware(moment: datetime, name: str) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime")


def _check_weekday(weekday: int) -> None:
    if isinstance(weekday, bool) or not isinstance(weekday, int) or not 0 <= weekday <= 6:
        raise ValueError(f"weekday must be 0 (Monday) .. 6 (Sunday), got {weekday!r}")


def _slot(day: date, at: time, zone: ZoneInfo) -> datetime:
    """The instant (UTC) of wall-clock ``at`` on local ``day``."""
    local = datetime.combine(day, at.replace(tzinfo=None, fold=0), tzinfo=zone)
    return local.astimezone(UTC)


def next_due(weekday: int, at: time, tz: str, after: datetime) -> datetime:
    """The first slot (aware UTC) strictly after ``after``.

    The slot is ``weekday`` at local wall-clock ``at`` in ``tz``; the wall-clock time is
    kept across daylight-saving changes.
    """
    _check_weekday(weekday)
    _require_aware(after, "after")
    zone = _zone(tz)
    local_day = after.astimezone(zone).date()
    day = local_day + timedelta(days=(weekday - local_day.weekday()) % 7)
    slot = _slot(day, at, zone)
    while slot <= after:
        day += timedelta(days=7)
        slot = _slot(day, at, zone)
    return slot


def iso_week(moment: datetime, tz: str = DEFAULT_TZ) -> str:
    """The local ISO week of ``moment``, like ``"2026-W48"`` (ISO year, may differ from the
    calendar year around New Year: 2026-12-31 is in ``"2026-W53"``)."""
    _require_aware(moment, "moment")
    year, week, _ = moment.astimezone(_zone(tz)).isocalendar()
    return f"{year}-W{week:02d}"


def due_this_week(weekday: int, at: time, tz: str, now: datetime) -> datetime:
    """This local ISO week's slot (aware UTC), whether it has passed or not."""
    _check_weekday(weekday)
    _require_aware(now, "now")
    zone = _zone(tz)
    today = now.astimezone(zone).date()
    monday = today - timedelta(days=today.weekday())
    return _slot(monday + timedelta(days=weekday), at, zone)


def check_in_due(
    weekday: int,
    at: time,
    tz: str,
    now: datetime,
    last_sent: datetime | None,
    scheduled_since: datetime | None = None,
) -> bool:
    """Should a (catch-up) check-in be sent right now?

    True when this week's slot has passed (``slot <= now``), no check-in was sent in
    this local ISO week (``last_sent``), and the schedule already existed at the slot
    (``scheduled_since``, if given: choosing "Monday" on a Wednesday does not fire at
    once). Slots of earlier weeks are never due.
    """
    slot = due_this_week(weekday, at, tz, now)
    if slot > now:
        return False
    if scheduled_since is not None:
        _require_aware(scheduled_since, "scheduled_since")
        if scheduled_since > slot:
            return False
    if last_sent is not None:
        _require_aware(last_sent, "last_sent")
        if iso_week(last_sent, tz) == iso_week(slot, tz) and last_sent <= now:
            return False
    return True


def _clean_words(text: str) -> list[str]:
    words = re.findall(r"[^\W\d_]+", fold(text))
    return [w for w in words if w not in _FILLER_WORDS]


def parse_weekday(text: str, lang: str = "nl") -> int | None:
    """Read a weekday: "maandag", "ma", "Monday", "mon", "maandags", "elke dinsdag",
    typos such as "woensdg" or "wensday". Returns 0 (Monday) .. 6 (Sunday) or None.

    Dutch and English are both accepted whatever ``lang`` is; ``lang`` only decides
    which language's spelling wins an equal fuzzy match. Abbreviations must be exact;
    typos are only forgiven in words of four letters or more.
    """
    if not text or not isinstance(text, str):
        return None
    words = _clean_words(text)
    if len(words) != 1:
        # "maandag of dinsdag" is not one day; "" and "🙂" have no words
        found = {_WEEKDAY_FORMS[w] for w in words if w in _WEEKDAY_FORMS}
        return found.pop() if len(found) == 1 and len(words) <= 2 else None
    word = words[0]
    if word in _WEEKDAY_FORMS:
        return _WEEKDAY_FORMS[word]
    if len(word) < 4:
        return None
    first = lang_from_hint(lang)
    best: tuple[float, int] | None = None
    for code in (first, "nl" if first == "en" else "en"):
        for candidate in (word, word[:-1] if word.endswith("s") else None):
            if not candidate:
                continue
            match = process.extractOne(
                candidate, _FUZZY_CHOICES[code], scorer=fuzz.ratio, score_cutoff=WEEKDAY_SURE
            )
            if match and (best is None or match[1] > best[0]):
                best = (match[1], match[2])
    return best[1] if best else None


_TIME_PATTERNS = (
    # 9:30, 09.30, 9u30, 9h30, 9 u 30, 9:30 uur
    re.compile(r"(?P<h>\d{1,2})\s*(?:[:.]|u|h)\s*(?P<m>\d{2})(?:\s*(?:uur|u|h))?"),
    # 9, 14, 9 uur, 9u, 9h
    re.compile(r"(?P<h>\d{1,2})(?:\s*(?:uur|u|h))?"),
    # 930, 0930, 1430 (three or four digits, last two are minutes)
    re.compile(r"(?P<h>\d{1,2})(?P<m>\d{2})(?:\s*(?:uur|u|h))?"),
)
_AMPM = re.compile(r"\s*(?P<ampm>[ap])\.?\s*m\.?$")
_HALF = re.compile(r"half\s+(?P<h>\d{1,2})(?:\s*(?:uur|u))?")
_BEFORE_TIME = re.compile(rf"^(?:{_alternatives('time_fillers.before')})\s+")
_AFTER_TIME = re.compile(rf"\s*(?:'s|’s)?\s*(?:{_alternatives('time_fillers.after')})$")


def parse_time(text: str) -> time | None:
    """Read a clock time; returns a naive :class:`datetime.time` or None.

    Accepted: "9:30", "09:30", "9.30", "09.30", "9u30", "9h30", "9:30 uur", "14:00",
    "9", "9 uur", "9u", "14" (whole hours), "930" / "0930" / "1430" (three or four
    digits: the last two are the minutes), "9am", "9:30 pm", "12 am" (= 00:00),
    "12pm" (= 12:00), and Dutch "half 10" (= 09:30). Words such as "om", "at" and
    "'s ochtends" around the time are ignored.
    Rejected (None): hours above 23 ("25:00", "24:00"), minutes above 59 ("9:60"),
    one-digit minutes ("9:5"), "13pm", five or more digits, two times, no digits.
    """
    if not text or not isinstance(text, str):
        return None
    cleaned = fold(text.strip())
    cleaned = _BEFORE_TIME.sub("", cleaned)
    cleaned = _AFTER_TIME.sub("", cleaned)
    cleaned = cleaned.rstrip(".!? ").strip()
    if not cleaned:
        return None

    half = _HALF.fullmatch(cleaned)
    if half:
        hour = int(half.group("h"))
        if not 1 <= hour <= 24:
            return None
        return time((hour - 1) % 24, 30)

    ampm = None
    found = _AMPM.search(cleaned)
    if found:
        ampm = found.group("ampm")
        cleaned = cleaned[: found.start()].strip()

    for pattern in _TIME_PATTERNS:
        match = pattern.fullmatch(cleaned)
        if match:
            hour = int(match.group("h"))
            minute = int(match.groupdict().get("m") or 0)
            break
    else:
        return None

    if ampm:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if ampm == "p" else 0)
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        return None
    return time(hour, minute)


def weekday_name(weekday: int, lang: str = "nl") -> str:
    """"maandag" (nl, lower case as in Dutch) or "Monday" (en)."""
    _check_weekday(weekday)
    code = lang_from_hint(lang)
    return _WEEKDAY_NAMES[code][weekday]


def format_time(at: time, lang: str = "nl") -> str:
    """"09:30" in both languages (24-hour clock, as Dutch and most EU readers expect)."""
    del lang  # same notation in nl and en; kept for a uniform call signature
    return f"{at.hour:02d}:{at.minute:02d}"


def format_date(day: date | str, lang: str = "nl") -> str:
    """A date in words: "1 december 2026" (nl), "1 December 2026" (en)."""
    if isinstance(day, str):
        day = date.fromisoformat(day[:10])
    month = load_vocabulary().table("months", lang_from_hint(lang))[day.month - 1][0]
    return f"{day.day} {month if lang_from_hint(lang) == 'nl' else month.capitalize()} {day.year}"
