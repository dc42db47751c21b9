"""The built-in commands with their Dutch and English names, in the menu's order.

The menu and /help are built from this list plus what features add (descriptions are
templates: ``prompts/<lang>/commands.j2``, one block per command id), so they cannot
drift apart. Either language's name works for everyone; the menu shows the user's
language. The features that handle them are in ``coach/features/``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Command:
    id: str
    nl: str
    en: str
    aliases: tuple[str, ...] = ()

    def name(self, lang: str) -> str:
        return self.nl if lang == "nl" else self.en


COMMANDS: tuple[Command, ...] = (
    Command("start", "start", "start"),
    Command("continue", "verder", "continue", ("resume", "doorgaan")),
    Command("overview", "overzicht", "overview"),
    Command("checkin", "checkin", "checkin"),
    Command("progress", "voortgang", "progress"),
    Command("back", "terug", "back"),
    Command("skip", "overslaan", "skip"),
    Command("edit", "wijzig", "edit", ("wijzigen",)),
    Command("restart", "opnieuw", "restart"),
    Command("pause", "pauze", "pause"),
    Command("invite", "uitnodigen", "invite", ("uitnodiging",)),
    Command("export", "export", "export"),
    Command("team", "team", "team"),
    Command("language", "taal", "language", ("lang",)),
    Command("settings", "settings", "settings", ("instellingen",)),
    Command("privacy", "privacy", "privacy"),
    Command("forget", "vergeet", "forget", ("vergeet_mij", "forget_me")),
    Command("delete_library", "bibliotheek_wissen", "delete_library"),
    Command("help", "help", "help", ("hulp",)),
)
