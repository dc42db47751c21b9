"""A KPI's chart as drawing data: where the values, baseline, target, deadline and
projection go in a ``WIDTH`` × ``HEIGHT`` box, and the labels of its axes.

One model, two drawings: the web view's KPI page draws a :class:`Chart` as an inline
SVG (``prompts/web/kpis.html``); :mod:`coach.features.checkins.chart_png` draws a panel
per KPI into a PNG (the /voortgang photo and the strategy document's results chart).
Every number is written the way the user's language writes it (the ``fmt`` function:
"4,5%" and "1.000.000" in Dutch), never as "4.5", "1e+06" or an axis offset.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 16, 28  # room for the axis labels
MAX_X_LABELS = 8  # x labels written under a panel; more are thinned out


@dataclass(frozen=True)
class Series:
    """One KPI's values as /voortgang and the strategy document chart them."""

    name: str
    labels: list[str] = field(default_factory=list)  # x labels, e.g. "W47"
    values: list[float] = field(default_factory=list)
    target: float | None = None
    percent: bool = False  # the target is a percentage
    xs: list[float] = field(default_factory=list)  # x per value (default 0, 1, 2, ...)
    baseline: float | None = None
    deadline_x: float | None = None  # the deadline's x, in the same periods as xs
    deadline_label: str = ""  # the deadline as people write it


@dataclass
class Chart:
    """Pixel positions in the box; :meth:`x` and :meth:`y` map data to pixels."""

    points: list[tuple[float, float]] = field(default_factory=list)
    baseline: float | None = None  # y of the baseline line
    target: float | None = None  # y of the target line
    deadline: float | None = None  # x of the deadline line
    projection: tuple[float, float, float, float] | None = None  # x1, y1, x2, y2
    y_ticks: list[tuple[float, str]] = field(default_factory=list)
    x_ticks: list[tuple[float, str]] = field(default_factory=list)
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT  # where the plot starts (the y labels end just before)
    right: int = WIDTH - RIGHT
    top: int = TOP
    bottom: int = HEIGHT - BOTTOM
    x_range: tuple[float, float] = (0.0, 1.0)  # data x at left and right
    y_range: tuple[float, float] = (0.0, 1.0)  # data y at bottom and top

    def x(self, value: float) -> float:
        low, high = self.x_range
        return self.left + (self.right - self.left) * (value - low) / (high - low)

    def y(self, value: float) -> float:
        low, high = self.y_range
        return self.top + (self.bottom - self.top) * (1 - (value - low) / (high - low))

    @property
    def polyline(self) -> str:
        return " ".join(f"{x:.1f},{y:.1f}" for x, y in self.points)

    @property
    def dots(self) -> list[tuple[str, str]]:
        """The points with one decimal, as the SVG gets them."""
        return [(f"{x:.1f}", f"{y:.1f}") for x, y in self.points]


def nice_step(span: float, count: int = 4) -> float:
    """A round step (1, 2, 2.5 or 5 times a power of ten) for about ``count`` ticks."""
    raw = span / count
    magnitude = 10 ** math.floor(math.log10(raw))
    return next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw * 0.999)


def place(xs: list[float], values: list[float], *, baseline: float | None = None,
          target: float | None = None, deadline: float | None = None,
          projected: tuple[float, float] | None = None,
          x_labels: list[tuple[float, str]] = (),
          fmt: Callable[[float], str] = lambda v: f"{v:g}") -> Chart:
    """The chart of ``values`` at ``xs``: the x axis runs from the first x to the last
    of the values, the deadline and the projection's end; the y axis from zero (or
    the lowest value) to the highest of everything drawn, in round steps."""
    all_x = [*xs, *([deadline] if deadline is not None else []),
             *([projected[0]] if projected else [])]
    first = min(all_x) if all_x else 0.0
    last = max(all_x) if all_x else first
    if last <= first:
        last = first + 1
    ys = [*values, *(v for v in (baseline, target) if v is not None),
          *([projected[1]] if projected else []), 0.0]
    low, high = min(ys), max(ys)
    if high <= low:
        high = low + 1
    step = nice_step(high - low)
    low, high = math.floor(low / step) * step, math.ceil(high / step) * step
    chart = Chart(x_range=(first, last), y_range=(low, high))
    chart.points = [(chart.x(x), chart.y(v)) for x, v in zip(xs, values, strict=True)]
    chart.baseline = chart.y(baseline) if baseline is not None else None
    chart.target = chart.y(target) if target is not None else None
    chart.deadline = chart.x(deadline) if deadline is not None else None
    if projected and xs:
        chart.projection = (chart.x(xs[-1]), chart.y(values[-1]),
                            chart.x(projected[0]), chart.y(projected[1]))
    ticks = [low + i * step for i in range(round((high - low) / step) + 1)]
    chart.y_ticks = [(chart.y(v), fmt(v)) for v in ticks]
    chart.x_ticks = [(chart.x(x), label) for x, label in x_labels]
    return chart


def week_monday(iso_week: str) -> date:
    year, _, week = iso_week.partition("-W")
    return date.fromisocalendar(int(year), int(week), 1)


def kpi_chart(weeks: list[str], values: list[float], *, baseline: float | None = None,
              target: float | None = None, deadline: date | None = None,
              projected: tuple[date, float] | None = None,
              fmt: Callable[[float], str] = lambda v: f"{v:g}") -> Chart:
    """The web view's chart of one KPI: x is time (the Monday of each ISO week), so a
    gap in the values and a deadline after the last value sit where they belong."""
    days = [week_monday(w) for w in weeks]
    dates = [*days, *([deadline] if deadline else []), *([projected[0]] if projected else [])]
    origin = min(dates) if dates else date.today()

    def x(day: date) -> float:
        return float((day - origin).days)

    labels = [(x(days[0]), weeks[0]), (x(days[-1]), weeks[-1])] if days else []
    if len(days) == 1:
        labels = labels[:1]
    return place([x(d) for d in days], values, baseline=baseline, target=target,
                 deadline=x(deadline) if deadline else None,
                 projected=(x(projected[0]), projected[1]) if projected else None,
                 x_labels=labels, fmt=fmt)


def series_chart(series: Series, fmt: Callable[[float], str]) -> Chart:
    """The chart of one /voortgang series (x: the period's distance from the first)."""
    xs = list(series.xs) if len(series.xs) == len(series.values) else [
        float(i) for i in range(len(series.values))]
    labelled = list(zip(xs, series.labels, strict=False))
    if len(labelled) > MAX_X_LABELS:  # every n-th, always the last
        every = math.ceil(len(labelled) / MAX_X_LABELS)
        labelled = labelled[-1::-every][::-1]
    return place(xs, list(series.values), baseline=series.baseline, target=series.target,
                 deadline=series.deadline_x, x_labels=labelled, fmt=fmt)
