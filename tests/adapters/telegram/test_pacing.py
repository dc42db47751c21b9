"""The send window of coach/adapters/telegram/pacing.py, on a simulated clock (the real
sends are in tests/adapters/telegram/test_checkins.py, against a fake server that
refuses a 31st message in a rolling second)."""

import math
import random

import pytest

from coach.adapters.telegram.pacing import SPACING, SendWindow


def most_in_a_rolling_second(times: list[float]) -> int:
    times = sorted(times)
    return max(sum(1 for t in times if start - 1 < t <= start) for start in times)


def batch(n: int, rtt: float, late: float, stall_every: int = 0, seed: int = 1,
          now: float = 0.0):
    """A batch as the check-in job sends it, one after the other: each send starts a
    little late (the event loop wakes up late, sometimes after a stall), Telegram
    receives it at some moment before the answer arrives ``rtt`` later, and the next
    one is asked for after some work. Returns (starts, times Telegram received them)."""
    rnd = random.Random(seed)
    window = SendWindow()
    starts, received = [], []
    for i in range(n):
        now += max(0.0, window.delay(now)) + rnd.uniform(0, late)
        if stall_every and i % stall_every == 0:
            now += 0.03  # the loop was busy for 30 ms
        key = window.start(now)
        starts.append(now)
        took = rnd.uniform(0.2, 1) * rtt
        received.append(now + rnd.uniform(0, took))
        now += took
        window.end(key, now)
        now += 0.002  # claim the next check-in, render it
    return starts, received


@pytest.mark.parametrize(
    ("rtt", "late", "stall_every"),
    [(0.002, 0.0, 0), (0.002, 0.002, 0), (0.002, 0.002, 7), (0.05, 0.005, 0), (0.3, 0.02, 3)],
)
def test_no_rolling_second_at_telegram_holds_more_than_thirty(rtt, late, stall_every):
    _, received = batch(900, rtt, late, stall_every)
    assert most_in_a_rolling_second(received) <= 30


@pytest.mark.parametrize("late", [0.0, 0.001, 0.003])
def test_late_wake_ups_do_not_add_up(late):
    """With a fast local server the batch runs close to 30 a second."""
    starts, _ = batch(900, rtt=0.002, late=late)
    assert (len(starts) - 1) / (starts[-1] - starts[0]) > 29.7


def test_a_batch_does_not_start_as_one_burst():
    starts, _ = batch(60, rtt=0.001, late=0.005)
    gaps = [b - a for a, b in zip(starts, starts[1:], strict=False)]
    assert min(gaps) >= 0.75 * SPACING - 1e-9


def test_sends_still_in_flight_hold_the_window():
    window = SendWindow(limit=3, period=1.0, spacing=0)
    keys = [window.start(0.0) for _ in range(3)]
    assert window.delay(5.0) == math.inf  # none has ended: wait for one to end
    window.end(keys[1], 5.0)
    assert window.delay(5.5) == pytest.approx(0.5)  # a second after it ended
    assert window.delay(6.0) <= 0


def test_a_quiet_spell_frees_the_window():
    window = SendWindow(limit=2, period=1.0, spacing=0.1)
    for t in (0.0, 0.1):
        window.end(window.start(t), t + 0.01)
    assert window.delay(0.2) == pytest.approx(1.01 - 0.2)  # a second after the first ended
    assert window.delay(9.0) <= 0
    assert window.ends == {}  # nothing old is kept


def test_a_restart_right_after_a_batch_stays_under_the_limit():
    """The new process knows nothing of the old one's sends; the grid's margin keeps
    the two together at 30 a second when it starts 50 ms after the last send."""
    before, received_before = batch(200, rtt=0.002, late=0.001)
    _, received_after = batch(200, rtt=0.002, late=0.001, seed=2, now=before[-1] + 0.05)
    assert most_in_a_rolling_second(received_before + received_after) <= 30
