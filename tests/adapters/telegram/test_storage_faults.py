"""Storage faults in the running bot, over the fake Bot API: an update that could not be
stored gets one sentence, is not confirmed to Telegram, and is handled by itself once
the fault is gone, in order, while other users go on, and after a restart nobody else
is answered twice. A 409 Conflict is one log line."""

from __future__ import annotations

import logging

import pytest

from coach.adapters.telegram import faults, polling, retry
from tests.support.fake_bot_api import Fault
from tests.support.faults import answers_of, disk_full_for, locked, read_only
from tests.support.telegram import RunningBot, make_bot, plain, texts

GOAL = "Meer gezinnen bij de VoorleesExpress\nEen vol taalcafé"
ONLINE = "Meer online aanmeldingen"


@pytest.fixture(autouse=True)
def quick_retries(monkeypatch):
    monkeypatch.setattr(faults, "RETRY_FIRST", 0.05)
    monkeypatch.setattr(polling, "POLL_WHILE_WAITING", 0.05)


async def at_first_question(user, name: str) -> None:
    await user.command("start")
    await user.press("l:new")
    calls = await user.send(name)
    assert "1 van 4" in texts(calls)[-1]


def chat_texts(api, chat_id: int, since: int = 0) -> list[str]:
    return texts([c for c in api.sent(chat_id) if c.seq >= since])


async def test_a_full_disk_holds_one_users_message_while_others_go_on(bot: RunningBot):
    api = bot.api
    anna, bram = bot.user(501, "Anna"), bot.user(502, "Bram")
    await at_first_question(anna, "Bibliotheek Anna")
    await at_first_question(bram, "Bibliotheek Bram")
    mark = api.mark()
    with disk_full_for(bot.coach.db, "tg:501"):
        first = api.push_message(anna.id, GOAL)
        await api.wait_for(lambda: chat_texts(api, anna.id, mark), what="the fault notice")
        second = api.push_message(anna.id, ONLINE)  # waits behind the first, in order
        calls = await bram.send(GOAL)  # another user is not blocked
        assert "2 van 4" in texts(calls)[-1]
        assert api.confirmed_offset <= first  # Anna's message is not confirmed
        assert first not in bot.processed and second not in bot.processed
    await bot.processed_update(second)  # the disk has room again: both, in order
    said = chat_texts(api, anna.id, mark)
    assert said[0].startswith("Sorry, ik kan je bericht nu niet bewaren, want de schijf is vol")
    assert "zodra het weer kan verwerk ik het vanzelf" in said[0]
    assert sum("niet bewaren" in t for t in said) == 1  # told once, not per retry
    assert "2 van 4" in said[1] and "3 van 4" in said[2]
    assert [q for q, _ in answers_of(bot.db_path, "tg:501")] == ["goals.offline",
                                                                  "goals.online"]
    assert [q for q, _ in answers_of(bot.db_path, "tg:502")] == ["goals.offline"]
    await api.wait_idle()
    assert not any("mis aan mijn kant" in t for t in chat_texts(api, anna.id))


@pytest.mark.parametrize("fault,reason", [("readonly", "de database staat op alleen-lezen"),
                                          ("locked", "de database is bezet")])
async def test_a_read_only_or_locked_database_delays_the_answer_not_loses_it(bot: RunningBot,
                                                                         fault, reason):
    api = bot.api
    anna = bot.user(511, "Anna")
    await at_first_question(anna, "Bibliotheek Anna")
    mark = api.mark()
    db = bot.coach.db
    cm = read_only(db) if fault == "readonly" else locked(db, bot.db_path)
    with cm:
        update = api.push_message(anna.id, GOAL)
        await api.wait_for(lambda: chat_texts(api, anna.id, mark), what="the fault notice")
        assert update not in bot.processed
    await bot.processed_update(update)
    said = chat_texts(api, anna.id, mark)
    assert reason in said[0] and "2 van 4" in said[-1]
    assert [q for q, _ in answers_of(bot.db_path, "tg:511")] == ["goals.offline"]


async def test_a_pressed_button_is_retried_too(bot: RunningBot):
    api = bot.api
    anna = bot.user(521, "Anna")
    await anna.command("start")
    mark = api.mark()
    with disk_full_for(bot.coach.db, "tg:521"):
        message, button = anna.find_button("l:new")
        api.push_callback(anna.id, button["callback_data"], message["message_id"])
        update = api.next_update_id - 1
        await api.wait_for(lambda: chat_texts(api, anna.id, mark), what="the fault notice")
    await bot.processed_update(update)
    assert api.unanswered_callbacks() == []
    assert "Hoe heet je bibliotheek?" in chat_texts(api, anna.id, mark)[-1]


