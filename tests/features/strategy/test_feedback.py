"""Push back once, never block: weak answers in the conversation (the strategy
feature's answering.py), as a library employee meets them."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
import sqlite_utils
import yaml

from coach.core.events import Event
from coach.flow.library import library_answers
from coach.flow.model import load_flow
from coach.wiring import make_coach, open_coach
from tests.support.chat import Chat
from tests.support.html import parse_html
from tests.support.walk import walk

ROOT = Path(__file__).resolve().parents[3]
CORPUS = yaml.safe_load((ROOT / "tests" / "corpus" / "answers.yaml").read_text("utf-8"))
FLOW = load_flow()


def stored(chat: Chat, qid: str) -> list[dict]:
    return [dict(r) for r in chat.coach.db.query(
        "select value, status, feedback from answers where question_id = ?"
        " and superseded_at is null and author_id = ?", [qid, chat.user_id])]


def test_a_weak_goal_gets_one_suggestion_and_nothing_is_stored_yet(anna):
    walk(anna, until="sm_goals.list")
    anna.say("Meer zichtbaar worden")
    reply = anna.replies[-1]
    assert reply.key == "feedback.vague_goal"
    assert "Hoeveel, en wanneer?" in reply.text and "vóór 1 " in reply.text
    assert reply.buttons()[0].data == "f:keep:sm_goals.list"
    assert stored(anna, "sm_goals.list") == []
    assert anna.user()["question_id"] == "sm_goals.list"


def test_keeping_it_stores_it_with_its_weakness(anna):
    walk(anna, until="sm_goals.list")
    anna.say("Meer zichtbaar worden")
    anna.press_data("f:keep:sm_goals.list")
    assert stored(anna, "sm_goals.list") == [
        {"value": '["Meer zichtbaar worden"]', "status": "answered", "feedback": "vague_goal"}]
    assert "Bewaard zoals je het schreef" in anna.texts()
    anna.press_data("f:keep:sm_goals.list")  # stale now
    assert "Die knop hoort bij een eerdere vraag" in anna.texts()


def test_the_same_answer_again_is_stored_with_its_weakness(anna):
    walk(anna, until="sm_goals.list")
    anna.say("Meer zichtbaar worden")
    anna.say("Meer zichtbaar worden")
    assert stored(anna, "sm_goals.list")[0]["feedback"] == "vague_goal"
    assert anna.user()["question_id"] != "sm_goals.list"


def test_a_better_answer_is_taken_at_once_and_without_a_flag(anna):
    walk(anna, until="sm_goals.list")
    anna.say("Meer zichtbaar worden")
    anna.say("30 aanmeldingen voor Klik & Tik via Facebook vóór 1 juni")
    assert stored(anna, "sm_goals.list") == [{
        "value": '["30 aanmeldingen voor Klik & Tik via Facebook vóór 1 juni"]',
        "status": "answered", "feedback": None}]


def test_a_strong_answer_gets_no_feedback(anna):
    walk(anna, until="sm_goals.list")
    anna.say("30 aanmeldingen voor Klik & Tik via Facebook vóór 1 juni")
    assert not any(r.key.startswith("feedback.") for r in anna.replies)


def test_a_non_answer_is_never_stored_and_skipped_the_second_time(anna):
    walk(anna, until="mission.why")
    anna.say("geen idee")
    assert anna.replies[-1].key == "feedback.non_answer"
    assert [b.data for b in anna.replies[-1].buttons()] == ["n:skip"]  # no keeping it
    anna.say("weet ik niet")
    assert stored(anna, "mission.why") == [{"value": "null", "status": "skipped",
                                             "feedback": None}]
    assert "Die vraag sla ik over" in anna.texts()


def test_verder_in_the_middle_of_a_question_explains_and_offers_skip(anna):
    walk(anna, until="mission.why")
    anna.say("verder")
    assert anna.replies[-1].key == "feedback.non_answer"
    assert anna.user()["question_id"] == "mission.why"


def test_agreeing_with_a_colleague_offers_her_answer(chat, anna):
    code = anna.invite_code()
    bram = Chat(anna.coach, "test:bram", "Bram")
    walk(anna, until="mission.why")
    anna.say("Iedereen moet weten dat de bieb van iedereen is")
    bram.cmd("start", code)
    anna.cmd("verdeel", "Bram: stap 3")  # Anna answered it; Bram is to look at it too
    bram.cmd("verder")
    walk(bram, until="mission.why")
    bram.say("eens met anna")
    take = next(b for b in bram.replies[-1].buttons() if b.data.startswith("f:take:"))
    assert take.label == "Antwoord van Anna overnemen"
    bram.press_data(take.data)
    assert stored(bram, "mission.why")[0]["value"] == json.dumps(
        "Iedereen moet weten dat de bieb van iedereen is")


def test_a_forged_take_button_takes_nothing(anna):
    walk(anna, until="mission.why")
    anna.say("zoals bram zegt")
    anna.press_data("f:take:mission.why:99999")
    assert stored(anna, "mission.why") == []
    assert "Die knop ken ik niet" in anna.texts()


@pytest.mark.parametrize("lang,hostile", [
    ("nl", "<b>zichtbaar</b> & <script>alert(1)</script> " + "heel " * 25),
    ("en", "be more visible 🎉🎉 " + "very " * 30),
])
def test_feedback_is_short_escaped_and_quotes_at_most_80_characters(chat, lang, hostile):
    user = chat("Sam", lang_hint=lang)
    user.create_library()
    walk(user, until="sm_goals.list")
    user.say(hostile.strip())
    reply = user.replies[-1]
    assert reply.key == "feedback.vague_goal"
    visible = parse_html(reply.text)
    assert len(visible) <= 300 and "<script>" not in reply.text
    typed = " ".join(hostile.split())
    assert typed[:81] not in visible  # at most 80 characters of it are quoted


def test_every_feedback_text_fits_in_both_languages(chat):
    from coach.core.texts import render

    for kind in ("non_answer", "vague_goal", "channel_as_goal", "several_kpis", "vanity_kpi",
                 "listening_incomplete", "webcare_incomplete", "measurement_incomplete",
                 "tactic_channel_not_chosen", "channel_without_tactic", "mission_too_long",
                 "mission_about_library"):
        for lang in ("nl", "en"):
            for ctx in ({"firm": True, "missing": "both"}, {"firm": False, "missing": "period"},
                        {"firm": True, "missing": "number"}, {"firm": True, "missing": ["owner"]}):
                text = render(lang, f"feedback.{kind}", quote="x" * 80, deadline="1 maart",
                              colleague="", pick_one=False, channel="Snapchat",
                              chosen="Instagram", channels="X", outcome="aanmeldingen",
                              count=3, max=2, parts=[], sentences=2, **ctx)
                assert 20 < len(parse_html(text)) <= 300, (kind, lang, text)


def test_the_first_goal_is_a_choice_among_the_step_1_goals(anna):
    walk(anna, until="goals.focus")
    options = [b for b in anna.replies[-1].buttons() if b.data.startswith("o:")]
    assert [o.label for o in options] == ["Meer kinderen lid maken", "Taalcafé elke week vol",
                                          "Meer online aanmeldingen voor activiteiten"]
    anna.say("yes")
    assert stored(anna, "goals.focus") == []  # "yes" is no goal
    anna.say("taalcafe")
    assert "Bedoel je <b>Taalcafé elke week vol</b>?" in anna.last
    anna.press_data(anna.buttons()[0])
    assert stored(anna, "goals.focus")[0]["value"] == '"Taalcafé elke week vol"'


def test_each_social_media_goal_is_linked_to_a_step_1_goal_with_buttons(anna):
    walk(anna, until="sm_goals.link")
    assert "(doel 1 van 2)" in anna.last
    anna.press_data(next(b for b in anna.buttons() if b.startswith("o:sm_goals.link:")))
    assert "(doel 2 van 2)" in anna.last
    links = [r["item_text"] for r in library_answers(anna.coach.db, anna.user()["library_id"],
                                                       "sm_goals.link")]
    assert links == ["50 aanmeldingen VoorleesExpress via Instagram vóór 1 juni"]


def test_listening_and_conversation_come_before_the_channels():
    order = list(FLOW.order)
    assert order.index("tactics.listening") < order.index("tactics.conversation") < order.index(
        "tactics.channels")


def test_a_tactic_on_a_channel_that_was_not_chosen_is_flagged(anna):
    walk(anna, until="tactics.list", answers={"tactics.channels": "instagram"})
    anna.say("Elke week een Snapchat-story over de makerspace")
    assert anna.replies[-1].key == "feedback.tactic_channel_not_chosen"
    assert "Snapchat" in anna.last and "Instagram" in anna.last


def test_a_plan_bigger_than_the_hours_gets_small_steps_advice(anna):
    walk(anna, until="tactics.channels", answers={"goals.hours": "2"})
    anna.say("instagram, facebook, tiktok")
    advice = next(r for r in anna.replies if r.key == "pacing.too_much")
    assert "Met 2 uur per week houd je 1 kanaal goed bij; je koos er 3." in advice.text
    assert "Meer kinderen lid maken" in advice.text  # the first goal leads


def test_a_plan_that_fits_gets_no_pacing_advice(anna):
    walk(anna, until="tactics.list", answers={"goals.hours": "8"})
    assert not any(r.key == "pacing.too_much" for r in anna.replies)


def test_an_answer_kept_after_feedback_is_committed_before_the_reply(tmp_path, clock):
    path = str(tmp_path / "coach.db")
    anna = Chat(open_coach(path, clock=clock), "test:anna", "Anna")
    anna.create_library()
    walk(anna, until="sm_goals.list")
    anna.say("Meer zichtbaar worden")
    anna.press_data("f:keep:sm_goals.list")
    other = sqlite3.connect(path)  # another connection sees it: committed
    assert other.execute("select feedback from answers where question_id = 'sm_goals.list'"
                         ).fetchone() == ("vague_goal",)


def _at(question_id: str, clock) -> sqlite3.Connection:
    """A database with one user at ``question_id`` (walked there with strong answers)."""
    coach = make_coach(sqlite_utils.Database(memory=True), clock=clock)
    from coach.storage.migrations import migrate

    migrate(coach.db)
    user = Chat(coach, "test:anna", "Anna")
    user.create_library()
    walk(user, until=question_id)
    return coach.db.conn


@pytest.mark.parametrize("question_id", sorted({
    e["question"] for e in CORPUS if FLOW.question(e["question"]).kind in ("text", "list")}))
def test_every_corpus_answer_moves_on_at_the_second_try_or_after_keep(question_id, clock):
    base = _at(question_id, clock)
    entries = [e for e in CORPUS if e["question"] == question_id
               and len(e["text"].strip()) >= 2 and e["text"].strip() not in ("?", "later")]
    moved = 0
    for entry in entries:
        for keep in (False, True):
            conn = sqlite3.connect(":memory:")
            base.backup(conn)
            user = Chat(make_coach(sqlite_utils.Database(conn), clock=clock), "test:anna", "Anna")
            before = (user.user()["question_id"], user.user()["item"])
            user.say(entry["text"])
            if (user.user()["question_id"], user.user()["item"]) == before and any(
                    r.key.startswith("feedback.") for r in user.replies):
                if keep and any(b.startswith("f:keep:") for b in user.buttons()):
                    user.press_data(next(b for b in user.buttons() if b.startswith("f:keep:")))
                else:
                    user.say(entry["text"])
            after = user.user()
            moved += (after["question_id"], after["item"]) != before or after["mode"] != "asking"
    print(f"\n{question_id}: {moved}/{2 * len(entries)} moved on")
    assert moved == 2 * len(entries)


def test_a_redelivered_weak_answer_does_not_count_as_the_second_try(anna):
    walk(anna, until="sm_goals.list")
    event = Event(user_id=anna.user_id, name="Anna", text="Meer zichtbaar worden",
                  event_id="tg-update-7")
    anna.coach.handle(event)
    anna.coach.handle(event)  # Telegram delivers it again after a restart
    assert stored(anna, "sm_goals.list") == []


@pytest.mark.parametrize("lang,hours,expected", [
    ("nl", 3, "Met 3 uur per week houd je 1 kanaal goed bij; je koos er 3. Begin met één"
              " kanaal;"),
    ("nl", 1.5, "Met 1,5 uur per week"),
    ("en", 1, "With 1 hour a week you can keep up 1 channel well; you chose 3. Start with one"
              " channel;"),
    ("en", 1.5, "With 1.5 hours a week"),
])
def test_pacing_advice_reads_well_without_a_first_goal(lang, hours, expected):
    from coach.core.texts import render

    text = render(lang, "pacing.too_much", what="channels", count=3, allowed=1, hours=hours,
                  channels=1, focus="")
    assert expected in text
