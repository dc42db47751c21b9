"""Odd input over the fake Bot API: a long paste that Telegram splits in two, and a
forwarded message (the real Application and Coach; nothing of ours is mocked)."""

from __future__ import annotations

import json
import sqlite3

from tests.support.telegram import RunningBot, buttons, texts


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


async def test_a_5000_character_paste_in_two_parts_gets_a_clear_reply_twice(bot: RunningBot):
    anna = bot.user(301, "Anna")
    await at_audience_groups(anna)
    paste = ("Lezers en boekenliefhebbers zijn onze trouwste bezoekers. " * 90)[:5000]
    first, rest = paste[:4096], paste[4096:]  # as Telegram delivers a long paste
    replies = [*texts(await anna.send(first)), *texts(await anna.send(rest))]
    assert not any("Bedoel je" in t for t in replies), replies
    assert sum("lange tekst" in t for t in replies) == 2
    assert "4.096 tekens" in replies[0] and "904 tekens" in " ".join(replies)
    assert stored(bot, "audience.groups") == []
    calls = await anna.send("lezers, senioren")  # the question is still open
    assert stored(bot, "audience.groups") == [["readers", "seniors"]]
    assert "Bedoel je" not in " ".join(texts(calls))


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
