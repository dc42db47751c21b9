""""Iedereen" as the audience: the coach asks for the groups to start with (the source
article: first look at who you want to reach), instead of "I did not recognise it"."""

from __future__ import annotations

import pytest

from tests.support.walk import walk


@pytest.mark.parametrize("question", ["audience.groups", "audience.ages"])
@pytest.mark.parametrize("text", ["iedereen", "Alle leeftijden!", "jong en oud"])
def test_everyone_gets_asked_for_the_groups_to_start_with(chat, question, text):
    anna = chat("Anna")
    anna.create_library()
    walk(anna, until=question)
    replies = anna.say(text)
    assert "Kies de twee of drie groepen waar je mee begint" in replies[0].text
    assert "herkende" not in replies[0].text
    assert anna.user()["question_id"] == question  # asked again, nothing stored


def test_in_english_and_a_real_group_beside_it_is_still_read(chat):
    ann = chat("Ann", lang_hint="en")
    ann.create_library()
    walk(ann, until="audience.groups")
    assert "Pick the two or three groups" in ann.say("everyone")[0].text
    anna = chat("Anna")
    anna.create_library("Bibliotheek Oost")
    walk(anna, until="audience.groups")
    anna.say("senioren en iedereen")  # names a group: the usual reading, no lecture
    assert "Kies de twee of drie" not in anna.last


def test_everyone_at_the_channels_is_not_about_audiences(chat):
    anna = chat("Anna")
    anna.create_library()
    walk(anna, until="tactics.channels")
    assert "Kies de twee of drie" not in anna.say("alle")[0].text
