"""The web view from Telegram, end to end over the fake Bot API: the bot sets the menu
button to the Mini App, ``/web`` carries a ``web_app`` button with the configured URL
and a one-time link, and both sign in to the web view served in the bot's own loop
(as ``python bot.py`` runs it with WEB_URL set)."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import os
import re
import signal
import subprocess
import sys
import time
from urllib.parse import urlencode

import aiohttp

from coach.adapters.telegram.app import build_application
from coach.adapters.telegram.logs import TokenFilter, install_log_masking
from coach.adapters.web.run import serve_web
from coach.config import Config
from coach.wiring import open_coach
from tests.support import ROOT
from tests.support.chat import Chat
from tests.support.fake_bot_api import TOKEN
from tests.support.telegram import BotProcess, RunningBot, buttons
from tests.support.walk import walk
from tests.support.web import free_port

WEB_URL = "https://bieb.example.org/coach"
CSRF = re.compile(r'name="csrf" value="([^"]*)"')
LINK = re.compile(r'href="([^"]+/login/[^"]+)"')


def init_data(user_id: int, token: str = TOKEN) -> str:
    """initData as Telegram signs it (see tests/adapters/web/test_init_data.py)."""
    fields = {"user": json.dumps({"id": user_id, "first_name": "Anna"}),
              "auth_date": str(int(time.time())), "query_id": "AAQ"}
    check = "\n".join(f"{k}={fields[k]}" for k in sorted(fields))
    secret = hmac.new(b"WebAppData", token.encode(), hashlib.sha256).digest()
    return urlencode({**fields, "hash": hmac.new(secret, check.encode(),
                                                 hashlib.sha256).hexdigest()})


def secure_cookies(response: aiohttp.ClientResponse) -> dict[str, str]:
    """The cookies a response sets, each checked to be Secure, HttpOnly and SameSite
    (the Mini App's cross-site and partitioned: tests/adapters/web/test_web_cookies.py)."""
    found = {}
    for header in response.headers.getall("Set-Cookie", []):
        name, _, rest = header.partition("=")
        if 'Max-Age=0' in header or rest.startswith('""'):
            continue
        same_site = ("SameSite=None; Partitioned" if name.startswith("biebcoach_app_")
                     else "SameSite=Lax")
        assert "Secure" in header and "HttpOnly" in header and same_site in header
        assert "Path=/coach" in header
        found[name] = rest.split(";", 1)[0]
    return found


async def test_the_menu_button_and_web_open_the_mini_app(fake_api, tmp_path, caplog):
    install_log_masking(TOKEN)  # as run() does
    caplog.set_level(logging.DEBUG)
    port = free_port()
    config = Config(db_path=str(tmp_path / "coach.db"), token=TOKEN, api_url=fake_api.url,
                    web_url=WEB_URL, web_listen="127.0.0.1", web_port=port)
    coach = open_coach(config.db_path)
    async with serve_web(coach, config):
        bot = await RunningBot(fake_api, build_application(config, coach), coach,
                               config.db_path).start()
        try:
            assert fake_api.menu_buttons[""] == {
                "type": "web_app", "text": "Webweergave", "web_app": {"url": f"{WEB_URL}/"}}
            anna = bot.user(4242, "Anna")
            await anna.command("start")
            await anna.press("l:new")
            await anna.send("Bibliotheek Rivierenland")
            calls = await anna.command("web")
            reply = calls[-1].params
            [button] = buttons(reply)
            assert button["web_app"] == {"url": f"{WEB_URL}/"}
            assert "callback_data" not in button
            link = LINK.search(reply["text"]).group(1)
            assert link.startswith(f"{WEB_URL}/login/")
            local = f"http://127.0.0.1:{port}/coach"
            async with aiohttp.ClientSession() as web:
                # the desktop browser: the one-time link (the proxy speaks HTTPS to
                # browsers, so the cookies are Secure: this test hands them on itself)
                form = await web.get(link.replace(WEB_URL, local))
                pre = secure_cookies(form)
                csrf = CSRF.search(await form.text()).group(1)
                signed_in = await web.post(f"{local}/login", cookies=pre, data={
                    "csrf": csrf, "token": link.rsplit("/", 1)[1]}, allow_redirects=False)
                assert signed_in.status == 303
                assert signed_in.headers["Location"] == "/coach/strategy"
                page = await web.get(f"{local}/strategy", cookies=secure_cookies(signed_in))
                assert "Bibliotheek Rivierenland" in await page.text()
                # the Mini App: its page, then the initData Telegram gives it
                entry = await web.get(f"{local}/")
                text = await entry.text()
                assert "https://telegram.org/js/telegram-web-app.js" in text
                pre, csrf = secure_cookies(entry), CSRF.search(text).group(1)
                signed_in = await web.post(f"{local}/auth/telegram", cookies=pre, data={
                    "csrf": csrf, "init_data": init_data(4242)}, allow_redirects=False)
                assert signed_in.status == 303
                page = await web.get(f"{local}/kpis", cookies=secure_cookies(signed_in))
                assert page.status == 200 and "Bibliotheek Rivierenland" in await page.text()
                forged = await web.post(f"{local}/auth/telegram", cookies=pre, data={
                    "csrf": csrf, "init_data": init_data(4242, token="1:other")})
                assert forged.status == 403
        finally:
            await bot.stop()
    logged = caplog.text + "\n".join(r.getMessage() for r in caplog.records)
    assert "Calling Bot API endpoint" in logged  # PTB logged the calls' parameters...
    assert link.rsplit("/", 1)[1] not in logged  # ...but not the sign-in token
    assert "hash=" not in logged


async def test_without_web_url_web_says_it_is_not_set_up(bot):
    anna = bot.user(77, "Anna")
    await anna.command("start")
    await anna.press("l:new")
    await anna.send("Bibliotheek Rivierenland")
    calls = await anna.command("web")
    assert "WEB_URL" in calls[-1].params["text"] and not buttons(calls[-1].params)
    assert bot.api.menu_buttons == {}


def test_bot_py_web_prints_a_sign_in_link_for_a_console_user(tmp_path):
    db_path = str(tmp_path / "coach.db")
    coach = open_coach(db_path)
    anna = Chat(coach, "console:anna", "anna")
    anna.create_library("Bibliotheek Console")
    walk(anna, until="mission.why")
    coach.db.close()
    port = free_port()
    env = {**{k: v for k, v in os.environ.items()
              if not k.startswith(("TELEGRAM_", "COACH_", "WEBHOOK_", "WEB_"))},
           "COACH_DB": db_path, "WEB_PORT": str(port), "LANG": "en_US.UTF-8"}
    proc = subprocess.Popen([sys.executable, "bot.py", "web", "--as", "anna"], cwd=ROOT,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, stdin=subprocess.DEVNULL)
    try:
        line = proc.stdout.readline()
        assert line.startswith(f"The web view runs at http://127.0.0.1:{port}."), line
        link = line.rsplit(" ", 1)[1].strip()

        async def visit() -> str:
            async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as web:
                form = await web.get(link)
                csrf = CSRF.search(await form.text()).group(1)
                page = await web.post(f"http://127.0.0.1:{port}/login", data={
                    "csrf": csrf, "token": link.rsplit("/", 1)[1]})
                return await page.text()

        assert "Bibliotheek Console" in asyncio.run(visit())
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    assert link.rsplit("/", 1)[1] not in out + err  # the token is printed once, not logged


def test_bot_py_web_for_an_unknown_user_is_one_line(tmp_path):
    env = {**{k: v for k, v in os.environ.items() if not k.startswith(("COACH_", "WEB_"))},
           "COACH_DB": str(tmp_path / "c.db"), "LANG": "nl_NL.UTF-8"}
    result = subprocess.run([sys.executable, "bot.py", "web", "--as", "nobody"], cwd=ROOT,
                            env=env, capture_output=True, text=True, timeout=60,
                            stdin=subprocess.DEVNULL)
    assert result.returncode == 2
    assert result.stderr.strip() == ("Er is nog geen gebruiker nobody in deze database. "
                                     "Begin eerst met: python bot.py console --as nobody")


def test_sign_in_links_are_masked_in_log_lines():
    line = "sendMessage text=Open https://bieb.example.org/coach/login/Ab_C-123defGHIjkl now"
    assert TokenFilter([]).mask(line) == (
        "sendMessage text=Open https://bieb.example.org/coach/login/<token> now")


async def test_python_bot_py_serves_the_web_view_beside_the_bot(fake_api, tmp_path):
    port = free_port()
    proc = BotProcess(fake_api, tmp_path)
    proc.env.update(WEB_URL=WEB_URL, WEB_PORT=str(port))
    try:
        await proc.start()
        await fake_api.wait_for(lambda: fake_api.menu_buttons, 20, "the menu button")
        async with aiohttp.ClientSession() as web:
            page = await web.get(f"http://127.0.0.1:{port}/coach/login/abc")
            assert page.status == 200 and "Inloggen" in await page.text()
        assert await proc.terminate() == 0
    finally:
        await proc.kill_if_running()
