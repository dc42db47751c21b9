"""End to end: the real bot (python-telegram-bot Application, the real Coach on SQLite)
talks over HTTP to the fake Bot API server. Nothing of ours is mocked.

Most tests run the Application in this process; the restart test and the CLI tests
run ``python bot.py`` as a subprocess.
"""

from __future__ import annotations

import re
import sqlite3

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coach.adapters.telegram.split import split_message, tg_len
from tests.support.fake_bot_api import TOKEN, FakeBotApi, Fault
from tests.support.html import parse_html, utf16_len
from tests.support.telegram import (
    BotProcess,
    RunningBot,
    buttons,
    plain,
    texts,
)

# --------------------------------------------------------------------------- helpers


def db_dump(db_path: str) -> list[str]:
    """Everything in the SQLite file, as SQL (to see that nothing changed)."""
    conn = sqlite3.connect(db_path)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def assert_clean(api: FakeBotApi) -> None:
    """What must hold over a whole conversation."""
    assert api.validation_errors() == [], [
        (c.method, c.response, c.params.get("text")) for c in api.validation_errors()
    ]
    assert api.unanswered_callbacks() == []
    for call in api.sent():
        text = call.params.get("text") or call.params.get("caption")
        if text:
            limit = 4096 if "text" in call.params else 1024
            assert 0 < utf16_len(parse_html(text)) <= limit
        for button in buttons(call.params):
            assert len(button["callback_data"].encode("utf-8")) <= 64


async def new_library(user, name: str) -> list:
    await user.command("start")
    await user.press("l:new")
    return await user.send(name)


async def answer_goals(user) -> None:
    """Answer step 1 by typing, then continue to step 2 with the button."""
    calls = await user.send("Meer gezinnen bij de VoorleesExpress\nEen vol taalcafé")
    assert "2 van 4" in texts(calls)[-1]
    calls = await user.send("Meer online aanmeldingen")
    assert "3 van 4" in texts(calls)[-1]
    calls = await user.send("Meer gezinnen bij de VoorleesExpress")  # the first goal
    assert "4 van 4" in texts(calls)[-1]
    calls = await user.send("4")  # hours a week
    assert "n:continue" in [b["callback_data"] for b in buttons(calls[-1].params)]


# --------------------------------------------------------------------------- conversation


async def test_new_library_colleague_and_buttons(bot: RunningBot):
    api = bot.api
    anna = bot.user(101, "Anna", last_name="de Vries")

    calls = await anna.command("start")
    assert len(calls) == 1 and "Anna de Vries" in texts(calls)[0]
    assert {b["callback_data"] for b in buttons(calls[0].params)} == {"l:new", "l:join"}

    calls = await anna.press("l:new")
    assert len(calls) == 1 and not buttons(calls[0].params)

    # user text with HTML-like characters must arrive as valid, escaped HTML
    calls = await anna.send("Bieb <b>Utrecht</b> & <script>x</script>")
    assert len(calls) == 3
    created = calls[0].params["text"]
    assert "&lt;b&gt;Utrecht&lt;/b&gt; &amp; &lt;script&gt;" in created
    assert "Bieb <b>Utrecht</b> & <script>x</script>" in texts(calls)[0]
    assert "1 van 4" in texts(calls)[-1]

    await answer_goals(anna)

    # step 2 starts with a multiple-choice question answered with buttons
    calls = await anna.press("n:continue")
    question = calls[-1]
    options = [b for b in buttons(question.params) if b["callback_data"].startswith("o:")]
    assert len(options) >= 3
    message_id = question.response["message_id"]

    calls = await anna.press(options[0]["callback_data"])
    assert [c.method for c in calls] == ["editMessageText"]
    assert calls[0].params["message_id"] == message_id
    calls = await anna.press(options[1]["callback_data"])
    assert [c.method for c in calls] == ["editMessageText"]
    done = next(b for b in buttons(calls[0].params) if b["callback_data"].startswith("m:"))
    calls = await anna.press(done["callback_data"])
    assert calls and calls[-1].method == "sendMessage"
    assert texts(calls)[-1] != texts([question])[0]

    # the coordinator invites a colleague, who joins with the deep link
    calls = await anna.command("uitnodigen")
    invite = calls[-1].params["text"]
    link = re.search(r"https://t\.me/biebcoach_test_bot\?start=([A-Za-z0-9_-]+)", invite)
    assert link, invite
    code = link.group(1)

    bram = bot.user(202, "Bram", language_code="en")
    calls = await bram.command("start", code)
    assert len(calls) == 2  # the welcome, then the first question the library left open
    assert "Utrecht" in texts(calls)[0] and "Anna de Vries is the coordinator" in texts(calls)[0]
    assert "question 2 of 4" in texts(calls)[-1]
    calls = await bram.send("<i>busy</i> & friendly")
    assert "question 2 of 4" in texts(calls)[-1]  # not understood: asked again, escaped
    assert "&lt;i&gt;" in calls[-1].params["text"]

    # a stale button (an earlier question's option, from another device) gets a short
    # notification on the button, no message
    calls = await anna.press_data(options[2]["callback_data"], message_id)
    stale = plain(bot.coach.render("nl", "notices.stale_button"))
    assert calls == []
    answer = next(c for c in reversed(api.calls) if c.method == "answerCallbackQuery")
    assert answer.params.get("text") == stale

    assert_clean(api)


