"""Who may do what: every command and every kind of button, for every role, in one table.

Roles: no library, member, coordinator, removed member, member of another library.
Nobody reads, edits or exports another library's answers; only coordinators manage the
team, invite, export and delete the library.
"""

from __future__ import annotations

import pytest

from coach.core.feature import Registry
from coach.core.texts import render
from coach.features import FEATURES
from tests.support.chat import Chat

SECRET = "Geheimplan-Rivierenland"
ROLES = ["none", "member", "coordinator", "removed", "other_library"]
COORDINATOR_ONLY = {"invite", "export", "team", "delete_library", "decide", "assign"}
COMMAND_IDS = [c.id for c in Registry(FEATURES).names]  # the built-in and the features'
NO_LIBRARY = render("nl", "notices.no_library")
COORDINATOR = render("nl", "notices.coordinator_only")


def expected(role: str, command_id: str, needs_library: set[str]) -> str:
    if role in ("none", "removed") and command_id in needs_library:
        return "no_library"
    if role in ("member", "other_library") and command_id in COORDINATOR_ONLY:
        return "refused"
    return "ok"


@pytest.fixture
def world(coach, chat):
    anna = chat("Anna")  # coordinator of library A
    anna.create_library("Bibliotheek Rivierenland")
    anna.say(f"{SECRET}; Meer leden")
    code = anna.invite_code()
    bram, rita = chat("Bram"), chat("Rita")
    for member in (bram, rita):
        member.cmd("start", code)
        member.say(f"{SECRET} van {member.name}")
    anna.cmd("team")
    token = next(b.data.split(":", 2)[2] for r in anna.replies for b in r.buttons()
                 if "Rita" in b.label)
    anna.press_data(f"t:rm:{token}")
    anna.press_data(f"t:rmy:{token}")
    assert rita.user()["library_id"] is None
    olga, piet = chat("Olga"), chat("Piet")  # library B
    olga.create_library("Bibliotheek Zuidrand")
    piet.cmd("start", olga.invite_code())
    nina = chat("Nina")  # no library
    nina.cmd("start")
    users = {"none": nina, "member": bram, "coordinator": anna, "removed": rita,
             "other_library": piet,
             "answer_ids": [r["id"] for r in coach.db.query("select id from answers")]}
    return users, {"bram_token": token.replace("rita", "bram"), "anna": anna, "olga": olga}


def library_a_state(db, library_id):
    """Everything of library A that an outsider must not be able to change."""
    return (
        [tuple(r.values()) for r in db.query(
            "select id, author_id, value, superseded_at from answers where library_id = ?"
            " order by id", [library_id])],
        [tuple(r.values()) for r in db.query(
            "select id, library_id, role from users where library_id = ? order by id",
            [library_id])],
        [tuple(r.values()) for r in db.query(
            "select code, revoked_at from invites where library_id = ? order by code",
            [library_id])],
        db["libraries"].count,
        [tuple(r.values()) for r in db.query(
            "select id, author_id, value, how, superseded_at from library_answers"
            " where library_id = ? order by id", [library_id])],
        [tuple(r.values()) for r in db.query(
            "select user_id, step_id from assignments where library_id = ? order by 1, 2",
            [library_id])],
        [tuple(r.values()) for r in db.query(
            "select id, text, removed_at from items where library_id = ? order by id",
            [library_id])],
    )


def others_only(state, user: Chat):
    """What a member must not change: everything but their own answers (and the
    library answer they give while nobody else answered the question)."""
    answers, users_, invites, count, library, *rest = state
    return ([a for a in answers if a[1] != user.user_id], users_, invites, count,
            [a for a in library if a[1] != user.user_id], *rest)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("command", COMMAND_IDS)
def test_every_command_for_every_role(world, coach, db, role, command):
    users, extra = world
    user: Chat = users[role]
    lib_a = extra["anna"].user()["library_id"]
    before = library_a_state(db, lib_a)
    replies = user.cmd(command)
    text = user.texts()
    needs_library = {c for c in coach.registry.commands
                     if f"/{c}" not in coach.registry.without_library}
    outcome = expected(role, command, needs_library)
    if outcome == "no_library":
        assert NO_LIBRARY in text
    elif outcome == "refused":
        assert not any(r.document for r in replies)
        assert COORDINATOR in text or "coördinator" in text
    # nobody outside library A ever sees A's answers
    if role not in ("member", "coordinator"):
        assert SECRET not in text
        for reply in replies:
            if reply.document:
                assert SECRET.encode() not in reply.document.content
    # only A's coordinator can change A by a command (and only by confirming with a button);
    # a member changes nothing but their own answers
    if role == "member":
        assert others_only(library_a_state(db, lib_a), user) == others_only(before, user)
    elif role != "coordinator":
        assert library_a_state(db, lib_a) == before


def forged_buttons(world_users, lib_a, lib_b, bram_id):
    """Button data a user could forge to reach library A's data or team."""
    return [
        f"t:rmy:{bram_id}", f"t:coy:{bram_id}", f"t:rm:{bram_id}", f"t:m:{bram_id}",
        f"p:dellib:{lib_a}", f"p:dellib:{lib_b}", "p:policy:remove", "p:forget",
        "i:new", "e:goals.offline", "s:goals", "r:goals", "k:goals.offline",
        "o:goals.offline:x", "m:audience.groups", "y:goals.offline", "x:goals.offline",
        "ci:done:yes", "ci:skip", "cs:lib", "n:back", "n:skip", "l:new", "g:en",
        "ex:md", "ex:docx", "ex:html",
        "d:n:0", "d:m:goals.offline~", "d:k:goals.offline~", "d:e:goals.offline~",
        "ds:on", f"v:m:{bram_id}", f"v:t:{bram_id}:2", "v:l", "w:d:goals.offline",
        *(f"{kind}:{answer_id}" for answer_id in world_users["answer_ids"]
          for kind in ("d:a", "d:A", "a")),
    ]


@pytest.mark.parametrize("role", ["none", "member", "removed", "other_library"])
def test_forged_buttons_never_touch_another_library(world, db, role):
    users, extra = world
    user: Chat = users[role]
    lib_a = extra["anna"].user()["library_id"]
    lib_b = extra["olga"].user()["library_id"]
    bram_id = users["member"].user_id
    before = library_a_state(db, lib_a)
    for data in forged_buttons(users, lib_a, lib_b, bram_id):
        if data == "p:forget":
            continue  # forgetting oneself is allowed for everyone; tested in test_privacy
        replies = user.press_data(data)
        assert replies, data
        if role != "member":
            assert SECRET not in user.texts(), data
        if role == "member":
            # a member may answer and navigate in their own library, never manage it
            state = library_a_state(db, lib_a)
            assert others_only(state, user) == others_only(before, user), data
        else:
            assert library_a_state(db, lib_a) == before, data
    assert db["libraries"].count == 2
