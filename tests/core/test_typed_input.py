"""Typed input that is understood: a partly recognised choice, a yes that adds more,
"20 a month" (issue 12, point 7)."""

from __future__ import annotations

import json

import pytest

from tests.support.walk import walk


def stored(anna, qid):
    row = anna.coach.db.execute(
        "select value from answers where question_id = ? and superseded_at is null",
        [qid]).fetchone()
    return json.loads(row[0]) if row else None


def test_a_partly_recognised_choice_keeps_what_was_recognised(anna):
    walk(anna, until="audience.media")
    anna.say("insta, fb, zzzblub")
    assert "Ik herkende „zzzblub” niet. Instagram, Facebook heb ik aangevinkt" in anna.last
    assert [b.label for b in anna.replies[-1].buttons()][:2] == ["Facebook ✅", "Instagram ✅"]
    anna.say("klaar")
    assert stored(anna, "audience.media") == ["instagram", "facebook"]


def test_a_partly_recognised_choice_in_english(chat):
    sam = chat("Sam", lang_hint="en")
    sam.create_library()
    walk(sam, until="audience.media")
    sam.say("insta and blorp")
    assert "I didn't recognise “blorp”. I've ticked Instagram: choose more, or press Done." in (
        sam.last)


@pytest.mark.parametrize("typed", ["ja, en ook tiktok", "ja en ook tiktok", "yes, and tiktok too"])
def test_a_yes_that_adds_more_is_understood(anna, typed):
    walk(anna, until="audience.media")
    anna.say("intsa")  # uncertain: "Bedoel je Instagram?"
    assert "Bedoel je <b>Instagram</b>?" in anna.last
    anna.say(typed)
    assert stored(anna, "audience.media") == ["instagram", "tiktok"]


@pytest.mark.parametrize("typed,unit", [("20 a month", "per month"), ("20/maand", "per maand"),
                                        ("20 per maand", "per maand")])
def test_a_target_per_month_reads_alike_in_each_notation(anna, typed, unit):
    walk(anna, until="kpis.target")
    anna.say(typed)
    assert stored(anna, "kpis.target") == {"value": 20, "percent": False, "unit": unit}


def test_editing_the_first_goal_before_there_are_goals_says_what_comes_first(anna):
    anna.press_data("s:goals")
    anna.press_data("e:goals.focus")  # found by the fuzz test: there are no goals yet
    assert "Deze vraag komt pas als je „Offline doelen” hebt ingevuld." in anna.texts()
