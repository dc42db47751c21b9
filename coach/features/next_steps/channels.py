"""The channels a next step may name (``channels_any`` in flows/next_steps.yaml) and
the names people use for them, derived from the data: the channels of
``flows/channels.yaml`` with their names there and the names (labels, aliases) of the
channel options of the flow (the question with the role ``channels``), plus the
channels and names of ``flows/vocabulary.yaml`` (``channels``)."""

from __future__ import annotations

from functools import cache

from coach.features.advice.data import load_channel_data
from coach.flow.model import load_flow
from coach.flow.text import words
from coach.flow.vocabulary import FILE_NAME, VocabularyError, load_vocabulary

# also KNOWN_CHANNELS and CHANNEL_ALIASES (module attributes, read when first used)
__all__ = ["channel_aliases", "channel_key", "known_channels", "normalize_channel"]


def channel_key(name: str) -> str:
    """A channel name as a key: "X (Twitter)" -> "x_twitter", "tik-tok" -> "tik_tok"."""
    return "_".join(words(name)) or name.strip().lower()


@cache
def _channels() -> tuple[tuple[str, ...], dict[str, str]]:
    data = load_channel_data()
    vocabulary = load_vocabulary()
    other = vocabulary.ids("channels.other")
    names: dict[str, list[str]] = {c: [] for c in (*data.channels, *other)}
    for channel, entry in data.channels.items():
        names[channel] += (entry.get("name") or {}).values()
    for option in load_flow().by_role("channels").options:
        if option.id in data.channels:
            names[option.id] += [*option.label.values(), *option.aliases]
    for channel, more in (*other.items(), *vocabulary.ids("channels.aliases").items()):
        if channel not in names:
            raise VocabularyError(f"flows/{FILE_NAME}: channels.aliases: {channel} is not a"
                                  " channel of flows/channels.yaml")
        names[channel] += more
    aliases: dict[str, str] = {}
    for channel, known in names.items():
        for key in {channel_key(n) for n in known} - {channel}:
            if aliases.setdefault(key, channel) != channel:
                raise VocabularyError(f"channel name {key!r} names both {aliases[key]} and"
                                      f" {channel} (flows/channels.yaml, strategy.yaml,"
                                      f" flows/{FILE_NAME})")
    return tuple(names), aliases


def known_channels() -> tuple[str, ...]:
    """Every channel id: those of flows/channels.yaml, then the other channels."""
    return _channels()[0]


def channel_aliases() -> dict[str, str]:
    """Every other name of a channel, as a key (:func:`channel_key`), to its id."""
    return _channels()[1]


def __getattr__(name: str) -> object:
    # KNOWN_CHANNELS and CHANNEL_ALIASES, read from the data when first asked for
    if name == "KNOWN_CHANNELS":
        return known_channels()
    if name == "CHANNEL_ALIASES":
        return channel_aliases()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def normalize_channel(name: str) -> str:
    """"Insta" -> "instagram", "Twitter" -> "x_twitter", "LinkedIn" -> "linkedin"."""
    key = channel_key(name)
    return channel_aliases().get(key, key)
