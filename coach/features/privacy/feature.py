"""Personal data: forgetting a member (/vergeet) and deleting a whole library.

What happens to a leaving member's answers is the coordinator's choice, per library
(``libraries.settings["on_forget"]``): ``anonymise`` (the default: the answers stay as
the team's work, attributed to "a former member") or ``remove`` (they are deleted,
earlier versions included). Everything else about the person is deleted.

Which columns hold people is declared once in ``coach.storage.privacy.PERSONAL``; any
other table with a ``user_id`` column is cleaned by that column too, so a new table
cannot be forgotten.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from coach.core.events import Choice, Reply
from coach.core.feature import Feature
from coach.core.texts import render
from coach.storage import Database, libraries, privacy, users

if TYPE_CHECKING:
    from coach.core.turn import Turn

ANONYMISE, REMOVE = "anonymise", "remove"


def forget_policies(db: Database, user_id: str) -> dict[int, str]:
    """Library id → what happens to this person's answers there when they are forgotten:
    the coordinator's choice for each library that has their work (also a library they
    were removed from; answers of a deleted library are gone already)."""
    with_work = privacy.libraries_with_work(db, user_id)
    return {lib: libraries.setting(db, lib, "on_forget", ANONYMISE) for lib in with_work
            if libraries.get_library(db, lib)}


def forget_user(db: Database, user_id: str, former: str) -> None:
    """Delete everything about ``user_id``; their answers are anonymised or removed as
    each library's coordinator chose (:func:`forget_policies`)."""
    removed = [lib for lib, policy in forget_policies(db, user_id).items() if policy == REMOVE]
    privacy.forget_user(db, user_id, former, removed)


# -- the conversation ---------------------------------------------------------------------


def _others(turn: Turn) -> list[dict]:
    if not turn.library_id:
        return []
    return [m for m in users.members(turn.db, turn.library_id) if m["id"] != turn.user["id"]]


def cmd_forget(turn: Turn, args: str) -> list[Reply]:
    others = _others(turn)
    if turn.user["role"] == "coordinator" and others:
        return [turn.say("privacy_texts.coordinator_first")]
    policies = set(forget_policies(turn.db, turn.user["id"]).values())
    if turn.library_id and not policies:  # nothing answered yet: the library's choice
        policies = {libraries.setting(turn.db, turn.library_id, "on_forget", ANONYMISE)}
    policy = policies.pop() if len(policies) == 1 else "mixed" if policies else ANONYMISE
    choices = [[turn.button("labels.forget_yes", "p:forget"),
                turn.button("labels.cancel", "p:cancel")]]
    return [turn.say("privacy_texts.forget_confirm", choices=choices, policy=policy,
                     alone=bool(turn.library_id) and not others)]


def cmd_delete_library(turn: Turn, args: str) -> list[Reply]:
    if turn.user["role"] != "coordinator":
        return [turn.say("notices.coordinator_only")]
    library = libraries.get_library(turn.db, turn.library_id)
    choices = [[turn.button("labels.delete_library_yes", f"p:dellib:{library['id']}"),
                turn.button("labels.cancel", "p:cancel")]]
    return [turn.say("privacy_texts.delete_library_confirm", choices=choices,
                     library=library["name"], members=len(_others(turn)) + 1)]


def _settings_section(turn: Turn) -> list[Reply]:
    if turn.user["role"] != "coordinator":
        return []
    policy = libraries.setting(turn.db, turn.library_id, "on_forget", ANONYMISE)
    choices = [[Choice(turn.t(f"labels.on_forget_{p}") + (" ✅" if policy == p else ""),
                       f"p:policy:{p}")] for p in (ANONYMISE, REMOVE)]
    return [turn.say("privacy_texts.policy_setting", choices=choices, policy=policy)]


def press(turn: Turn, rest: str) -> list[Reply]:
    action, _, arg = rest.partition(":")
    if action == "cancel":
        return [turn.say("privacy_texts.cancelled"), *turn.where_you_are()]
    if action == "forget":
        if turn.user["role"] == "coordinator" and _others(turn):
            return [turn.say("privacy_texts.coordinator_first")]
        lang, library_id = turn.lang, turn.library_id
        if library_id and not _others(turn):
            privacy.delete_library(turn.db, library_id)
        former = render(lang, "privacy_texts.former_member")
        forget_user(turn.db, turn.user["id"], former)
        return [Reply(text=render(lang, "privacy_texts.forgotten"))]
    if turn.user["role"] != "coordinator":
        return [turn.say("notices.coordinator_only")]
    if action == "policy" and arg in (ANONYMISE, REMOVE):
        libraries.set_setting(turn.db, turn.library_id, "on_forget", arg)
        return [turn.say("privacy_texts.policy_set", policy=arg)]
    if action == "dellib" and arg == str(turn.library_id):
        library = libraries.get_library(turn.db, turn.library_id)
        privacy.delete_library(turn.db, turn.library_id)
        return [turn.say("privacy_texts.library_deleted", library=library["name"])]
    return [turn.say("notices.unknown_button"), *turn.where_you_are()]


def cmd_privacy(turn: Turn, args: str) -> list[Reply]:
    return [turn.say("privacy")]


FEATURE = Feature(
    "privacy",
    commands={"privacy": cmd_privacy, "forget": cmd_forget, "delete_library": cmd_delete_library},
    buttons={"p": press},
    commands_without_library=frozenset({"privacy", "forget"}),
    buttons_without_library=frozenset({"p"}),
    settings=(_settings_section,),
)
