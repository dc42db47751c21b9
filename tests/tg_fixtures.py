"""Fixtures for the Telegram tests: the fake Bot API server and a running bot.

Import them into a test module with ``from tests.tg_fixtures import fake_api``.
"""

from __future__ import annotations

import pytest

from tests.fake_bot_api import FakeBotApi


@pytest.fixture
async def fake_api():
    server = await FakeBotApi().start()
    try:
        yield server
    finally:
        await server.stop()
