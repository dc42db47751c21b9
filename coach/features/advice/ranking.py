"""Channel advice, the rules: where an audience is (:meth:`Ranking.audience_profile`,
:meth:`Ranking.top_platforms`) and whether a choice of channels fits it
(:meth:`Ranking.channel_flags`, :meth:`Ranking.channel_notes`).  A mixin of
``data.ChannelData``: ``self`` is the loaded ``flows/channels.yaml``.

Selection and ranking rules (also summarised in the data file's ``rules``):

1. The audience's age bands are the chosen ages.  Only when no age was chosen do the
   groups' age bands fill in ("scholieren" with "tieners" is the teens band, not
   students in their twenties as well).  Each band maps to the data bands that
   describe it, the closest fit first (``age_13_19`` -> "15-19", "14-17", "14-15", ...).
2. Per platform and data band the best figure is the newest; within the same year a
   ``daily`` figure beats other measures; then the first one in the file.  Figures
   stated only in words without a number ("about two-thirds") are not used.
3. Per platform and age band: the closest-fitting data band with a recent figure
   (``rules.stale_before``); when every figure is old, the newest.  Over several age
   bands: newest year, then the highest percentage ("the band where the platform
   reaches most of your audience").  The band is always shown with the figure.
4. Platforms are ranked by that percentage (measures differ; the measure is always
   shown next to the number, and the advice groups figures by measure).  National
   totals (millions of all Dutch 15+) are only a fallback: they fill the top list after
   the per-age figures, labelled as such.  A platform's own user count (``mau``) is
   never in that list.
5. A covered band with no per-platform percentage at all is a gap; a band whose
   newest figure is older than ``rules.stale_before`` is stale.  Groups without age
   bands (newcomers, low literacy, readers, partners) are gaps too.
6. Figures about a part of a band only (``subset``: WhatsApp among smartphone users
   65+) are shown beside the others (``asides``), never ranked or used for flags.
"""

from __future__ import annotations

from collections.abc import Iterable

