"""Navigation: back, skip, pause, resume, overview, edit an earlier answer, restart a step."""

from __future__ import annotations

import json

import pytest

from tests.support.walk import TYPED, walk


def versions(db, question_id):
    return list(db.query("select * from answers where question_id = ? order by id", [question_id]))


@pytest.mark.parametrize("how", ["command", "word_nl", "word_en", "button"])
def test_back_goes_to_the_previous_question_and_shows_the_answer(anna, how):
    anna.say(TYPED["goals.offline"])
    assert anna.user()["question_id"] == "goals.online"
    {"command": lambda: anna.cmd("terug"), "word_nl": lambda: anna.say("terug"),
     "word_en": lambda: anna.say("Back"), "button": lambda: anna.press("Terug")}[how]()
    assert anna.user()["question_id"] == "goals.offline"
    assert "Jouw antwoord nu: Meer kinderen lid maken; Taalcafé elke week vol" in anna.last
    anna.press("Houden")
    assert anna.user()["question_id"] == "goals.online"


def test_back_at_the_first_question_says_so(anna):
    anna.cmd("back")
    assert "eerste vraag" in anna.last
    assert anna.user()["question_id"] == "goals.offline"


@pytest.mark.parametrize("how", ["overslaan", "skip", "/skip", "button"])
def test_skip_keeps_the_question_for_later(anna, db, how):
    if how == "button":
        anna.press("Later")
    elif how.startswith("/"):
        anna.cmd(how[1:])
    else:
        anna.say(how)
    assert "Overgeslagen" in anna.texts()
    assert anna.user()["question_id"] == "goals.online"
    (row,) = versions(db, "goals.offline")
    assert row["status"] == "skipped"
    # at the end of the flow, the skipped question is offered again
    walk(anna)
    assert "nog 1 vraag op je lijstje voor later" in anna.last
    anna.press("Verder")
    assert anna.user()["question_id"] == "goals.offline"
    anna.say("Meer leden")
    assert json.loads(versions(db, "goals.offline")[-1]["value"]) == ["Meer leden"]


@pytest.mark.parametrize("word", ["pauze", "pause", "/pauze"])
def test_pause_and_resume_days_later(anna, clock, word):
    anna.say(TYPED["goals.offline"])
    anna.cmd("pauze") if word.startswith("/") else anna.say(word)
    assert anna.user()["mode"] == "paused"
    assert anna.templates()[-1] == "paused"
    anna.say("Meer online aanmeldingen")  # typed while paused: not taken as an answer
    assert anna.templates()[-1] == "notices.paused_hint"
    clock.advance(days=5)
    anna.say("verder")
    assert anna.user()["mode"] == "asking"
    assert anna.user()["question_id"] == "goals.online"
    assert "Wat wil je online bereiken?" in anna.last


def test_overview_shows_step_and_question_numbers(anna):
    walk_until = ["goals.offline", "goals.online", "goals.focus", "goals.hours"]
    for qid in walk_until:
        anna.say(TYPED[qid])
    anna.press("Verder")
    anna.say(TYPED["audience.groups"])
    anna.cmd("overzicht")
    text = anna.last
    assert "✅ <b>1. Online en offline doelen</b> (4/4)" in text
    assert "▶️ <b>2." in text
    assert "Je bent bij stap 2 van 7, vraag 2 van 4." in text
    # the KPI questions come from step 4's goals: no "(0/0)" before those exist
    step5 = next(line for line in text.splitlines() if line.startswith("○ <b>5. KPI"))
    assert step5.endswith("(volgt uit stap 4)")
    assert "(0/0)" not in text


def test_edit_an_earlier_answer_keeps_the_earlier_version(anna, db):
    for qid in ("goals.offline", "goals.online", "goals.focus", "goals.hours"):
        anna.say(TYPED[qid])
    anna.press("Verder")
    anna.say(TYPED["audience.groups"])
    frontier = anna.user()["question_id"]
    anna.cmd("wijzig")
    anna.press_data("s:goals")
    anna.press_data("e:goals.online")
    assert "Jouw antwoord nu: Meer online aanmeldingen voor activiteiten" in anna.last
    anna.say("Meer e-bookleners")
    assert "Aangepast" in anna.last
    assert anna.user()["question_id"] == frontier
    rows = versions(db, "goals.online")
    assert [json.loads(r["value"]) for r in rows] == [
        ["Meer online aanmeldingen voor activiteiten"], ["Meer e-bookleners"]]
    assert rows[0]["superseded_at"] is not None and rows[1]["superseded_at"] is None


def test_restart_a_step_asks_all_its_questions_again(anna, db):
    for qid in ("goals.offline", "goals.online", "goals.focus", "goals.hours"):
        anna.say(TYPED[qid])
    anna.press("Verder")
    anna.cmd("opnieuw")
    anna.press_data("r:audience")
    assert anna.user()["question_id"] == "audience.groups"
    anna.cmd("opnieuw")
    anna.press_data("r:goals")
    for qid in ("goals.offline", "goals.online", "goals.focus", "goals.hours"):
        assert anna.user()["question_id"] == qid
        anna.say("2" if qid == "goals.focus" else TYPED[qid])  # another first goal
    assert anna.user()["mode"] == "step_done"
    assert len(versions(db, "goals.focus")) == 2


