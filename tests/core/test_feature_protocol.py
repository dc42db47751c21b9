"""A feature plugs in through one Feature value: this one is defined here alone (a
command with its own names, a button, a mode that leaves the strategy and comes back),
and no other module knows it."""

from __future__ import annotations

import pytest

from coach.core.commands import Command
from coach.core.engine import Coach
from coach.core.events import Choice, Reply
from coach.core.feature import Feature, Mode, Registry
from coach.core.turn import Turn
from coach.features import FEATURES
from tests.support.chat import Chat

STATE = "stamp"


def cmd_stamp(turn: Turn, args: str) -> list[Reply]:
    turn.detour("stamping", stamp={"stamps": 0})
    return [Reply(text="Stempelkaart: typ iets voor een stempel.",
                  choices=[[Choice("Klaar", "st:done")]])]


def on_text(turn: Turn, text: str) -> list[Reply]:
    stamps = turn.state(STATE)["stamps"] + 1
    turn.set_state(STATE, {"stamps": stamps})
    return [Reply(text=f"{stamps} stempel(s)", choices=[[Choice("Klaar", "st:done")]])]


def repeat(turn: Turn) -> list[Reply]:
    return [Reply(text=f"Nog steeds {turn.state(STATE)['stamps']} stempel(s)")]


def press(turn: Turn, rest: str) -> list[Reply]:
    if turn.user["mode"] != "stamping":
        return [Reply(text="Die kaart is al af."), *turn.where_you_are()]
    stamps = turn.state(STATE)["stamps"]
    turn.come_back()
    return [Reply(text=f"Kaart af met {stamps} stempel(s)."), *turn.where_you_are()]


STAMP = Feature(
    "stamp",
    names=(Command("stamp", "stempel", "stamp"),),
    commands={"stamp": cmd_stamp},
    buttons={"st": press},
    modes=(Mode("stamping", on_text, repeat),),
)


@pytest.fixture
def anna(db, clock):
    coach = Coach(db, clock=clock, features=(*FEATURES, STAMP))
    anna = Chat(coach, "test:anna", "Anna")
    anna.create_library()
    return anna


def test_a_new_feature_adds_a_command_a_mode_and_a_button(anna):
    question = anna.user()["question_id"]
    anna.cmd("stempel")
    assert "Stempelkaart" in anna.last
    anna.say("hoi")
    anna.say("nog een")
    assert anna.last == "2 stempel(s)"
    anna.cmd("stamp")  # the same detour again: the way back stays the strategy's
    anna.say("x")
    anna.press_data("st:done")
    assert "Kaart af met 1 stempel(s)." in anna.texts()
    assert anna.user()["mode"] == "asking" and anna.user()["question_id"] == question
    assert anna.replies[-1].key == "question"  # back at the open question
    anna.press_data("st:done")  # stale: the card is done
    assert "Die kaart is al af." in anna.texts()


def test_the_new_command_has_its_names_in_both_languages(anna):
    # (its menu description would be a block "stamp" in prompts/*/commands.j2)
    assert anna.coach.registry.command_id("Stempel@biebbot") == "stamp"
    assert "stempel" in anna.coach.help_commands("nl")
    assert "stamp" in anna.coach.help_commands("en")


def test_a_redelivered_update_repeats_the_new_mode(anna):
    from coach.core.events import Event

    anna.cmd("stempel")
    anna.say("een")
    event = Event(user_id=anna.user_id, name="Anna", text="twee", event_id="u1")
    anna.coach.handle(event)
    assert anna.coach.handle(event)[0].text == "Nog steeds 2 stempel(s)"


@pytest.mark.parametrize("clash", [
    Feature("clash", buttons={"t": press}),
    Feature("clash", commands={"team": cmd_stamp}),
    Feature("clash", modes=(Mode("asking", on_text, repeat),)),
    Feature("clash", names=(Command("team", "team2", "team2"),)),
])
def test_a_name_declared_twice_stops_start_up(clash):
    with pytest.raises(ValueError, match="taken"):
        Registry((*FEATURES, clash))