async def test_every_command_is_in_help_and_works_typed_in_both_languages(bot: RunningBot):
    """The menus are short (test_menus.py); /help lists every command, and each works."""
    api = bot.api
    assert bot.app.job_queue.get_jobs_by_name("prune")  # old update ids are forgotten

    for user, lang in ((bot.user(301, "Nel"), "nl"), (bot.user(302, "Ed", language_code="en"),
                                                       "en")):
        calls = await user.command("help")
        shown = re.findall(r"/([a-z_]+)", calls[0].params["text"])
        for command in bot.coach.help_commands(lang):
            assert command in shown, (lang, command)
        # every command is understood (none gives the unknown-command hint, which
        # an unknown command does get, word for word)
        def unknown(name: str, lang: str = lang) -> str:
            return plain(bot.coach.render(lang, "notices.unknown_command", command=name))

        calls = await user.command("doemaariets")
        assert texts(calls) == [unknown("doemaariets")], lang
        for command in bot.coach.help_commands(lang):
            if command in ("restart", "opnieuw"):
                continue
            calls = await user.command(command)
            assert calls, command
            assert unknown(command) not in texts(calls), (lang, command)
    assert_clean(api)


async def test_unknown_command_hints_help(bot: RunningBot):
    user = bot.user(401, "Ida")
    calls = await user.command("doemaariets")
    assert len(calls) == 1 and "/help" in calls[0].params["text"]
    calls = await user.send("/Start@biebcoach_test_bot")
    assert len(calls) == 1 and buttons(calls[0].params)  # the welcome, not the hint
    assert_clean(bot.api)


async def test_command_for_another_bot_is_ignored(bot: RunningBot):
    api = bot.api
    user = bot.user(402, "Otto")
    assert await user.send("/help@otherbot") == []
    assert await user.send("/help@OtherBot extra words") == []
    assert bot.coach.db.execute("select count(*) from users").fetchone()[0] == 0
    # the same command addressed to us (any case) is the ordinary /help
    help_text = texts(await user.command("help"))
    assert help_text and "/start" in help_text[0]
    assert texts(await user.send(f"/help@{api.username}")) == help_text
    assert texts(await user.send(f"/help@{api.username.upper()}")) == help_text
    assert_clean(api)


@pytest.mark.parametrize("chat_type", ["group", "supergroup"])
async def test_group_gets_one_notice(bot: RunningBot, chat_type: str):
    api = bot.api
    chat_id = -100777
    notice = plain(bot.coach.render("nl", "group_notice"))
    mark = api.mark()
    uid = api.push_command(501, "start", chat_type=chat_type, chat_id=chat_id)
    await bot.processed_update(uid)
    calls = [c for c in api.sent(chat_id) if c.seq >= mark]
    assert texts(calls) == [notice]
    for push in (
        lambda: api.push_message(502, "Hallo bot?", chat_type=chat_type, chat_id=chat_id),
        lambda: api.push_command(502, "help", chat_type=chat_type, chat_id=chat_id),
        lambda: api.push_photo(502, chat_type=chat_type, chat_id=chat_id),
    ):
        await bot.processed_update(push())
    assert len(api.sent(chat_id)) == 1
    # nobody in the group became a coach user
    assert bot.coach.db.execute("select count(*) from users").fetchone()[0] == 0
    assert_clean(api)


