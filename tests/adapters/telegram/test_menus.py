"""Command menus by scope and language, the bot's profile, and the conventions of the
Telegram adapter (allowed updates, no Updater, deep links), over the fake Bot API."""

from __future__ import annotations

import re

from telegram.constants import InlineKeyboardButtonLimit, MessageLimit

from coach.adapters.telegram import menus, retry
from coach.adapters.telegram.app import ALLOWED_UPDATES
from coach.core import events
from coach.core.commands import COMMANDS
from tests.support.fake_bot_api import FakeBotApi, Fault
from tests.support.telegram import RunningBot, make_bot, texts


def names(ids: tuple[str, ...], lang: str) -> list[str]:
    """The menu of these command ids, in the order of /help."""
    return [c.name(lang) for c in COMMANDS if c.id in ids]


async def new_library(user, name: str = "Bieb Utrecht") -> None:
    await user.command("start")
    await user.press("l:new")
    await user.send(name)


async def invite_code(user) -> str:
    calls = await user.command("uitnodigen")
    link = re.search(r"https://t\.me/biebcoach_test_bot\?start=([A-Za-z0-9_-]+)",
                     calls[-1].params["text"])
    assert link, texts(calls)
    return link.group(1)


async def test_private_chats_get_a_short_menu_per_language_and_groups_none(bot: RunningBot):
    api = bot.api
    private_nl = names(menus.PRIVATE_MENU, "nl")
    assert api.menu_for(301, "nl") == private_nl
    assert api.menu_for(302, "en") == names(menus.PRIVATE_MENU, "en")
    assert api.menu_for(303, "de") == private_nl  # any other language: the Dutch one
    assert api.menu_for(303, "") == private_nl
    assert len(private_nl) <= 6 and "help" in private_nl
    # destructive and coordinators' commands are not in it (they stay in /help)
    assert not {"vergeet", "bibliotheek_wissen", "uitnodigen", "team"} & set(private_nl)
    for chat_type in ("group", "supergroup"):
        for lang in ("nl", "en", ""):
            assert api.menu_for(-100123, lang, chat_type=chat_type) == []
    # the descriptions are the ones /help gives
    listed = api.commands[("all_private_chats", "en")]
    assert [(c["command"], c["description"]) for c in listed] == bot.coach.menu(
        "en", menus.PRIVATE_MENU)


async def test_the_coordinators_menu_follows_a_handover_and_a_language_change(
        bot: RunningBot):
    api = bot.api
    anna = bot.user(101, "Anna")
    await new_library(anna)
    coordinator_nl = names(menus.COORDINATOR_MENU, "nl")
    assert api.menu_for(101, "nl") == coordinator_nl
    assert api.menu_for(101, "en") == coordinator_nl  # her chat: her language, any client

    bram = bot.user(202, "Bram", language_code="en")
    await bram.command("start", await invite_code(anna))
    assert api.menu_for(202, "en") == names(menus.PRIVATE_MENU, "en")  # a member

    # Anna hands the coordinator role over to Bram with the /team buttons
    await anna.command("team")
    await anna.press("Bram")
    await anna.press("t:co:")
    calls = await anna.press("t:coy:")
    assert "Bram" in texts(calls)[-1]
    assert bot.coach.db.execute("select role from users where id = 'tg:202'"
                                ).fetchone()[0] == "coordinator"
    assert api.menu_for(101, "nl") == names(menus.PRIVATE_MENU, "nl")
    assert ("chat:101", "") not in api.commands
    assert api.menu_for(202, "en") == names(menus.COORDINATOR_MENU, "en")

    # Bram switches to Dutch: his menu follows
    await bram.command("language")
    await bram.press("g:nl")
    assert api.menu_for(202, "en") == coordinator_nl

    # the library is deleted: nobody has a coordinator's menu any more; Bram keeps the
    # short menu in Dutch, which he chose (his app is in English)
    await bram.command("bibliotheek_wissen")
    await bram.press("p:dellib:")
    assert api.menu_for(202, "en") == names(menus.PRIVATE_MENU, "nl")
    assert [k for k in api.commands if k[0].startswith("chat:")] == [("chat:202", "")]
    assert bot.coach.db.execute("select count(*) from menu_changes").fetchone()[0] == 0
    assert bot.coach.db.execute("select user_ref, menu, lang from chat_menus").fetchall() == [
        ("tg:202", "private", "nl")]


