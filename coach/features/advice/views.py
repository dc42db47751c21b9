"""Channel advice, the views: figures, gaps and flags localised for the templates
``<lang>/advice_audience.j2`` and ``<lang>/advice_channels.j2`` (the sentences live in
the templates).  A mixin of ``data.ChannelData``."""

from __future__ import annotations

from dataclasses import dataclass

from coach.core.texts import render
from coach.features.advice.model import AudienceProfile, ChannelFlag, Figure
from coach.flow.numbers import format_number


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


class TemplateViews:
    """Template contexts from the data's ``measures``, ``sources`` and names (fields and
    methods of ChannelData)."""

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
