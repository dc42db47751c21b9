"""The fixtures every test may use: a fresh in-memory database (``db``), a clock moved by
hand (``clock``), the coach with all features on them (``coach``) and a factory of chats
(``chat``). What the tests share besides fixtures is in tests/support/."""

from __future__ import annotations

import pytest

from coach.core.engine import Coach
from coach.storage.db import open_db
from coach.wiring import make_coach
from tests.support.chat import Chat, Clock


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