async def test_a_message_that_never_fits_is_given_up_when_the_window_is_full(
    bot: RunningBot, monkeypatch
):
    monkeypatch.setattr(polling, "GET_UPDATES_LIMIT", 3)
    api = bot.api
    anna, bram = bot.user(531, "Anna"), bot.user(532, "Bram")
    await at_first_question(anna, "Bibliotheek Anna")
    await at_first_question(bram, "Bibliotheek Bram")
    mark = api.mark()
    with disk_full_for(bot.coach.db, "tg:531"):
        api.push_message(anna.id, GOAL)
        await api.wait_for(lambda: chat_texts(api, anna.id, mark), what="the fault notice")
        for text in ("één", "twee", "drie"):  # Bram's, behind Anna's in the window
            await bram.send(text)
        await api.wait_for(lambda: len(chat_texts(api, anna.id, mark)) >= 2, what="give up")
        calls = await bram.send("vier")  # beyond the window: still handled
        assert calls
    said = chat_texts(api, anna.id, mark)
    assert "kan er niet langer op wachten" in said[1]
    assert answers_of(bot.db_path, "tg:531") == []


async def test_409_conflict_is_one_clear_log_line_and_polling_goes_on(
    bot: RunningBot, caplog, monkeypatch
):
    monkeypatch.setattr(polling, "CONFLICT_DELAY", 0.05)
    api = bot.api
    caplog.set_level(logging.INFO, logger="coach.telegram")
    api.faults.append(Fault(
        methods={"getUpdates"}, status=409, limit=4,
        description="Conflict: terminated by other getUpdates request; make sure that only "
                    "one bot instance is running"))
    await api.wait_for(lambda: api.faults[-1].hits >= 4, what="the conflicts")
    anna = bot.user(541, "Anna")
    calls = await anna.command("start")
    assert calls
    lines = [r for r in caplog.records if "409" in r.getMessage()]
    assert len(lines) == 1 and lines[0].levelno == logging.WARNING
    assert "another process is polling this bot" in lines[0].getMessage()
    assert not any(r.exc_info for r in caplog.records)
    assert any("the other process stopped" in r.getMessage() for r in caplog.records)


async def test_the_log_has_one_line_per_fault_and_no_traceback(bot: RunningBot, caplog):
    api = bot.api
    caplog.set_level(logging.INFO)
    anna = bot.user(551, "Anna")
    await at_first_question(anna, "Bibliotheek Anna")
    mark = api.mark()
    with disk_full_for(bot.coach.db, "tg:551"):
        update = api.push_message(anna.id, GOAL)
        await api.wait_for(lambda: chat_texts(api, anna.id, mark), what="the fault notice")
        await api.wait_for(lambda: len([c for c in api.calls[mark:] if c.method == "getUpdates"])
                           > 5, what="some retries")
    await bot.processed_update(update)
    assert not any(r.exc_info for r in caplog.records)
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1 and "was not stored (full" in warnings[0]
    assert plain(api.sent(anna.id)[-1].params["text"])


