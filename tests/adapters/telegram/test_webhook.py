"""Webhook mode end to end: ``python bot.py`` with WEBHOOK_URL set registers the webhook
on the fake Bot API and takes updates as HTTPS-proxied POSTs on its own port."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import sqlite3
import time

import aiohttp

from tests.support.fake_bot_api import FakeBotApi, Fault
from tests.support.telegram import BotProcess

SECRET = "hook-Secret_0123456789abcdef"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def wait_listening(port: int, timeout: float = 40.0) -> None:
    """PTB registers the webhook first and then starts its server: poll the port (a
    start on a busy machine takes over ten seconds, most of it imports)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            if loop.time() > deadline:
                raise
            await asyncio.sleep(0.05)
            continue
        writer.close()
        await writer.wait_closed()
        return


def message_update(update_id: int, user_id: int, text: str) -> dict:
    message = {
        "message_id": update_id,
        "date": int(time.time()),
        "chat": {"id": user_id, "type": "private", "first_name": "Wim"},
        "from": {"id": user_id, "is_bot": False, "first_name": "Wim", "language_code": "nl"},
        "text": text,
    }
    if text.startswith("/"):
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text)}]
    return {"update_id": update_id, "message": message}


def webhook_bot(api: FakeBotApi, tmp_path, port: int, **env: str) -> BotProcess:
    """``python bot.py`` in webhook mode on 127.0.0.1:``port`` at /hook."""
    proc = BotProcess(api, tmp_path)
    proc.env.update(WEBHOOK_URL="https://example.invalid/hook", WEBHOOK_LISTEN="127.0.0.1",
                    WEBHOOK_PORT=str(port), WEBHOOK_SECRET=SECRET, **env)
    return proc


def users_in(db_path) -> set[str]:
    con = sqlite3.connect(db_path)
    try:
        return {row[0] for row in con.execute("select id from users")}
    finally:
        con.close()


async def test_webhook_mode_registers_and_answers_with_the_secret_only(fake_api: FakeBotApi,
                                                                      tmp_path):
    api = fake_api
    port = free_port()
    proc = webhook_bot(api, tmp_path, port, COACH_LOG_LEVEL="INFO")
    url = f"http://127.0.0.1:{port}/hook"
    await proc.start(wait_ready=False)
    try:
        calls = await api.wait_for(
            lambda: [c for c in api.calls if c.method == "setWebhook" and c.status == 200],
            20, "setWebhook")
        assert calls[0].params["url"] == "https://example.invalid/hook"
        assert calls[0].params["secret_token"] == SECRET
        assert not [c for c in api.calls if c.method == "getUpdates"]
        await wait_listening(port)

        async with aiohttp.ClientSession() as http:
            # a wrong or missing secret is refused and not handled at all
            for headers in ({"X-Telegram-Bot-Api-Secret-Token": "wrong"}, {}):
                mark = api.mark()
                async with http.post(url, json=message_update(1, 31, "/start"),
                                     headers=headers) as resp:
                    assert resp.status == 403
                assert not api.sent(31)
                assert [c.method for c in api.calls[mark:]] == []

            good = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
            async with http.post(url, json=message_update(2, 32, "/start"),
                                 headers=good) as resp:
                assert resp.status == 200
            calls = await api.wait_for_messages(32, 1, timeout=10)
            assert "Wim" in calls[0].params["text"]
            assert {b["callback_data"] for row in calls[0].params["reply_markup"][
                "inline_keyboard"] for b in row} == {"l:new", "l:join"}

            # Telegram posts the same update again (it was unsure we got it): the coach
            # recognises the update id and repeats where the user is, without the greeting
            mark = api.mark()
            async with http.post(url, json=message_update(2, 32, "/start"),
                                 headers=good) as resp:
                assert resp.status == 200
            again = await api.wait_for_messages(32, 1, timeout=10, since=mark)
            assert "Wim" not in again[0].params["text"]
            assert "uitnodigingscode" in again[0].params["text"]
        assert await proc.terminate() == 0
    finally:
        await proc.kill_if_running()
    assert users_in(tmp_path / "coach.db") == {"tg:32"}  # user 31 never reached the coach
    output = proc.output()
    assert "Traceback" not in output, output
    assert SECRET not in output