async def test_button_pressed_in_a_group_is_answered_and_changes_nothing(bot: RunningBot):
    api = bot.api
    group = -100888
    user = bot.user(511, "Gea")
    await new_library(user, "Bieb Gea")
    await answer_goals(user)  # now at the end of step 1, with a Verder button
    message, button = user.find_button("n:continue")
    stranger = 512  # never wrote to the bot
    before, mark = db_dump(bot.db_path), api.mark()
    pressed = [
        # a button of the user's own conversation, a welcome button, a made-up one
        (user.id, button["callback_data"], message["message_id"]),
        (user.id, "l:new", 1),
        (stranger, "l:new", 1),
        (stranger, "o:0:0", 7),
    ]
    for user_id, data, message_id in pressed:
        cq = api.push_callback(user_id, data, message_id, chat_type="group", chat_id=group)
        await bot.processed_update(api.next_update_id - 1)
        assert api.callback_queries[cq]["answered"], data
    answered = [c for c in api.calls[mark:] if c.method == "answerCallbackQuery"]
    assert [c.status for c in answered] == [200] * len(pressed)
    assert api.sent(group) == []  # no message in the group (not even the group notice)
    assert [c for c in api.sent() if c.seq >= mark] == []  # nor anywhere else
    assert db_dump(bot.db_path) == before
    # the user's own conversation is where it was: the button still works in private
    calls = await user.press("n:continue")
    assert calls and calls[-1].method == "sendMessage"
    assert_clean(api)


async def test_media_and_edits_get_specific_replies(bot: RunningBot):
    user = bot.user(601, "Mo")
    await new_library(user, "Bieb Mo")
    seen = set()
    for kind in ("photo", "sticker", "voice", "location", "document"):
        calls = await user.media(kind)
        assert texts(calls)[0] == plain(bot.coach.render("nl", f"media.{kind}")), kind
        seen.add(texts(calls)[0])
    calls = await user.edit(3, "eigenlijk iets anders")
    assert texts(calls)[0] == plain(bot.coach.render("nl", "media.edited"))
    seen.add(texts(calls)[0])
    assert len(seen) == 6
    # the question is still open: a typed answer is taken
    calls = await user.send("Meer jeugdleden")
    assert "2 van 4" in texts(calls)[-1]
    assert_clean(bot.api)


async def test_flood_limits_and_network_errors_lose_nothing(bot: RunningBot):
    api = bot.api
    user = bot.user(701, "Flo")
    await user.command("start")
    api.faults.append(Fault(methods={"sendMessage"}, status=429, retry_after=1, limit=1))
    api.faults.append(Fault(methods={"sendMessage", "answerCallbackQuery"}, status=500,
                            rate=0.5, limit=4))
    api.faults.append(Fault(methods={"sendMessage"}, status=502, rate=0.5, limit=2))
    await user.press("l:new")
    calls = await user.send("Bieb Flo")
    assert len(calls) == 3  # created, step intro, first question: in order, none lost
    assert "1 van 4" in texts(calls)[-1]
    assert sum(f.hits for f in api.faults) >= 3
    assert [c for c in api.calls if c.status == 429]
    assert_clean(api)


async def test_blocked_user_is_skipped(bot: RunningBot):
    api = bot.api
    gone, stays = bot.user(801, "Gone"), bot.user(802, "Stays")
    api.blocked_users.add(801)
    mark = api.mark()
    await gone.command("start")
    assert [c.status for c in api.calls[mark:] if c.method == "sendMessage"] == [403]
    calls = await stays.command("start")
    assert len(calls) == 1
    assert_clean(api)