async def test_the_webhook_answers_503_until_the_update_is_stored(fake_api, tmp_path):
    """Telegram posts an unstored update again (503); a later one of the same chat waits
    for it (503 too), another chat is answered meanwhile."""
    import asyncio
    import socket

    import aiohttp

    from coach.adapters.telegram.app import build_application
    from coach.adapters.telegram.webhook import serve_webhook
    from coach.config import Config
    from coach.wiring import open_coach
    from tests.support.fake_bot_api import TOKEN

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    db_path = str(tmp_path / "coach.db")
    config = Config(db_path=db_path, token=TOKEN, api_url=fake_api.url, webhook_port=port,
                    webhook_url="https://example.invalid/hook")
    coach = open_coach(db_path)
    app = build_application(config, coach)
    stop = asyncio.Event()
    await app.initialize()
    await app.start()
    serving = asyncio.create_task(serve_webhook(app, config, "s3cret-s3cret", stop))
    url, good = f"http://127.0.0.1:{port}/hook", {"X-Telegram-Bot-Api-Secret-Token":
                                                   "s3cret-s3cret"}
    n = iter(range(1, 100))

    def update(user_id: int, text: str) -> dict:
        uid = next(n)
        message = {"message_id": uid, "date": 0, "text": text,
                   "chat": {"id": user_id, "type": "private", "first_name": "Wim"},
                   "from": {"id": user_id, "is_bot": False, "first_name": "Wim",
                            "language_code": "nl"}}
        if text.startswith("/"):
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text)}]
        return {"update_id": uid, "message": message}

    def press(user_id: int, data: str) -> dict:
        pressed = update(user_id, "x")
        return {"update_id": pressed["update_id"], "callback_query": {
            "id": f"cq{pressed['update_id']}", "from": pressed["message"]["from"],
            "chat_instance": "ci", "data": data, "message": {
                **pressed["message"], "from": {"id": 1, "is_bot": True, "first_name": "B"}}}}

    try:
        await fake_api.wait_for(lambda: fake_api.webhook_url, 10, "setWebhook")
        async with aiohttp.ClientSession() as http:
            async def post(body: dict) -> int:
                async with http.post(url, json=body, headers=good) as resp:
                    return resp.status

            assert await post(update(61, "/start")) == 200
            first, second = press(61, "l:new"), update(61, "Bibliotheek Wim")
            with disk_full_for(coach.db, "tg:61"):
                assert await post(first) == 503
                assert await post(second) == 503  # behind the first: not even tried
                assert await post(update(62, "/start")) == 200  # another chat goes on
                assert await post(first) == 503  # Telegram tries again: still full
            assert await post(second) == 503  # the first must go first
            assert await post(first) == 200
            assert await post(second) == 200
        said = [plain(m["text"]) for m in fake_api.bot_messages(61)]
        assert sum("niet bewaren" in t for t in said) == 1
        assert "Bibliotheek Wim is aangemaakt" in said[3]
        assert [r[0] for r in coach.db.execute("select name from libraries")] == [
            "Bibliotheek Wim"]
    finally:
        stop.set()
        await serving
        await app.stop()
        await app.shutdown()


async def test_when_everyones_messages_fail_none_is_given_up(bot: RunningBot, monkeypatch):
    monkeypatch.setattr(polling, "GET_UPDATES_LIMIT", 3)
    api = bot.api
    users = [bot.user(561 + i, name) for i, name in enumerate(("Anna", "Bram", "Cem", "Dewi"))]
    for user in users:
        await at_first_question(user, f"Bibliotheek {user.kw['first_name']}")
    mark = api.mark()
    with disk_full_for(bot.coach.db):
        ids = [api.push_message(user.id, GOAL) for user in users]
        await api.wait_for(lambda: all(chat_texts(api, u.id, mark) for u in users[:3]),
                           what="the fault notices")
        await api.wait_for(lambda: len([c for c in api.calls[mark:] if c.method == "getUpdates"])
                           > 10, what="some retries")
    for update in ids:
        await bot.processed_update(update)
    for user in users:
        said = chat_texts(api, user.id, mark)
        assert not any("niet langer op wachten" in t for t in said)
        assert "2 van 4" in said[-1]
        assert [q for q, _ in answers_of(bot.db_path, f"tg:{user.id}")] == ["goals.offline"]


