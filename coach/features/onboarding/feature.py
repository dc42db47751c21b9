"""Onboarding: /start, creating a library, joining one with an invite code or link.

A user without a library is in mode ``onboarding`` (the menu), ``naming`` (typing the
new library's name) or ``joining`` (typing an invite code); once in a library the
strategy's first open question follows.
"""

from __future__ import annotations

import re

from coach.core.events import Choice, Reply
from coach.core.feature import Feature, Mode
from coach.core.texts import label
from coach.core.turn import Turn
from coach.flow.library import library_value
from coach.flow.text import WORD, fold
from coach.flow.vocabulary import words
from coach.storage import invites, libraries, users
from coach.storage.sql import iso

LIBRARY_NAME_MAX = 80
OWNER = "onboarding"  # this feature's key in users.pending: a name typed at the menu
INVITE_CODE = re.compile(r"[A-Za-z0-9_-]{16}")  # what invites.create_invite makes


def menu(turn: Turn, welcome: bool = False) -> list[Reply]:
    if turn.user["mode"] != "onboarding":
        turn.update(mode="onboarding")
    choices = [[Choice(label(turn.lang, "new_library"), "l:new")],
               [Choice(label(turn.lang, "join_library"), "l:join")]]
    return [turn.say("welcome" if welcome else "onboarding", choices=choices,
                     name=turn.user["name"])]


def _repeat(turn: Turn) -> list[Reply]:
    return turn.command("continue") if turn.library_id else menu(turn)


def cmd_start(turn: Turn, args: str) -> list[Reply]:
    if args:
        return join(turn, args.split()[0])
    if not turn.library_id:
        return menu(turn, welcome=True)
    library = libraries.get_library(turn.db, turn.library_id)
    return [turn.say("welcome_back", library=library["name"]), *turn.command("continue")]


def press_library(turn: Turn, action: str) -> list[Reply]:
    if turn.library_id:
        library = libraries.get_library(turn.db, turn.library_id)
        return [turn.say("notices.already_member", library=library["name"]),
                *turn.where_you_are()]
    if action == "named":  # the name typed at the menu, confirmed
        name = turn.state(OWNER).get("name")
        turn.set_state(OWNER, None)
        if name:
            return _create_library(turn, name)
        action = "new"
    if action == "new":
        turn.update(mode="naming")
        return [turn.say("ask_library_name")]
    if action == "join":
        turn.update(mode="joining")
        return [turn.say("ask_invite_code")]
    return [turn.say("notices.unknown_button"), *menu(turn)]


def on_text(turn: Turn, text: str) -> list[Reply]:
    if turn.library_id:
        return turn.command("continue")
    text = text.strip()
    mode = turn.user["mode"]
    if mode == "naming":
        name = " ".join(text.split())
        if len(name) < 2 or len(name) > LIBRARY_NAME_MAX:
            return [turn.say("errors.library_name", max=LIBRARY_NAME_MAX)]
        return _create_library(turn, name)
    if mode == "joining":
        if not text:
            return [turn.say("errors.empty"), turn.say("ask_invite_code")]
        return join(turn, text.split()[0])
    return _typed_at_menu(turn, text)


def _typed_at_menu(turn: Turn, text: str) -> list[Reply]:
    """Typed instead of pressed: an invite code joins; anything that can be a library's
    name is offered as the new library's name (one press, or the menu's own buttons)."""
    code = INVITE_CODE.fullmatch(text)
    if code and invites.find_invite(turn.db, text):
        return join(turn, text)
    name = " ".join(text.split())
    if not 2 <= len(name) <= LIBRARY_NAME_MAX or not _names_a_library(name):
        if code:  # shaped like a code: say what is wrong with it
            return join(turn, text)
        return [turn.say("notices.onboarding_typed"), *menu(turn)]  # "hallo" is no name
    turn.set_state(OWNER, {"name": name})
    choices = [[Choice(label(turn.lang, "create_named"), "l:named")],
               [Choice(label(turn.lang, "new_library_other_name"), "l:new")],
               [Choice(label(turn.lang, "join_library"), "l:join")]]
    return [turn.say("notices.onboarding_name", choices=choices, name=name)]


def _names_a_library(text: str) -> bool:
    """"Bibliotheek Testdorp", "de Bieb", "Westside Library": a word of it begins with
    one of the vocabulary's ``library_words`` (any language)."""
    starts = words("library_words")
    return any(w.startswith(starts) for w in WORD.findall(fold(text)))


def _create_library(turn: Turn, name: str) -> list[Reply]:
    library_id = libraries.create_library(turn.db, name, turn.user["id"], turn.now)
    turn.update(library_id=library_id, role="coordinator")
    turn.forget_positions()
    return [turn.say("library_created", library=name), *turn.command("continue")]


def join(turn: Turn, code: str) -> list[Reply]:
    if invites.join_failures(turn.db, turn.user["id"], turn.now) >= invites.JOIN_MAX_FAILURES:
        return [turn.say("notices.join_rate_limited")]
    invite = invites.find_invite(turn.db, code[:64])
    problem = None
    if invite is None or invite["revoked_at"]:
        problem = "join_invalid"
    elif invite["expires_at"] <= iso(turn.now):
        problem = "join_expired"
    if problem:
        invites.record_join_attempt(turn.db, turn.user["id"], False, turn.now)
        if not turn.library_id:
            turn.update(mode="joining")
        return [turn.say(f"notices.{problem}")]
    invites.record_join_attempt(turn.db, turn.user["id"], True, turn.now)
    library = libraries.get_library(turn.db, invite["library_id"])
    if turn.library_id == library["id"]:
        return [turn.say("notices.already_member", library=library["name"]),
                *turn.where_you_are()]
    if turn.library_id:
        return [turn.say("notices.in_other_library")]
    turn.update(library_id=library["id"], role="member")
    turn.forget_positions()
    return _welcome_to_team(turn, library)


def _welcome_to_team(turn: Turn, library: dict) -> list[Reply]:
    """Who coordinates, how far the library is, and what is the newcomer's to do: the
    open questions, or, in a finished strategy, what is decided and what they can do."""
    positions = turn.positions
    decided = sum(p.key in positions.decided for p in positions.all)
    coordinator = next((m["name"] or "?" for m in users.members(turn.db, library["id"])
                        if m["role"] == "coordinator"), "")
    complete = positions.next_open() is None
    context = {"library": library["name"], "coordinator": coordinator, "decided": decided,
               "total": len(positions.all), "complete": complete}
    if not complete:
        return [turn.say("joined", **context), *turn.command("continue")]
    flow = turn.flow
    turn.move("done", None)
    return [turn.say("joined", **context,
                     mission=library_value(turn.db, library["id"],
                                           flow.by_role("mission").id) or "",
                     focus=library_value(turn.db, library["id"],
                                         flow.by_role("focus").id) or "")]


FEATURE = Feature(
    "onboarding",
    commands={"start": cmd_start},
    buttons={"l": press_library},
    modes=tuple(Mode(name, on_text, _repeat, needs_library=False)
                for name in ("onboarding", "naming", "joining")),
    commands_without_library=frozenset({"start"}),
    buttons_without_library=frozenset({"l"}),
)
