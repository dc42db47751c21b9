"""Channel advice: where is a library's audience on social media, and does the
chosen set of channels fit?  Pure logic over ``flows/channels.yaml``; nothing here
knows about Telegram.

The source article's point: libraries sat on Twitter while their audiences were
elsewhere; choose channels only after knowing the audience.  So step 2 shows
*where the audience is* (:meth:`ChannelData.audience_profile`,
:meth:`ChannelData.top_platforms`) and step 6 checks the choice against it
(:meth:`ChannelData.channel_flags`).  Every number shown comes from the data file,
which copies it from the project's researched figures; when there is no figure the
profile says so (``gaps``) instead of guessing.

Selection and ranking rules (also summarised in the data file's ``rules``):

1. The audience's age bands are the typed ages plus the bands of the typed groups.
   Each band maps to the data bands that describe it (``age_13_19`` -> "15-19", ...).
2. Per platform and data band the best figure is the newest; within the same year a
   ``daily`` figure beats other measures; then the first one in the file.  Figures
   stated only in words without a number ("about two-thirds") are not used.
3. Per platform, over the audience's bands: newest year, then the highest
   percentage ("the band where the platform reaches most of your audience").  The
   band is always shown with the figure.
4. Platforms are ranked by that percentage (measures differ; the measure is always
   shown next to the number).  National totals (millions of all Dutch 15+) are only a
   fallback: they fill the top list after the per-age figures, labelled as such.
5. A covered band with no per-platform percentage at all is a gap; a band whose
   newest figure is older than ``rules.stale_before`` is stale.  Groups without age
   bands (newcomers, low literacy, readers, partners) are gaps too.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from rapidfuzz import fuzz

from coach.core.texts import render
from coach.flow.numbers import format_number

DEFAULT_PATH = Path(__file__).resolve().parents[3] / "flows" / "channels.yaml"

CHANNEL_IDS: tuple[str, ...] = (
    "facebook",
    "instagram",
    "whatsapp",
    "tiktok",
    "youtube",
    "linkedin",
    "x_twitter",
    "snapchat",
    "pinterest",
    "threads",
    "bluesky",
)
GROUP_IDS: tuple[str, ...] = (
    "parents_young",
    "pupils",
    "job_seekers",
    "seniors",
    "newcomers",
    "readers",
    "families",
    "teachers",
    "low_literacy",
    "partners",
)
AGE_IDS: tuple[str, ...] = (
    "age_0_12",
    "age_13_19",
    "age_20_29",
    "age_30_39",
    "age_40_64",
    "age_65_79",
    "age_80_plus",
)

# Minimum rapidfuzz ratio for a typed word (or run of words) to count as an alias.
# Aliases of four characters or fewer, or containing digits, must match exactly.
FUZZY_THRESHOLD = 85
MAX_MATCH_INPUT = 2000  # characters of free text looked at


# ---------------------------------------------------------------------------
# Data classes
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Figure:
    """One recorded figure.  ``value`` is verbatim from the domain file; ``number``
    is what ranking uses (``None`` when the source gave words without a number)."""

    kind: str  # by_age | share_all | proxy | total | share_15plus | population | ...
    platform: str | None  # channel id, None for category figures (CBS)
    band: str  # data band: "15-19", "14-42", "15+", "65-74", ...
    value: float | int | str
    number: float | None
    unit: str  # "percent" | "million"
    year: int
    measure: str  # daily | uses | weekly | past_3_months
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


@dataclass(frozen=True)
class Group:
    id: str
    label: Mapping[str, str]
    ages: tuple[str, ...]
    aliases: tuple[str, ...] = ()


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
    ages: tuple[str, ...]  # age band ids covered (typed ages + groups' ages), in AGE_IDS order
    data_bands: tuple[str, ...]  # data bands looked at
    by_age: tuple[Figure, ...]  # best per-age figure per platform, ranked (highest first)
    totals: tuple[Figure, ...]  # newest national total (users, 15+) per platform, ranked
    gaps: tuple[AudienceGap, ...]
    stale: tuple[StaleBand, ...]
    context: tuple[Figure, ...]  # CBS "any social media" (newest year) for gap/stale bands
    # age bands that only the groups brought in (not typed as ages), with those groups
    via: tuple[tuple[str, tuple[str, ...]], ...] = ()

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
        return tuple(c for c in CHANNEL_IDS if c not in seen)


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


# Views handed to the templates (already localised; the sentences live in the templates).
@dataclass(frozen=True)
class FigureView:
    channel: str
    name: str  # channel display name ("" for category figures)
    value: str  # formatted: "52%", "13,5 miljoen", "meer dan 80%"
    unit: str  # percent | million
    measure: str  # phrase: "gebruikt het dagelijks" / "gebruikers"
    measure_id: str  # daily | uses | weekly | past_3_months
    band: str  # "15-19 jaar" / "alle Nederlanders 15+"
    year: int
    source: str  # short name, e.g. "Tweakers"
    source_title: str
    publisher: str
    basis: str  # age | total
    approx: bool


@dataclass(frozen=True)
class GapView:
    kind: str  # band | group
    id: str
    label: str
    reason: str  # below_age_limit | no_figure | not_in_data
    via: str = ""  # for a band only the groups brought in: those groups' labels


@dataclass(frozen=True)
class StaleView:
    labels: tuple[str, ...]
    year: int


@dataclass(frozen=True)
class FlagView:
    kind: str
    channel: str
    name: str
    figure: FigureView | None
    has_gap: bool
    trend: str | None
    previous: FigureView | None


# ---------------------------------------------------------------------------
# Loading
# ---------------------------------------------------------------------------
def load_channel_data(path: Path | None = None) -> ChannelData:
    """Load (once per path) the channel data file; default ``flows/channels.yaml``."""
    return _load(Path(path or DEFAULT_PATH).resolve())


@functools.cache
def _load(path: Path) -> ChannelData:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    return ChannelData.from_dict(raw)


def _figure(d: Mapping[str, Any]) -> Figure:
    value = d["value"]
    if "number" in d:
        number = d["number"]
    elif isinstance(value, int | float) and not isinstance(value, bool):
        number = value
    else:
        number = None
    return Figure(
        kind=d["kind"],
        platform=d.get("platform"),
        band=str(d["band"]),
        value=value,
        number=None if number is None else float(number),
        unit=d["unit"],
        year=int(d["year"]),
        measure=str(d["measure"]),
        source=d["source"],
        source_title=d["source_title"],
        publisher=d["publisher"],
        also=tuple(d.get("also") or ()),
        note=str(d.get("note") or ""),
        display=dict(d.get("display") or {}),
        path=tuple(str(p) for p in d.get("path") or ()),
        field=d.get("field", "value"),
        group=str(d.get("group") or ""),
    )


# ---------------------------------------------------------------------------
# The data and the advice
# ---------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class ChannelData:
    rules: Mapping[str, Any]
    measures: Mapping[str, Any]
    channels: Mapping[str, Mapping[str, Any]]
    data_bands: Mapping[str, Mapping[str, str]]
    age_bands: Mapping[str, AgeBand]
    groups: Mapping[str, Group]
    sources: Mapping[str, Mapping[str, Any]]
    figures: tuple[Figure, ...]
    gaps: tuple[DataGap, ...]

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> ChannelData:
        age_bands = {
            bid: AgeBand(
                id=bid,
                label=b["label"],
                range=(int(b["range"][0]), int(b["range"][1])),
                data_bands=tuple(str(x) for x in b.get("data_bands") or ()),
                cbs_bands=tuple(str(x) for x in b.get("cbs_bands") or ()),
                no_data=b.get("no_data") or "",
                note=b.get("note") or {},
                aliases=tuple(b.get("aliases") or ()),
            )
            for bid, b in raw["age_bands"].items()
        }
        groups = {
            gid: Group(
                id=gid,
                label=g["label"],
                ages=tuple(g.get("ages") or ()),
                aliases=tuple(g.get("aliases") or ()),
            )
            for gid, g in raw["groups"].items()
        }
        gaps = tuple(
            DataGap(
                kind=g["kind"],
                platform=g["platform"],
                band=str(g["band"]),
                note=g["gap"],
                year=g.get("year"),
                source=g.get("source"),
            )
            for g in raw.get("gaps") or ()
        )
        return cls(
            rules=raw["rules"],
            measures=raw["measures"],
            channels=raw["channels"],
            data_bands={str(k): v for k, v in raw["data_bands"].items()},
            age_bands=age_bands,
            groups=groups,
            sources=raw["sources"],
            figures=tuple(_figure(f) for f in raw["figures"]),
            gaps=gaps,
        )

    # -- names -------------------------------------------------------------------
    def channel_name(self, channel: str, lang: str = "nl") -> str:
        names = self.channels.get(channel, {}).get("name", {})
        return names.get(lang) or names.get("nl") or channel

    def band_label(self, band: str, lang: str = "nl") -> str:
        """Label of an age band id (``age_65_79``) or a data band (``"65-79"``)."""
        if band in self.age_bands:
            labels = self.age_bands[band].label
        else:
            labels = self.data_bands.get(band, {})
        return labels.get(lang) or labels.get("nl") or band

    def group_label(self, group: str, lang: str = "nl") -> str:
        labels = self.groups[group].label if group in self.groups else {}
        return labels.get(lang) or labels.get("nl") or group

    # -- profile -----------------------------------------------------------------
    def audience_profile(self, groups: list[str], ages: list[str]) -> AudienceProfile:
        """Where the audience is.  Unknown ids are ignored."""
        known_groups = tuple(dict.fromkeys(g for g in groups if g in self.groups))
        typed = {a for a in ages if a in self.age_bands}
        wanted = set(typed)
        for g in known_groups:
            wanted.update(self.groups[g].ages)
        covered = tuple(a for a in AGE_IDS if a in wanted)
        via = tuple(
            (a, tuple(g for g in known_groups if a in self.groups[g].ages))
            for a in covered
            if a not in typed
        )
        data_bands = tuple(
            dict.fromkeys(db for a in covered for db in self.age_bands[a].data_bands)
        )

        by_age = []
        for channel in CHANNEL_IDS:
            best = self._best_for_bands(channel, data_bands)
            if best is not None:
                by_age.append(best)
        by_age.sort(key=lambda f: (-(f.number or 0), CHANNEL_IDS.index(f.platform or "")))

        gaps: list[AudienceGap] = []
        stale: list[StaleBand] = []
        context_bands: list[str] = []
        for a in covered:
            band = self.age_bands[a]
            if band.no_data:
                gaps.append(AudienceGap("band", a, band.no_data))
                continue
            years = [
                f.year
                for f in self.figures
                if f.kind == "by_age" and f.number is not None and f.band in band.data_bands
            ]
            if not years:
                gaps.append(AudienceGap("band", a, "no_figure"))
                context_bands.extend(band.cbs_bands)
            elif max(years) < int(self.rules["stale_before"]):
                stale.append(StaleBand(a, max(years)))
                context_bands.extend(band.cbs_bands)
        for g in known_groups:
            if not self.groups[g].ages:
                gaps.append(AudienceGap("group", g, "not_in_data"))

        return AudienceProfile(
            groups=known_groups,
            ages=covered,
            data_bands=data_bands,
            by_age=tuple(by_age),
            totals=self._totals(),
            gaps=tuple(gaps),
            stale=tuple(stale),
            context=self._context(dict.fromkeys(context_bands)),
            via=via,
        )

    def _best_for_bands(self, channel: str, data_bands: Iterable[str]) -> Figure | None:
        per_band = []
        for band in data_bands:
            cands = [
                (i, f)
                for i, f in enumerate(self.figures)
                if f.kind == "by_age"
                and f.platform == channel
                and f.band == band
                and f.number is not None
            ]
            if cands:
                # newest; daily beats other measures in the same year; then file order
                per_band.append(
                    max(cands, key=lambda c: (c[1].year, c[1].measure == "daily", -c[0]))[1]
                )
        if not per_band:
            return None
        # newest, then the band where the platform reaches most of the audience
        return max(enumerate(per_band), key=lambda c: (c[1].year, c[1].number, -c[0]))[1]

    def _totals(self) -> tuple[Figure, ...]:
        out = []
        for channel in CHANNEL_IDS:
            cands = [
                (i, f)
                for i, f in enumerate(self.figures)
                if f.kind == "total" and f.platform == channel and f.number is not None
            ]
            uses = [c for c in cands if c[1].measure == "uses"] or cands
            if uses:
                out.append(max(uses, key=lambda c: (c[1].year, -c[0]))[1])
        out.sort(key=lambda f: (-(f.number or 0), CHANNEL_IDS.index(f.platform or "")))
        return tuple(out)

    def _previous_total(self, figure: Figure) -> Figure | None:
        """The newest total of the same platform and measure from an earlier year."""
        older = [
            f
            for f in self.figures
            if f.kind == "total"
            and f.platform == figure.platform
            and f.measure == figure.measure
            and f.year < figure.year
            and f.number is not None
        ]
        return max(older, key=lambda f: f.year) if older else None

    def _context(self, cbs_bands: Iterable[str]) -> tuple[Figure, ...]:
        cands = [f for f in self.figures if f.kind == "any_social_media" and f.band in cbs_bands]
        if not cands:
            return ()
        newest = max(f.year for f in cands)
        order = list(cbs_bands)
        return tuple(
            sorted((f for f in cands if f.year == newest), key=lambda f: order.index(f.band))
        )

    def platform_gap(self, channel: str, data_bands: Iterable[str]) -> str | None:
        """The domain file's note on why ``channel`` has no per-age figure for these bands."""
        bands = set(data_bands)
        notes = [
            g.note
            for g in self.gaps
            if g.kind == "by_age"
            and g.platform == channel
            and (g.band in bands or g.band in ("all", "other_groups"))
        ]
        return notes[0] if notes else None

    # -- advice ------------------------------------------------------------------
    def top_platforms(self, profile: AudienceProfile, n: int = 3) -> list[Figure]:
        """The ``n`` platforms where the audience is: per-age figures first, then
        (only to fill up) national totals, whose ``basis`` is ``"total"``."""
        return list(profile.figures[: max(n, 0)])

    def channel_flags(self, profile: AudienceProfile, chosen: list[str]) -> list[ChannelFlag]:
        """Advice on a channel choice; see :class:`ChannelFlag`.  Unknown ids are ignored."""
        rules = self.rules
        picked = [c for c in dict.fromkeys(chosen) if c in CHANNEL_IDS]
        flags: list[ChannelFlag] = []
        for channel in picked:
            fig = profile.age_figure(channel)
            if fig is not None:
                if fig.number is not None and fig.number < float(rules["weak_percent"]):
                    flags.append(ChannelFlag("weak_choice", channel, fig))
                continue
            total = profile.total_figure(channel)
            if total is None or total.number is None:
                continue
            if total.number < float(rules["small_total_m"]):
                flags.append(
                    ChannelFlag(
                        "weak_choice",
                        channel,
                        total,
                        gap=self.platform_gap(channel, profile.data_bands) or "",
                        previous=self._previous_total(total),
                    )
                )
        big = [
            f
            for f in profile.by_age
            if f.platform not in picked
            and f.number is not None
            and f.number >= float(rules["big_percent"])
        ]
        for fig in big[: int(rules["max_missing_big"])]:
            flags.append(ChannelFlag("missing_big", fig.platform or "", fig))
        return flags

    # -- template contexts -------------------------------------------------------
    def figure_view(self, fig: Figure, lang: str = "nl") -> FigureView:
        measure = self.measures.get(fig.measure, {}).get(fig.unit, {})
        source = self.sources.get(fig.source, {})
        return FigureView(
            channel=fig.platform or "",
            name=self.channel_name(fig.platform, lang) if fig.platform else "",
            value=_format_value(fig, lang),
            unit=fig.unit,
            measure=measure.get(lang) or measure.get("nl") or fig.measure,
            measure_id=fig.measure,
            band=self.band_label(fig.band, lang),
            year=fig.year,
            source=source.get("short") or fig.publisher,
            source_title=fig.source_title,
            publisher=fig.publisher,
            basis=fig.basis,
            approx=fig.approx,
        )

    def audience_view(self, profile: AudienceProfile, lang: str = "nl", n: int = 3) -> dict:
        """Context for ``<lang>/advice_audience.j2``."""
        stale_by_year: dict[int, list[str]] = {}
        for s in profile.stale:
            stale_by_year.setdefault(s.year, []).append(self.band_label(s.id, lang))
        via = dict(profile.via)
        return {
            "profile": profile,
            "top": [self.figure_view(f, lang) for f in self.top_platforms(profile, n)],
            "gaps": [
                GapView(
                    g.kind,
                    g.id,
                    self.band_label(g.id, lang)
                    if g.kind == "band"
                    else self.group_label(g.id, lang),
                    g.reason,
                    ", ".join(self.group_label(x, lang) for x in via.get(g.id, ())),
                )
                for g in profile.gaps
            ],
            "stale": [StaleView(tuple(v), k) for k, v in sorted(stale_by_year.items())],
            "context": [self.figure_view(f, lang) for f in profile.context],
        }

    def flags_view(self, flags: list[ChannelFlag], lang: str = "nl") -> dict:
        """Context for ``<lang>/advice_channels.j2``."""
        return {
            "flags": [
                FlagView(
                    kind=f.kind,
                    channel=f.channel,
                    name=self.channel_name(f.channel, lang),
                    figure=self.figure_view(f.figure, lang) if f.figure else None,
                    has_gap=f.gap is not None,
                    trend=f.trend,
                    previous=self.figure_view(f.previous, lang) if f.previous else None,
                )
                for f in flags
            ]
        }


