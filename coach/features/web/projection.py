"""Where a KPI is heading: a least-squares line through its last values.

The web view's one projection function (:func:`project`), until the check-ins' own
(issue 14) lands; the method is the one the docs give: least squares over the last
``WINDOW`` values, none below ``MIN_VALUES``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

WINDOW = 8
MIN_VALUES = 3
HORIZON_WEEKS = 104  # a target further away than two years is "not at this pace"


@dataclass(frozen=True)
class Projection:
    enough: bool  # at least MIN_VALUES values
    reached: bool = False  # the latest value is at the target already
    reach: date | None = None  # when the trend line meets the target
    on_track: bool | None = None  # reached before the deadline (None: no deadline)
    end: tuple[date, float] | None = None  # where the drawn trend line ends


def _fit(values: list[float]) -> tuple[float, float]:
    """(slope per step, value of the line at the last step)."""
    n = len(values)
    mean_x, mean_y = (n - 1) / 2, sum(values) / n
    sxx = sum((i - mean_x) ** 2 for i in range(n))
    slope = sum((i - mean_x) * (v - mean_y) for i, v in enumerate(values)) / sxx
    return slope, mean_y + slope * (n - 1 - mean_x)


def project(days: list[date], values: list[float], target: float | None,
            deadline: date | None, baseline: float | None = None) -> Projection:
    """The projection of weekly ``values`` (measured on ``days``) towards ``target``;
    a target below the start (``baseline``, else the first value) is one to go down to."""
    if target is not None and values:
        start = values[0] if baseline is None else baseline
        rising = target >= start
        if (values[-1] >= target) if rising else (values[-1] <= target):
            return Projection(enough=len(values) >= MIN_VALUES, reached=True)
    if len(values) < MIN_VALUES:
        return Projection(enough=False)
    slope, now = _fit(values[-WINDOW:])
    last = days[-1]
    horizon = deadline if deadline and deadline > last else last + timedelta(weeks=12)
    if target is None:
        weeks = (horizon - last).days / 7
        return Projection(enough=True, end=(horizon, now + slope * weeks))
    if (target - now) * slope <= 0 and abs(target - now) > 1e-9:
        # moving away from the target, or flat: it is not reached at this pace
        weeks = (horizon - last).days / 7
        return Projection(enough=True, on_track=False if deadline else None,
                          end=(horizon, now + slope * weeks))
    weeks = 0.0 if slope == 0 else (target - now) / slope
    if weeks > HORIZON_WEEKS:
        return Projection(enough=True, on_track=False if deadline else None,
                          end=(horizon, now + slope * (horizon - last).days / 7))
    reach = last + timedelta(days=round(weeks * 7))
    on_track = None if deadline is None else reach <= deadline
    return Projection(enough=True, reach=reach, on_track=on_track, end=(reach, target))
