"""/team: the coordinator's team list, removing a member, handing over the role, invites."""

from __future__ import annotations

import re

import pytest

from coach.features.team.feature import token
from coach.storage.answers import current_answers
from tests.support.chat import Chat
from tests.support.walk import TYPED


def team(chat) -> tuple[Chat, Chat]:
    anna = chat("Anna")
    anna.create_library("Bibliotheek Rivierenland")
    code = anna.invite_code()
    anna.say(TYPED["goals.offline"])
    bram = chat("Bram")
    bram.cmd("start", code)
    for qid in ("goals.online", "goals.focus", "goals.hours"):  # Anna answered the first
        assert bram.user()["question_id"] == qid
        bram.say(TYPED[qid])
    return anna, bram


def snapshot(db) -> list[tuple]:
    return [(u["id"], u["library_id"], u["role"]) for u in db.query(
        "select * from users order by id")]


def test_the_coordinator_sees_every_member_with_progress_and_buttons(chat):
    anna, bram = team(chat)
    replies = anna.cmd("team")
    text = replies[0].text
    assert "Team van Bibliotheek Rivierenland" in text
    assert re.search(r"Anna \(coördinator\): 1 van \d+ beantwoord", text)
    assert re.search(r"Bram: 3 van \d+ beantwoord", text)
    assert anna.buttons() == ["t:m:test:bram", "i:new"]
    anna.press_data("t:m:test:bram")
    assert "Bram" in anna.last and "3 van" in anna.last
    assert anna.buttons() == ["t:rm:test:bram", "t:co:test:bram", "t:list"]


@pytest.mark.parametrize("command", ["team", "export"])
def test_a_member_is_refused_team_and_export(chat, db, command):
    anna, bram = team(chat)
    before = snapshot(db)
    replies = bram.cmd(command)
    assert len(replies) == 1 and replies[0].document is None and not replies[0].choices
    assert "coördinator" in replies[0].text
    assert snapshot(db) == before


def test_removing_a_member_asks_first_keeps_their_answers_and_tells_only_the_coordinator(
    chat, db
):
    anna, bram = team(chat)
    library_id = anna.user()["library_id"]
    anna.press_data("t:rm:test:bram")
    assert "verwijderen?" in anna.last
    assert anna.buttons() == ["t:rmy:test:bram", "t:no"]
    anna.press_data("t:no")
    assert "niets veranderd" in anna.replies[0].text
    assert bram.user()["library_id"] == library_id

    replies = anna.press_data("t:rmy:test:bram")
    assert "hoort niet meer bij Bibliotheek Rivierenland" in replies[0].text
    assert "i:new" in anna.buttons()
    removed = bram.user()
    assert (removed["library_id"], removed["role"], removed["mode"]) == (None, None, "onboarding")
    # their answers stay, attributed
    kept = [r for r in current_answers(db, library_id) if r["author_id"] == "test:bram"]
    assert len(kept) == 3 and {r["author_name"] for r in kept} == {"Bram"}
    anna.cmd("export", "md")
    assert "Bram" in anna.replies[0].document.content.decode()
    anna.cmd("team")
    assert "Bram" not in anna.last and anna.buttons() == ["i:new"]
    # the removed member has no library any more
    bram.cmd("export")
    assert "nog niet bij een bibliotheek" in bram.replies[0].text
    bram.say("hallo")
    assert "t:" not in " ".join(bram.buttons())


def test_handing_over_the_coordinator_role_swaps_the_roles(chat, db):
    anna, bram = team(chat)
    anna.press_data("t:co:test:bram")
    assert "coördinator maken?" in anna.last
    anna.press_data("t:coy:test:bram")
    assert "Bram is nu de coördinator" in anna.last
    assert (anna.user()["role"], bram.user()["role"]) == ("member", "coordinator")
    # the old coordinator's buttons and commands no longer work
    before = snapshot(db)
    for data in ("t:rmy:test:bram", "t:coy:test:bram", "t:m:test:bram", "t:list"):
        anna.press_data(data)
        assert "alleen de coördinator" in anna.last
    anna.cmd("team")
    assert "alleen de coördinator" in anna.last
    assert snapshot(db) == before
    bram.cmd("team")
    assert "Anna: 1 van" in bram.last and bram.buttons() == ["t:m:test:anna", "i:new"]
    assert bram.cmd("export", "md")[0].document is not None


