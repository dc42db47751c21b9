"""Telegram misbehaving during whole conversations: flood limits (429 with retry_after),
server errors, slow answers and dropped connections on about a fifth of the calls.

Four users (each their own library) walk all seven steps at the same time against the
real Application polling the fake Bot API (tests/support/sim_users.py). Every user must get
exactly the messages, in the same order, that the same conversation gets from a Coach
in memory without Telegram in between: nothing lost, nothing sent twice. The polling
loop never stops, and every acknowledged answer is in the database once.
"""

from __future__ import annotations

import asyncio

from coach.adapters.telegram import retry
from tests.support.fake_bot_api import DROPPED, Fault
from tests.support.sim_users import (
    EngineConversation,
    HttpConversation,
    SimUser,
    Team,
    check_database,
    expected_positions,
)
from tests.support.telegram import make_bot

SENDS = {"sendMessage", "editMessageText", "answerCallbackQuery"}


def four_users() -> list[SimUser]:
    users = []
    for n, name in enumerate(("Anouk", "Bas", "Cem", "Dewi")):
        user = SimUser(900 + n, name, Team(f"{name}stad"), coordinator=True)
        user.invited = True  # invite links are random: keep them out of the comparison
        users.append(user)
    return users


async def test_conversations_survive_429_500_slow_and_dropped_calls(
    fake_api, tmp_path, monkeypatch
):
    monkeypatch.setattr(retry, "RETRY_DELAY", 0.01)
    api = fake_api
    polls = {"getUpdates"}
    api.faults += [
        # one of each for sure, at the start; then about a fifth of the calls at random
        Fault(methods={"sendMessage"}, status=429, retry_after=1, limit=1),
        Fault(methods={"sendMessage"}, status=500, limit=1),
        Fault(methods={"sendMessage"}, drop=True, limit=1),
        Fault(methods=SENDS, status=429, retry_after=1, rate=0.03),
        Fault(methods=SENDS | polls, status=500, rate=0.05),
        Fault(methods=SENDS | polls, status=502, description="Bad Gateway", rate=0.02),
        Fault(methods=SENDS | polls, drop=True, rate=0.05),
        # the bot asked for updates, the server sent them, the answer got lost
        Fault(methods=polls, drop=True, after=True, rate=0.05),
        Fault(methods=SENDS | polls, status=None, delay=0.25, rate=0.05),
    ]
    db_path = str(tmp_path / "coach.db")
    bot = await make_bot(api, db_path).start()
    users = four_users()
    try:
        conv = HttpConversation(api)
        await asyncio.wait_for(asyncio.gather(*(conv.walk(u) for u in users)), 120)
        # the adapter's polling loop is still running
        assert not bot._polling.done() and bot.app.running
    finally:
        await bot.stop()

    reference = four_users()
    engine = EngineConversation()
    for user in reference:
        engine.walk(user)
    walk = [p.key for p in expected_positions()]
    for user, ref in zip(users, reference, strict=True):
        assert user.state == "done", user.describe()
        assert user.questions == walk, user.describe()  # each question once, in order
        assert user.messages == ref.messages, user.describe()
    report = check_database(db_path, users)
    assert not report.problems, report.problems
    assert report.answers == 4 * len(walk) == report.explicit

    by_status: dict[int, int] = {}
    for call in api.calls:
        if call.params.get("_fault"):
            by_status[call.status] = by_status.get(call.status, 0) + 1
    print("faults injected:", by_status, "of", len(api.calls), "calls")
    assert by_status.get(429) and by_status.get(500) and by_status.get(DROPPED)
    assert sum(by_status.values()) >= 0.1 * len(api.calls)
    assert api.validation_errors() == []
    assert api.unanswered_callbacks() == []


async def test_a_send_whose_answer_is_lost_is_repeated_not_lost(fake_api, tmp_path, monkeypatch):
    """Telegram sent the message but its answer never arrived: the bot cannot tell, so
    it sends again. The user may see that message twice, never zero times, and the
    conversation goes on (the Bot API has no idempotency key to do better)."""
    monkeypatch.setattr(retry, "RETRY_DELAY", 0.01)
    api = fake_api
    bot = await make_bot(api, str(tmp_path / "coach.db")).start()
    try:
        user = SimUser(950, "Eva", Team("Evastad"), coordinator=True)
        user.invited = True
        conv = HttpConversation(api)
        await conv.step(user, user.next_action())  # /start
        await conv.step(user, user.next_action())  # l:new
        api.faults.append(Fault(methods={"sendMessage"}, drop=True, after=True, limit=1))
        mark = api.mark()
        await conv.step(user, user.next_action())  # the library's name: three replies
        sent = [c.params["text"] for c in api.sent(user.tg_id) if c.seq >= mark]
        assert len(sent) == 4 and sent[0] == sent[1]  # the first reply came twice
        assert user.state == "asking"
        await conv.step(user, user.next_action())
        assert len(user.acked) == 1
    finally:
        await bot.stop()
