"""The web view in tests: a library with a team and a year of KPI values, sign-in
links as ``/web`` gives them, and the web server in a thread (for the browser tests).

``team(coach)`` builds Bibliotheek Rivierenland: Anna (coordinator, the whole strategy,
three KPIs), Bram (a member) and, in another library, Carla. Everything goes through
the engine except the weekly values, which are recorded with the storage function the
check-in uses.
"""

from __future__ import annotations

import asyncio
import re
import socket
import threading
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from coach.config import Config
from coach.features.checkins import kpis as kpi_store
from coach.storage import measurements
from tests.support.chat import Chat
from tests.support.walk import walk, with_kpis

LINK = re.compile(r'href="([^"]+/login/[^"]+)"')
FIRST_WEEK = date(2025, 11, 24)


@dataclass
class Team:
    anna: Chat
    bram: Chat
    carla: Chat
    library_id: int
    other_library_id: int
    kpis: list[Any]


def add_values(coach: Any, library_id: int, weeks: int, author: dict[str, Any]) -> None:
    for k_index, kpi in enumerate(kpi_store.library_kpis(coach.db, library_id)):
        for w in range(weeks):
            year, week, _ = (FIRST_WEEK + timedelta(weeks=w)).isocalendar()
            with coach.db.atomic():
                measurements.record(coach.db, library_id=library_id, kpi=kpi.key,
                                    week=f"{year}-W{week:02d}", value=10 + 2 * w + k_index,
                                    percent=False, author=author, now=coach.clock())


def team(coach: Any, weeks: int = 10) -> Team:
    anna = Chat(coach, "test:anna", "Anna")
    with_kpis(anna)
    walk(anna)
    bram = Chat(coach, "test:bram", "Bram")
    bram.cmd("start", anna.invite_code())
    carla = Chat(coach, "test:carla", "Carla")
    carla.create_library("Bibliotheek Anderland")
    library_id = anna.user()["library_id"]
    add_values(coach, library_id, weeks, {"id": anna.user_id, "name": "Anna"})
    return Team(anna, bram, carla, library_id, carla.user()["library_id"],
                kpi_store.library_kpis(coach.db, library_id))


def sign_in_link(chat: Chat) -> str:
    """The one-time link of the user's ``/web`` reply."""
    chat.cmd("web")
    found = LINK.search(chat.texts())
    assert found, chat.texts()
    return found.group(1).replace("&amp;", "&")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServerThread:
    """aiohttp sites served from a thread of their own with its own event loop (the
    browser tests drive them synchronously). A subclass's :meth:`serve` opens the coach
    and starts the sites; :meth:`start` waits for them and raises what went wrong."""

    name = "server"

    def __init__(self):
        self._ready = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread = threading.Thread(target=self._run, daemon=True, name=self.name)
        self.error: BaseException | None = None

    def serve(self, loop: asyncio.AbstractEventLoop) -> tuple[Any, list[Any]]:
        """(the coach, the started ``AppRunner``s), in ``loop``."""
        raise NotImplementedError

    def _run(self) -> None:
        loop = self._loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        try:
            coach, runners = self.serve(loop)
        except BaseException as exc:  # noqa: BLE001 - reported to the test
            self.error = exc
            self._ready.set()
            return
        self._ready.set()
        loop.run_forever()
        for runner in runners:
            loop.run_until_complete(runner.cleanup())
        coach.db.close()
        loop.close()

    def start(self):
        self._thread.start()
        self._ready.wait(30)
        if self.error:
            raise self.error
        return self

    def stop(self) -> None:
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)


class WebThread(ServerThread):
    """``bot.py``'s web view (``start_web``) over the database at ``db_path``."""

    name = "web"

    def __init__(self, db_path: str, token: str | None = None):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.config = Config(db_path=db_path, token=token, web_listen="127.0.0.1",
                             web_port=self.port)
        super().__init__()

    def serve(self, loop: asyncio.AbstractEventLoop) -> tuple[Any, list[Any]]:
        from coach.adapters.web.run import start_web
        from coach.wiring import open_coach

        coach = open_coach(self.config.db_path)
        return coach, [loop.run_until_complete(start_web(coach, self.config, self.base))]
