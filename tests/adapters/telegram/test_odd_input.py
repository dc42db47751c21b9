"""Odd input over the fake Bot API: a long paste that Telegram splits in two (one reply,
nothing of its tail stored), and a forwarded message (the real Application and Coach;
nothing of ours is mocked)."""

from __future__ import annotations

import json
import sqlite3
import time

from telegram.constants import MessageLimit

from coach.adapters.telegram import pastes, retry
from tests.support.telegram import RunningBot, buttons, make_bot, texts


def stored(bot: RunningBot, question_id: str) -> list:
    conn = sqlite3.connect(bot.db_path)
    try:
        return [json.loads(v) for (v,) in conn.execute(
            "select value from answers where question_id = ?", [question_id])]
    finally:
        conn.close()


async def at_audience_groups(user) -> None:
    """A new library, step 1 answered, and step 2's first question (a multiple choice)."""
    await user.command("start")
    await user.press("l:new")
    await user.send("Bibliotheek Oost")
    for text in ("Meer gezinnen bij de VoorleesExpress", "Meer online aanmeldingen", "1", "4"):
        await user.send(text)
    calls = await user.press("n:continue")
    assert "Voor wie" in texts(calls)[-1] or "doelgroep" in texts(calls)[-1].lower()


def split_paste(text: str) -> list[str]:
    """``text`` as a Telegram app sends it: parts of at most 4,096 characters, each cut
    at the last space before the limit."""
    parts = []
    while len(text) > MessageLimit.MAX_TEXT_LENGTH:
        cut = text.rindex(" ", 0, MessageLimit.MAX_TEXT_LENGTH + 1)
        parts.append(text[:cut])
        text = text[cut + 1:]
    return [*parts, text]


async def send_paste(user, text: str) -> list[list]:
    """Send the parts of ``text`` one right after the other, as an app does; the bot's
    calls after each part."""
    mark = user.api.mark()
    ids = [user.api.push_message(user.id, part, **user.kw) for part in split_paste(text)]
    calls = []
    for update_id in ids:
        calls.append(await user._after(update_id, mark))
        mark = user.api.mark()
    return calls


def paste_of(length: int, tail: str) -> str:
    """A paste of ``length`` characters whose last words are ``tail``."""
    words = "Onze bibliotheek is er voor iedereen in de wijk, jong en oud. " * 80
    head = words[: length - len(tail) - 1]
    return f"{head[:-1]}. {tail}" if head.endswith(" ") else f"{head} {tail}"


async def typed_later(user, text: str) -> list:
    """``text``, sent as someone sends it who read the reply to their paste first."""
    mark = user.api.mark()
    later = int(time.time()) + pastes.TAIL_SECONDS + 1
    return await user._after(user.api.push_message(user.id, text, date=later, **user.kw),
                             mark)


async def test_a_5000_character_paste_in_two_parts_gets_one_clear_reply(bot: RunningBot):
    anna = bot.user(301, "Anna")
    await at_audience_groups(anna)
    paste = ("Lezers en boekenliefhebbers zijn onze trouwste bezoekers. " * 90)[:5000]
    first, rest = split_paste(paste)
    assert len(rest) > 400  # longer than a typed list of options
    replies = [texts(calls) for calls in await send_paste(anna, paste)]
    assert len(replies[0]) == 1 and "lange tekst" in replies[0][0]
    assert f"{len(first):,} tekens".replace(",", ".") in replies[0][0]
    assert replies[1] == []  # the rest of the paste: no reply of its own
    assert stored(bot, "audience.groups") == []
    calls = await typed_later(anna, "lezers, senioren")  # the question is still open
    assert stored(bot, "audience.groups") == [["readers", "seniors"]]
    assert "Bedoel je" not in " ".join(texts(calls))


TAIL = "Vooral lezers en boekenliefhebbers, senioren en scholieren."


async def test_a_4150_character_paste_at_a_choice_question_gets_one_reply(bot: RunningBot):
    """The tail Telegram splits off (59 characters) names three options: it is not
    taken for the answer."""
    anna = bot.user(303, "Anna")
    await at_audience_groups(anna)
    paste = paste_of(4150, TAIL)
    parts = split_paste(paste)
    assert len(paste) == 4150 and len(parts) == 2 and parts[1] == TAIL
    replies = [texts(calls) for calls in await send_paste(anna, paste)]
    assert [len(r) for r in replies] == [1, 0]
    assert "lange tekst" in replies[0][0] and "Bedoel je" not in replies[0][0]
    assert stored(bot, "audience.groups") == []
    # typed on its own, the same words are read as options (as the tail was before)
    calls = await typed_later(anna, TAIL)
    assert "Bedoel je Lezers en boekenliefhebbers, Senioren, Scholieren" in texts(calls)[-1]


