"""Channel advice as users meet it: after step 2, and when channels are chosen in step 6."""

from __future__ import annotations

import pytest

from tests.support.walk import walk


def audience(user, groups, ages):
    walk(user, until="audience.groups")
    user.say(groups)
    user.say(ages)
    user.say("Onze doelgroep in woorden")
    user.say("insta")
    return user.texts()


def test_a_teen_audience_hears_where_teens_are_after_step_2(chat):
    anna = chat("Anna")
    anna.create_library()
    text = audience(anna, "scholieren", "tieners")
    assert "Waar is je doelgroep?" in text
    assert "Snapchat" in text and "2024" in text
    assert "Kanalen kies je later, in stap 6" in text
    # the pacing question's buttons stay on the last message
    assert [b.data for b in anna.replies[-1].buttons()] == ["n:continue", "n:stop"]


def test_seniors_get_different_advice_than_teens(chat):
    teen, senior = chat("Anna"), chat("Bram")
    teen.create_library("Bieb A")
    senior.create_library("Bieb B")
    teen_text = audience(teen, "scholieren", "tieners")
    senior_text = audience(senior, "senioren", "65-79, 80+")
    assert teen_text.split("Waar is je doelgroep?")[1] != senior_text.split(
        "Waar is je doelgroep?")[1]
    assert "Facebook" in senior_text.split("Waar is je doelgroep?")[1]


def test_a_group_without_figures_is_told_so_instead_of_guessed(chat):
    anna = chat("Anna")
    anna.create_library()
    text = audience(anna, "nieuwkomers", "20-29")
    assert "geen cijfer" in text


@pytest.mark.parametrize("lang,phrase", [("nl", "Daar zit weinig van je doelgroep"),
                                         ("en", "advice")])
def test_teens_with_only_x_chosen_get_the_mismatch_flagged(chat, lang, phrase, db):
    user = chat("Anna", lang_hint=lang)
    user.create_library()
    answers = {"audience.groups": "pupils" if lang == "en" else "scholieren",
               "audience.ages": "teens" if lang == "en" else "tieners",
               "measure.rhythm": "monthly"}
    walk(user, until="tactics.channels", answers=answers)
    user.say("X")
    text = user.texts()
    assert "X (Twitter)" in text
    assert "Snapchat" in text or "WhatsApp" in text
    # advice only: the choice is stored as given and the coach goes on
    assert db.execute("select value from answers where question_id = 'tactics.channels'"
                      ).fetchone()[0] == '["x_twitter"]'
    assert user.user()["question_id"] == "tactics.list"