def chat_menu_calls(api: FakeBotApi, chat: int, since: int) -> list[str]:
    """The calls that set or deleted the menu of ``chat``'s own scope since ``since``."""
    return [c.method for c in api.calls[since:]
            if c.method in ("setMyCommands", "deleteMyCommands")
            and (c.params.get("scope") or {}).get("chat_id") == chat]


async def test_a_members_menu_follows_the_language_chosen_with_taal(bot: RunningBot):
    api = bot.api
    anna = bot.user(101, "Anna")
    await new_library(anna)
    bram = bot.user(202, "Bram")  # his Telegram app is in Dutch
    await bram.command("start", await invite_code(anna))
    assert ("chat:202", "") not in api.commands  # the private chats' menu is right
    assert api.menu_for(202, "nl") == names(menus.PRIVATE_MENU, "nl")

    mark = api.mark()
    await bram.command("taal")
    await bram.press("g:en")
    assert api.menu_for(202, "nl") == names(menus.PRIVATE_MENU, "en")  # his chat's own
    assert [c["command"] for c in api.commands[("chat:202", "")]] == names(
        menus.PRIVATE_MENU, "en")
    await bram.send("Meer jongeren in de bibliotheek")
    await bram.command("overzicht")
    assert chat_menu_calls(api, 202, mark) == ["setMyCommands"]  # set once, not per update

    await bram.command("language")
    await bram.press("g:nl")  # back to his app's language: the chat needs no menu
    assert ("chat:202", "") not in api.commands
    assert api.menu_for(202, "nl") == names(menus.PRIVATE_MENU, "nl")
    assert chat_menu_calls(api, 202, mark) == ["setMyCommands", "deleteMyCommands"]
    assert bot.coach.db.execute("select count(*) from chat_menus where user_ref = 'tg:202'"
                                ).fetchone()[0] == 0


async def test_a_member_whose_app_changed_language_gets_the_menu_of_their_own(
        bot: RunningBot):
    api = bot.api
    cas = bot.user(303, "Cas")
    await new_library(cas, "Bieb Zeist")
    dirk = bot.user(404, "Dirk", language_code="en")
    await dirk.command("start", await invite_code(cas))
    await dirk.command("taal")
    await dirk.press("g:nl")
    assert api.menu_for(404, "en") == names(menus.PRIVATE_MENU, "nl")
    # Dirk switches his Telegram app to Dutch: his next message says so
    dirk.kw["language_code"] = "nl"
    mark = api.mark()
    await dirk.send("Meer jongeren in de bibliotheek")
    assert chat_menu_calls(api, 404, mark) == ["deleteMyCommands"]
    # ... and to German, a language without a menu of its own: the Dutch one shows
    dirk.kw["language_code"] = "de"
    await dirk.command("overzicht")
    assert chat_menu_calls(api, 404, mark) == ["deleteMyCommands"]
    assert api.menu_for(404, "de") == names(menus.PRIVATE_MENU, "nl")
    # ... and to English: he chose Dutch, so his chat gets the Dutch menu again
    dirk.kw["language_code"] = "en"
    await dirk.command("overzicht")
    assert chat_menu_calls(api, 404, mark) == ["deleteMyCommands", "setMyCommands"]
    assert api.menu_for(404, "en") == names(menus.PRIVATE_MENU, "nl")


