"""One retry layer with a bounded total: a Bot API call through the real bot (its rate
limiter included) is tried at most SEND_ATTEMPTS times in all and waits at most
SEND_PATIENCE seconds, whatever Telegram answers."""

from __future__ import annotations

import pytest
from telegram.error import NetworkError, RetryAfter

from coach.adapters.telegram import retry
from tests.support.fake_bot_api import Fault
from tests.support.telegram import RunningBot


def sends(bot: RunningBot) -> int:
    return len([c for c in bot.api.calls if c.method == "sendMessage"])


@pytest.mark.parametrize("status", [429, 500])
async def test_a_call_is_tried_at_most_send_attempts_times_in_all(bot: RunningBot, status,
                                                                  monkeypatch):
    monkeypatch.setattr(retry, "SEND_ATTEMPTS", 3)  # fewer waits of a second
    bot.api.faults.append(Fault(methods={"sendMessage"}, status=status, retry_after=1))
    error = RetryAfter if status == 429 else NetworkError
    with pytest.raises(error):
        await retry.call_with_retry(lambda: bot.app.bot.send_message(101, "hoi"), "sendMessage")
    assert sends(bot) == 3  # not the limiter's retries on top (it was up to 4 x 8 = 32)


async def test_a_call_gives_up_rather_than_wait_past_its_patience(bot: RunningBot,
                                                                 monkeypatch):
    monkeypatch.setattr(retry, "SEND_PATIENCE", 2.5)
    bot.api.faults.append(Fault(methods={"sendMessage"}, status=429, retry_after=1))
    with pytest.raises(RetryAfter):
        await retry.call_with_retry(lambda: bot.app.bot.send_message(101, "hoi"), "sendMessage")
    assert sends(bot) == 3  # waited 1.1 s twice; a third wait would pass 2.5 s


async def test_a_flood_limit_is_waited_out_once_and_the_message_arrives(bot: RunningBot):
    bot.api.faults.append(Fault(methods={"sendMessage"}, status=429, retry_after=1, limit=1))
    message = await retry.call_with_retry(
        lambda: bot.app.bot.send_message(101, "hoi"), "sendMessage")
    assert message.text == "hoi" and sends(bot) == 2
