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

The parts: ``model.py`` (the records), this module (loading, names), ``ranking.py``
(the selection and ranking rules), ``views.py`` (template contexts) and ``parsing.py``
(typed audiences: "ouders met peuters", "15 tot 20", "12-18").
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from coach.features.advice.model import DEFAULT_PATH, AgeBand, DataGap, Figure, Group
from coach.features.advice.ranking import Ranking
from coach.features.advice.views import TemplateViews

# libyaml's loader where PyYAML has it: the same data, read about seven times faster (the
# file is read at every start of the bot)
YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

__all__ = ["AGE_IDS", "CHANNEL_IDS", "DEFAULT_PATH", "GROUP_IDS", "ChannelData",
           "channel_name", "load_channel_data"]


def load_channel_data(path: Path | None = None) -> ChannelData:
    """Load (once per path) the channel data file; default ``flows/channels.yaml``."""
    return _load(Path(path or DEFAULT_PATH).resolve())


@functools.cache
def _load(path: Path) -> ChannelData:
    raw = yaml.load(path.read_text(encoding="utf-8"), Loader=YAML_LOADER)
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


@dataclass(frozen=True, eq=False)
class ChannelData(Ranking, TemplateViews):
    """The loaded data file; the advice (:class:`Ranking`) and the template contexts
    (:class:`TemplateViews`) are its methods."""

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
                noun=b.get("noun") or {},
                ask=b.get("ask") or {},
            )
            for bid, b in raw["age_bands"].items()
        }
        groups = {
            gid: Group(
                id=gid,
                label=g["label"],
                ages=tuple(g.get("ages") or ()),
                aliases=tuple(g.get("aliases") or ()),
                noun=g.get("noun") or {},
                ask=g.get("ask") or {},
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

def channel_name(channel: str, lang: str = "nl") -> str:
    """Display name of a channel id for templates ("x_twitter" -> "X (Twitter)")."""
    return load_channel_data().channel_name(channel, lang)


# The ids, in file order, of the data file: the one list of channels, groups and ages.
CHANNEL_IDS: tuple[str, ...] = tuple(load_channel_data().channels)
GROUP_IDS: tuple[str, ...] = tuple(load_channel_data().groups)
AGE_IDS: tuple[str, ...] = tuple(load_channel_data().age_bands)
