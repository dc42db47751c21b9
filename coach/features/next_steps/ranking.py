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

Before the score come two priorities: a step for a part of the strategy that is open
or was kept despite the coach's push-back (``has_listening``/``has_webcare``/
``has_measurement: false``), then a step for a KPI that is off track. A check-in may
narrow the choice (``max_minutes`` after "geen tijd", ``avoid_areas`` after "werkte
niet", ``avoid_ids``: the steps of the last four weeks); when nothing is left, the
narrowing is relaxed, the memory last. Each step carries ``why``: the one reason the
check-in says (:func:`why`).

``classify.kpi_kind`` classifies a KPI name; ``checkins.trend.trend`` turns the last
few weekly measurements into 'falling' | 'rising' | 'flat' | 'none'.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from coach.features.checkins.trend import TRENDS
from coach.features.next_steps.channels import normalize_channel
from coach.features.next_steps.classify import KPI_KINDS, kpi_kind
from coach.features.next_steps.steps_file import Step, StepCatalog, load_steps
from coach.flow.text import lang_from_hint, words

__all__ = ["KpiTrend", "LibrarySnapshot", "NextStep", "choose_next_step", "rank_next_steps"]


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
    off_track: bool = False  # the projection does not reach the target in time

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
    has_measurement: bool = True  # a method, rhythm and owner for the numbers
    kept: tuple[str, ...] = ()  # listening/webcare/measurement kept despite push-back
    focus: str = ""  # the first goal (step 1)


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
    area: str = "review"
    why: tuple[str, str] = ("", "")  # (reason, its detail), see :func:`why`


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
                for k in sorted(snapshot.kpis, key=lambda k: not k.off_track)
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
    for key in ("has_listening", "has_webcare", "has_measurement"):
        if key in when:
            if bool(getattr(snapshot, key)) != when[key]:
                return None
            found.reasons.append(f"{key}={'true' if when[key] else 'false'}")
    return found


FOUNDATIONS = {"has_listening": "listening", "has_webcare": "webcare",
               "has_measurement": "measurement"}


def why(step: NextStep, snapshot: LibrarySnapshot) -> tuple[str, str]:
    """The one reason a check-in gives for a step: ("kpi_off_track", KPI), ("kept",
    part) or ("open", part) for listening/webcare/measurement, ("kpi_trend", KPI),
    ("channel", id), ("tactic", text), ("strategy", ""), ("first_goal", goal) or
    ("general", "")."""
    if step.kind == "strategy":
        return "strategy", ""
    off = {k.name for k in snapshot.kpis if k.off_track}
    if step.kpi and step.kpi in off:
        return "kpi_off_track", step.kpi
    for reason in step.reasons:
        key, _, value = reason.partition("=")
        if key in FOUNDATIONS and value == "false":
            part = FOUNDATIONS[key]
            return ("kept" if part in snapshot.kept else "open"), part
    if step.kpi:
        return "kpi_trend", step.kpi
    for reason in step.reasons:
        key, _, value = reason.partition("=")
        if key in ("channel", "tactic"):
            return key, value
    if snapshot.focus:
        return "first_goal", snapshot.focus
    return "general", ""


def _priority(found: _Match, snapshot: LibrarySnapshot) -> int:
    if any(r.partition("=")[0] in FOUNDATIONS and r.endswith("=false") for r in found.reasons):
        return 2
    if found.kpi and any(k.name == found.kpi and k.off_track for k in snapshot.kpis):
        return 1
    return 0


def _as_next_step(step: Step, kind: str, lang: str, found: _Match | None,
                  snapshot: LibrarySnapshot | None = None) -> NextStep:
    chosen = _as_step(step, kind, lang, found)
    return replace(chosen, why=why(chosen, snapshot or LibrarySnapshot()))


def _as_step(step: Step, kind: str, lang: str, found: _Match | None) -> NextStep:
    return NextStep(
        kind=kind,
        id=step.id,
        title=step.title[lang],
        description=step.description[lang],
        minutes=step.minutes,
        reasons=tuple(found.reasons) if found else (),
        kpi=found.kpi if found else None,
        channel=found.channel if found else None,
        area=step.area,
    )


def step_again(step_id: str, snapshot: LibrarySnapshot, lang: str = "nl", *,
               catalog: StepCatalog | None = None) -> NextStep | None:
    """A step of the catalogue as a suggestion again, whether or not its conditions
    still hold (a member who did it partly finishes it); None when it is gone."""
    catalog = catalog or load_steps()
    step = catalog.get(step_id)
    if step is None or step is catalog.fallback:
        return None
    channels = [normalize_channel(c) for c in snapshot.channels]
    found = _match(step, snapshot, channels) or _Match()
    return _as_next_step(step, "action", lang_from_hint(lang), found, snapshot)


def rank_next_steps(
    snapshot: LibrarySnapshot,
    done_ids: Iterable[str] = (),
    lang: str = "nl",
    *,
    catalog: StepCatalog | None = None,
    max_minutes: int | None = None,
    avoid_areas: Iterable[str] = (),
    avoid_ids: Iterable[str] = (),
) -> list[NextStep]:
    """All matching steps that are not done, best first (ignores an open strategy
    question and the fallback). Useful for an "another suggestion" button."""
    catalog = catalog or load_steps()
    lang = lang_from_hint(lang)
    skip = set(done_ids) | set(avoid_ids)
    areas = set(avoid_areas)
    channels = [normalize_channel(c) for c in snapshot.channels]
    scored: list[tuple[int, int, int, Step, _Match]] = []
    for step in catalog.steps:
        if step.id in skip or step.area in areas:
            continue
        if max_minutes is not None and step.minutes > max_minutes:
            continue
        found = _match(step, snapshot, channels)
        if found is not None:
            scored.append((-_priority(found, snapshot), -step.score, step.order, step, found))
    scored.sort(key=lambda item: item[:3])
    return [_as_next_step(step, "action", lang, found, snapshot)
            for *_, step, found in scored]


def choose_next_step(
    snapshot: LibrarySnapshot,
    done_ids: Iterable[str] = (),
    lang: str = "nl",
    *,
    catalog: StepCatalog | None = None,
    max_minutes: int | None = None,
    avoid_areas: Iterable[str] = (),
    avoid_ids: Iterable[str] = (),
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
            why=("strategy", ""),
        )
    done = set(done_ids)
    for areas, memory in ((avoid_areas, avoid_ids), ((), avoid_ids), ((), ())):
        ranked = rank_next_steps(snapshot, done, code, catalog=catalog, max_minutes=max_minutes,
                                 avoid_areas=areas, avoid_ids=memory)
        if ranked:
            return ranked[0]
    return _as_next_step(catalog.fallback, "fallback", code, _Match(reasons=["fallback"]),
                         snapshot)