async def test_the_bot_on_a_real_disk_that_runs_full(fake_api, tmp_path):
    """``python bot.py run`` with its database on a 1 MiB tmpfs that fills up while a user
    answers (tests/support/full_disk.py, in a user namespace where that works)."""
    import asyncio
    import subprocess
    import sys

    from tests.support import ROOT
    from tests.support.telegram import bot_env

    if subprocess.run(["unshare", "-rm", "true"], capture_output=True).returncode:
        pytest.skip("no user namespaces to mount a small tmpfs")
    api = fake_api
    disk, control = tmp_path / "disk", tmp_path / "control"
    disk.mkdir()
    control.mkdir()
    env = {**bot_env(api, disk / "coach.db"), "COACH_LOG_LEVEL": "INFO"}
    with open(tmp_path / "bot.log", "wb") as log_file:
        proc = await asyncio.create_subprocess_exec(
            "unshare", "-rm", sys.executable, str(ROOT / "tests/support/full_disk.py"),
            "run", str(disk), str(control), env=env, stdout=log_file, stderr=log_file,
            stdin=subprocess.DEVNULL)

    async def command(name: str) -> None:
        (control / name).touch()
        for _ in range(600):
            if not (control / name).exists():
                return
            await asyncio.sleep(0.05)
        raise TimeoutError(name)

    try:
        await api.wait_for(lambda: any(c.method == "getUpdates" for c in api.calls), 30,
                           "the bot to poll")
        mark = api.mark()
        api.push_command(601, "start")
        await api.wait_for_messages(601, 1, timeout=30, since=mark)
        message = api.bot_messages(601)[-1]
        mark = api.mark()
        api.push_callback(601, "l:new", message["message_id"])
        await api.wait_for_messages(601, 1, timeout=30, since=mark)
        mark = api.mark()
        api.push_message(601, "Bibliotheek Rivierenland")
        await api.wait_for(lambda: any("1 van 4" in t for t in chat_texts(api, 601, mark)), 30)
        mark = api.mark()
        api.push_message(601, GOAL)
        await api.wait_for(lambda: any("2 van 4" in t for t in chat_texts(api, 601, mark)), 30)
        await command("fill")
        mark = api.mark()
        api.push_message(601, ONLINE)
        await api.wait_for(lambda: chat_texts(api, 601, mark), 30, "the fault notice")
        assert chat_texts(api, 601, mark)[0].startswith(
            "Sorry, ik kan je bericht nu niet bewaren, want de schijf is vol")
        await command("free")
        await api.wait_for(lambda: any("3 van 4" in t for t in chat_texts(api, 601, mark)), 30)
        await command("stop")
        assert await asyncio.wait_for(proc.wait(), 30) == 0
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    answers = (control / "answers").read_text().split("\n")
    assert answers[:2] == ["goals.offline tg:601", "goals.online tg:601"]
    output = (tmp_path / "bot.log").read_text()
    assert "Traceback" not in output
    warnings = [line for line in output.splitlines() if "level=WARNING" in line]
    assert len(warnings) == 1 and "was not stored (full" in warnings[0], warnings


async def test_a_restart_while_one_update_waits_answers_nobody_else_twice(
        fake_api, tmp_path, monkeypatch):
    """Anna's message waits (her writes fail); Bram's, after it, is answered. The bot
    stops: Telegram keeps both (the offset stays at Anna's) and delivers both again
    after the restart. Anna's is handled then; Bram is not answered a second time."""
    monkeypatch.setattr(retry, "RETRY_DELAY", 0.01)
    db_path = str(tmp_path / "coach.db")
    first = await make_bot(fake_api, db_path).start()
    anna, bram = first.user(501, "Anna"), first.user(502, "Bram")
    try:
        await at_first_question(anna, "Bibliotheek Anna")
        await at_first_question(bram, "Bibliotheek Bram")
        mark = fake_api.mark()
        with disk_full_for(first.coach.db, "tg:501"):
            held = fake_api.push_message(anna.id, GOAL)
            await fake_api.wait_for(lambda: chat_texts(fake_api, anna.id, mark),
                                    what="the fault notice")
            calls = await bram.send(GOAL)
            assert "2 van 4" in texts(calls)[-1]
            answered = fake_api.next_update_id - 1
            assert first.coach.db.execute("select update_id from handled_behind"
                                          ).fetchall() == [(answered,)]
            await first.stop()
    finally:
        if first.app.running:
            await first.stop()
    assert fake_api.confirmed_offset <= held  # both are delivered again
    restart = fake_api.mark()
    second = await make_bot(fake_api, db_path).start()
    try:
        await second.processed_update(held)
        assert "2 van 4" in " ".join(chat_texts(fake_api, anna.id, restart))
        await fake_api.wait_for(lambda: fake_api.confirmed_offset > answered,
                                what="both to be confirmed")
        assert answered not in second.processed  # left out: it was answered before
        assert chat_texts(fake_api, bram.id, restart) == []  # not asked again
        assert [q for q, _ in answers_of(db_path, "tg:501")] == ["goals.offline"]
        assert [q for q, _ in answers_of(db_path, "tg:502")] == ["goals.offline"]
        # once Telegram confirmed them, the record goes
        await second.user(501, "Anna").send(ONLINE)
        assert second.coach.db.execute("select count(*) from handled_behind"
                                       ).fetchone() == (0,)
    finally:
        await second.stop()
