"""Odd input at the core: forwarded messages, long pastes, lists typed with "/" and
"&", and non-answers that only look like an option (over Telegram: tests/adapters/
telegram/test_odd_input.py)."""

from __future__ import annotations

import json

import pytest

from coach.core.events import Event
from coach.flow.answers import parse_text
from coach.flow.matching import match_option, split_tokens
from coach.flow.model import load_flow
from tests.support.walk import walk

FLOW = load_flow()


def forward(user, text: str):
    return user._send(text=text, forwarded=True)


def stored(db, question_id: str) -> list:
    return [json.loads(v) for (v,) in db.execute(
        "select value from answers where question_id = ?", [question_id]).fetchall()]


@pytest.mark.parametrize("text", ["<b>hoi</b> & <script>", "🎉" * 50, "x" * 4096,
                                  "Meer leden; meer bezoekers"])
def test_a_forwarded_text_is_asked_about_and_stored_only_after_yes(anna, db, text):
    forward(anna, text)
    assert anna.templates() == ["notices.forwarded"]
    assert "<script>" not in anna.last and "<b>hoi" not in anna.last  # escaped
    assert len(anna.last) < 600  # a long text is shortened in the question
    assert stored(db, "goals.offline") == []
    anna.press_data("fw:yes")
    assert stored(db, "goals.offline") != [] or "lang antwoord" in anna.texts()


def test_no_keeps_nothing_and_a_stale_or_forged_button_says_so(anna, db):
    forward(anna, "Meer leden")
    anna.press_data("fw:no")
    assert anna.templates()[0] == "notices.forwarded_dropped"
    for data in ("fw:yes", "fw:no", "fw:maybe", "fw:"):
        anna.press_data(data)
        assert anna.templates()[0] == "notices.forwarded_gone"
    assert stored(db, "goals.offline") == []
    assert anna.user()["question_id"] == "goals.offline"


def test_a_forwarded_text_before_joining_a_library_is_asked_about_too(chat):
    nina = chat("Nina")
    nina.cmd("start")
    nina.press_data("l:new")
    forward(nina, "Bibliotheek Noord")
    assert nina.templates() == ["notices.forwarded"]
    nina.press_data("fw:yes")
    assert "Bibliotheek Noord" in nina.texts() and nina.user()["library_id"]


def test_the_forwarded_question_survives_a_restart(anna, coach, db):
    from coach.wiring import make_coach
    forward(anna, "Meer leden")
    anna.coach = make_coach(db, clock=coach.clock)  # a new process over the same database
    anna.press_data("fw:yes")
    assert stored(db, "goals.offline") == [["Meer leden"]]


def test_an_ordinary_message_is_not_asked_about(anna, db):
    anna.coach.handle(Event(user_id=anna.user_id, name="Anna", text="Meer leden"))
    assert stored(db, "goals.offline") == [["Meer leden"]]


@pytest.mark.parametrize("typed,tokens", [
    ("insta, fb en tik tok", ["insta", "fb", "tik tok"]),
    ("insta\nfb", ["insta", "fb"]), ("instagram and facebook", ["instagram", "facebook"]),
    ("insta; fb", ["insta", "fb"]),
    ("Twitter/X", ["Twitter/X"]), ("Klik & Tik", ["Klik & Tik"]),
    ("<b>hoi</b> & <script>", ["<b>hoi</b> & <script>"]), ("a + b", ["a + b"]),
])
def test_options_are_split_only_where_people_separate_a_list(typed, tokens):
    assert split_tokens(typed) == tokens


@pytest.mark.parametrize("qid,typed", [
    ("audience.groups", "iedereen"), ("audience.groups", "nvt"),
    ("tactics.channels", "op internet"), ("measure.rhythm", "jaarlijks"),
    ("audience.groups", "alle inwoners"), ("tactics.channels", "papieren folder"),
])
def test_a_non_answer_is_not_taken_for_a_similar_looking_option(qid, typed):
    q = FLOW.question(qid)
    assert match_option(typed, q.options).option_id is None
    outcome = parse_text(q, typed)
    everyone = q.matcher in ("groups", "ages") and typed in ("iedereen", "alle inwoners")
    assert outcome.error == ("everyone" if everyone else "unknown_option")
    assert not outcome.confirm


@pytest.mark.parametrize("qid,typed,option", [
    ("tactics.channels", "pinterst", "pinterest"), ("tactics.channels", "facbk", "facebook"),
    ("measure.rhythm", "maandelijk", "monthly"), ("audience.groups", "senioren", "seniors"),
    ("audience.groups", "tieners", "teens"), ("tactics.channels", "Twitter/X", "x_twitter"),
])
def test_a_real_typo_or_short_form_still_matches(qid, typed, option):
    assert match_option(typed, FLOW.question(qid).options).option_id == option


def test_markup_typed_at_a_choice_is_named_back_escaped_and_whole(anna):
    walk(anna, until="audience.groups")
    anna.say("<b>hoi</b> & <script>")
    assert "Ik herkende „&lt;b&gt;hoi&lt;/b&gt; &amp; &lt;script&gt;” niet" in anna.last


@pytest.mark.parametrize("length", [401, 4096, 10_000])
def test_a_long_paste_at_a_choice_gets_its_own_reply(anna, db, length):
    walk(anna, until="audience.groups")
    anna.say(("Lezers en boekenliefhebbers, " * 400)[:length])
    assert "lange tekst" in anna.last and "Bedoel je" not in anna.last
    assert stored(db, "audience.groups") == []
    assert anna.user()["question_id"] == "audience.groups"
