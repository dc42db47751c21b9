""""Did you do last week's step?" and a next step that fits, with its reason (issue 14,
point 4): ja / deels / nee, geen tijd / nee, het werkte niet, typed or pressed."""

from __future__ import annotations

from datetime import timedelta

import pytest

from coach.features.checkins.step_done import read_outcome
from coach.features.next_steps.ranking import LibrarySnapshot, choose_next_step
from coach.features.next_steps.steps_file import load_steps
from tests.support.walk import walk

STEPS = load_steps()


def finished(chat, **answers):
    anna = chat("Anna")
    anna.create_library()
    walk(anna, answers={"kpis.per_goal": "Reacties", **answers})
    return anna


def first_step(chat, **answers):
    """Anna's finished strategy and her first check-in, which suggests a first step."""
    anna = finished(chat, **answers)
    anna.cmd("checkin")
    anna.say("10")
    return anna


def suggestions(db) -> list[tuple[str, str | None]]:
    return [(r[0], r[1]) for r in db.execute("select step_id, outcome from suggestions"
                                             " order by id")]


def week_of_checkins(anna, clock, answer: str | None, value: str = "10") -> str:
    """A week later: answer "did you do it?" and the KPI; returns what the coach said
    right after the answer."""
    clock.advance(days=7)
    anna.cmd("checkin")
    if answer is not None:
        assert "Is dat gelukt?" in anna.last
        assert [b for b in anna.buttons()] == ["ci:yes", "ci:partly", "ci:notime", "ci:failed"]
        if answer.startswith("ci:"):
            anna.press_data(answer)
        else:
            anna.say(answer)
    said = anna.texts()
    anna.say(value)
    assert "Je volgende kleine stap" in anna.last
    return said


@pytest.mark.parametrize(("text", "outcome"), [
    ("ja", "done"), ("Ja, gedaan!", "done"), ("yes", "done"), ("deels", "partly"),
    ("half", "partly"), ("nee, geen tijd gehad", "no_time"), ("nee", "no_time"),
    ("te druk deze week", "no_time"), ("nee, het werkte niet", "did_not_work"),
    ("Ja, maar het werkte niet echt", "did_not_work"), ("didn't work", "did_not_work"),
    ("no time", "no_time"), ("partly", "partly"), ("niet gelukt", "did_not_work"),
    ("misschien", None), ("", None), ("🤷", None), ("x" * 5000, None),
])
def test_typed_answers_are_read(text, outcome):
    assert read_outcome(text) == outcome


# how each answer to "did you do it?" picks the next step: (said at once, the next step
# as a function of the first, said with the next step)
NEXT = {
    "done": ("", lambda first, second: second != first, ""),
    "partly": ("maak hem deze week af", lambda first, second: second == first,
               "Waarom deze stap: je was er al mee bezig."),
    "no_time": ("een stap van hooguit een kwartier",
                lambda first, second: second != first and STEPS.get(second).minutes <= 15,
                "(±15 minuten)"),
    "did_not_work": ("iets van een ander soort",
                     lambda first, second: STEPS.get(second).area != STEPS.get(first).area,
                     ""),
}


@pytest.mark.parametrize(("answer", "outcome"), [
    ("ja", "done"), ("ci:yes", "done"), ("deels", "partly"),
    ("nee, geen tijd gehad", "no_time"), ("ci:notime", "no_time"), ("nee", "no_time"),
    ("nee, het werkte niet", "did_not_work"), ("ci:failed", "did_not_work"),
])
def test_the_answer_picks_the_next_step(chat, db, clock, answer, outcome):
    anna = first_step(chat)
    said, fits, why = NEXT[outcome]
    assert said in week_of_checkins(anna, clock, answer)
    (first, stored), (second, _) = suggestions(db)
    assert stored == outcome and fits(first, second), (first, second)
    assert why in anna.last
    done = db.execute("select done from suggestions order by id").fetchone()[0]
    assert done == (outcome == "done")


def test_an_unclear_answer_is_asked_again_with_the_choices(chat, db, clock):
    anna = first_step(chat)
    clock.advance(days=7)
    anna.cmd("checkin")
    anna.say("misschien")
    assert "„deels”" in anna.last and "Is dat gelukt?" in anna.last
    anna.press_data("ci:partly")
    anna.press_data("ci:failed")  # stale: the question was answered
    assert "hoort bij een eerdere vraag" in anna.texts()
    assert suggestions(db)[0][1] == "partly"


def test_the_same_step_is_not_offered_again_within_four_weeks(chat, db, clock):
    anna = first_step(chat)
    for _ in range(8):
        week_of_checkins(anna, clock, "nee, geen tijd")
    ids = [step for step, _ in suggestions(db)]
    for i, step in enumerate(ids):
        assert step not in ids[max(0, i - 3):i], ids  # the last four weeks
    assert all(STEPS.get(s).minutes <= 15 for s in ids[1:])


def test_the_memory_is_stored_and_lasts_four_weeks(chat, db, clock):
    anna = first_step(chat)
    first = suggestions(db)[0][0]
    clock.advance(days=7)
    anna.cmd("checkin")
    anna.press_data("ci:failed")
    anna.say("11")
    rows = list(db.query("select step_id, outcome, created_at from suggestions order by id"))
    assert rows[0]["outcome"] == "did_not_work" and rows[1]["step_id"] != first
    # five weeks on, with no more answers, the first step may come back
    for _ in range(5):
        clock.advance(days=7)
        anna.cmd("checkin")
        if "Is dat gelukt?" in anna.last:
            anna.press_data("ci:yes")
        anna.say("12")
    recent = {r[0] for r in db.execute(
        "select step_id from suggestions where created_at >= ?",
        [(clock() - timedelta(weeks=4)).isoformat(timespec="seconds")])}
    assert first not in recent or rows[0]["step_id"] == first


@pytest.mark.parametrize(("answers", "reason"), [
    ({"tactics.listening": "we kijken soms rond"},
     "Waarom deze stap: je hield je luisterplan zoals het was; dit maakt het concreet."),
    ({"tactics.webcare": "ik, als ik tijd heb"},
     "Waarom deze stap: je hield je webcare-afspraak zoals hij was; dit maakt hem concreet."),
    ({}, "Waarom deze stap: het helpt bij Reacties."),
])
def test_each_suggestion_says_why(chat, db, answers, reason):
    anna = first_step(chat, **answers)
    assert reason in anna.last


def test_an_off_track_kpi_is_the_reason(chat, db, clock):
    anna = finished(chat)
    for value in ("40", "30", "20"):  # falling, target 1.200 per week
        anna.cmd("checkin")
        if "Is dat gelukt?" in anna.last:
            anna.press_data("ci:yes")
        anna.say(value)
        clock.advance(days=7)
    assert "⚠️ Op dit tempo haal je het niet vóór" in anna.texts()
    assert "Waarom deze stap: Reacties ligt niet op koers." in anna.last


def test_the_first_goal_is_the_reason_when_nothing_else_is():
    snap = LibrarySnapshot(has_listening=True, has_webcare=True, focus="Meer jeugdleden")
    step = choose_next_step(snap, set(), "nl")
    assert step.kpi is None and step.channel is None
    assert step.why == ("first_goal", "Meer jeugdleden")


def test_an_unfinished_strategy_is_the_reason(chat, db):
    anna = chat("Anna")
    anna.create_library()
    anna.say("Meer jeugdleden")
    anna.cmd("checkin")
    assert "Waarom deze stap: je strategie is nog niet af, en die komt eerst." in anna.last
