"""After a button press the pressed message shows the choice and keeps no stale
keyboard; a stale press gets a notification on the button, no message; a block and an
unblock of the bot are recorded. Over the fake Bot API."""

from __future__ import annotations

import html

import pytest

from coach.storage import chats
from tests.support.fake_bot_api import FakeBotApi
from tests.support.html import parse_html
from tests.support.telegram import RunningBot, TgUser, buttons, plain, texts


def message(api: FakeBotApi, chat: int, message_id: int) -> dict:
    return api.messages[(chat, message_id)]


async def press(user: TgUser, match: str) -> tuple[dict, dict, list]:
    """Press a button; the pressed message as it was, the button, and the calls."""
    pressed, button = user.find_button(match)
    before = dict(pressed)
    calls = await user.press_data(button["callback_data"], pressed["message_id"])
    return before, button, calls


def assert_closed(user: TgUser, before: dict, button: dict) -> None:
    """The pressed message lost its keyboard and shows the pressed button's label."""
    now = message(user.api, user.id, before["message_id"])
    assert not buttons(now), now
    assert now["text"] == before["text"] + f"\n\n→ <b>{html.escape(button['text'], False)}</b>"
    assert parse_html(now["text"]).endswith(f"→ {button['text']}")



def last_answer(api: FakeBotApi) -> dict:
    return next(c for c in reversed(api.calls) if c.method == "answerCallbackQuery").params


async def test_after_each_kind_of_press_the_pressed_message_has_no_stale_keyboard(
        bot: RunningBot):
    api = bot.api
    anna = bot.user(101, "Anna")
    await anna.command("start")

    # a plain choice: closed, the choice below it; the next message comes after
    before, button, calls = await press(anna, "l:new")
    assert_closed(anna, before, button)
    assert [c.method for c in anna.closed] == ["editMessageText"]
    assert anna.closed[0].seq < calls[0].seq
    assert last_answer(api).get("text") is None  # no notification for a handled press

    await anna.send("Bieb <b>Utrecht</b> & co")  # user text in the closed message later
    for text in ("Meer gezinnen bij de VoorleesExpress", "Meer online aanmeldingen",
                 "Meer gezinnen bij de VoorleesExpress", "4"):
        await anna.send(text)
    before, button, _ = await press(anna, "n:continue")  # the step summary
    assert_closed(anna, before, button)

    # toggling options edits the pressed message: it keeps the keyboard that applies
    question, option = anna.find_button("o:")
    calls = await anna.press_data(option["callback_data"], question["message_id"])
    assert [c.method for c in calls] == ["editMessageText"] and anna.closed == []
    toggled = message(api, 101, question["message_id"])
    assert any(b["text"].endswith(" ✅") for b in buttons(toggled))
    # Done: the question is closed
    before, button, _ = await press(anna, "m:")
    assert_closed(anna, before, button)

    # a menu of steps (/wijzig) and then of questions: each closed in turn
    await anna.command("wijzig")
    before, button, _ = await press(anna, "s:goals")
    assert_closed(anna, before, button)
    before, button, _ = await press(anna, "e:")
    assert_closed(anna, before, button)

    # the language buttons
    await anna.command("taal")
    before, button, _ = await press(anna, "g:en")
    assert_closed(anna, before, button)

    # every pressed message is closed (the question whose options were toggled too)
    pressed = {c.params["message_id"] for c in anna.pressed}
    assert question["message_id"] in pressed and len(pressed) == 6
    assert [m for m in api.bot_messages(101) if m["message_id"] in pressed and buttons(m)
            ] == []
    assert api.validation_errors() == []
    assert api.unanswered_callbacks() == []


async def test_a_stale_press_gets_a_notification_and_no_message(bot: RunningBot):
    api = bot.api
    anna = bot.user(101, "Anna")
    calls = await anna.command("start")
    welcome = calls[0].response["message_id"]
    await anna.press("l:new")
    await anna.send("Bieb Utrecht")
    await anna.command("taal")
    choose = anna.find_button("g:nl")[0]["message_id"]
    await anna.command("verder")  # the language question is left open

    # the welcome's old button, pressed again (another device still showed it)
    calls = await anna.press_data("l:new", welcome)
    assert calls == [] and anna.closed == []
    assert last_answer(api)["text"]  # said on the button, not in the chat
    assert api.unanswered_callbacks() == []

    # a forged or outdated button: the same, and its keyboard goes
    calls = await anna.press_data("zz:what", choose)
    assert calls == []
    assert last_answer(api)["text"] == plain(bot.coach.render("nl", "notices.unknown_button"))
    assert [c.method for c in anna.closed] == ["editMessageReplyMarkup"]
    assert not buttons(message(api, 101, choose))

    # a stale option of an earlier question (the strategy's own check)
    for text in ("Meer gezinnen bij de VoorleesExpress", "Meer online aanmeldingen",
                 "Meer gezinnen bij de VoorleesExpress", "4"):
        await anna.send(text)
    await anna.press("n:continue")
    question, option = anna.find_button("o:")
    await anna.press_data(option["callback_data"], question["message_id"])
    await anna.press("m:")
    calls = await anna.press_data(option["callback_data"], question["message_id"])
    assert calls == []
    assert last_answer(api)["text"] == plain(bot.coach.render("nl", "notices.stale_button"))
    assert len(last_answer(api)["text"]) <= 200
    assert api.validation_errors() == []


async def test_a_press_whose_message_is_gone_still_gets_its_reply(bot: RunningBot):
    api = bot.api
    anna = bot.user(101, "Anna")
    calls = await anna.command("start")
    del api.messages[(101, calls[0].response["message_id"])]  # deleted by the user
    calls = await anna.press_data("l:new", calls[0].response["message_id"])
    assert "Hoe heet je bibliotheek" in texts(calls)[-1]
    assert api.unanswered_callbacks() == []


@pytest.mark.parametrize("known", [True, False])
async def test_a_block_then_an_unblock_is_recorded(bot: RunningBot, known: bool):
    api, db = bot.api, bot.coach.db
    anna = bot.user(101, "Anna")
    if known:
        await anna.command("start")
    uid = api.push_my_chat_member(101, "kicked")
    await bot.processed_update(uid)
    state = chats.block_state(db, "tg:101")
    if not known:  # someone the coach never met: nothing stored about them
        assert state is None
        assert db.execute("select count(*) from users").fetchone()[0] == 0
        return
    assert state["blocked_at"] and state["unblocked_at"] is None
    user = db.execute("select active, unreachable_at from users where id = 'tg:101'"
                      ).fetchone()
    assert user[0] == 0 and user[1] == state["blocked_at"]

    uid = api.push_my_chat_member(101, "member")
    await bot.processed_update(uid)
    state = chats.block_state(db, "tg:101")
    assert state["blocked_at"] and state["unblocked_at"]
    assert db.execute("select active, unreachable_at from users where id = 'tg:101'"
                      ).fetchone() == (1, None)
    assert api.sent(101)[-1].params["text"]  # nothing sent for a block or an unblock
    assert [c for c in api.calls if c.method == "sendMessage" and c.status != 200] == []


async def test_a_group_that_adds_the_bot_still_gets_one_notice(bot: RunningBot):
    api = bot.api
    uid = api.push_my_chat_member(501, "member", old_status="left", chat_type="supergroup",
                                  chat_id=-100555)
    await bot.processed_update(uid)
    notice = plain(bot.coach.render("nl", "group_notice"))
    assert texts(api.sent(-100555)) == [notice]
    assert chats.block_state(bot.coach.db, "tg:501") is None
