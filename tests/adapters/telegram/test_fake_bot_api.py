"""The fake Bot API server validates like Telegram and serves python-telegram-bot."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, InvalidToken, RetryAfter

from tests.support.fake_bot_api import TOKEN, Fault
from tests.support.html import HtmlError, parse_html


@pytest.mark.parametrize(
    ("html", "plain"),
    [
        ("plain", "plain"),
        ("<b>bold</b> &amp; <i>it</i>", "bold & it"),
        ("a &lt;b&gt; &quot;q&quot; &#39; &#x1F600;", 'a <b> "q" \' 😀'),
        ('<a href="https://t.me/x?start=a&amp;b">link</a>', "link"),
        ('<pre><code class="language-python">x</code></pre>', "x"),
        ('<span class="tg-spoiler">s</span><tg-spoiler>t</tg-spoiler>', "st"),
        ("<blockquote expandable>q</blockquote>", "q"),
        ("1 > 0", "1 > 0"),
        ("<B>upper</B>", "upper"),
    ],
)
def test_valid_html(html, plain):
    assert parse_html(html) == plain


@pytest.mark.parametrize(
    "html",
    [
        "<b>unclosed",
        "<b><i>crossed</b></i>",
        "</b>",
        "<script>alert(1)</script>",
        "<div>x</div>",
        "a < b",
        "a <",
        "fish & chips",
        "&nbsp;",
        "&amp",
        "<a>no href</a>",
        "<span>no class</span>",
        "<br/>",
    ],
)
def test_invalid_html(html):
    with pytest.raises(HtmlError):
        parse_html(html)


async def _raw(server, method, token=TOKEN, **params):
    url = f"{server.url}/bot{token}/{method}"
    async with aiohttp.ClientSession() as session, session.post(url, json=params) as resp:
        return resp.status, await resp.json()


async def test_unknown_token_is_401(fake_api):
    status, body = await _raw(fake_api, "getMe", token="1:wrong")
    assert status == 401 and body == {"ok": False, "error_code": 401, "description": "Unauthorized"}
    bot = Bot("1:wrong", base_url=f"{fake_api.url}/bot")
    with pytest.raises(InvalidToken):
        await bot.initialize()


async def test_send_message_validation(fake_api):
    ok = await _raw(fake_api, "sendMessage", chat_id=5, text="<b>hi</b>", parse_mode="HTML")
    assert ok[0] == 200 and ok[1]["result"]["message_id"] == 1
    cases = [
        ({"text": ""}, "Bad Request: message text is empty"),
        ({"text": "<b></b> ", "parse_mode": "HTML"}, "Bad Request: message text is empty"),
        ({"text": "x" * 4097}, "Bad Request: message is too long"),
        ({"text": "😀" * 2049}, "Bad Request: message is too long"),
        ({"text": "a & b", "parse_mode": "HTML"}, "Bad Request: can't parse entities"),
        ({"text": "<u>x", "parse_mode": "HTML"}, "Bad Request: can't parse entities"),
    ]
    for extra, description in cases:
        status, body = await _raw(fake_api, "sendMessage", chat_id=5, **extra)
        assert status == 400, extra
        assert body["description"].startswith(description), (extra, body)
    # Entities count as one character: 4096 '&amp;' are fine.
    status, _ = await _raw(fake_api, "sendMessage", chat_id=5, text="&amp;" * 4096,
                           parse_mode="HTML")
    assert status == 200
    # Without parse_mode anything goes.
    status, _ = await _raw(fake_api, "sendMessage", chat_id=5, text="a < b & c")
    assert status == 200


async def test_callback_data_limit_and_markup(fake_api):
    bot = Bot(TOKEN, base_url=f"{fake_api.url}/bot")
    async with bot:
        ok = InlineKeyboardMarkup([[InlineKeyboardButton("ja", callback_data="x" * 64)]])
        msg = await bot.send_message(5, "vraag", reply_markup=ok)
        assert msg.reply_markup.inline_keyboard[0][0].callback_data == "x" * 64
        too_long = InlineKeyboardMarkup([[InlineKeyboardButton("ja", callback_data="é" * 33)]])
        with pytest.raises(BadRequest, match="(?i)button_data_invalid"):
            await bot.send_message(5, "vraag", reply_markup=too_long)


async def test_edit_message(fake_api):
    bot = Bot(TOKEN, base_url=f"{fake_api.url}/bot")
    async with bot:
        msg = await bot.send_message(7, "een")
        edited = await bot.edit_message_text("twee", chat_id=7, message_id=msg.message_id)
        assert edited.text == "twee"
        with pytest.raises(BadRequest, match="(?i)message is not modified"):
            await bot.edit_message_text("twee", chat_id=7, message_id=msg.message_id)
        with pytest.raises(BadRequest, match="(?i)message to edit not found"):
            await bot.edit_message_text("drie", chat_id=7, message_id=99)
        assert fake_api.bot_messages(7)[0]["text"] == "twee"


async def test_updates_long_poll_and_offset(fake_api):
    bot = Bot(TOKEN, base_url=f"{fake_api.url}/bot")
    async with bot:
        loop = asyncio.get_running_loop()
        start = loop.time()
        assert await bot.get_updates(timeout=0.3) == ()
        assert loop.time() - start >= 0.25

        async def later():
            await asyncio.sleep(0.1)
            fake_api.push_message(42, "hallo")

        task = asyncio.create_task(later())
        updates = await bot.get_updates(timeout=5)
        await task
        assert len(updates) == 1 and updates[0].message.text == "hallo"
        first = updates[0].update_id
        fake_api.push_command(42, "start", "abc")
        fake_api.push_callback(42, "choice:1", message_id=1)
        # not confirmed yet: the first update comes again
        again = await bot.get_updates(timeout=0)
        assert [u.update_id for u in again] == [first, first + 1, first + 2]
        rest = await bot.get_updates(offset=first + 1, timeout=0)
        assert rest[0].message.text == "/start abc"
        assert rest[0].message.entities[0].type == "bot_command"
        assert rest[1].callback_query.data == "choice:1"
        assert await bot.get_updates(offset=first + 3, timeout=0) == ()
        assert fake_api.pending_updates() == 0
        # answering a callback works once
        cq_id = rest[1].callback_query.id
        assert await bot.answer_callback_query(cq_id)
        with pytest.raises(BadRequest, match="(?i)query is too old"):
            await bot.answer_callback_query(cq_id)
        assert fake_api.unanswered_callbacks() == []


async def test_media_updates_parse(fake_api):
    for push in (fake_api.push_photo, fake_api.push_sticker, fake_api.push_voice,
                 fake_api.push_location, fake_api.push_document):
        push(3)
    fake_api.push_edited_message(3, 1, "nieuw")
    fake_api.push_message(3, "in de groep", chat_type="group", chat_id=-55)
    bot = Bot(TOKEN, base_url=f"{fake_api.url}/bot")
    async with bot:
        ups = await bot.get_updates(timeout=0)
    assert ups[0].message.photo and ups[1].message.sticker and ups[2].message.voice
    assert ups[3].message.location and ups[4].message.document.file_name == "plan.pdf"
    assert ups[5].edited_message.text == "nieuw"
    assert ups[6].message.chat.type == "group" and ups[6].message.chat.id == -55


async def test_documents_commands_and_blocked(fake_api):
    bot = Bot(TOKEN, base_url=f"{fake_api.url}/bot")
    async with bot:
        await bot.send_document(9, document=b"# Plan\n", filename="plan.md", caption="<b>x</b>")
        call = fake_api.sent(9, ("sendDocument",))[0]
        assert call.files["document"] == ("plan.md", b"# Plan\n")
        with pytest.raises(BadRequest, match="(?i)caption is too long"):
            await bot.send_document(9, document=b"x", filename="a.md", caption="c" * 1025)
        await bot.send_photo(9, photo=b"\x89PNG....")
        await bot.set_my_commands([("start", "Begin")], language_code="nl")
        await bot.set_my_commands([("start", "Start")])
        assert [c.command for c in await bot.get_my_commands(language_code="nl")] == ["start"]
        assert fake_api.commands[("default", "")][0]["description"] == "Start"
        fake_api.blocked_users.add(9)
        with pytest.raises(Forbidden):
            await bot.send_message(9, "hoi")


async def test_faults(fake_api):
    fake_api.faults.append(Fault(methods={"sendMessage"}, status=429, retry_after=3, limit=1))
    bot = Bot(TOKEN, base_url=f"{fake_api.url}/bot")
    async with bot:
        with pytest.raises(RetryAfter) as info:
            await bot.send_message(1, "a")
        assert info.value.retry_after.total_seconds() == 3  # a timedelta: PTB_TIMEDELTA
        await bot.send_message(1, "b")  # limit reached: passes
    assert [c.status for c in fake_api.calls if c.method == "sendMessage"] == [429, 200]
    assert fake_api.validation_errors() == []


async def test_wait_for_messages(fake_api):
    bot = Bot(TOKEN, base_url=f"{fake_api.url}/bot")
    async with bot:
        mark = fake_api.mark()

        async def send():
            await asyncio.sleep(0.05)
            await bot.send_message(11, "een")
            await bot.send_message(11, "twee")

        task = asyncio.create_task(send())
        calls = await fake_api.wait_for_messages(11, 2, timeout=3, since=mark)
        await task
        assert [c.params["text"] for c in calls] == ["een", "twee"]
        with pytest.raises(TimeoutError):
            await fake_api.wait_for_messages(11, 3, timeout=0.2)


async def test_get_with_query_parameters(fake_api):
    url = f"{fake_api.url}/bot{TOKEN}/sendMessage"
    params = {"chat_id": "12", "text": "<i>hoi</i>", "parse_mode": "HTML",
              "reply_markup": '{"inline_keyboard": [[{"text": "a", "callback_data": "b"}]]}'}
    async with aiohttp.ClientSession() as session, session.get(url, params=params) as resp:
        body = await resp.json()
    assert body["ok"] and body["result"]["chat"]["id"] == 12
    assert body["result"]["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "b"
    status, body = await _raw(fake_api, "noSuchMethod")
    assert status == 404
