"""Where a KPI stands and where it is heading (docs/checkins.md, "Progress").

Standing
    The latest value against the target and the baseline: "61 van 200 per maand, 23%
    op weg vanaf 20" - the share is how far the value has come from the baseline to
    the target, (61 - 20) / (200 - 20); without a baseline it is value / target.

Projection
    A straight line fitted by least squares through the last values (at most
    :data:`WINDOW` = 8 periods, x = the period's number, so a missing period leaves a
    gap instead of squeezing the line), extended until it meets the target. Fewer than
    :data:`MIN_VALUES` = 3 values: no projection ("too_few"). The date is the end of
    the period in which the line reaches the target. With a deadline, a date after it
    (or a line that never gets there) is "off_track", else "on_track"; a value that
    already reached the target is "reached".
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from coach.features.checkins.rhythm import index, kind_of_period, period_end

WINDOW, MIN_VALUES = 8, 3
STATUSES = ("no_target", "too_few", "reached", "on_track", "off_track", "no_deadline")


@dataclass(frozen=True)
class Projection:
    status: str  # one of STATUSES
    when: date | None = None  # when the line reaches the target
    used: int = 0  # the number of values the line was fitted on
    slope: float | None = None  # change per period


def least_squares(points: Sequence[tuple[float, float]]) -> tuple[float, float] | None:
    """(intercept, slope) of the least-squares line through ``points``; None when
    fewer than two distinct x."""
    n = len(points)
    if n < 2:
        return None
    mean_x = sum(x for x, _ in points) / n
    mean_y = sum(y for _, y in points) / n
    var = sum((x - mean_x) ** 2 for x, _ in points)
    if var == 0:
        return None
    slope = sum((x - mean_x) * (y - mean_y) for x, y in points) / var
    return mean_y - slope * mean_x, slope


def share(value: float | None, target: float | None, baseline: float | None) -> float | None:
    """How far ``value`` has come to ``target``: from ``baseline`` when known (0..1, may
    go beyond either end), else value / target."""
    if value is None or target is None:
        return None
    start = baseline if baseline is not None else 0.0
    if target == start:
        return 1.0 if value == target else None
    return (value - start) / (target - start)


def project(
    values: Sequence[tuple[str, float]], target: float | None, deadline: date | None,
    baseline: float | None = None,
) -> Projection:
    """The projection for (period, value) pairs, oldest first; see the module docstring."""
    if target is None:
        return Projection("no_target")
    recent = [(p, v) for p, v in values if v is not None and math.isfinite(v)][-WINDOW:]
    if len(recent) < MIN_VALUES:
        return Projection("too_few", used=len(recent))
    start = baseline if baseline is not None else recent[0][1]
    up = target >= start
    latest = recent[-1][1]
    if (latest >= target) if up else (latest <= target):
        return Projection("reached", used=len(recent))
    fit = least_squares([(index(p), v) for p, v in recent])
    kind = kind_of_period(recent[-1][0])
    if fit is None:
        return Projection("off_track" if deadline else "no_deadline", used=len(recent))
    intercept, slope = fit
    if slope == 0 or (slope > 0) != up:
        return Projection("off_track" if deadline else "no_deadline", used=len(recent),
                          slope=slope)
    at = math.ceil((target - intercept) / slope - 1e-9)
    at = max(at, index(recent[-1][0]) + 1)
    try:
        when = period_end(kind, at)
    except (ValueError, OverflowError):
        when = None  # centuries away
    if deadline is None:
        return Projection("no_deadline", when=when, used=len(recent), slope=slope)
    status = "on_track" if when is not None and when <= deadline else "off_track"
    return Projection(status, when=when, used=len(recent), slope=slope)


def off_track(projection: Projection) -> bool:
    return projection.status == "off_track" or (
        projection.status == "no_deadline" and projection.when is None
        and projection.slope is not None)
