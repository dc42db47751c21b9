"""Choosing one next small step for the weekly check-in (pure, Telegram-free).

The steps live in ``flows/next_steps.yaml`` (see the comment at its top). The choice:

1. An unfinished strategy comes first: if ``snapshot.next_open_question`` is set, the
   step is "answer that question" (``kind='strategy'``).
2. Otherwise every step whose ``when`` conditions *all* match the library is a
   candidate, except steps in ``done_ids``. The candidate with the most conditions
   wins (most specific); equal scores go to the step that comes first in the YAML.
   ``always: true`` steps match everything with score 0; ``kpi_kind: any`` adds 0.
3. When every step is done, the YAML's ``fallback`` step is returned
   (``kind='fallback'``); it is meant to repeat, so ``done_ids`` does not exclude it.

``kpi_kind`` classifies a KPI name; ``trend`` turns the last few weekly measurements
into 'falling' | 'rising' | 'flat' | 'none'.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from coach.flow.text import fold, lang_from_hint, words

__all__ = [
    "CHANNEL_ALIASES",
    "CONDITION_KEYS",
    "DEFAULT_PATH",
    "KNOWN_CHANNELS",
    "KPI_KINDS",
    "TRENDS",
    "KpiTrend",
    "LibrarySnapshot",
    "NextStep",
    "Step",
    "StepCatalog",
    "StepsFileError",
    "choose_next_step",
    "is_in_place",
    "kpi_kind",
    "load_steps",
    "normalize_channel",
    "rank_next_steps",
    "trend",
]

DEFAULT_PATH = Path(__file__).resolve().parents[3] / "flows" / "next_steps.yaml"
LANGS = ("nl", "en")
TRENDS = ("falling", "rising", "flat", "none")
KPI_KINDS = ("engagement", "reach", "conversion", "other")
CONDITION_KEYS = (
    "channels_any",
    "kpi_trend",
    "kpi_kind",
    "tactic_keywords",
    "has_listening",
    "has_webcare",
    "always",
)
KNOWN_CHANNELS = (
    "instagram", "facebook", "tiktok", "linkedin", "youtube", "x", "whatsapp",
    "snapchat", "threads", "bluesky", "mastodon", "pinterest", "website", "newsletter",
)
CHANNEL_ALIASES = {
    "insta": "instagram", "ig": "instagram", "fb": "facebook", "meta": "facebook",
    "twitter": "x", "x_twitter": "x", "twitter_x": "x", "tik_tok": "tiktok", "tt": "tiktok",
    "yt": "youtube", "linked_in": "linkedin", "li": "linkedin", "whats_app": "whatsapp",
    "wa": "whatsapp", "snap": "snapchat", "nieuwsbrief": "newsletter", "email": "newsletter",
    "e_mail": "newsletter", "mail": "newsletter", "site": "website", "web": "website",
}
MIN_MINUTES, MAX_MINUTES = 15, 60
_ID_RE = re.compile(r"[a-z][a-z0-9_]{1,39}")


class StepsFileError(ValueError):
    """``flows/next_steps.yaml`` is malformed (unknown key, missing text, ...)."""


# --------------------------------------------------------------------------- data


@dataclass(frozen=True)
class KpiTrend:
    """One KPI of the strategy and the direction of its recent measurements.

    ``kind`` may be given explicitly; otherwise it is derived from the name with
    :func:`kpi_kind`.
    """

    name: str
    trend: str = "none"
    kind: str | None = None

    def __post_init__(self) -> None:
        if self.trend not in TRENDS:
            raise ValueError(f"trend must be one of {TRENDS}, got {self.trend!r}")
        if self.kind is not None and self.kind not in KPI_KINDS:
            raise ValueError(f"kind must be one of {KPI_KINDS}, got {self.kind!r}")

    @property
    def resolved_kind(self) -> str:
        return self.kind or kpi_kind(self.name)


@dataclass(frozen=True)
class LibrarySnapshot:
    """What the coach knows about one library when choosing a next step."""

    next_open_question: tuple[str, str] | None = None  # (question id, prompt text)
    channels: list[str] = field(default_factory=list)  # channel ids, e.g. "instagram"
    tactics: list[str] = field(default_factory=list)  # free-text tactics from step 6
    kpis: list[KpiTrend] = field(default_factory=list)
    has_listening: bool = False
    has_webcare: bool = False


@dataclass(frozen=True)
class NextStep:
    """The step to suggest.

    ``kind`` is 'strategy' (answer ``question_id`` first; ``description`` is the
    question's prompt), 'action' (a step from the YAML) or 'fallback' (the repeatable
    review step). ``reasons`` lists the matched conditions, e.g.
    ``("kpi_trend=falling", "kpi_kind=engagement", "channel=instagram")``; ``kpi``
    and ``channel`` name the KPI and channel that matched, if any.
    """

    kind: str
    id: str
    title: str
    description: str
    minutes: int
    question_id: str | None = None
    reasons: tuple[str, ...] = ()
    kpi: str | None = None
    channel: str | None = None


@dataclass(frozen=True)
class Step:
    """One step as loaded from the YAML."""

    id: str
    minutes: int
    title: dict[str, str]
    description: dict[str, str]
    when: dict[str, Any]
    order: int

    @property
    def score(self) -> int:
        """How specific the step is: its number of conditions; ``always`` and
        ``kpi_kind: any`` add nothing because they hold for every library."""
        if self.when.get("always"):
            return 0
        return sum(
            1 for key, value in self.when.items() if not (key == "kpi_kind" and value == "any")
        )


@dataclass(frozen=True)
class StepCatalog:
    steps: tuple[Step, ...]
    fallback: Step
    strategy_title: dict[str, str]
    strategy_minutes: int

    def get(self, step_id: str) -> Step | None:
        for step in (*self.steps, self.fallback):
            if step.id == step_id:
                return step
        return None


# ------------------------------------------------------------------------- loading


def _text(raw: Any, where: str) -> dict[str, str]:
    if not isinstance(raw, dict) or set(raw) != set(LANGS):
        raise StepsFileError(f"{where}: needs exactly the languages {LANGS}, got {raw!r}")
    for lang in LANGS:
        if not isinstance(raw[lang], str) or not raw[lang].strip():
            raise StepsFileError(f"{where}.{lang}: empty text")
    return {lang: " ".join(raw[lang].split()) for lang in LANGS}


def _minutes(raw: Any, where: str) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int) or not MIN_MINUTES <= raw <= MAX_MINUTES:
        raise StepsFileError(f"{where}.minutes: must be {MIN_MINUTES}-{MAX_MINUTES}, got {raw!r}")
    return raw


def _str_list(raw: Any, where: str) -> list[str]:
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, list) or not raw:
        raise StepsFileError(f"{where}: must be a non-empty list")
    if not all(isinstance(item, str) and item.strip() for item in raw):
        raise StepsFileError(f"{where}: every item must be a non-empty string")
    return [item.strip() for item in raw]


def _conditions(raw: Any, where: str) -> dict[str, Any]:
    if not isinstance(raw, dict) or not raw:
        raise StepsFileError(f"{where}.when: must be a non-empty mapping")
    unknown = set(raw) - set(CONDITION_KEYS)
    if unknown:
        raise StepsFileError(f"{where}.when: unknown condition key(s) {sorted(unknown)}")
    when: dict[str, Any] = {}
    for key, value in raw.items():
        here = f"{where}.when.{key}"
        if key == "always":
            if value is not True or len(raw) != 1:
                raise StepsFileError(f"{here}: must be `true` and the only condition")
            when[key] = True
        elif key in ("has_listening", "has_webcare"):
            if not isinstance(value, bool):
                raise StepsFileError(f"{here}: must be true or false")
            when[key] = value
        elif key == "channels_any":
            channels = [normalize_channel(c) for c in _str_list(value, here)]
            bad = [c for c in channels if c not in KNOWN_CHANNELS]
            if bad:
                raise StepsFileError(f"{here}: unknown channel(s) {bad}")
            when[key] = tuple(channels)
        elif key == "kpi_trend":
            trends = _str_list(value, here)
            bad = [t for t in trends if t not in TRENDS]
            if bad:
                raise StepsFileError(f"{here}: unknown trend(s) {bad}; use {TRENDS}")
            when[key] = tuple(trends)
        elif key == "kpi_kind":
            if value not in ("engagement", "reach", "conversion", "any"):
                raise StepsFileError(f"{here}: use engagement, reach, conversion or any")
            when[key] = value
        elif key == "tactic_keywords":
            when[key] = tuple(fold(k) for k in _str_list(value, here))
    return when


def _step(raw: Any, where: str, order: int) -> Step:
    if not isinstance(raw, dict):
        raise StepsFileError(f"{where}: must be a mapping")
    allowed = {"id", "minutes", "title", "description", "when"}
    unknown = set(raw) - allowed
    if unknown:
        raise StepsFileError(f"{where}: unknown key(s) {sorted(unknown)}")
    missing = allowed - set(raw)
    if missing:
        raise StepsFileError(f"{where}: missing key(s) {sorted(missing)}")
    step_id = raw["id"]
    if not isinstance(step_id, str) or not _ID_RE.fullmatch(step_id):
        raise StepsFileError(f"{where}.id: lower case letters, digits and _, got {step_id!r}")
    where = f"{where} ({step_id})"
    return Step(
        id=step_id,
        minutes=_minutes(raw["minutes"], where),
        title=_text(raw["title"], f"{where}.title"),
        description=_text(raw["description"], f"{where}.description"),
        when=_conditions(raw["when"], where),
        order=order,
    )


def parse_steps(data: Any) -> StepCatalog:
    """Validate already-parsed YAML data; raises :class:`StepsFileError`."""
    if not isinstance(data, dict):
        raise StepsFileError("top level must be a mapping")
    allowed = {"version", "strategy_first", "fallback", "steps"}
    unknown = set(data) - allowed
    if unknown:
        raise StepsFileError(f"unknown top-level key(s) {sorted(unknown)}")
    if data.get("version") != 1:
        raise StepsFileError("version must be 1")
    raw_steps = data.get("steps")
    if not isinstance(raw_steps, list) or not raw_steps:
        raise StepsFileError("steps: must be a non-empty list")
    steps = tuple(_step(raw, f"steps[{i}]", i) for i, raw in enumerate(raw_steps))

    raw_fallback = data.get("fallback")
    if not isinstance(raw_fallback, dict):
        raise StepsFileError("fallback: missing")
    if "when" in raw_fallback:
        raise StepsFileError("fallback: takes no `when`, it is used when all else is done")
    fallback = _step({**raw_fallback, "when": {"always": True}}, "fallback", len(steps))

    ids = [s.id for s in steps] + [fallback.id]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise StepsFileError(f"duplicate step id(s) {duplicates}")

    first = data.get("strategy_first")
    if not isinstance(first, dict) or set(first) != {"minutes", "title"}:
        raise StepsFileError("strategy_first: needs exactly `minutes` and `title`")
    return StepCatalog(
        steps=steps,
        fallback=fallback,
        strategy_title=_text(first["title"], "strategy_first.title"),
        strategy_minutes=_minutes(first["minutes"], "strategy_first"),
    )


def load_steps(path: str | Path | None = None) -> StepCatalog:
    """Load and validate a steps file (default ``flows/next_steps.yaml``, cached)."""
    if path is None:
        return _load_default()
    return _load(Path(path))


def _load(path: Path) -> StepCatalog:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise StepsFileError(f"{path}: not valid YAML: {exc}") from exc
    try:
        return parse_steps(data)
    except StepsFileError as exc:
        raise StepsFileError(f"{path.name}: {exc}") from None


@lru_cache(maxsize=1)
def _load_default() -> StepCatalog:
    return _load(DEFAULT_PATH)


# ------------------------------------------------------------------ classification


def normalize_channel(name: str) -> str:
    """"Insta" -> "instagram", "Twitter" -> "x", "LinkedIn" -> "linkedin"."""
    key = "_".join(words(name)) or name.strip().lower()
    return CHANNEL_ALIASES.get(key, key)


# Words are matched against the words of the KPI name: a keyword matches a word
# that starts or ends with it (Dutch compounds: "websiteklikken", "volgersgroei").
# Checked in this order; the first kind with a match wins.
_KIND_KEYWORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "other",  # webcare speed/rate and sentiment: not a reach/engagement/conversion number
        ("reactietijd", "reactiesnelheid", "reactiepercentage", "responstijd", "response",
         "sentiment", "wachttijd"),
    ),
    (
        "conversion",
        ("aanmelding", "aanmeldingen", "inschrijving", "inschrijvingen", "registratie",
         "registraties", "klik", "klikken", "kliks", "click", "clicks", "clickthrough",
         "ctr", "leden", "lid", "lidmaatschap", "lidmaatschappen", "pasaanvraag",
         "pasaanvragen", "members", "member", "membership", "memberships", "signup",
         "signups", "registrations", "registration", "bezoekers", "bezoeker", "bezoek",
         "bezoeken", "visitors", "visits", "visit", "deelnemers", "deelname", "attendance",
         "opkomst", "tickets", "ticket", "uitleningen", "uitlening", "leningen", "loans",
         "reserveringen", "reservations", "downloads", "conversie", "conversies",
         "conversion", "conversions", "verkeer", "traffic", "sessies", "sessions",
         "aanvragen"),
    ),
    (
        "engagement",
        ("like", "likes", "vindikleuks", "reactie", "reacties", "comment", "comments",
         "engagement", "interactie", "interacties", "interaction", "interactions",
         "betrokkenheid", "shares", "share", "gedeeld", "delen", "saves", "save",
         "opgeslagen", "opslaan", "reposts", "retweets", "err", "kijkduur", "watchtime",
         "replies", "dm", "dms"),
    ),
    (
        "reach",
        ("bereik", "reach", "weergaven", "weergave", "views", "view", "impressies",
         "impressions", "volgers", "volger", "followers", "follower", "follows",
         "abonnees", "subscribers", "kijkers", "viewers", "zichtbaarheid", "visibility",
         "naamsbekendheid", "awareness", "vermeldingen", "mentions", "fans", "vertoningen"),
    ),
)
_CHANNEL_WORDS = set(KNOWN_CHANNELS) | set(CHANNEL_ALIASES) | {"twitter"}


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
    found = [w for w in found if w not in _CHANNEL_WORDS]
    for kind, keywords in _KIND_KEYWORDS:
        if any(_word_matches(w, k) for w in found for k in keywords):
            return kind
    return "other"


def trend(values: Sequence[float | None], *, window: int = 4, tolerance: float = 0.10) -> str:
    """Direction of the last ``window`` measurements (oldest first).

    Fits a straight line through the last ``window`` values (missing ones - None or
    NaN - are skipped) and compares the change along that line with the average
    level: a change of less than ``tolerance`` (10 %) of the average is 'flat',
    otherwise 'rising' or 'falling'. Fewer than two values: 'none'.
    """
    clean = [
        float(v)
        for v in values
        if v is not None and not isinstance(v, bool) and math.isfinite(float(v))
    ][-window:]
    n = len(clean)
    if n < 2:
        return "none"
    mean_x = (n - 1) / 2
    mean_y = sum(clean) / n
    cov = sum((i - mean_x) * (y - mean_y) for i, y in enumerate(clean))
    var = sum((i - mean_x) ** 2 for i in range(n))
    change = cov / var * (n - 1)
    if change == 0:
        return "flat"
    level = abs(mean_y)
    if level > 0 and abs(change) < tolerance * level:
        return "flat"
    return "rising" if change > 0 else "falling"


_NEGATIONS = {
    "nee", "neen", "niet", "nog", "geen", "niemand", "niks", "niets", "nvt", "no", "not",
    "yet", "none", "nobody", "nothing", "nope", "weet", "idee", "onbekend", "unknown",
    "n", "v", "t", "na",
}


def is_in_place(answer: str | None) -> bool:
    """Does a free-text answer to "how do you listen?" / "who answers questions?"
    (``tactics.listening``, ``tactics.webcare``) describe something real?

    False for no answer and for short refusals ("nog niet", "geen", "niemand",
    "weet ik niet", "n.v.t.", "-", "not yet"); any longer description counts as in place
    ("Geen tool, wel een Google Alert op onze naam" is True).
    """
    if not answer or not answer.strip():
        return False
    found = words(answer)
    if not found:
        return False
    return not (len(found) <= 4 and any(w in _NEGATIONS for w in found))


# ------------------------------------------------------------------------ matching


def _tactic_matches(tactics: Iterable[str], keywords: Sequence[str]) -> str | None:
    for tactic in tactics:
        found = words(tactic)
        for keyword in keywords:
            for word in found:
                if word.startswith(keyword) or word.endswith(keyword) or (
                    len(keyword) >= 5 and keyword in word
                ):
                    return tactic
    return None


@dataclass
class _Match:
    reasons: list[str] = field(default_factory=list)
    kpi: str | None = None
    channel: str | None = None


def _match(step: Step, snapshot: LibrarySnapshot, channels: list[str]) -> _Match | None:
    """All conditions must hold; returns why, or None."""
    when = step.when
    found = _Match()
    if when.get("always"):
        found.reasons.append("always")
        return found
    if "channels_any" in when:
        hit = next((c for c in when["channels_any"] if c in channels), None)
        if hit is None:
            return None
        found.channel = hit
        found.reasons.append(f"channel={hit}")
    if "kpi_trend" in when or "kpi_kind" in when:
        trends = when.get("kpi_trend")
        kind = when.get("kpi_kind", "any")
        hit_kpi = next(
            (
                k
                for k in snapshot.kpis
                if (trends is None or k.trend in trends)
                and (kind == "any" or k.resolved_kind == kind)
            ),
            None,
        )
        if hit_kpi is None:
            return None
        found.kpi = hit_kpi.name
        if trends is not None:
            found.reasons.append(f"kpi_trend={hit_kpi.trend}")
        if "kpi_kind" in when:
            found.reasons.append(f"kpi_kind={kind}")
    if "tactic_keywords" in when:
        tactic = _tactic_matches(snapshot.tactics, when["tactic_keywords"])
        if tactic is None:
            return None
        found.reasons.append(f"tactic={tactic}")
    for key in ("has_listening", "has_webcare"):
        if key in when:
            if bool(getattr(snapshot, key)) != when[key]:
                return None
            found.reasons.append(f"{key}={'true' if when[key] else 'false'}")
    return found


def _as_next_step(step: Step, kind: str, lang: str, found: _Match | None) -> NextStep:
    return NextStep(
        kind=kind,
        id=step.id,
        title=step.title[lang],
        description=step.description[lang],
        minutes=step.minutes,
        reasons=tuple(found.reasons) if found else (),
        kpi=found.kpi if found else None,
        channel=found.channel if found else None,
    )


def rank_next_steps(
    snapshot: LibrarySnapshot,
    done_ids: Iterable[str] = (),
    lang: str = "nl",
    *,
    catalog: StepCatalog | None = None,
) -> list[NextStep]:
    """All matching steps that are not done, best first (ignores an open strategy
    question and the fallback). Useful for an "another suggestion" button."""
    catalog = catalog or load_steps()
    lang = lang_from_hint(lang)
    done = set(done_ids)
    channels = [normalize_channel(c) for c in snapshot.channels]
    scored: list[tuple[int, int, Step, _Match]] = []
    for step in catalog.steps:
        if step.id in done:
            continue
        found = _match(step, snapshot, channels)
        if found is not None:
            scored.append((-step.score, step.order, step, found))
    scored.sort(key=lambda item: (item[0], item[1]))
    return [_as_next_step(step, "action", lang, found) for _, _, step, found in scored]


def choose_next_step(
    snapshot: LibrarySnapshot,
    done_ids: Iterable[str] = (),
    lang: str = "nl",
    *,
    catalog: StepCatalog | None = None,
) -> NextStep:
    """The one next small step for this library; see the module docstring."""
    catalog = catalog or load_steps()
    code = lang_from_hint(lang)
    if snapshot.next_open_question is not None:
        question_id, prompt = snapshot.next_open_question
        return NextStep(
            kind="strategy",
            id=question_id,
            title=catalog.strategy_title[code],
            description=prompt,
            minutes=catalog.strategy_minutes,
            question_id=question_id,
            reasons=("strategy_unfinished",),
        )
    ranked = rank_next_steps(snapshot, done_ids, code, catalog=catalog)
    if ranked:
        return ranked[0]
    return _as_next_step(catalog.fallback, "fallback", code, _Match(reasons=["fallback"]))
