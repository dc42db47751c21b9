"""Crash safety: ``python bot.py`` is SIGKILLed at random moments while four users
answer over the fake Bot API, and restarted; no acknowledged answer is lost.

Two teams (a coordinator who creates the library and sends the invite, a colleague who
joins with its code) walk the seven steps concurrently (tests/support/sim_users.py); a
user who finishes is replaced by a new one, so the run can go on for as many kills as
wanted.
After every restart:

- users whose update was in flight at the kill get the redelivered update's replies;
  everyone else sends /verder. The question the bot then shows must be the one after
  their last acknowledged answer (the same open question repeated), or, when the update
  in flight was an answer the bot had committed, the one after that answer;
- the SQLite file (read with sqlite3) holds every acknowledged answer exactly once, as
  the current version, with the value typed; nothing unacknowledged of these users;
  no position has two current versions (sim_users.check_database).

How an acknowledgement is linked to its answer is defined in tests/support/sim_users.py.

Quick by default (5 kills); ``CRASH_KILLS=200 python -m pytest tests/test_crash_safety.py``
runs long. ``CRASH_SEED=<n>`` repeats a run; the seed is in the failure message.

Each start forks bot.py from one started Python that has done its imports
(tests/support/forked_bot.py): the process that is killed and started again runs all of
bot.py's ``main``, and the kills land in its work rather than in Python's start-up.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random

from tests.support.fake_bot_api import TOKEN, FakeBotApi
from tests.support.forked_bot import ForkServer
from tests.support.sim_users import (
    HttpConversation,
    SimUser,
    Team,
    check_database,
    expected_positions,
)
from tests.support.telegram import BotProcess, fake_api_fixture  # noqa: F401

KILLS = int(os.environ.get("CRASH_KILLS", "5"))
SEED = int(os.environ.get("CRASH_SEED") or random.SystemRandom().randrange(10**6))
MAX_DELAY = 1.2  # seconds of conversation before a kill, at most


class Crew:
    """Four users in two teams; a user who is done makes room for a new one."""

    def __init__(self) -> None:
        self.teams = [Team("Noord"), Team("Zuid")]
        self.slots: list[SimUser] = []
        self.everyone: list[SimUser] = []
        self.next_id = 1000
        for team in self.teams:
            for coordinator in (True, False):
                self.slots.append(self._new(team, coordinator))

    def _new(self, team: Team, coordinator: bool) -> SimUser:
        self.next_id += 1
        user = SimUser(self.next_id, f"{'Coord' if coordinator else 'Colle'}{self.next_id}",
                       team, coordinator)
        if coordinator:
            team.code = None
            team.has_code.clear()
        self.everyone.append(user)
        return user

    async def run_slot(self, conv: HttpConversation, index: int) -> None:
        while True:
            user = self.slots[index]
            await conv.walk(user)
            self.slots[index] = self._new(user.team, user.coordinator)

    @property
    def finished(self) -> int:
        return sum(u.state == "done" for u in self.everyone)


async def resync(conv: HttpConversation, crew: Crew) -> int:
    """After a restart: finish the updates in flight, others ask where they are.
    Returns how many updates were in flight."""

    async def one(user: SimUser) -> None:
        if user.inflight is not None:
            await conv.finish(user)
        elif user.state not in ("new", "done"):
            user.resync = True
            action = user.next_action()
            assert action is not None
            await conv.step(user, action)
        user.resumes += 1

    inflight = sum(u.inflight is not None for u in crew.slots)
    await asyncio.gather(*(one(u) for u in crew.slots))
    return inflight


async def crash_run(api: FakeBotApi, tmp_path, rng: random.Random,
                    fork: ForkServer) -> dict[str, int]:
    expected_positions()  # computed before the clock starts
    proc = BotProcess(api, tmp_path, fork=fork)
    proc.env["COACH_LOG_LEVEL"] = "INFO"
    conv = HttpConversation(api)
    crew = Crew()
    stats = {"kills": 0, "in_flight": 0, "startup_kills": 0}
    await proc.start()
    try:
        for _ in range(KILLS):
            tasks = [asyncio.create_task(crew.run_slot(conv, i)) for i in range(len(crew.slots))]
            await asyncio.sleep(rng.uniform(0.0, MAX_DELAY))
            for task in tasks:
                if task.done():
                    task.result()  # a failed check: raise it
            await proc.kill()
            stats["kills"] += 1
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            if rng.random() < 0.2:
                # sometimes die again while starting up (before polling, or just after)
                await proc.start(wait_ready=False)
                await asyncio.sleep(rng.uniform(0.0, 1.0))
                await proc.kill()
                stats["kills"] += 1
                stats["startup_kills"] += 1
            await proc.start()
            try:
                stats["in_flight"] += await resync(conv, crew)
            except TimeoutError as exc:  # say what the bot and the users were doing
                users = "\n".join(u.describe() for u in crew.slots)
                raise AssertionError(f"{exc}\n{users}\nbot output:\n{proc.output()[-4000:]}"
                                     ) from exc
            report = check_database(str(tmp_path / "coach.db"), crew.everyone)
            assert not report.problems, report.problems
        assert await proc.terminate() == 0
    finally:
        await proc.kill_if_running()
    report = check_database(str(tmp_path / "coach.db"), crew.everyone)
    assert not report.problems, report.problems
    output = proc.output()
    assert "Traceback" not in output, output[-3000:]
    assert TOKEN not in output and TOKEN.split(":")[1] not in output
    stats.update(answers=report.answers, explicit=report.explicit, implicit=report.implicit,
                 finished=crew.finished, users=len(crew.everyone),
                 resumes=sum(u.resumes for u in crew.everyone))
    return stats


async def test_sigkill_at_random_moments_loses_no_acknowledged_answer(fake_api, tmp_path,
                                                                     fork_server):
    rng = random.Random(SEED)
    print(f"crash test: seed {SEED} (CRASH_SEED={SEED} repeats it), {KILLS} kills")
    try:
        stats = await crash_run(fake_api, tmp_path, rng, fork_server)
    except BaseException as exc:
        raise AssertionError(f"crash test failed with CRASH_SEED={SEED}: {exc}") from exc
    print("crash test:", stats)
    assert stats["kills"] >= KILLS
    assert stats["answers"] > 0 and stats["resumes"] >= 4 * KILLS
