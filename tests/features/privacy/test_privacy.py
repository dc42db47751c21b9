"""Privacy: forgetting a member and deleting a library leave nothing of them behind."""

from __future__ import annotations

import pytest

from tests.support.walk import TYPED


def db_mentions(db, *needles: str) -> list[str]:
    """Every table.column whose value contains one of the needles."""
    found = []
    for table in db.table_names():
        for row in db[table].rows:
            for column, value in row.items():
                if value is not None and any(n in str(value) for n in needles):
                    found.append(f"{table}.{column}")
    return found


@pytest.fixture
def team(chat):
    anna = chat("Anna")
    anna.create_library()
    code = anna.invite_code()
    zeb = chat("Zebedeus Quist")
    zeb.cmd("start", code)
    zeb.say(TYPED["goals.offline"])
    zeb.say("Zebedeus wil meer online leners")
    return anna, zeb


@pytest.mark.parametrize("word", ["vergeet", "forget"])
def test_a_member_is_forgotten_and_their_answers_kept_anonymously(team, db, word):
    anna, zeb = team
    assert db_mentions(db, "test:zebedeus quist", "Zebedeus Quist")
    zeb.cmd(word)
    assert "zonder je naam" in zeb.last
    zeb.press("Ja, vergeet me")
    assert "ik ben je vergeten" in zeb.last
    assert db_mentions(db, "test:zebedeus quist", "Zebedeus Quist") == []
    authors = {r["author_name"] for r in db["answers"].rows}
    assert authors == {"oud-teamlid"}  # the team keeps the answers, without the name
    assert db["answers"].count == 2
    # the forgotten user starts fresh
    zeb.cmd("start")
    assert "nieuwe bibliotheek" in zeb.texts()


def test_the_coordinator_can_choose_to_remove_answers_of_leavers(team, db):
    anna, zeb = team
    anna.cmd("settings")
    anna.press("Wissen")
    assert "worden gewist" in anna.last
    zeb.cmd("vergeet")
    assert "ook gewist" in zeb.last
    zeb.press("Ja, vergeet me")
    assert db["answers"].count == 0
    assert db_mentions(db, "test:zebedeus quist", "Zebedeus Quist") == []


def test_only_a_coordinator_sets_the_policy_and_deletes_the_library(team, db):
    anna, zeb = team
    zeb.cmd("settings")
    assert "Als een collega vertrekt" not in zeb.texts()
    zeb.press_data("p:policy:remove")
    assert "alleen de coördinator" in zeb.last
    zeb.cmd("bibliotheek_wissen")
    assert "alleen de coördinator" in zeb.last
    zeb.press_data(f"p:dellib:{zeb.user()['library_id']}")
    assert "alleen de coördinator" in zeb.last
    assert db["libraries"].count == 1


def test_a_coordinator_with_colleagues_hands_over_first(team):
    anna, zeb = team
    anna.cmd("vergeet")
    assert "Geef de rol eerst" in anna.last
    anna.press_data("p:forget")  # a forged press changes nothing either
    assert anna.user() is not None


def test_the_last_member_forgetting_deletes_the_library(chat, db):
    solo = chat("Solo Coordinator")
    solo.create_library("Bieb Solo")
    solo.say(TYPED["goals.offline"])
    solo.cmd("vergeet")
    assert "enige lid" in solo.last
    solo.press("Ja, vergeet me")
    assert db["libraries"].count == 0 and db["answers"].count == 0
    assert db_mentions(db, "test:solo coordinator", "Solo Coordinator", "Bieb Solo") == []


def test_deleting_a_library_removes_its_data_and_frees_its_members(team, chat, db):
    anna, zeb = team
    other = chat("Olga")
    other.create_library("Andere Bieb")
    other.say("Ons eigen doel")
    anna.cmd("bibliotheek_wissen")
    anna.press_data(f"p:dellib:{other.user()['library_id']}")  # forged: another library
    assert db["libraries"].count == 2
    anna.cmd("bibliotheek_wissen")
    anna.press("Ja, wis de bibliotheek")
    assert "is gewist" in anna.last
    assert db["libraries"].count == 1
    assert [r["author_name"] for r in db["answers"].rows] == ["Olga"]
    assert zeb.user()["library_id"] is None
    zeb.say("hallo")
    assert "nieuwe bibliotheek" in zeb.last.lower()


def test_cancel_deletes_nothing(team, db):
    anna, zeb = team
    zeb.cmd("vergeet")
    zeb.press("Annuleren")
    assert "niets gewist" in zeb.texts()
    assert zeb.user() is not None and db["answers"].count == 2


@pytest.mark.parametrize("policy,kept", [("anonymise", 2), ("remove", 0)])
def test_a_removed_member_is_forgotten_as_their_old_team_chose(team, db, policy, kept):
    anna, zeb = team
    if policy == "remove":
        anna.cmd("settings")
        anna.press("Wissen")
    anna.cmd("team")
    token = next(b.data.split(":", 2)[2] for r in anna.replies for b in r.buttons()
                 if "Zebedeus" in b.label)
    anna.press_data(f"t:rm:{token}")
    anna.press_data(f"t:rmy:{token}")
    assert zeb.user()["library_id"] is None
    zeb.cmd("vergeet")
    said = "ook gewist" if policy == "remove" else "zonder je naam"
    assert said in zeb.last  # what they are told is what happens
    zeb.press("Ja, vergeet me")
    assert db["answers"].count == kept  # his two answers: kept without name, or gone
    assert db_mentions(db, "test:zebedeus quist", "Zebedeus Quist") == []