async def test_engine_failure_gets_error_reply(bot: RunningBot, caplog):
    user = bot.user(901, "Err")
    await new_library(user, "Bieb Err")
    # break the database under the coach: handling fails, the user hears about it
    conn = sqlite3.connect(bot.db_path)
    tables = [r[0] for r in conn.execute("select name from sqlite_master where type='table'")]
    victim = next(t for t in tables if "event" in t)
    conn.execute(f"drop table {victim}")
    conn.commit()
    conn.close()
    calls = await user.send("Meer jeugdleden")
    assert texts(calls) == [plain(bot.coach.error_reply("tg:901").text)]
    logged = [r for r in caplog.records if r.name == "coach.telegram" and r.exc_info]
    assert logged and "error while handling update" in logged[0].getMessage()
    assert_clean(bot.api)


async def test_long_answer_stays_within_limits(bot: RunningBot):
    user = bot.user(1001, "Lang")
    await new_library(user, "Bieb " + "lang" * 20)
    await user.send("\n".join(["<b>doel</b> & " + "x" * 190] * 3))
    await user.send("; ".join(["online & <i>" + "y" * 190 + "</i>"] * 3))
    await user.send("z" * 990 + " & <u>")
    await user.command("overzicht")
    assert_clean(bot.api)


async def test_adapter_sends_long_texts_documents_and_photos(bot: RunningBot):
    """Replies the engine does not produce yet (documents, charts, very long texts) go
    out right too: through the adapter's own delivery, against the fake server."""
    from telegram import Message

    from coach.adapters.telegram.send import deliver
    from coach.core.events import Choice, Document, Reply

    api = bot.api
    chat = 1201
    long_text = "\n".join(f"<b>Punt {i}</b>: " + "tekst &amp; uitleg " * 12 for i in range(60))
    assert tg_len(long_text) > 4096
    reply = Reply(text=long_text, choices=[[Choice("Verder", "n:continue")]])
    caption = Reply(text="Je <b>strategie</b>", document=Document("strategie.md", b"# Plan\n"))
    separate = Reply(text="x " * 700, photo=b"\x89PNG\r\n\x1a\nfake")
    await deliver(bot.app, chat, [reply, caption, separate])
    calls = api.sent(chat)
    methods = [c.method for c in calls]
    assert methods[:-3] == ["sendMessage"] * (len(methods) - 3) and len(methods) >= 5
    assert methods[-3:] == ["sendDocument", "sendPhoto", "sendMessage"]
    text_parts = calls[: len(methods) - 3]
    assert [bool(buttons(c.params)) for c in text_parts] == [False] * (len(text_parts) - 1) + [
        True
    ]
    assert re.sub(r"\s", "", "".join(texts(text_parts))) == re.sub(r"\s", "", plain(long_text))
    assert all(c.params["text"].startswith("<b>Punt") for c in text_parts)  # split at lines
    assert calls[-3].files["document"] == ("strategie.md", b"# Plan\n")
    assert calls[-3].params["caption"] == "Je <b>strategie</b>"
    assert "caption" not in calls[-2].params  # too long for a caption: sent after the photo

    # replace: edits the pressed message; a message that cannot be edited is sent anew
    first = await api.wait_for(lambda: api.bot_messages(chat), 1)
    pressed = Message.de_json(first[0], bot.app.bot)
    mark = api.mark()
    await deliver(bot.app, chat, [Reply(text="Nieuw", replace=True)], pressed)
    await deliver(bot.app, chat, [Reply(text="Nieuw", replace=True)], pressed)  # unchanged
    gone = Message.de_json({**first[0], "message_id": 999}, bot.app.bot)
    await deliver(bot.app, chat, [Reply(text="Opnieuw", replace=True)], gone)
    later = [(c.method, c.status) for c in api.calls[mark:]]
    assert later == [("editMessageText", 200), ("editMessageText", 400),
                     ("editMessageText", 400), ("sendMessage", 200)]
    assert api.bot_messages(chat)[0]["text"] == "Nieuw"
    assert [c.response for c in api.calls[mark:] if c.status == 400][0].endswith(
        "exactly the same as a current content and reply markup of the message")
    # the two 400s above are the adapter probing edits, handled on purpose; no other
    # call of this test was refused
    for c in api.calls[mark:]:
        c.params["_fault"] = c.status == 400
    assert_clean(api)


