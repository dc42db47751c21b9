"""Channel advice, the views: figures, gaps and flags localised for the templates
``<lang>/advice_audience.j2`` and ``<lang>/advice_channels.j2`` (the sentences live in
the templates; ``<lang>/advice_figures.j2`` renders a group of figures).  A mixin of
``data.ChannelData``.

Figures reach a sentence only as an :class:`EvidenceView`: figures of one measure, one
band and one unit, so that no sentence mixes daily use, use and "has the app" without
saying which is which.  Each keeps its year and source."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from coach.core.texts import render
from coach.features.advice.model import AudienceProfile, ChannelFlag, ChannelNotes, Figure
from coach.flow.numbers import format_number


# Views handed to the templates (already localised; the sentences live in the templates).
@dataclass(frozen=True)
class FigureView:
    channel: str
    name: str  # channel display name ("" for category figures)
    value: str  # formatted: "52%", "13,5 miljoen", "meer dan 80%"
    unit: str  # percent | million
    measure: str  # phrase: "gebruikt het dagelijks" / "gebruikers"
    measure_id: str  # daily | uses | weekly | top3 | installed | mau | past_3_months
    band: str  # "15-19 jaar" / "alle Nederlanders 15+"
    year: int
    source: str  # short name, e.g. "Tweakers"
    source_title: str
    publisher: str
    basis: str  # age | total
    approx: bool


@dataclass(frozen=True)
class ItemView:
    channel: str
    name: str
    value: str


@dataclass(frozen=True)
class RunView:
    """Consecutive figures of an evidence group with the same year and source."""

    items: tuple[ItemView, ...]
    year: int
    source: str


@dataclass(frozen=True)
class EvidenceView:
    """Figures of one measure, band and unit, for one sentence:
    "15-19 jaar, dagelijks gebruik: Snapchat 65%, TikTok 55% (2024, Social Youth)"."""

    band: str  # "15-19 jaar"
    label: str  # the measure as a heading: "dagelijks gebruik"
    measure_id: str
    unit: str
    basis: str  # age | total
    runs: tuple[RunView, ...]
    old: bool  # a figure from before rules.stale_before

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(i.name for r in self.runs for i in r.items)

    @property
    def same_value(self) -> str:
        """The value when several figures of one run share it ("elk ongeveer 1%")."""
        items = [i for r in self.runs for i in r.items]
        if len(self.runs) == 1 and len(items) > 1 and len({i.value for i in items}) == 1:
            return items[0].value
        return ""


@dataclass(frozen=True)
class NamedView:
    """Channels named in one sentence, with the figures behind it."""

    names: tuple[str, ...]
    evidence: tuple[EvidenceView, ...] = ()


@dataclass(frozen=True)
class OldView:
    """Figures from before rules.stale_before: the channels and the years."""

    names: tuple[str, ...]
    years: tuple[int, ...]


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


class TemplateViews:
    """Template contexts from the data's ``measures``, ``sources`` and names (fields and
    methods of ChannelData)."""

    # -- pieces ------------------------------------------------------------------
    def figure_view(self, fig: Figure, lang: str = "nl") -> FigureView:
        measure = self.measures.get(fig.measure, {}).get(fig.unit, {})
        return FigureView(
            channel=fig.platform or "",
            name=self.channel_name(fig.platform, lang) if fig.platform else "",
            value=_format_value(fig, lang),
            unit=fig.unit,
            measure=measure.get(lang) or measure.get("nl") or fig.measure,
            measure_id=fig.measure,
            band=self.band_label(fig.band, lang),
            year=fig.year,
            source=self.source_name(fig),
            source_title=fig.source_title,
            publisher=fig.publisher,
            basis=fig.basis,
            approx=fig.approx,
        )

    def source_name(self, fig: Figure) -> str:
        return self.sources.get(fig.source, {}).get("short") or fig.publisher

    def measure_label(self, fig: Figure, lang: str) -> str:
        labels = self.measures.get(fig.measure, {}).get("label", {}).get(fig.unit, {})
        return labels.get(lang) or labels.get("nl") or fig.measure

    def evidence(self, figures: Iterable[Figure], lang: str = "nl") -> tuple[EvidenceView, ...]:
        """Figures grouped by measure, band and unit (one sentence each), in the order
        given: per-age groups first, and within those, groups with recent figures."""
        groups: dict[tuple[str, str, str], list[Figure]] = {}
        for f in figures:
            groups.setdefault((f.measure, f.band, f.unit), []).append(f)
        out = []
        for figs in groups.values():
            runs: list[tuple[int, str, list[ItemView]]] = []
            for f in figs:
                source = self.source_name(f)
                item = ItemView(f.platform or "", self.channel_name(f.platform or "", lang),
                                _format_value(f, lang))
                if runs and runs[-1][0] == f.year and runs[-1][1] == source:
                    runs[-1][2].append(item)
                else:
                    runs.append((f.year, source, [item]))
            first = figs[0]
            out.append(EvidenceView(
                band=self.band_label(first.band, lang),
                label=self.measure_label(first, lang),
                measure_id=first.measure,
                unit=first.unit,
                basis=first.basis,
                runs=tuple(RunView(tuple(items), year, source) for year, source, items in runs),
                old=any(f.old(self.stale_before) for f in figs),
            ))
        # per-age groups before national ones, recent before old; else the order given
        return tuple(sorted(out, key=lambda e: (e.basis != "age", e.old)))

    def named_view(self, figures: list[Figure], lang: str) -> NamedView | None:
        if not figures:
            return None
        return NamedView(tuple(self.channel_name(f.platform or "", lang) for f in figures),
                         self.evidence(figures, lang))

    def old_view(self, figures: Iterable[Figure], lang: str) -> OldView | None:
        old = [f for f in figures if f.old(self.stale_before)]
        if not old:
            return None
        names = tuple(dict.fromkeys(self.channel_name(f.platform or "", lang) for f in old))
        return OldView(names, tuple(sorted({f.year for f in old})))

    def audience_noun(self, profile: AudienceProfile | None, lang: str) -> str:
        """What to call the audience ("tieners"), or "" for "je doelgroep": the noun the
        chosen ages (else the groups) share."""
        if profile is None:
            return ""
        if profile.typed:
            nouns = {self.age_bands[a].noun.get(lang, "") for a in profile.typed}
        else:
            nouns = {self.groups[g].noun.get(lang, "") for g in profile.groups}
        return nouns.pop() if len(nouns) == 1 else ""

    def local_ask(self, profile: AudienceProfile | None, lang: str) -> str:
        """Who to ask for a quick local check: the first group's, else an age band's."""
        if profile is None:
            return ""
        for g in profile.groups:
            if ask := self.groups[g].ask.get(lang):
                return ask
        for a in profile.ages:
            if ask := self.age_bands[a].ask.get(lang):
                return ask
        return ""

    def shown_figures(self, profile: AudienceProfile) -> list[Figure]:
        """The figures step 2 shows: up to ``rules.show_top`` per-age figures where the
        audience is not barely present; national totals only fill up to three."""
        low = {f.platform for f in profile.low}
        shown = [f for f in profile.by_age if f.platform not in low]
        shown = shown[: int(self.rules["show_top"])]
        seen = {f.platform for f in shown} | low
        fill = [f for f in profile.totals if f.platform not in seen]
        return shown + fill[: max(0, 3 - len(shown))]

    # -- template contexts -------------------------------------------------------
    def audience_view(self, profile: AudienceProfile, lang: str = "nl", n: int = 3) -> dict:
        """Context for ``<lang>/advice_audience.j2`` (and the export)."""
        stale_by_year: dict[int, list[str]] = {}
        for s in profile.stale:
            stale_by_year.setdefault(s.year, []).append(self.band_label(s.id, lang))
        via = dict(profile.via)
        shown = self.shown_figures(profile)
        low = list(profile.low[:3])
        gaps = [
            GapView(
                g.kind,
                g.id,
                self.band_label(g.id, lang) if g.kind == "band" else self.group_label(g.id, lang),
                g.reason,
                ", ".join(self.group_label(x, lang) for x in via.get(g.id, ())),
            )
            for g in profile.gaps
        ]
        old = self.old_view([*shown, *low, *profile.asides], lang)
        missing = any(g.reason in ("no_figure", "not_in_data") for g in gaps)
        return {
            "profile": profile,
            "top": [self.figure_view(f, lang) for f in shown],
            "lines": self.evidence(shown, lang),
            "low": self.named_view(low, lang),
            "asides": self.evidence(profile.asides, lang),
            "gaps": gaps,
            "stale": [StaleView(tuple(v), k) for k, v in sorted(stale_by_year.items())],
            "context": [self.figure_view(f, lang) for f in profile.context],
            "old": old,
            "check": bool(old or missing),
            "ask": self.local_ask(profile, lang),
        }

    def flags_view(
        self,
        flags: list[ChannelFlag],
        lang: str = "nl",
        profile: AudienceProfile | None = None,
        notes: ChannelNotes | None = None,
    ) -> dict:
        """Context for ``<lang>/advice_channels.j2``; ``flags`` also for the export.
        Without ``profile`` and ``notes`` the sentences speak of "je doelgroep" and say
        nothing beyond the flags."""
        views = [
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
        weak = [f.figure for f in flags
                if f.kind == "weak_choice" and f.figure and f.figure.basis == "age"]
        big = [f.figure for f in flags if f.kind == "missing_big" and f.figure]
        notes = notes or ChannelNotes(old=tuple(
            f.figure for f in flags if f.figure and f.figure.old(self.stale_before)))
        old = self.old_view(notes.old, lang)
        return {
            "flags": views,
            "noun": self.audience_noun(profile, lang),
            "weak": self.named_view(weak, lang),
            "weak_total": [v for f, v in zip(flags, views, strict=True)
                           if f.kind == "weak_choice" and f.figure and f.figure.basis != "age"],
            "big": self.named_view(big, lang),
            "national_big": self.named_view(list(notes.national_big), lang),
            "named": tuple(self.channel_name(c, lang) for c in notes.named),
            "named_low": self.named_view(list(notes.named_low), lang),
            "unknown": tuple(self.channel_name(c, lang) for c in notes.unknown),
            "old": old,
            "check": bool(old or notes.unknown),
            "ask": self.local_ask(profile, lang),
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