async def test_a_4150_character_paste_at_a_text_question_stores_nothing(bot: RunningBot):
    anna = bot.user(304, "Anna")
    await at_audience_groups(anna)
    await anna.send("ouders")
    calls = await anna.send("30-39")
    assert "eigen woorden" in texts(calls)[-1]
    tail = "Jonge gezinnen uit de wijk die nog geen lid zijn, en hun opa's."
    replies = [texts(calls) for calls in await send_paste(anna, paste_of(4150, tail))]
    assert [len(r) for r in replies] == [1, 0]
    assert "lang antwoord" in replies[0][0] and "maximaal" in replies[0][0]
    assert stored(bot, "audience.words") == []  # not the end of the paste either
    assert bot.coach.db.execute("select mode, question_id from users where id = 'tg:304'"
                                ).fetchone() == ("asking", "audience.words")


async def test_a_message_seconds_after_a_long_text_is_read_as_usual(bot: RunningBot):
    anna = bot.user(305, "Anna")
    await at_audience_groups(anna)
    long_ago = int(time.time()) - pastes.TAIL_SECONDS - 5
    mark = bot.api.mark()
    update_id = bot.api.push_message(anna.id, paste_of(4096, "lezers"), date=long_ago,
                                     **anna.kw)
    assert "lange tekst" in texts(await anna._after(update_id, mark))[-1]
    calls = await anna.send("lezers, senioren")  # typed after reading the reply
    assert stored(bot, "audience.groups") == [["readers", "seniors"]]
    assert "Bewaard" in " ".join(texts(calls))
    # a short text is no part of a paste: what follows it is read as usual too
    calls = await anna.send("30-39")
    assert "Bewaard" in " ".join(texts(calls))


async def test_a_forwarded_message_is_confirmed_before_it_is_stored(bot: RunningBot):
    anna = bot.user(302, "Anna")
    await anna.command("start")
    await anna.press("l:new")
    await anna.send("Bibliotheek West")
    mark = bot.api.mark()
    update_id = bot.api.push_forwarded(anna.id, "Meer jongeren in de bibliotheek", **anna.kw)
    calls = await anna._after(update_id, mark)
    assert "doorgestuurd" in texts(calls)[-1]
    assert [b["callback_data"] for b in buttons(calls[-1].params)] == ["fw:yes", "fw:no"]
    assert stored(bot, "goals.offline") == []
    calls = await anna.press("fw:yes")
    assert stored(bot, "goals.offline") == [["Meer jongeren in de bibliotheek"]]
    assert "Bewaard" in " ".join(texts(calls))

    mark = bot.api.mark()
    update_id = bot.api.push_forwarded(anna.id, "Iets van een collega", **anna.kw)
    asked = await anna._after(update_id, mark)
    calls = await anna.press("fw:no")
    assert "laat ik liggen" in " ".join(texts(calls))
    assert stored(bot, "goals.online") == []
    # the old button again (its keyboard is gone, an old device still shows it)
    calls = await anna.press_data("fw:yes", asked[-1].response["message_id"])
    said = texts(calls) + [c.params.get("text") or "" for c in calls
                           if c.method == "answerCallbackQuery"]
    assert "niet meer" in " ".join(said)
    assert stored(bot, "goals.online") == []


async def test_the_tail_of_a_paste_is_known_after_a_restart(fake_api, tmp_path, monkeypatch):
    """What the bot knows of the paste is in SQLite: a restart between the two parts
    changes nothing."""
    monkeypatch.setattr(retry, "RETRY_DELAY", 0.01)
    db_path = str(tmp_path / "coach.db")
    first = await make_bot(fake_api, db_path).start()
    try:
        anna = first.user(306, "Anna")
        await at_audience_groups(anna)
        head, tail = split_paste(paste_of(4150, TAIL))
        sent = int(time.time())  # the app sends both parts at once
        mark = fake_api.mark()
        update_id = fake_api.push_message(anna.id, head, date=sent, **anna.kw)
        assert "lange tekst" in texts(await anna._after(update_id, mark))[-1]
    finally:
        await first.stop()
    second = await make_bot(fake_api, db_path).start()
    try:
        anna = second.user(306, "Anna")
        mark = fake_api.mark()
        update_id = fake_api.push_message(anna.id, tail, date=sent, **anna.kw)
        assert await anna._after(update_id, mark) == []
        assert stored(second, "audience.groups") == []
    finally:
        await second.stop()