# /export's formats end to end (buttons, files, MIME types, refusals):
# tests/features/export/test_export_telegram.py


# --------------------------------------------------------------------------- split_message


def test_split_short_and_empty():
    assert split_message("kort") == ["kort"]
    assert split_message("") == []
    assert split_message("<b></b>  ") == []


def test_split_prefers_lines_then_spaces():
    lines = [f"regel {i} " + "a" * 30 for i in range(10)]
    parts = split_message("\n".join(lines), limit=100)
    assert all(tg_len(p) <= 100 for p in parts)
    assert all(p.startswith("regel ") for p in parts)
    assert "\n".join(parts) == "\n".join(lines)
    words = ("woord " * 50).strip()
    parts = split_message(f"<b>{words}</b>", limit=60)
    assert all(p.startswith("<b>woord") and p.endswith("woord</b>") for p in parts)


def test_split_never_cuts_tags_or_entities():
    text = '<a href="https://example.org/?a=1&amp;b=2">' + "&amp;" * 300 + "</a>"
    parts = split_message(text, limit=200)
    assert len(parts) > 1
    for p in parts:
        assert parse_html(p) == "&" * len(parse_html(p))
        assert p.startswith('<a href="https://example.org/?a=1&amp;b=2">')
    assert sum(len(parse_html(p)) for p in parts) == 300


_word = st.text(alphabet="abcdéz😀<>&\"' ", min_size=1, max_size=12)


@st.composite
def html_docs(draw, depth: int = 0):
    pieces = []
    for _ in range(draw(st.integers(1, 6))):
        kind = draw(st.sampled_from(["text", "nl", "tag"] if depth < 3 else ["text", "nl"]))
        if kind == "text":
            raw = draw(_word)
            pieces.append(raw.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))
        elif kind == "nl":
            pieces.append("\n")
        else:
            tag = draw(st.sampled_from(["b", "i", "u", "code", "s", "a"]))
            inner = draw(html_docs(depth + 1))
            attrs = ' href="https://t.me/x?start=a&amp;b"' if tag == "a" else ""
            pieces.append(f"<{tag}{attrs}>{inner}</{tag}>")
    return "".join(pieces)


@settings(max_examples=150, deadline=None)
@given(st.lists(html_docs(), min_size=1, max_size=30).map("".join), st.integers(300, 600))
def test_split_property(text, limit):
    parts = split_message(text, limit=limit)
    original = parse_html(text)
    for part in parts:
        assert tg_len(part) <= limit
        assert parse_html(part).strip()
    # nothing but whitespace at the split points is lost or added
    joined = "".join(parse_html(p) for p in parts)
    assert re.sub(r"\s", "", joined) == re.sub(r"\s", "", original)


# --------------------------------------------------------------------------- the process


async def _say(api: FakeBotApi, push, chat_id: int, n: int) -> list[str]:
    mark = api.mark()
    push()
    calls = await api.wait_for_messages(chat_id, n, timeout=10, since=mark)
    return texts(calls)


