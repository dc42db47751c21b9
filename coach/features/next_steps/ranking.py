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

``classify.kpi_kind`` classifies a KPI name; ``checkins.trend.trend`` turns the last
few weekly measurements into 'falling' | 'rising' | 'flat' | 'none'.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

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
