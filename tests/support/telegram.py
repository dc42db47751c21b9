"""Fixtures for the Telegram tests: the fake Bot API server and the real bot on it, in
this process (:class:`RunningBot`) or as ``python bot.py`` (:class:`BotProcess`).

Import them into a test module: ``from tests.support.telegram import fake_api_fixture``
(the fixtures are called ``fake_api`` and ``bot``).
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path
from typing import Any

import pytest
from telegram import Update
from telegram.ext import Application, TypeHandler

from coach.adapters.telegram import retry
from coach.adapters.telegram.app import build_application
from coach.adapters.telegram.polling import poll_updates
from coach.config import Config
from coach.core.engine import Coach
from coach.wiring import open_coach
from tests.support import ROOT
from tests.support.fake_bot_api import TOKEN, Call, FakeBotApi, closes_pressed
from tests.support.forked_bot import Child, ForkServer
from tests.support.html import parse_html

REPO = ROOT


@pytest.fixture(name="fake_api")
async def fake_api_fixture():
    server = await FakeBotApi().start()
    try:
        yield server
    finally:
        await server.stop()


class RunningBot:
    """The real Application polling the fake server, in this event loop."""

    def __init__(self, api: FakeBotApi, app: Application, coach: Coach, db_path: str):
        self.api = api
        self.app = app
        self.coach = coach
        self.db_path = db_path
        self.processed: set[int] = set()

    async def _observe(self, update: Update, context: Any) -> None:
        # runs after the adapter's handlers (a later handler group) for every update
        self.processed.add(update.update_id)
        self.api._notify()

    async def start(self) -> RunningBot:
        self.app.add_handler(TypeHandler(Update, self._observe), group=100)
        await self.app.initialize()
        if self.app.post_init:
            await self.app.post_init(self.app)
        await self.app.start()
        # the adapter's own polling loop, as `python bot.py` runs it
        self._stop = asyncio.Event()
        self._polling = asyncio.create_task(
            poll_updates(self.app, self._stop, timeout=1)
        )
        return self

    async def stop(self) -> None:
        self._stop.set()
        await asyncio.wait_for(self._polling, 5)
        if self.app.running:
            await self.app.stop()
        await self.app.shutdown()

    async def processed_update(self, update_id: int, timeout: float = 10.0) -> None:
        await self.api.wait_for(
            lambda: update_id in self.processed, timeout, f"update {update_id} to be handled"
        )

    def user(self, user_id: int, first_name: str = "Anna", **kw: Any) -> TgUser:
        return TgUser(self, user_id, first_name, **kw)


def make_bot(api: FakeBotApi, db_path: str) -> RunningBot:
    config = Config(db_path=db_path, token=TOKEN, api_url=api.url)
    coach = open_coach(db_path)
    return RunningBot(api, build_application(config, coach), coach, db_path)


@pytest.fixture(name="bot")
async def bot_fixture(fake_api, tmp_path, monkeypatch):
    monkeypatch.setattr(retry, "RETRY_DELAY", 0.01)
    running = await make_bot(fake_api, str(tmp_path / "coach.db")).start()
    try:
        yield running
    finally:
        await running.stop()


def buttons(message: dict[str, Any]) -> list[dict[str, Any]]:
    markup = message.get("reply_markup") or {}
    return [b for row in markup.get("inline_keyboard", []) for b in row]


def plain(html: str) -> str:
    """The text a user sees of the bot's HTML (which must be valid: see support/html.py)."""
    return parse_html(html)


def texts(calls: list[Call]) -> list[str]:
    """The plain text (or caption) of each of the bot's calls."""
    return [plain(c.params.get("text") or c.params.get("caption") or "") for c in calls]


