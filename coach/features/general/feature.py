"""/help, /settings (language first, then each feature's section), the language,
/overzicht (the strategy so far, ``overview.py``) and the question a forwarded message
gets (``forwarded.py``)."""

from __future__ import annotations

from coach.core.events import Choice, Reply
from coach.core.feature import Feature
from coach.core.texts import label
from coach.core.turn import Turn
from coach.features.general import forwarded
from coach.features.general.overview import cmd_overview
from coach.flow.model import LANGS


def cmd_help(turn: Turn, args: str) -> list[Reply]:
    return [turn.say("help", commands=turn.coach.menu(turn.lang),
                     has_library=bool(turn.library_id))]


def cmd_settings(turn: Turn, args: str) -> list[Reply]:
    """Language first; features add their sections (check-in preferences, privacy)."""
    replies = [turn.say("settings", choices=_language_buttons(turn))]
    for section in turn.coach.registry.settings:
        replies.extend(section(turn))
    return replies


def cmd_language(turn: Turn, args: str) -> list[Reply]:
    if args.lower() in LANGS:
        return _set_language(turn, args.lower())
    return [turn.say("notices.choose_language", choices=_language_buttons(turn))]


def press_language(turn: Turn, lang: str) -> list[Reply]:
    if lang not in LANGS:
        return [turn.say("notices.unknown_button"), *turn.where_you_are()]
    return _set_language(turn, lang)


def _language_buttons(turn: Turn) -> list[list[Choice]]:
    return [[Choice(label(turn.lang, f"lang_{lang}"), f"g:{lang}") for lang in LANGS]]


def _set_language(turn: Turn, lang: str) -> list[Reply]:
    turn.update(lang=lang)
    turn.lang = lang
    return [turn.say("notices.language_set"), *turn.where_you_are()]


FEATURE = Feature(
    "general",
    commands={"help": cmd_help, "settings": cmd_settings, "language": cmd_language,
              "overview": cmd_overview},
    buttons={"g": press_language, forwarded.PREFIX: forwarded.press},
    modes=(forwarded.MODE,),
    commands_without_library=frozenset({"help", "settings", "language"}),
    buttons_without_library=frozenset({"g", forwarded.PREFIX}),
)
