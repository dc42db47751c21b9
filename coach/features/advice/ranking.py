"""Channel advice, the rules: where an audience is (:meth:`Ranking.audience_profile`,
:meth:`Ranking.top_platforms`) and whether a choice of channels fits it
(:meth:`Ranking.channel_flags`).  A mixin of ``data.ChannelData``: ``self`` is the
loaded ``flows/channels.yaml``.

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

from collections.abc import Iterable

from coach.features.advice.model import (
    AudienceGap,
    AudienceProfile,
    ChannelFlag,
    Figure,
    StaleBand,
)


class Ranking:
    """The advice over the data's ``rules``, ``figures``, ``gaps``, ``channels``,
    ``age_bands`` and ``groups`` (fields of ChannelData)."""

    def channel_order(self, channel: str | None) -> int:
        """Position of a channel in the data file (ties in a ranking go to the first)."""
        return list(self.channels).index(channel or "")

    # -- profile -----------------------------------------------------------------
    def audience_profile(self, groups: list[str], ages: list[str]) -> AudienceProfile:
        """Where the audience is.  Unknown ids are ignored."""
        known_groups = tuple(dict.fromkeys(g for g in groups if g in self.groups))
        typed = {a for a in ages if a in self.age_bands}
        wanted = set(typed)
        for g in known_groups:
            wanted.update(self.groups[g].ages)
        covered = tuple(a for a in self.age_bands if a in wanted)
        via = tuple(
            (a, tuple(g for g in known_groups if a in self.groups[g].ages))
            for a in covered
            if a not in typed
        )
        data_bands = tuple(
            dict.fromkeys(db for a in covered for db in self.age_bands[a].data_bands)
        )

        by_age = []
        for channel in self.channels:
            best = self._best_for_bands(channel, data_bands)
            if best is not None:
                by_age.append(best)
        by_age.sort(key=lambda f: (-(f.number or 0), self.channel_order(f.platform)))

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
            channels=tuple(self.channels),
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
        for channel in self.channels:
            cands = [
                (i, f)
                for i, f in enumerate(self.figures)
                if f.kind == "total" and f.platform == channel and f.number is not None
            ]
            uses = [c for c in cands if c[1].measure == "uses"] or cands
            if uses:
                out.append(max(uses, key=lambda c: (c[1].year, -c[0]))[1])
        out.sort(key=lambda f: (-(f.number or 0), self.channel_order(f.platform)))
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
        picked = [c for c in dict.fromkeys(chosen) if c in self.channels]
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
