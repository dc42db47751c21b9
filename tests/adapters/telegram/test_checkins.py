"""Weekly check-ins over HTTP: the real PTB Application (with its JobQueue and
AIORateLimiter) and ``python bot.py checkins send-due`` against the fake Bot API."""

from __future__ import annotations

import asyncio
import sqlite3
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from coach.adapters.telegram import jobs as tg_checkins
from coach.adapters.telegram.jobs import install
from coach.config import Config
from coach.core.calendar import weekday_name
from coach.core.engine import Coach
from coach.features.checkins.kpis import library_kpis
from coach.storage import measurements
from coach.wiring import open_coach
from tests.support.chat import Chat, Clock
from tests.support.fake_bot_api import TOKEN, Fault, FloodGate
from tests.support.telegram import (
    REPO,
    RunningBot,
    bot_env,
    buttons,
    plain,
    texts,
)
from tests.support.walk import kpi_key, with_kpis


class JobRuns:
    """Counts the runs of the check-in job: ``_tick`` calls ``tg_checkins.send_due``,
    replaced here by a wrapper that calls the real one through and notes when it ends."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.started = 0
        self.finished: list[int] = []
        self._ended = asyncio.Event()
        real = tg_checkins.send_due

        async def counting(*args, **kwargs):
            self.started += 1
            run = self.started
            try:
                return await real(*args, **kwargs)
            finally:
                self.finished.append(run)
                self._ended.set()

        monkeypatch.setattr(tg_checkins, "send_due", counting)

    async def another(self, timeout: float = 10.0) -> None:
        """Wait until a run that started after this call has finished."""
        since = self.started
        async with asyncio.timeout(timeout):
            while not any(run > since for run in self.finished):
                self._ended.clear()
                await self._ended.wait()


async def test_one_full_checkin_over_telegram_with_the_chart(bot: RunningBot, monkeypatch):
    api = bot.api
    runs = JobRuns(monkeypatch)
    clock = Clock(datetime(2026, 11, 22, 12, 0, tzinfo=UTC))  # Sunday, week 47
    bot.coach.clock = clock
    anna = with_kpis(Chat(bot.coach, "tg:555", "Anna"))
    library_id = anna.user()["library_id"]
    measurements.record(bot.coach.db, library_id=library_id, week="2026-W47",
                        kpi=kpi_key(bot.coach.db, library_id, "Bereik"),
                        value=900, percent=False, author=anna.user(), now=clock())
    clock.now = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # Monday 10:00 in Amsterdam

    # the adapter installed one job for all check-ins (not one per user); here it is
    # replaced by a faster one so the test does not wait a minute
    names = [job.name for job in bot.app.job_queue.jobs()]
    assert names.count("weekly-checkins") == 1
    mark = api.mark()
    api.faults.append(Fault(methods={"sendMessage"}, status=429, retry_after=1, limit=1))
    install(bot.app, bot.coach, Config(token=TOKEN, tz="Europe/Amsterdam"),
            interval=0.1, first=0.05)
    calls = await api.wait_for_messages(555, 1, timeout=10, since=mark)
    first = texts(calls)[0]
    assert "Wekelijkse check-in · week 48" in first and "KPI 1 van 3: Aanmeldingen" in first
    assert calls[0].params["parse_mode"] == "HTML"
    assert {b["callback_data"] for b in buttons(calls[0].params)} == {"ci:skip:3", "ci:stop"}

    user = bot.user(555, "Anna")
    calls = await user.send("1.200 aanmeldingen")
    assert "KPI 2 van 3: Bereik" in texts(calls)[-1]
    assert "Vorige waarde: 900 (week 47)" in texts(calls)[-1]
    calls = await user.send("heel veel")
    assert "lees ik niet als een getal" in texts(calls)[-1]
    calls = await user.send("1.250")
    assert "KPI 3 van 3: Reacties" in texts(calls)[-1]
    calls = await user.send("150%")
    assert "meer dan 100%" in texts(calls)[-1]
    calls = await user.press("ci:redo:1")
    calls = await user.send("15,5%")
    done = texts(calls)[-1]
    assert "Deze week bewaard" in done and "Reacties: 15,5%" in done
    assert "Je volgende kleine stap" in done

    calls = await user.press("ci:progress")
    photo = next(c for c in calls if c.method == "sendPhoto")
    # "sending a photo..." shows while the chart is drawn
    action = [c for c in api.calls if c.method == "sendChatAction" and c.seq < photo.seq]
    assert action[-1].params == {"chat_id": 555, "action": "upload_photo"}
    filename, content = photo.files["photo"]
    assert content.startswith(b"\x89PNG\r\n\x1a\n") and filename.endswith(".png")
    table = plain(photo.params.get("caption") or texts(calls)[-1])
    assert "week 47: 900" in table and "week 48: 1.250" in table

    # the job keeps asking the database, but the week's check-in was sent once
    await runs.another()
    intros = [t for t in texts(api.sent(555)) if "Wekelijkse check-in" in t]
    assert len(intros) == 1
    names = {k.key: k.name for k in library_kpis(bot.coach.db, library_id)}
    stored = {names[r["kpi"]]: r["value"] for r in bot.coach.db.query(
        "select * from measurements where superseded_at is null and iso_week = '2026-W48'")}
    assert stored == {"Aanmeldingen": 1200, "Bereik": 1250, "Reacties": 15.5}
    assert [c.status for c in api.calls if c.status == 429] == [429]  # waited out, sent once
    assert api.validation_errors() == []


async def _send_due(env: dict[str, str], cwd: Path) -> tuple[int, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, str(REPO / "bot.py"), "checkins", "send-due", cwd=cwd, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
        stdin=asyncio.subprocess.DEVNULL,
    )
    out, _ = await asyncio.wait_for(proc.communicate(), 30)
    return proc.returncode, out.decode(errors="replace")


async def test_send_due_as_a_cron_command(fake_api, tmp_path):
    db = tmp_path / "coach.db"
    now = datetime.now(UTC)
    clock = Clock(now - timedelta(days=2))
    coach = open_coach(str(db), clock=clock)
    ada = Chat(coach, "tg:601", "Ada")
    ada.create_library()
    code = ada.invite_code()
    bo = Chat(coach, "tg:602", "Bo")
    bo.cmd("start", code)
    cy = Chat(coach, "console:cy", "Cy")  # not a Telegram user: never sent over Telegram
    cy.cmd("start", code)
    today = now.astimezone(ZoneInfo("Europe/Amsterdam")).weekday()
    for member in (ada, bo, cy):  # everyone's slot is today at midnight: due now
        member.cmd("settings")
        member.press_data("cs:own")
        member.say(f"{weekday_name(today)} 0:00")
    coach.db.close()
    fake_api.blocked_users.add(602)

    env = bot_env(fake_api, db, TOKEN)
    code_, output = await _send_due(env, tmp_path)
    assert code_ == 0, output
    assert "Traceback" not in output and TOKEN not in output
    sent = [c for c in fake_api.calls if c.method == "sendMessage"]
    assert [(c.params["chat_id"], c.status) for c in sent] == [(601, 200), (602, 403)]
    assert "Wekelijkse check-in" in plain(sent[0].params["text"])
    conn = sqlite3.connect(db)
    assert conn.execute("select active from users where id = 'tg:602'").fetchone() == (0,)
    assert conn.execute("select count(*) from checkins").fetchone() == (2,)
    conn.close()

    mark = fake_api.mark()  # cron runs again a minute later: nothing twice, no retries
    code_, output = await _send_due(env, tmp_path)
    assert code_ == 0, output
    assert [c for c in fake_api.calls[mark:] if c.method.startswith("send")] == []


async def test_send_due_without_a_token_is_one_line_and_exit_2(tmp_path):
    code_, output = await _send_due(bot_env(None, tmp_path / "coach.db", None), tmp_path)
    assert code_ == 2
    assert len(output.strip().splitlines()) == 1 and "TELEGRAM_BOT_TOKEN" in output


def team_due_on_monday(coach: Coach, first_id: int, members: int) -> Clock:
    """A library of ``members`` Telegram users (ids from ``first_id``), made on a Friday;
    the coach's clock then stands at Monday 10:00 in Amsterdam: all are due."""
    clock = Clock(datetime(2026, 11, 20, 12, 0, tzinfo=UTC))  # a Friday, before the slot
    coach.clock = clock
    anna = Chat(coach, f"tg:{first_id}", "Anna")
    anna.create_library()
    code = anna.invite_code()
    for i in range(1, members):
        Chat(coach, f"tg:{first_id + i}", f"Lid {i}").cmd("start", code)
    clock.now = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # Monday 10:00 in Amsterdam
    return clock


