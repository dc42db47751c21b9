"""Typing at the start menu instead of pressing a button: a library's name is offered
as the new library, an invite code joins, anything else gets one clear sentence."""

from __future__ import annotations

import pytest


def test_a_typed_name_is_offered_as_the_new_library_and_one_press_creates_it(chat):
    anna = chat("Anna")
    anna.cmd("start")
    anna.say("  Bibliotheek   Testdorp ")
    assert "„Bibliotheek Testdorp”" in anna.last and "coördinator" in anna.last
    assert anna.buttons() == ["l:named", "l:new", "l:join"]
    anna.press_data("l:named")
    user = anna.user()
    assert user["role"] == "coordinator" and user["library_id"]
    library = anna.coach.db.execute("select name from libraries where id = ?",
                                    [user["library_id"]]).fetchone()[0]
    assert library == "Bibliotheek Testdorp"
    assert "Testdorp" not in anna.user()["pending"]  # the offer is used up


def test_another_name_can_still_be_typed_and_a_stale_offer_asks_for_the_name(chat):
    anna = chat("Anna")
    anna.cmd("start")
    anna.say("Bieb Testdorp")
    anna.press_data("l:new")
    assert "Hoe heet je bibliotheek?" in anna.last
    anna.say("Bibliotheek Oost")
    assert anna.user()["library_id"]
    bram = chat("Bram")
    bram.cmd("start")
    bram.press_data("l:named")  # nothing typed before: no name to use
    assert "Hoe heet je bibliotheek?" in bram.last and not bram.user()["library_id"]


def test_a_typed_invite_code_joins(chat):
    anna = chat("Anna")
    anna.create_library()
    code = anna.invite_code()
    bram = chat("Bram")
    bram.cmd("start")
    bram.say(code)
    assert bram.user()["library_id"] == anna.user()["library_id"]
    assert bram.user()["role"] == "member"


@pytest.mark.parametrize("text", ["x", "a" * 81, "🙂", "30", "?!", "hallo", "Testdorp",
                                  "Bibliotheek " + "x" * 80])
def test_text_that_cannot_be_a_name_gets_one_sentence_and_the_menu(chat, text):
    dirk = chat("Dirk")
    dirk.cmd("start")
    replies = dirk.say(text)
    assert "Kies hieronder" in replies[0].text
    assert dirk.buttons() == ["l:new", "l:join"] and not dirk.user()["library_id"]


def test_english_offer(chat):
    ann = chat("Ann", lang_hint="en")
    ann.cmd("start")
    ann.say("Westside Library")
    assert "“Westside Library”" in ann.last and ann.buttons()[0] == "l:named"


def test_a_code_shaped_name_is_still_a_name_and_a_wrong_code_says_so(chat):
    anna = chat("Anna")
    anna.cmd("start")
    anna.say("BibliotheekOost1")  # 16 letters and digits, like a code
    assert anna.buttons()[0] == "l:named"
    bram = chat("Bram")
    bram.cmd("start")
    bram.say("Zx81_kq-Pw3mNv7A")
    assert "Die code ken ik niet" in bram.last and not bram.user()["library_id"]


def test_a_typed_name_with_markup_stays_text(chat):
    anna = chat("Anna")
    anna.cmd("start")
    anna.say("<b>Bibliotheek</b> & <script>")
    assert "„&lt;b&gt;Bibliotheek&lt;/b&gt; &amp; &lt;script&gt;”" in anna.last
    anna.press_data("l:named")
    name = anna.coach.db.execute("select name from libraries").fetchone()[0]
    assert name == "<b>Bibliotheek</b> & <script>"
