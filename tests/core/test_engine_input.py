"""Typed input in a conversation: typed options stored or confirmed, and every kind of bad
input (matching on its own: tests/flow/test_matching.py)."""

from __future__ import annotations

import json

import pytest

from tests.support.walk import TYPED, walk


def test_typed_channels_are_stored_as_options(anna, db):
    walk(anna, until="audience.media")
    anna.say("insta, fb en tik tok\nX")
    assert anna.user()["question_id"] != "audience.media"
    row = db.execute(
        "select value from answers where question_id = 'audience.media'").fetchone()
    assert json.loads(row[0]) == ["instagram", "facebook", "tiktok", "x_twitter"]


def test_uncertain_typed_option_asks_to_confirm_and_can_be_rejected(anna, db):
    walk(anna, until="audience.media")
    anna.say("insta, facbk")
    assert "Bedoel je <b>Instagram, Facebook</b>?" in anna.last
    assert db.execute("select count(*) from answers where question_id = 'audience.media'"
                      ).fetchone()[0] == 0
    anna.say("nee")
    assert anna.user()["question_id"] == "audience.media"
    anna.say("insta, facbk")
    anna.say("ja")
    row = db.execute("select value from answers where question_id = 'audience.media'").fetchone()
    assert json.loads(row[0]) == ["instagram", "facebook"]


def test_unknown_option_says_what_was_not_recognised(anna):
    walk(anna, until="audience.media")
    anna.say("insta, postduiven")
    assert "Ik herkende „postduiven” niet" in anna.last
    assert anna.user()["question_id"] == "audience.media"


@pytest.mark.parametrize("text", ["", "   ", "\n\t"])
def test_empty_text_gets_a_friendly_reply_and_nothing_changes(anna, db, text):
    anna.say(text)
    assert "errors.empty" in anna.templates()
    assert anna.user()["question_id"] == "goals.offline"
    assert db["answers"].count == 0


def test_a_huge_answer_is_refused_kindly_without_echoing_it(anna, db):
    anna.say("a" * 10_000)
    assert "10.000 tekens" in anna.last
    assert "a" * 300 not in anna.last
    assert db["answers"].count == 0
    assert len(anna.last) < 1500


@pytest.mark.parametrize(
    "text",
    ["📚🎉 Meer leesplezier voor kinderen 👧🏽", "更多的读者; قراء أكثر",
     "<b>vet</b> & <script>alert(1)</script>", "**Markdown** _cursief_ `code` [link](x)",
     "Robert'); DROP TABLE answers;--", "&amp; &lt; &#x27;"],
)
def test_unusual_text_is_stored_as_typed_and_shown_escaped(anna, db, text):
    anna.say(text)
    row = db.execute("select value from answers where question_id = 'goals.offline'").fetchone()
    assert json.loads(row[0]) == [t.strip() for t in text.split(";") if t.strip()]
    anna.cmd("back")  # shows the stored answer back: valid HTML (checked by the Chat helper)
    assert "<script>" not in anna.last
    assert db["answers"].count == 1


@pytest.mark.parametrize("kind", ["photo", "sticker", "voice", "location", "document",
                                  "edited", "something_new"])
def test_non_text_messages_get_a_specific_friendly_reply(anna, db, kind):
    anna.media(kind)
    assert anna.user()["question_id"] == "goals.offline"
    assert db["answers"].count == 0
    assert anna.last


def test_unknown_command_points_to_help(anna):
    anna.cmd("frobnicate")
    assert "/help" in anna.last


def test_help_lists_every_command(anna, coach):
    anna.cmd("help")
    for name, _ in coach.menu("nl"):
        assert f"/{name} " in anna.last


def test_a_user_in_no_library_is_guided_to_create_or_join(chat):
    nina = chat("Nina")
    nina.say("Hallo?")
    assert "nieuwe bibliotheek" in nina.last.lower()
    for command in ("verder", "overzicht", "terug", "overslaan", "wijzig", "uitnodigen"):
        nina.cmd(command)
        assert "nog niet bij een bibliotheek" in nina.texts()
    nina.press_data("o:goals.offline:x")
    assert "nog niet bij een bibliotheek" in nina.texts()


def test_library_name_must_be_sensible(chat):
    nina = chat("Nina")
    nina.cmd("start")
    nina.press_data("l:new")
    nina.say("x")
    assert "naam van 2 tot 80 tekens" in nina.last
    nina.say("B" * 500)
    assert "naam van 2 tot 80 tekens" in nina.last
    nina.say("<b>Bieb</b> & Co")
    assert "&lt;b&gt;Bieb&lt;/b&gt; &amp; Co" in nina.texts()