async def test_process_restart_after_kill_resumes_users(fake_api, tmp_path):
    api = fake_api
    proc = BotProcess(api, tmp_path)
    await proc.start()
    try:
        assert set(api.commands) == {("all_private_chats", lang) for lang in ("", "nl", "en")}
        await _say(api, lambda: api.push_command(11, "start", first_name="Kim"), 11, 1)
        await _say(api, lambda: api.push_callback(11, "l:new", 1, first_name="Kim"), 11, 1)
        got = await _say(api, lambda: api.push_message(11, "Bieb Kim", first_name="Kim"), 11, 3)
        assert "1 van 4" in got[-1]
        got = await _say(api, lambda: api.push_message(11, "Meer jeugdleden"), 11, 1)
        assert "2 van 4" in got[-1]
        got = await _say(api, lambda: api.push_command(11, "uitnodigen"), 11, 1)
        code = re.search(r"start=([A-Za-z0-9_-]+)", got[-1]).group(1)
        got = await _say(api, lambda: api.push_command(22, "start", code, first_name="Lex"),
                         22, 2)
        assert "2 van 4" in got[-1]  # Kim answered the first question for the library

        # Kim answers; the bot stores it but is killed while sending the reply
        api.faults.append(Fault(methods={"sendMessage"}, status=None, delay=2, limit=1))
        mark = api.mark()
        api.push_message(11, "Meer online aanmeldingen", first_name="Kim")
        await api.wait_for(
            lambda: [c for c in api.calls[mark:] if c.method == "sendMessage"], 10, "a reply"
        )
        await proc.kill()
        # Lex writes while the bot is down
        api.push_message(22, "Een vol taalcafé", first_name="Lex")

        mark = api.mark()
        await proc.start(wait_ready=False)
        # the unconfirmed update comes again: Kim hears her current question (not a
        # second save), and Lex's message is handled
        kim = await api.wait_for_messages(11, 1, timeout=20, since=mark)
        lex = await api.wait_for(
            lambda: [t for t in texts(api.sent(22)[-1:]) if "3 van 4" in t], 20, "Lex"
        )
        assert "3 van 4" in texts(kim)[-1] and "Bewaard" not in texts(kim)[-1]
        assert lex

        got = await _say(api, lambda: api.push_message(11, "Meer jeugdleden"), 11, 1)
        assert "4 van 4" in got[-1]  # the first goal chosen: the hours a week
        got = await _say(api, lambda: api.push_message(11, "3"), 11, 1)
        assert "Stap 1" in got[-1] and "klaar" in got[-1]  # step 1 done
        got = await _say(api, lambda: api.push_command(22, "verder"), 22, 1)
        assert "Stap 2" in got[-1]  # Kim decided the rest of step 1 meanwhile
        assert await proc.terminate() == 0
    finally:
        await proc.kill_if_running()
    output = proc.output()
    assert "Traceback" not in output
    assert TOKEN not in output and TOKEN.split(":")[1] not in output
    assert "getUpdates" in output or "Biebcoach is running" in output  # logging did work
    assert_clean(api)


async def test_missing_token_explains_botfather(tmp_path):
    proc = BotProcess(None, tmp_path, token=None)
    await proc.start(wait_ready=False)
    assert await proc.wait() == 2
    output = proc.output().strip()
    assert "@BotFather" in output and "TELEGRAM_BOT_TOKEN" in output
    assert len(output.splitlines()) == 1 and "Traceback" not in output


async def test_rejected_token_exits_2_without_traceback(fake_api, tmp_path):
    wrong = "987654321:AAWrongTokenButWellFormed_0123456789x"
    proc = BotProcess(fake_api, tmp_path, token=wrong)
    await proc.start(wait_ready=False)
    assert await proc.wait() == 2
    output = proc.output()
    assert "Traceback" not in output
    assert wrong not in output and wrong.split(":")[1] not in output
    assert "@BotFather" in output
    assert [c.status for c in fake_api.calls] == [401]



async def test_telegram_down_at_start_keeps_the_bot_waiting_not_exiting(fake_api, tmp_path,
                                                                       monkeypatch):
    """deleteWebhook, the first call of polling, fails many times (Telegram unreachable
    after the start): the bot keeps retrying instead of exiting, then works."""
    from coach.adapters.telegram import retry
    from tests.support.telegram import make_bot

    monkeypatch.setattr(retry, "RETRY_DELAY", 0.01)
    monkeypatch.setattr(retry, "RETRY_DELAY_MAX", 0.02)
    fake_api.faults.append(Fault(methods={"deleteWebhook"}, status=502, limit=15))
    bot = await make_bot(fake_api, str(tmp_path / "coach.db")).start()
    try:
        user = bot.user(702, "Dora")
        calls = await user.command("start")
        assert "Dora" in texts(calls)[0]
        assert fake_api.faults[0].hits == 15  # more than any one call's own retries
    finally:
        await bot.stop()
