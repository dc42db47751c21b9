"""Every member's progress in one pass (``members_progress``, for ``/team`` and the web
view's team page) counts what one ``Positions`` per member counts: the positions
answered, not skipped, and all of them."""

from __future__ import annotations

import pytest

from coach.flow.positions import Positions, library_positions, members_progress
from coach.storage import users
from tests.support.walk import walk


def one_by_one(coach, library_id: int, user_id: str) -> tuple[int, int]:
    """Progress as /team counted it before: a Positions of the member."""
    positions = Positions(coach.db, coach.flow, library_id, user_id)
    answered = sum(positions.status.get(p.key) == "answered" for p in positions.all)
    return answered, len(positions.all)


def same_as_one_by_one(coach, library_id: int, user_ids: list[str]) -> dict:
    together = members_progress(coach.db, coach.flow, library_id, user_ids)
    assert together == {u: one_by_one(coach, library_id, u) for u in user_ids}
    return together


def team_of_three(chat):
    """Bram answers the first steps and skips one question; Anna, the coordinator,
    walks what is open for her; Dirk joins and answers nothing; Carla has a library of
    her own."""
    anna = chat("Anna")
    anna.create_library()
    code = anna.invite_code()
    bram = chat("Bram")
    bram.cmd("start", code)
    walk(bram, until="audience.words")
    bram.say("overslaan")
    walk(bram, until="mission.why")
    walk(anna)
    dirk = chat("Dirk")
    dirk.cmd("start", code)
    carla = chat("Carla")
    carla.create_library("Bibliotheek Anderland")
    walk(carla, until="audience.groups")
    return anna, bram, dirk, carla


def test_the_one_pass_counts_as_one_positions_per_member(chat, coach):
    anna, bram, dirk, carla = team_of_three(chat)
    library_id = anna.user()["library_id"]
    ids = [m["id"] for m in users.members(coach.db, library_id)]
    assert sorted(ids) == ["test:anna", "test:bram", "test:dirk"]
    got = same_as_one_by_one(coach, library_id, ids)
    total = got["test:anna"][1]
    assert total == len(library_positions(coach.db, coach.flow, library_id)) > 20
    assert 0 < got["test:anna"][0] < total and 0 < got["test:bram"][0] < total
    assert got["test:dirk"] == (0, total)
    bram_status = Positions(coach.db, coach.flow, library_id, "test:bram").status
    assert "skipped" in bram_status.values()  # counted as not answered
    # another library's member, or someone unknown, has answered nothing here
    assert same_as_one_by_one(coach, library_id, ["test:carla", "test:nobody"]) == {
        "test:carla": (0, total), "test:nobody": (0, total)}
    other = carla.user()["library_id"]
    assert same_as_one_by_one(coach, other, ["test:carla", "test:anna"])["test:anna"][0] == 0


def test_answers_about_items_that_are_gone_stop_counting(chat, coach):
    """A goal replaced after its KPI questions were answered: its positions go, and so
    do those answers from the count, for everyone alike."""
    anna, bram, _dirk, _carla = team_of_three(chat)
    library_id = anna.user()["library_id"]
    ids = ["test:anna", "test:bram", "test:dirk"]
    before = same_as_one_by_one(coach, library_id, ids)
    anna.cmd("wijzig")
    anna.press_data("s:sm_goals")
    anna.press_data("e:sm_goals.list")
    anna.say("Een heel ander doel; 20% meer bereik")
    anna.press_data(next(b for b in anna.buttons() if b.startswith("f:keep:")))
    anna.press("Weghalen")
    anna.press("Zelfde, nu: 20% meer bereik")
    after = same_as_one_by_one(coach, library_id, ids)
    assert after["test:anna"][0] < after["test:anna"][1]  # the new goal's questions
    assert after != before


def test_a_library_of_one_mid_way(chat, coach):
    olga = chat("Olga")
    olga.create_library("Bibliotheek Eenling")
    walk(olga, until="kpis.per_goal")
    olga.say("overslaan")
    library_id = olga.user()["library_id"]
    answered, total = same_as_one_by_one(coach, library_id, ["test:olga"])["test:olga"]
    assert 0 < answered < total


@pytest.mark.parametrize("user_ids", [[], ["test:nobody"], ["test:anna", "test:anna"]])
def test_odd_lists_of_members(chat, coach, user_ids):
    anna = chat("Anna")
    anna.create_library()
    walk(anna, until="audience.groups")
    library_id = anna.user()["library_id"]
    got = same_as_one_by_one(coach, library_id, user_ids)
    assert set(got) == set(user_ids)