async def test_many_checkins_at_once_stay_under_telegrams_limit(bot: RunningBot, monkeypatch):
    """45 members due at once; the fake server refuses (429) anything beyond 30
    messages in a rolling second, as Telegram does. None is refused, each gets one."""
    api = bot.api
    runs = JobRuns(monkeypatch)
    gate = FloodGate()
    api.fault_hook = gate
    team_due_on_monday(bot.coach, 700, 45)
    mark = api.mark()
    install(bot.app, bot.coach, Config(token=TOKEN, tz="Europe/Amsterdam"),
            interval=0.2, first=0.05)
    for i in range(45):
        await api.wait_for_messages(700 + i, 1, timeout=20, since=mark)
    await runs.another()  # a further run of the job finds nothing more to send
    intros = [c.params["chat_id"] for c in api.calls[mark:]
              if c.method == "sendMessage" and "check-in" in (c.params.get("text") or "")]
    assert sorted(intros) == [700 + i for i in range(45)]  # one each
    assert gate.refused == 0  # no 429: the bot kept under Telegram's limit itself


async def test_stopping_mid_batch_cuts_off_no_claimed_checkin(fake_api, tmp_path):
    """SIGTERM while a batch goes out: the bot stops between two check-ins, every
    claimed check-in was sent, and after the restart the rest follow, none twice."""
    from tests.support.telegram import make_bot

    db = str(tmp_path / "coach.db")
    first = make_bot(fake_api, db)
    clock = team_due_on_monday(first.coach, 800, 30)
    await first.start()
    install(first.app, first.coach, Config(token=TOKEN, tz="Europe/Amsterdam"),
            interval=0.2, first=0.05)
    await fake_api.wait_for_messages(805, 1, timeout=20)  # the batch is under way
    await first.stop()  # as on SIGTERM: PTB waits for the running job, which stops early

    def received() -> dict[int, int]:
        counts: dict[int, int] = {}
        for c in fake_api.calls:
            if c.method == "sendMessage" and "check-in" in (c.params.get("text") or ""):
                counts[int(c.params["chat_id"])] = counts.get(int(c.params["chat_id"]), 0) + 1
        return counts

    claimed = {int(r[0][3:]) for r in sqlite3.connect(db).execute(
        "select user_id from checkins")}
    sent = received()
    assert set(sent) == claimed  # nothing claimed was left unsent
    assert len(claimed) < 30  # it really stopped half way

    second = make_bot(fake_api, db)
    second.coach.clock = clock
    await second.start()
    try:
        install(second.app, second.coach, Config(token=TOKEN, tz="Europe/Amsterdam"),
                interval=0.2, first=0.05)
        for i in range(30):
            await fake_api.wait_for_messages(800 + i, 1, timeout=20)
    finally:
        await second.stop()
    assert received() == {800 + i: 1 for i in range(30)}  # everyone once, nobody twice