def test_kpi_rule_one_or_two_per_goal(chat, db):
    anna = chat("Anna")
    anna.create_library()
    walk(anna, until="kpis.per_goal")
    assert "50 aanmeldingen VoorleesExpress via Instagram" in anna.last  # the goal is named
    anna.say("Aanmeldingen; Bereik; Volgers")  # three: too many
    assert "kies er hier maximaal 2" in anna.last
    anna.say("   ")  # none
    assert "errors.empty" in anna.templates()
    assert anna.user()["question_id"] == "kpis.per_goal"
    anna.say("Aanmeldingen")
    assert anna.user()["question_id"] == "kpis.per_goal"  # the second goal's turn
    assert anna.user()["item"] == 1
    assert "20% meer bereik" in anna.last
    anna.say("Bereik; Reacties")
    assert anna.templates()[-1] == "feedback.vanity_kpi"  # one push back: kept anyway
    anna.press_data("f:keep:kpis.per_goal~1")
    stored = [json.loads(r["value"]) for r in versions(db, "kpis.per_goal")]
    assert stored == [["Aanmeldingen"], ["Bereik", "Reacties"]]
    assert all(1 <= len(v) <= 2 for v in stored)


def test_skipping_a_kpi_keeps_it_on_the_to_do_list(chat, db):
    anna = chat("Anna")
    anna.create_library()
    walk(anna, until="kpis.per_goal")
    anna.say("overslaan")
    assert versions(db, "kpis.per_goal")[0]["status"] == "skipped"
    anna.cmd("overzicht")
    assert "1 voor later" in anna.last


def test_multiple_choice_by_buttons_toggles_and_validates(chat):
    anna = chat("Anna")
    anna.create_library()
    for qid in ("goals.offline", "goals.online", "goals.focus", "goals.hours"):
        anna.say(TYPED[qid])
    anna.press("Verder")
    anna.press_data("m:audience.groups")  # Done with nothing chosen
    assert "Noem er minstens 1" in anna.last
    anna.press_data("o:audience.groups:seniors")
    anna.press_data("o:audience.groups:pupils")
    anna.press_data("o:audience.groups:pupils")  # toggled off again
    assert "Gekozen: Senioren" in anna.last
    anna.press_data("m:audience.groups")
    assert anna.user()["question_id"] == "audience.ages"


def test_a_stale_button_from_an_earlier_question_is_explained(anna):
    anna.say(TYPED["goals.offline"])
    anna.press_data("o:audience.groups:seniors")
    assert "hoort bij een eerdere vraag" in anna.texts()
    assert anna.user()["question_id"] == "goals.online"


def test_an_old_keep_button_of_another_item_is_stale(anna, db):
    """Buttons of a foreach question carry their item: the first goal's old Keep button
    must not move past the second goal's open question."""
    walk(anna, until="kpis.per_goal")
    anna.say("Aanmeldingen")
    assert anna.user()["item"] == 1
    anna.cmd("terug")
    keep_first = next(b for b in anna.buttons() if b.startswith("k:"))
    anna.press_data(keep_first)
    assert anna.user()["item"] == 1
    anna.press_data(keep_first)  # pressed again, now on the second goal's question
    assert "hoort bij een eerdere vraag" in anna.texts()
    assert anna.user()["question_id"] == "kpis.per_goal" and anna.user()["item"] == 1
    assert db.execute("select count(*) from answers where question_id = 'kpis.per_goal'"
                      ).fetchone()[0] == 1


def test_the_to_do_count_only_counts_questions_that_still_exist(anna, db):
    walk(anna, until="kpis.per_goal")
    anna.say("overslaan")  # the first goal's KPIs: later
    walk(anna)
    assert "nog 1 vraag op" in anna.last
    anna.cmd("wijzig")
    anna.press_data("s:sm_goals")
    anna.press_data("e:sm_goals.list")
    anna.say("Een heel ander doel; 20% meer bereik")  # the skipped goal is gone
    anna.press_data(next(b for b in anna.buttons() if b.startswith("f:keep:")))  # vague
    anna.press("Weghalen")  # its link to a step-1 goal goes with it (kept, out of sight)
    anna.press("Zelfde, nu: 20% meer bereik")  # the second goal, in fewer words
    walk(anna)  # answers the new goal's questions
    assert "lijstje voor later" not in anna.last  # no phantom to-do, no missing button
    assert anna.templates()[-1] == "all_done"


def test_overview_in_english_names_the_step_the_kpis_follow_from(chat):
    ann = chat("Ann", lang_hint="en")
    ann.create_library()
    ann.cmd("overview")
    step5 = next(line for line in ann.last.splitlines() if line.startswith("○ <b>5. KPI"))
    assert step5.endswith("(follows from step 4)")
    assert "1. Online and offline goals</b> (0/3)" in ann.last