from coach.features.advice.model import (
    AudienceGap,
    AudienceProfile,
    ChannelFlag,
    ChannelNotes,
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
    @property
    def stale_before(self) -> int:
        return int(self.rules["stale_before"])

    def audience_profile(self, groups: list[str], ages: list[str]) -> AudienceProfile:
        """Where the audience is.  Unknown ids are ignored.  The chosen ``ages`` decide;
        the groups' ages are used only when no (known) age was chosen."""
        known_groups = tuple(dict.fromkeys(g for g in groups if g in self.groups))
        chosen = set(ages)
        typed = tuple(a for a in self.age_bands if a in chosen)
        if typed:
            covered = typed
            via: tuple[tuple[str, tuple[str, ...]], ...] = ()
        else:
            wanted = {a for g in known_groups for a in self.groups[g].ages}
            covered = tuple(a for a in self.age_bands if a in wanted)
            via = tuple(
                (a, tuple(g for g in known_groups if a in self.groups[g].ages)) for a in covered
            )
        data_bands = tuple(
            dict.fromkeys(db for a in covered for db in self.age_bands[a].data_bands)
        )

        by_age = []
        for channel in self.channels:
            best = self._best_for_audience(channel, covered)
            if best is not None:
                by_age.append(best)
        by_age.sort(key=lambda f: (-(f.number or 0), self.channel_order(f.platform)))
        weak = float(self.rules["weak_percent"])
        low = sorted(
            (f for f in by_age if (f.number or 0) < weak),
            key=lambda f: (f.number or 0, self.channel_order(f.platform)),
        )

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
            elif max(years) < self.stale_before:
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
            typed=typed,
            low=tuple(low),
            asides=self._asides(data_bands),
        )

    def _best_in_band(self, channel: str, band: str, kind: str = "by_age") -> Figure | None:
        """The best figure of one data band: newest; daily beats other measures in the
        same year; then file order."""
        cands = [
            (i, f)
            for i, f in enumerate(self.figures)
            if f.kind == kind and f.platform == channel and f.band == band and f.number is not None
        ]
        if not cands:
            return None
        return max(cands, key=lambda c: (c[1].year, c[1].measure == "daily", -c[0]))[1]

    def _best_for_age_band(self, channel: str, data_bands: Iterable[str]) -> Figure | None:
        """The closest-fitting data band with a recent figure; else the newest figure."""
        per_band = [f for b in data_bands if (f := self._best_in_band(channel, b)) is not None]
        if not per_band:
            return None
        recent = [f for f in per_band if not f.old(self.stale_before)]
        if recent:
            return recent[0]
        return max(enumerate(per_band), key=lambda c: (c[1].year, c[1].number, -c[0]))[1]

    def _best_for_audience(self, channel: str, covered: Iterable[str]) -> Figure | None:
        per_age = [
            f
            for a in covered
            if (f := self._best_for_age_band(channel, self.age_bands[a].data_bands)) is not None
        ]
        if not per_age:
            return None
        # newest, then the band where the platform reaches most of the audience
        return max(enumerate(per_age), key=lambda c: (c[1].year, c[1].number, -c[0]))[1]

    def _asides(self, data_bands: Iterable[str]) -> tuple[Figure, ...]:
        """The newest ``subset`` figure per platform and band of the audience."""
        out = []
        for band in data_bands:
            for channel in self.channels:
                if (f := self._best_in_band(channel, band, "subset")) is not None:
                    out.append(f)
        return tuple(out)

    def _totals(self) -> tuple[Figure, ...]:
        out = []
        for channel in self.channels:
            # a platform's own count (mau) is never in one series with the surveys
            cands = [
                (i, f)
                for i, f in enumerate(self.figures)
                if f.kind == "total" and f.platform == channel and f.number is not None
                and f.measure != "mau"
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

    def _small_nationally(self, total: Figure) -> bool:
        """Below ``rules.small_total_m``, and no later national figure (of any measure,
        e.g. the platform's own monthly count) says otherwise."""
        limit = float(self.rules["small_total_m"])
        if total.number is None or total.number >= limit:
            return False
        return not any(
            f.kind == "total" and f.platform == total.platform and f.year > total.year
            and f.number is not None and f.number >= limit
            for f in self.figures
        )

    def channel_flags(self, profile: AudienceProfile, chosen: list[str]) -> list[ChannelFlag]:
        """Advice on a channel choice; see :class:`ChannelFlag`.  Unknown ids are ignored.
        Weak choices come in the order chosen; then the big ones left out, recent figures
        first, then the biggest (at most ``rules.max_missing_big``)."""
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
            if self._small_nationally(total):
                flags.append(
                    ChannelFlag(
                        "weak_choice",
                        channel,
                        total,
                        gap=self.platform_gap(channel, profile.data_bands) or "",
                        previous=self._previous_total(total),
                    )
                )
        big = sorted(
            (
                f
                for f in profile.by_age
                if f.platform not in picked
                and f.number is not None
                and f.number >= float(rules["big_percent"])
            ),
            key=lambda f: (f.old(self.stale_before), -(f.number or 0),
                           self.channel_order(f.platform)),
        )
        for fig in big[: int(rules["max_missing_big"])]:
            flags.append(ChannelFlag("missing_big", fig.platform or "", fig))
        return flags

    def channel_notes(
        self, profile: AudienceProfile, chosen: list[str], named: Iterable[str] = ()
    ) -> ChannelNotes:
        """What the channel check says besides the flags; see :class:`ChannelNotes`.
        ``named``: channel ids the library named earlier in its own plan."""
        picked = [c for c in dict.fromkeys(chosen) if c in self.channels]
        flags = self.channel_flags(profile, picked)
        flagged = {f.channel for f in flags}
        unknown = tuple(
            c for c in picked if profile.age_figure(c) is None and c not in flagged
        )
        national_big: tuple[Figure, ...] = ()
        if profile.basis == "total":
            national_big = tuple(
                f
                for f in profile.totals
                if f.platform not in picked
                and f.number is not None
                and f.number >= float(self.rules["big_total_m"])
            )[: int(self.rules["max_missing_big"])]
        covered = flagged | {f.platform for f in national_big}
        said = [
            c
            for c in dict.fromkeys(named)
            if c in self.channels and c not in picked and c not in covered
        ]
        said_low = tuple(f for c in said if (f := profile.age_figure(c)) in profile.low)
        behind = [profile.age_figure(c) for c in picked] + [f.figure for f in flags]
        old: list[Figure] = []
        for f in behind:
            if f is not None and f.old(self.stale_before) and f not in old:
                old.append(f)
        low = {f.platform for f in said_low}
        return ChannelNotes(unknown=unknown, national_big=national_big,
                            named=tuple(c for c in said if c not in low), named_low=said_low,
                            old=tuple(old))
