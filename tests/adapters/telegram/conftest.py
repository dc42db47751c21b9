"""Fixtures of the Telegram tests: ``fake_api`` (the fake Bot API server, started and
stopped per test) and ``bot`` (the real Application polling it), from support/telegram.py."""

from tests.support.telegram import bot_fixture, fake_api_fixture  # noqa: F401
