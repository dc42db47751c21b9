"""The fixtures every test may use: a fresh in-memory database (``db``), a clock moved by
hand (``clock``), the coach with all features on them (``coach``) and a factory of chats
(``chat``), and one started bot.py per module that forks a process per run
(``fork_server``). What the tests share besides fixtures is in tests/support/."""

from __future__ import annotations

import pytest

from coach.core.engine import Coach
from coach.storage.db import open_db
from coach.wiring import make_coach
from tests.support.chat import Chat, Clock
from tests.support.forked_bot import ForkServer


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def db():
    return open_db(":memory:")


@pytest.fixture
def coach(db, clock) -> Coach:
    return make_coach(db, clock=clock)


@pytest.fixture
def chat(coach):
    """Factory: ``chat("anna")`` gives a Chat for console-style user ``anna``."""

    def make(name: str = "Anna", lang_hint: str | None = None) -> Chat:
        return Chat(coach, f"test:{name.lower()}", name, lang_hint)

    return make


@pytest.fixture
def anna(chat):
    """Anna, the coordinator of a library she just created (at the first question)."""
    anna = chat("Anna")
    anna.create_library()
    return anna


@pytest.fixture(scope="module")
def fork_server():
    """``python bot.py ...`` forked from one started Python (tests/support/forked_bot.py),
    ended with the module."""
    server = ForkServer()
    yield server
    server.close()