def bot_env(api: FakeBotApi | None, db: Path, token: str | None = TOKEN) -> dict[str, str]:
    """The environment for ``python bot.py ...`` as a subprocess: this one without any
    TELEGRAM_/COACH_/WEBHOOK_ setting of the developer's, talking to ``api``."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("TELEGRAM_", "COACH_", "WEBHOOK_", "WEB_"))}
    env.update(COACH_DB=str(db), PYTHONPATH=str(REPO), PYTHONUNBUFFERED="1",
               COACH_LOG_LEVEL="DEBUG")
    if api is not None:
        env["TELEGRAM_API_URL"] = api.url
    if token is not None:
        env["TELEGRAM_BOT_TOKEN"] = token
    return env


class TgUser:
    """A Telegram user talking to the bot in a private chat; each action waits until
    the bot handled it and returns the bot's calls (sends and edits) it caused, except
    closing the pressed message (the choice below it, no keyboard), which goes to
    :attr:`closed`."""

    def __init__(self, bot: RunningBot, user_id: int, first_name: str, **kw: Any):
        self.bot = bot
        self.api = bot.api
        self.id = user_id
        self.kw = {"first_name": first_name, **kw}
        self.closed: list[Call] = []  # the closing edits of the last action
        self.pressed: list[Call] = []  # every press: message_id, data, callback query id

    async def _after(self, update_id: int, mark: int) -> list[Call]:
        await self.bot.processed_update(update_id)
        methods = ("sendMessage", "editMessageText", "editMessageReplyMarkup",
                   "sendDocument", "sendPhoto")
        calls = [c for c in self.api.sent(self.id, methods) if c.seq >= mark]
        self.closed = [c for c in calls if closes_pressed(c)]
        return [c for c in calls if not closes_pressed(c)]

    async def send(self, text: str) -> list[Call]:
        mark = self.api.mark()
        return await self._after(self.api.push_message(self.id, text, **self.kw), mark)

    async def command(self, name: str, args: str = "") -> list[Call]:
        mark = self.api.mark()
        return await self._after(self.api.push_command(self.id, name, args, **self.kw), mark)

    async def media(self, kind: str) -> list[Call]:
        mark = self.api.mark()
        push = getattr(self.api, f"push_{kind}")
        return await self._after(push(self.id, **self.kw), mark)

    async def edit(self, message_id: int, text: str) -> list[Call]:
        mark = self.api.mark()
        uid = self.api.push_edited_message(self.id, message_id, text, **self.kw)
        return await self._after(uid, mark)

    def keyboard_message(self) -> dict[str, Any]:
        for message in reversed(self.api.bot_messages(self.id)):
            if buttons(message):
                return message
        raise AssertionError(f"no message with buttons for user {self.id}")

    def find_button(self, match: str) -> tuple[dict[str, Any], dict[str, Any]]:
        """The newest button whose callback data equals (or, for ``match`` ending in
        ``:``, starts with), or label contains, ``match``."""
        for message in reversed(self.api.bot_messages(self.id)):
            for b in buttons(message):
                data = b.get("callback_data") or ""
                if (data == match or match.lower() in b["text"].lower()
                        or (match.endswith(":") and data.startswith(match))):
                    return message, b
        raise AssertionError(f"no button {match!r} for user {self.id}")

    async def press(self, match: str) -> list[Call]:
        message, button = self.find_button(match)
        return await self.press_data(button["callback_data"], message["message_id"])

    async def press_data(self, data: str, message_id: int) -> list[Call]:
        """Press a button with ``data`` on message ``message_id``, whether the message
        still shows it or not (an old chat, another device, a forged press)."""
        mark = self.api.mark()
        cq = self.api.push_callback(self.id, data, message_id, **self.kw)
        self.pressed.append(Call("press", {"message_id": message_id, "data": data, "id": cq}))
        return await self._after(self.api.next_update_id - 1, mark)

    def last_text(self) -> str:
        return self.api.bot_messages(self.id)[-1]["text"]


class BotProcess:
    """``python bot.py`` as a subprocess, with the environment of :func:`bot_env`; its
    output goes to ``out<n>.log`` and ``err<n>.log`` in ``tmp``, one pair per start."""

    def __init__(self, api: FakeBotApi | None, tmp: Path, token: str | None = TOKEN,
                 fork: ForkServer | None = None):
        self.api = api
        self.tmp = tmp
        self.env = bot_env(api, tmp / "coach.db", token)
        self.proc: asyncio.subprocess.Process | Child | None = None
        self.runs = 0
        self.fork = fork  # forks bot.py from one started Python (tests/support/forked_bot.py)

    async def start(self, wait_ready: bool = True) -> None:
        self.runs += 1
        out, err = self.tmp / f"out{self.runs}.log", self.tmp / f"err{self.runs}.log"
        mark = self.api.mark() if self.api else 0
        if self.fork is not None:
            self.proc = self.fork.spawn([], env=self.env, cwd=self.tmp, stdout=out, stderr=err)
        else:
            with open(out, "wb") as out_file, open(err, "wb") as err_file:
                self.proc = await asyncio.create_subprocess_exec(
                    sys.executable, str(REPO / "bot.py"), cwd=self.tmp, env=self.env,
                    stdout=out_file, stderr=err_file, stdin=asyncio.subprocess.DEVNULL,
                )
        if wait_ready and self.api:
            await self.api.wait_for(
                lambda: any(c.method == "getUpdates" for c in self.api.calls[mark:]),
                20, "the bot to poll")

    async def wait(self, timeout: float = 20) -> int:
        assert self.proc is not None
        return await asyncio.wait_for(self.proc.wait(), timeout)

    async def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        await self.proc.wait()

    async def kill_if_running(self) -> None:
        """For a test's ``finally``: no bot process outlives its test."""
        if self.proc is not None and self.proc.returncode is None:
            await self.kill()

    async def terminate(self) -> int:
        assert self.proc is not None
        if self.proc.returncode is None:
            self.proc.send_signal(signal.SIGTERM)
        return await self.wait()

    def output(self) -> str:
        return "".join(
            p.read_text(errors="replace")
            for i in range(1, self.runs + 1)
            for p in (self.tmp / f"out{i}.log", self.tmp / f"err{i}.log")
        )