@pytest.mark.parametrize(
    "data",
    ["t:m:test:bram", "t:rm:test:bram", "t:rmy:test:bram", "t:co:test:bram",
     "t:coy:test:bram", "t:rmy:test:anna", "t:coy:test:anna"],
)
def test_a_coordinator_cannot_touch_another_librarys_members(chat, db, data):
    anna, bram = team(chat)
    carla = chat("Carla")
    carla.create_library("Bibliotheek Zuidrand")
    before = snapshot(db)
    replies = carla.press_data(data)
    assert "hoort niet (meer) bij je team" in replies[0].text
    assert "Bram" not in " ".join(r.text for r in replies)
    assert snapshot(db) == before


@pytest.mark.parametrize(
    "data,expected",
    [
        ("t:rmy:test:anna", "niet bij jezelf"),
        ("t:coy:test:anna", "niet bij jezelf"),
        ("t:rmy:test:nobody", "hoort niet (meer) bij je team"),
        ("t:rmy:", "hoort niet (meer) bij je team"),
        ("t:zap:test:bram", "ken ik niet"),
        ("t:" + "x" * 70, "ken ik niet"),
    ],
)
def test_stale_or_forged_team_buttons_change_nothing(chat, db, data, expected):
    anna, bram = team(chat)
    before = snapshot(db)
    replies = anna.press_data(data)
    assert expected in replies[0].text
    assert snapshot(db) == before


def test_a_removed_member_cannot_be_removed_twice_or_made_coordinator(chat, db):
    anna, bram = team(chat)
    anna.press_data("t:rmy:test:bram")
    before = snapshot(db)
    for data in ("t:rmy:test:bram", "t:coy:test:bram"):
        anna.press_data(data)
        assert "hoort niet (meer) bij je team" in anna.replies[0].text
    assert snapshot(db) == before


def test_a_member_pressing_team_buttons_is_refused(chat, db):
    anna, bram = team(chat)
    before = snapshot(db)
    for data in ("t:rmy:test:anna", "t:coy:test:bram", "t:list"):
        bram.press_data(data)
        assert "alleen de coördinator" in bram.last
    assert snapshot(db) == before


def test_regenerating_the_invite_link_from_the_team_list_revokes_the_old_one(chat, db):
    anna, bram = team(chat)
    old = db.execute("select code from invites where revoked_at is null").fetchone()[0]
    anna.cmd("team")
    anna.press_data("i:new")
    new = db.execute("select code from invites where revoked_at is null").fetchall()
    assert len(new) == 1 and new[0][0] != old
    dirk = chat("Dirk")
    dirk.cmd("start", old)
    assert dirk.user()["library_id"] is None


def test_a_very_long_user_id_fits_in_callback_data(coach, chat, db):
    anna, _ = team(chat)
    code = anna.invite_code()
    long_id = "test:" + "z" * 80
    zoe = Chat(coach, long_id, "Zoë")
    zoe.cmd("start", code)
    anna.cmd("team")  # the chat helper checks every button is at most 64 bytes
    tok = token(long_id)
    assert tok.startswith("#") and f"t:m:{tok}" in anna.buttons()
    anna.press_data(f"t:rmy:{tok}")
    assert zoe.user()["library_id"] is None


def test_team_speaks_english(chat):
    anna, bram = team(chat)
    anna.cmd("taal", "en")
    anna.cmd("team")
    assert "The Bibliotheek Rivierenland team" in anna.last and "answered" in anna.last
    anna.press_data("t:rm:test:bram")
    assert anna.last.startswith("Remove Bram from the team?")
