"""Matching typed answers: options from typos and short forms, navigation words."""

from __future__ import annotations

import pytest

from coach.flow.matching import match_option, navigation_word
from coach.flow.model import load_flow

MEDIA = load_flow().question("audience.media")


@pytest.mark.parametrize(
    "typed,expected",
    [("insta", "instagram"), ("fb", "facebook"), ("tik tok", "tiktok"), ("X", "x_twitter"),
     ("twiter", "x_twitter"), ("Instagrm", "instagram"), ("YouTube", "youtube"),
     ("linkdn", "linkedin"), ("whats app", "whatsapp"), ("📸 insta!", "instagram")],
)
def test_typed_channels_with_typos_and_short_forms(typed, expected):
    match = match_option(typed, MEDIA.options)
    assert match.option_id == expected and match.sure


@pytest.mark.parametrize("typed", ["facbk", "youtbu", "blusk"])
def test_an_uncertain_match_is_not_taken_for_sure(typed):
    match = match_option(typed, MEDIA.options)
    assert match.option_id is not None and not match.sure


@pytest.mark.parametrize(
    "text,action",
    [("terug", "back"), ("Terug!", "back"), ("overslaan", "skip"), ("pauze", "pause"),
     ("help", "help"), ("back", "back"), ("skip", "skip"), ("verder", "continue"),
     ("Meer kinderen terug naar de bieb", None), ("later dit jaar meer leden", None)],
)
def test_navigation_words_only_when_the_whole_message_is_one(text, action):
    assert navigation_word(text) == action