async def test_a_menu_that_could_not_be_set_is_set_after_the_restart(fake_api: FakeBotApi,
                                                                    tmp_path, monkeypatch):
    monkeypatch.setattr(retry, "RETRY_DELAY", 0.01)
    db_path = str(tmp_path / "coach.db")
    first = await make_bot(fake_api, db_path).start()
    try:
        anna = first.user(101, "Anna")
        fake_api.faults.append(Fault(methods={"setMyCommands"}, status=500))
        await new_library(anna)
        assert fake_api.menu_for(101, "nl") == names(menus.PRIVATE_MENU, "nl")
        assert first.coach.db.execute("select user_ref from menu_changes").fetchall() == [
            ("tg:101",)]
    finally:
        fake_api.faults.clear()
        await first.stop()
    second = await make_bot(fake_api, db_path).start()
    try:
        await fake_api.wait_for(lambda: fake_api.menu_for(101, "nl") == names(
            menus.COORDINATOR_MENU, "nl"), 10, "the coordinator's menu")
    finally:
        await second.stop()


async def test_profile_is_set_per_language_and_only_when_it_differs(fake_api: FakeBotApi,
                                                                   tmp_path):
    db_path = str(tmp_path / "coach.db")
    first = await make_bot(fake_api, db_path).start()
    await first.stop()
    coach = first.coach
    for field in ("name", "description", "short_description"):
        assert fake_api.profile[(field, "")] == menus.profile_text(coach, "nl", field)
        shown_en = fake_api.profile.get((field, "en"), fake_api.profile[(field, "")])
        assert shown_en == menus.profile_text(coach, "en", field)
    assert "Start" in fake_api.profile[("description", "nl")
                                       if ("description", "nl") in fake_api.profile
                                       else ("description", "")]
    assert fake_api.profile[("description", "en")] != fake_api.profile[("description", "")]
    setters = {"setMyName", "setMyDescription", "setMyShortDescription", "setMyCommands",
               "deleteMyCommands"}
    assert [c for c in fake_api.calls if c.method in setters]

    # started again: everything is read, nothing set again
    mark = fake_api.mark()
    second = await make_bot(fake_api, db_path).start()
    await second.stop()
    later = fake_api.calls[mark:]
    assert [c.method for c in later if c.method in setters] == []
    assert {"getMyName", "getMyDescription", "getMyShortDescription", "getMyCommands"} <= {
        c.method for c in later}

    # someone changed the English description (in BotFather): only that is set back
    fake_api.profile[("description", "en")] = "Something else"
    mark = fake_api.mark()
    third = await make_bot(fake_api, db_path).start()
    await third.stop()
    changed = [c for c in fake_api.calls[mark:] if c.method in setters]
    assert [(c.method, c.params.get("language_code")) for c in changed] == [
        ("setMyDescription", "en")]
    assert fake_api.profile[("description", "en")] == menus.profile_text(
        coach, "en", "description")


def test_profile_texts_fit_telegrams_limits(chat):
    coach = chat("Anna").coach
    for lang in ("nl", "en"):
        for field, limit in menus.PROFILE_LIMITS.items():
            text = menus.profile_text(coach, lang, field)
            assert 0 < len(text) <= limit, (lang, field)
            assert "<" not in text and "&" not in text  # plain text


async def test_conventions_allowed_updates_no_updater_deep_link(bot: RunningBot):
    api = bot.api
    assert bot.app.updater is None
    anna = bot.user(101, "Anna")
    await new_library(anna)
    polls = [c for c in api.calls if c.method == "getUpdates"]
    assert polls and polls[-1].params["allowed_updates"] == ALLOWED_UPDATES
    assert set(ALLOWED_UPDATES) == {"message", "edited_message", "channel_post",
                                    "callback_query", "my_chat_member"}
    code = await invite_code(anna)
    assert bot.coach.invite_link(code) == f"https://t.me/{api.username}?start={code}"
    # the export is a document: "sending a file..." shows first
    calls = await anna.command("export", "md")
    document = next(c for c in calls if c.method == "sendDocument")
    actions = [c for c in api.calls if c.method == "sendChatAction" and c.seq < document.seq]
    assert actions[-1].params == {"chat_id": 101, "action": "upload_document"}


def test_the_cores_limits_are_telegrams():
    """The core cannot import Telegram; its copies of the limits must match."""
    assert events.MAX_MESSAGE_LENGTH == MessageLimit.MAX_TEXT_LENGTH
    assert events.MAX_CALLBACK_DATA_BYTES == InlineKeyboardButtonLimit.MAX_CALLBACK_DATA
