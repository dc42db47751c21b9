"""Fixtures of the web view's HTTP tests: the team library on the test coach and a
client of the web app in this event loop (``web``), signed in by ``sign_in``; a
Telegram user of that library (``tessa``) and the Mini App's ``initData`` for them."""

from __future__ import annotations

import json
import re
from datetime import datetime

import pytest
from aiohttp.test_utils import TestClient, TestServer

from coach.adapters.web.app import build_web_app
from tests.adapters.web.test_init_data import telegram_init_data
from tests.support.chat import Chat
from tests.support.web import sign_in_link, team

BOT_TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
BASE = "http://127.0.0.1"
CSRF = re.compile(r'name="csrf" value="([^"]*)"')
TESSA = 4242  # Tessa's Telegram user id


def mini_app_init_data(now: datetime, user_id: int = TESSA, token: str = BOT_TOKEN) -> str:
    """The initData Telegram gives the Mini App of ``user_id``, signed ``now``."""
    user = {"id": user_id, "first_name": "Tessa", "language_code": "nl"}
    return telegram_init_data({"query_id": "AAQ", "auth_date": str(int(now.timestamp())),
                               "user": json.dumps(user, separators=(",", ":"))}, token)


def join_as_tessa(coach, lib) -> Chat:
    """Tessa, a colleague in Anna's library, as the Telegram adapter names her."""
    tessa = Chat(coach, f"tg:{TESSA}", "Tessa")
    tessa.cmd("start", lib.anna.invite_code())
    assert tessa.user()["library_id"] == lib.library_id
    return tessa


@pytest.fixture
def lib(coach):
    coach.web_url = BASE
    return team(coach)


@pytest.fixture
def tessa(coach, lib) -> Chat:
    return join_as_tessa(coach, lib)


@pytest.fixture
async def web(coach, lib):
    client = TestClient(TestServer(build_web_app(coach, BASE, BOT_TOKEN)))
    await client.start_server()
    try:
        yield client
    finally:
        await client.close()


async def sign_in(client: TestClient, chat, link: str | None = None) -> str:
    """Sign ``client`` in with ``link`` or a fresh one-time link of ``chat``; returns the
    session's CSRF token (from the strategy page)."""
    link = link or sign_in_link(chat)
    path = link.removeprefix(BASE)
    form = await client.get(path)
    assert form.status == 200
    csrf = CSRF.search(await form.text()).group(1)
    token = path.rsplit("/", 1)[1]
    answer = await client.post("/login", data={"csrf": csrf, "token": token},
                               allow_redirects=False)
    assert answer.status == 303, await answer.text()
    page = await client.get("/strategy")
    return CSRF.search(await page.text()).group(1)


def fresh_client(web: TestClient) -> TestClient:
    """Another browser (its own cookies) on the same server."""
    return TestClient(web.server)