async def test_webhook_confirms_an_update_only_after_handling_it(fake_api: FakeBotApi,
                                                                 tmp_path):
    """Telegram hears 200 only once the reply went out; a bot killed while handling
    leaves the POST unconfirmed, so Telegram delivers it again and nothing is lost."""
    api = fake_api
    port = free_port()
    proc = webhook_bot(api, tmp_path, port)
    url = f"http://127.0.0.1:{port}/hook"
    good = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    await proc.start(wait_ready=False)
    try:
        await wait_listening(port)
        async with aiohttp.ClientSession() as http:
            # Telegram is slow to accept the reply: the bot is killed while sending it
            api.faults.append(Fault(methods={"sendMessage"}, status=None, delay=5.0))
            post = asyncio.create_task(http.post(url, json=message_update(7, 41, "/start"),
                                                 headers=good))
            await api.wait_for(lambda: [c for c in api.calls if c.method == "sendMessage"],
                               10, "the reply being sent")
            assert not post.done()  # no 200 while the update is still being handled
            await proc.kill()
            with contextlib.suppress(aiohttp.ClientError):
                resp = await post
                assert resp.status != 200
            api.faults.clear()

            mark = api.mark()
            await proc.start(wait_ready=False)
            await wait_listening(port)
            async with http.post(url, json=message_update(7, 41, "/start"),
                                 headers=good) as resp:  # Telegram delivers it again
                assert resp.status == 200
            calls = await api.wait_for_messages(41, 1, timeout=10, since=mark)
            assert calls[0].params["text"]  # the user is answered after all
        assert await proc.terminate() == 0
    finally:
        await proc.kill_if_running()


async def test_webhook_refuses_what_is_not_an_update_and_keeps_order(fake_api: FakeBotApi,
                                                                     tmp_path):
    api = fake_api
    port = free_port()
    proc = webhook_bot(api, tmp_path, port, COACH_LOG_LEVEL="INFO")
    url = f"http://127.0.0.1:{port}/hook"
    good = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    await proc.start(wait_ready=False)
    try:
        await wait_listening(port)
        async with aiohttp.ClientSession() as http:
            async with http.get(url) as resp:  # a health check or a scanner
                assert resp.status == 405
            for body in ("[]", "1", '"x"', "null", "{not json", '{"update_id": "abc"}'):
                async with http.post(url, data=body, headers=good) as resp:
                    assert resp.status == 400, body
            # a second update of the user arrives while the first one's reply is still
            # on its way: it waits, so the replies keep the order of arrival
            held = Fault(methods={"sendMessage"}, status=None, delay=0.5, limit=1)
            api.faults.append(held)
            first = asyncio.ensure_future(
                http.post(url, json=message_update(21, 51, "/help"), headers=good))
            await api.wait_for(lambda: held.hits, timeout=10, what="the first reply held")
            second = http.post(url, json=message_update(22, 51, "/privacy"), headers=good)
            responses = await asyncio.gather(first, second)
            assert [r.status for r in responses] == [200, 200]
            # in the order Telegram took them in (a held call was recorded before the
            # other, so the message ids tell the order the user sees)
            texts = [m["text"] for m in api.bot_messages(51)]
            assert "Biebcoach" in texts[0] and "Privacy" in texts[-1]
        assert await proc.terminate() == 0
    finally:
        await proc.kill_if_running()
    output = proc.output()
    assert "Traceback" not in output and "Error in exception logger" not in output, output


async def test_webhook_port_in_use_is_one_line(fake_api: FakeBotApi, tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        proc = webhook_bot(fake_api, tmp_path, port, LANG="en_GB.UTF-8")
        await proc.start(wait_ready=False)
        assert await proc.wait() == 2
    assert f"Cannot listen on 127.0.0.1:{port}" in proc.output()
    assert "Traceback" not in proc.output()
    assert not [c for c in fake_api.calls if c.method == "setWebhook"]  # Telegram not told
