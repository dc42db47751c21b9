"""Push back once on a why that is only duty or visibility (mission.why) and on a way
into conversation that only sends (tactics.conversation), in Dutch and English: one
suggestion quoting the user's words, "Zo laten" keeps the answer, a strong one passes."""

from __future__ import annotations

import json

import pytest

from coach.core.texts import render
from tests.support.chat import Chat
from tests.support.html import parse_html
from tests.support.walk import walk

WEAK = [
    # question, lang, typed, feedback kind, what the push-back says
    ("mission.why", "nl", "Omdat het moet", "why_about_library",
     "„Omdat het moet” zegt nog niet wat je doelgroep eraan heeft."),
    ("mission.why", "nl", "Voor de zichtbaarheid", "why_about_library",
     "„Voor de zichtbaarheid” gaat over de bibliotheek zelf."),
    ("mission.why", "en", "Everyone does it", "why_about_library",
     '"Everyone does it" doesn\'t say yet what your audience gets out of it.'),
    ("mission.why", "en", "To get more followers", "why_about_library",
     '"To get more followers" is about the library itself.'),
    ("tactics.conversation", "nl", "door leuke berichten te plaatsen", "broadcast_only",
     "„door leuke berichten te plaatsen” is vooral zenden. Hoe krijg je iets terug?"),
    ("tactics.conversation", "en", "regular posts about events", "broadcast_only",
     '"regular posts about events" is mostly broadcasting. How do you get something back?'),
]
KEEP = {"nl": "Zo laten", "en": "Keep it as it is"}
KEPT = {"nl": "Bewaard zoals je het schreef", "en": "Saved as you wrote it"}


def stored(chat: Chat, qid: str) -> list[dict]:
    return [dict(r) for r in chat.coach.db.query(
        "select value, status, feedback from answers where question_id = ?"
        " and superseded_at is null and author_id = ?", [qid, chat.user_id])]


def user_at(chat, lang: str, qid: str) -> Chat:
    user = chat("Sam", lang_hint=lang)
    user.create_library()
    walk(user, until=qid)
    return user


@pytest.mark.parametrize("qid,lang,typed,kind,says", WEAK)
def test_a_weak_answer_gets_one_push_back_and_zo_laten_keeps_it(chat, qid, lang, typed,
                                                                kind, says):
    user = user_at(chat, lang, qid)
    user.say(typed)
    reply = user.replies[-1]
    assert reply.key == f"feedback.{kind}"
    assert says in parse_html(reply.text)
    assert reply.buttons()[0].label == KEEP[lang]
    assert reply.buttons()[0].data == f"f:keep:{qid}"
    assert stored(user, qid) == [] and user.user()["question_id"] == qid  # nothing yet
    user.press(KEEP[lang])
    assert stored(user, qid) == [{"value": json.dumps(typed), "status": "answered",
                                  "feedback": kind}]
    assert KEPT[lang] in user.texts()
    assert user.user()["question_id"] != qid  # on to the next question


@pytest.mark.parametrize("qid,lang,typed,kind,says", WEAK[::2])
def test_the_same_weak_answer_again_is_stored_without_a_second_push_back(chat, qid, lang,
                                                                         typed, kind, says):
    user = user_at(chat, lang, qid)
    user.say(typed)
    user.say(typed)
    assert not any(r.key.startswith("feedback.") for r in user.replies)
    assert stored(user, qid)[0]["feedback"] == kind
    assert user.user()["question_id"] != qid


@pytest.mark.parametrize("qid,lang,weak,better", [
    ("mission.why", "nl", "Om zichtbaar te zijn",
     "Zichtbaar zijn voor scholieren die in de examentijd een studieplek zoeken"),
    ("mission.why", "en", "Because we have to",
     "We have to be where parents already are, so they hear about the toddler mornings"),
    ("tactics.conversation", "nl", "we delen onze activiteiten",
     "We delen een boekentip en vragen wat zij ervan vinden"),
    ("tactics.conversation", "en", "Post regularly",
     "Every post ends with a question, and we answer every comment"),
])
def test_a_better_answer_after_the_push_back_is_taken_without_a_flag(chat, qid, lang, weak,
                                                                     better):
    user = user_at(chat, lang, qid)
    user.say(weak)
    assert user.replies[-1].key.startswith("feedback.")
    user.say(better)
    assert stored(user, qid) == [{"value": json.dumps(better), "status": "answered",
                                  "feedback": None}]


@pytest.mark.parametrize("qid,lang,typed", [
    ("mission.why", "nl", "Iedereen zit op Facebook, ook de ouderen die we met Digisterker"
                          " willen helpen"),
    ("mission.why", "en", "So jobseekers know they can get help with their CV here"),
    ("tactics.conversation", "nl", "Posten met een vraag erbij, en elke reactie beantwoorden"),
    ("tactics.conversation", "en", "Replying to messages and DMs within a day"),
])
def test_a_strong_answer_that_shares_words_with_weak_ones_gets_no_word(chat, qid, lang,
                                                                       typed):
    user = user_at(chat, lang, qid)
    user.say(typed)
    assert not any(r.key.startswith("feedback.") for r in user.replies)
    assert stored(user, qid)[0]["feedback"] is None


@pytest.mark.parametrize("lang", ["nl", "en"])
@pytest.mark.parametrize("kind,ctx", [
    ("why_about_library", {"reason": "duty"}), ("why_about_library", {"reason": "self"}),
    ("broadcast_only", {}),
])
def test_the_new_feedback_fits_with_an_80_character_quote(lang, kind, ctx):
    text = parse_html(render(lang, f"feedback.{kind}", quote="x" * 80, **ctx))
    assert "x" * 80 in text and len(text) <= 300, text