def _format_value(fig: Figure, lang: str) -> str:
    if fig.approx:
        text = fig.display.get(lang) or fig.display.get("nl") or str(fig.value)
    else:
        text = format_number(float(fig.value), lang, percent=fig.unit == "percent",
                             max_decimals=3)  # as reported, e.g. 0,836 miljoen
    if fig.unit == "million":
        text += " " + render(lang, "labels.million")
    return text


# ---------------------------------------------------------------------------
# Free-text matching
# ---------------------------------------------------------------------------
_TAG_RE = re.compile(r"<[^>]{0,200}>")
_WORD_RE = re.compile(r"[a-z0-9+]+")


def _normalize(text: str) -> str:
    text = unicodedata.normalize("NFKD", text[:MAX_MATCH_INPUT])
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = _TAG_RE.sub(" ", text)
    text = re.sub(r"[\u2010-\u2015\u2212]", "-", text)  # dashes
    return re.sub(r"['\u2018\u2019`\u00b4]", "", text)  # baby's -> babys


def _words(text: str) -> list[str]:
    return _WORD_RE.findall(_normalize(text))


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
                    if score < FUZZY_THRESHOLD:
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


_NUM = r"(\d{1,3})"
_RANGE_RE = re.compile(
    r"(?:(?:tussen|between)\s*"
    + _NUM
    + r"\s*(?:jaar\s*)?(?:en|and)\s*"
    + _NUM
    + r")|(?:"
    + _NUM
    + r"\s*(?:jaar\s*)?(?:-|tot en met|t/m|tm|tot|to|until|through)\s*"
    + _NUM
    + ")"
)
_PLUS_RE = re.compile(_NUM + r"\s*(?:\+|-?\s*plus)")
_ABOVE_RE = re.compile(r"\b(?:boven de|ouder dan|over|above|older than|vanaf|from)\s*" + _NUM)
_BELOW_RE = re.compile(r"\b(?:onder de|jonger dan|under|below|younger than|tot|up to)\s*" + _NUM)
_SINGLE_RE = re.compile(_NUM + r"\s*-?\s*(?:jaar|jarigen|jarige|year olds?|years? old|yo)\b")
_MAX_AGE = 120


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


def match_ages(text: str, data: ChannelData | None = None) -> list[str]:
    """Age band ids named in free text ("tieners", "65-plussers", "15-20",
    "jongeren van 15 tot 20"), in AGE_IDS order; [] when unsure.  A number range
    gives every band it overlaps."""
    if not text or not text.strip():
        return []
    data = data or load_channel_data()
    wanted: set[str] = set()
    for lo, hi in _age_ranges(text):
        for band in data.age_bands.values():
            if lo <= band.range[1] and hi >= band.range[0]:
                wanted.add(band.id)
    found = _alias_matches(_words(text), ((b.id, b.aliases) for b in data.age_bands.values()))
    wanted.update(t for _, t in found)
    return [a for a in AGE_IDS if a in wanted]


def channel_name(channel: str, lang: str = "nl") -> str:
    """Display name of a channel id for templates ("x_twitter" -> "X (Twitter)")."""
    return load_channel_data().channel_name(channel, lang)
