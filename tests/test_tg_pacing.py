"""The send grid of coach/tg_pacing.py, on a simulated clock (the real sends are in
tests/test_checkins_telegram.py, against a fake server that refuses a 31st message in a
rolling second)."""

import random

import pytest

from coach.tg_pacing import MESSAGES_PER_SECOND, Grid

PERIOD = 1 / MESSAGES_PER_SECOND


def most_in_a_rolling_second(times: list[float]) -> int:
    return max(sum(1 for t in times if start <= t < start + 1) for start in times)


def test_callers_at_the_same_moment_get_successive_slots():
    grid = Grid(PERIOD)
    assert [grid.reserve(10.0) for _ in range(3)] == [10.0, 10.0 + PERIOD, 10.0 + 2 * PERIOD]


def test_a_caller_after_a_quiet_spell_sends_at_once_without_a_burst():
    grid = Grid(PERIOD)
    grid.reserve(0.0)
    assert grid.reserve(5.0) == 5.0
    assert grid.reserve(5.0) == 5.0 + PERIOD  # no catching up on the quiet seconds


@pytest.mark.parametrize("jitter_ms", [0, 5, 15])
def test_a_batch_keeps_the_rate_and_stays_under_thirty_a_second(jitter_ms):
    """A batch as the check-in job sends it: each send leaves a little late (the event
    loop wakes up late) and the next one is asked for after some work. The lateness
    does not add up, and no rolling second holds more than 30 sends."""
    rnd = random.Random(jitter_ms)
    grid, now, sent = Grid(PERIOD), 0.0, []
    for _ in range(600):
        slot = grid.reserve(now)
        now = max(now, slot) + rnd.uniform(0, jitter_ms / 1000)  # woken up late
        sent.append(now)
        now += 0.002  # claim the next check-in, render it
    rate = (len(sent) - 1) / (sent[-1] - sent[0])
    assert rate > 29.0
    assert most_in_a_rolling_second(sent) <= 30


def test_a_slow_sender_is_not_held_back_further():
    grid, now, sent = Grid(PERIOD), 0.0, []
    for _ in range(20):
        sent.append(max(now, grid.reserve(now)))
        now = sent[-1] + 0.1  # each send takes longer than a slot
    assert all(b - a == pytest.approx(0.1) for a, b in zip(sent, sent[1:], strict=False))