@pytest.mark.parametrize("data", ["", "zzz", "o:", "o:goals.offline", "e:nope.nope", "s:nope",
                                  "r:nope", "g:fr", "l:maybe", "n:fly", "x" * 200, "y:", "k:"])
def test_forged_buttons_are_refused_politely(anna, db, data):
    anna.say(TYPED["goals.offline"])
    before = dict(anna.user())
    anna.press_data(data)
    after = anna.user()
    assert after["question_id"] == before["question_id"]
    assert db["answers"].count == 1


def test_an_answer_to_a_question_that_no_longer_exists(anna, db):
    anna.say(TYPED["goals.offline"])
    db["users"].update("test:anna", {"question_id": "goals.removed_in_v2"})
    anna.say("Een antwoord op een oude vraag")
    assert "bestaat niet meer" in anna.texts()
    assert anna.user()["question_id"] == "goals.online"
    assert db["answers"].count == 1  # nothing stored for the vanished question


def test_invites_join_rules(chat, clock):
    anna = chat("Anna")
    anna.create_library()
    code = anna.invite_code()
    bram = chat("Bram")
    bram.cmd("start", "not-a-real-code")
    assert "Die code ken ik niet" in bram.last
    bram.cmd("start", code)
    assert bram.user()["library_id"] == anna.user()["library_id"]
    bram.cmd("uitnodigen")
    assert "alleen de coördinator" in bram.last
    bram.cmd("start", code)
    assert "Je hoort al bij" in bram.texts()
    # regenerating revokes the old code
    anna.press_data("i:new")
    carl = chat("Carl")
    carl.cmd("start", code)
    assert "Die code ken ik niet" in carl.last
    # codes expire
    fresh = anna.invite_code()
    clock.advance(days=15)
    carl.cmd("start", fresh)
    assert "verlopen" in carl.last


def test_guessing_invite_codes_is_rate_limited(chat, clock):
    anna = chat("Anna")
    anna.create_library()
    code = anna.invite_code()
    eve = chat("Eve")
    for i in range(5):
        eve.cmd("start", f"guess{i}")
    eve.cmd("start", code)
    assert "Te veel onjuiste codes" in eve.last
    assert eve.user()["library_id"] is None
    clock.advance(minutes=16)
    eve.cmd("start", code)
    assert eve.user()["library_id"] == anna.user()["library_id"]


def test_invite_codes_are_random_and_long(chat):
    anna = chat("Anna")
    anna.create_library()
    codes = {anna.invite_code()}
    for _ in range(20):
        anna.press_data("i:new")
        codes.add(anna.coach.db.execute(
            "select code from invites where revoked_at is null").fetchone()[0])
    assert len(codes) == 21
    assert all(len(c) >= 16 for c in codes)


def test_a_redelivered_event_changes_nothing_twice(coach, db):
    from coach.core.events import Event

    coach.handle(Event(user_id="tg:1", name="A", command="start", event_id="u1"))
    coach.handle(Event(user_id="tg:1", name="A", choice="l:new", event_id="u2"))
    coach.handle(Event(user_id="tg:1", name="A", text="Bieb", event_id="u3"))
    coach.handle(Event(user_id="tg:1", name="A", text="Doel een", event_id="u4"))
    again = coach.handle(Event(user_id="tg:1", name="A", text="Doel een", event_id="u4"))
    assert db["answers"].count == 1
    assert "Wat wil je online bereiken?" in again[-1].text  # repeats where the user is


@pytest.mark.parametrize("question,typed,expected", [
    ("audience.ages", "jongeren van 15 tot 20", ["age_13_19", "age_20_29"]),
    ("audience.ages", "mensen boven de 80", ["age_80_plus"]),
    ("audience.groups", "ouders met peuters", ["parents_young"]),
    ("audience.groups", "nieuwe Nederlanders", ["newcomers"]),
])
def test_typed_audiences_are_read_and_confirmed(anna, db, question, typed, expected):
    walk(anna, until=question)
    anna.say(typed)
    assert anna.templates()[-1] == "confirm"  # read from the words, so asked, not assumed
    anna.say("ja")
    row = db.execute("select value from answers where question_id = ?", [question]).fetchone()
    assert json.loads(row[0]) == expected
