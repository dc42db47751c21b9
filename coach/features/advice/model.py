"""Channel advice, the records: the figures, gaps, age bands and groups of
``flows/channels.yaml`` (loaded by ``data.py``) and what the advice says about an
audience (:class:`AudienceProfile`, :class:`ChannelFlag`, made by ``ranking.py``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_PATH = Path(__file__).resolve().parents[3] / "flows" / "channels.yaml"


@dataclass(frozen=True)
class Figure:
    """One recorded figure.  ``value`` is verbatim from the domain file; ``number``
    is what ranking uses (``None`` when the source gave words without a number)."""

    kind: str  # by_age | subset | share_all | proxy | total | share_15plus | population | ...
    platform: str | None  # channel id, None for category figures (CBS)
    band: str  # data band: "15-19", "14-42", "15+", "65-74", ...
    value: float | int | str
    number: float | None
    unit: str  # "percent" | "million"
    year: int
    measure: str  # daily | uses | weekly | top3 | installed | mau | past_3_months
    source: str  # source id (domain file)
    source_title: str
    publisher: str
    also: tuple[str, ...] = ()
    note: str = ""
    display: Mapping[str, str] = field(default_factory=dict)  # lang -> words, if approx
    path: tuple[str, ...] = ()
    field: str = "value"  # key of the value in the domain entry (users_m, daily_m)
    group: str = ""  # the domain's group label, when it differs from band

    @property
    def basis(self) -> str:
        """``"age"`` for a percentage of an age band, ``"total"`` for all 15+."""
        return "age" if self.kind == "by_age" else "total"

    @property
    def approx(self) -> bool:
        return isinstance(self.value, str)

    def old(self, stale_before: int) -> bool:
        """Older than the data's ``rules.stale_before``: said with its year, with a tip
        to check locally."""
        return self.year < stale_before


@dataclass(frozen=True)
class DataGap:
    """Where the domain file records that there is no figure."""

    kind: str  # by_age | total
    platform: str
    band: str  # data band, "all" or "other_groups"
    note: str  # the domain file's note text (English)
    year: int | None = None
    source: str | None = None


@dataclass(frozen=True)
class AgeBand:
    id: str
    label: Mapping[str, str]
    range: tuple[int, int]
    data_bands: tuple[str, ...]
    cbs_bands: tuple[str, ...]
    no_data: str = ""  # "below_age_limit" for age_0_12
    note: Mapping[str, str] = field(default_factory=dict)
    aliases: tuple[str, ...] = ()
    noun: Mapping[str, str] = field(default_factory=dict)  # lang -> "tieners"
    ask: Mapping[str, str] = field(default_factory=dict)  # lang -> who to ask locally


@dataclass(frozen=True)
class Group:
    id: str
    label: Mapping[str, str]
    ages: tuple[str, ...]
    aliases: tuple[str, ...] = ()
    noun: Mapping[str, str] = field(default_factory=dict)
    ask: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class AudienceGap:
    """Something the coach must say it has no figure for.

    ``kind`` "band": an age band id; "group": a group id with no age bands.
    ``reason``: "below_age_limit" (children: reach them via parents), "no_figure"
    (band without any per-platform figure), "not_in_data" (group not described by
    the age data; national totals are shown instead)."""

    kind: str
    id: str
    reason: str


@dataclass(frozen=True)
class StaleBand:
    """An age band whose newest per-platform figure is older than ``rules.stale_before``."""

    id: str
    year: int


@dataclass(frozen=True)
class AudienceProfile:
    groups: tuple[str, ...]  # recognised group ids, as given
    # age band ids covered, in file order: the chosen ages; only when no age was chosen,
    # the groups' ages
    ages: tuple[str, ...]
    data_bands: tuple[str, ...]  # data bands looked at
    by_age: tuple[Figure, ...]  # best per-age figure per platform, ranked (highest first)
    totals: tuple[Figure, ...]  # newest national total (users, 15+) per platform, ranked
    gaps: tuple[AudienceGap, ...]
    stale: tuple[StaleBand, ...]
    context: tuple[Figure, ...]  # CBS "any social media" (newest year) for gap/stale bands
    # age bands that only the groups brought in (not typed as ages), with those groups
    via: tuple[tuple[str, tuple[str, ...]], ...] = ()
    channels: tuple[str, ...] = ()  # every channel of the data, in file order
    typed: tuple[str, ...] = ()  # the chosen age band ids (recognised), in file order
    # per-age figures below rules.weak_percent: where the audience is barely present,
    # the lowest first
    low: tuple[Figure, ...] = ()
    # figures about a part of the audience only (WhatsApp among smartphone users 65+):
    # shown beside the others, never ranked or used for flags
    asides: tuple[Figure, ...] = ()

    @property
    def basis(self) -> str:
        """``"age"`` when at least one per-age figure exists, else ``"total"``."""
        return "age" if self.by_age else "total"

    def age_figure(self, channel: str) -> Figure | None:
        return next((f for f in self.by_age if f.platform == channel), None)

    def total_figure(self, channel: str) -> Figure | None:
        return next((f for f in self.totals if f.platform == channel), None)

    @property
    def figures(self) -> tuple[Figure, ...]:
        """Per-age figures first, then national totals for the other platforms."""
        seen = {f.platform for f in self.by_age}
        return self.by_age + tuple(f for f in self.totals if f.platform not in seen)

    @property
    def channels_without_age_figure(self) -> tuple[str, ...]:
        seen = {f.platform for f in self.by_age}
        return tuple(c for c in self.channels if c not in seen)


@dataclass(frozen=True)
class ChannelFlag:
    """Advice on a channel choice (advisory only).

    ``kind``: "weak_choice" (chosen, but the audience is barely there) or
    "missing_big" (not chosen, but big for this audience).
    ``figure``: the figure that justifies it: a per-age figure (``figure.basis ==
    "age"``) or, when the audience has no per-age figure for the channel, its national
    total.  ``gap``: then the domain file's note on the missing per-age figure.
    ``previous``: an older national total, to show a trend (see ``trend``)."""

    kind: str
    channel: str
    figure: Figure | None
    gap: str | None = None
    previous: Figure | None = None

    @property
    def trend(self) -> str | None:
        if self.figure is None or self.previous is None:
            return None
        a, b = self.previous.number, self.figure.number
        if a is None or b is None:
            return None
        return "down" if b < a else "up" if b > a else "flat"


@dataclass(frozen=True)
class ChannelNotes:
    """What the channel check says besides the flags (advisory, chat only).

    ``unknown``: chosen channels without a per-age figure for the audience that are not
    small nationally either (the coach says it has no figure and suggests a local check).
    ``national_big``: for an audience without any per-age figure, the unchosen channels
    with the most national users (``rules.big_total_m``).
    ``named``: channels the library named earlier in its own plan (goals, audience in
    words, ...) but did not choose, unless a flag already covers them; ``named_low``:
    those of them where the audience is barely present (their figures: not choosing
    them was right, and the plan's words may need another channel).
    ``old``: figures behind the advice (chosen channels and flags) from before
    ``rules.stale_before``."""

    unknown: tuple[str, ...] = ()
    national_big: tuple[Figure, ...] = ()
    named: tuple[str, ...] = ()
    named_low: tuple[Figure, ...] = ()
    old: tuple[Figure, ...] = ()
