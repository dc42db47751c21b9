"""A KPI's chart for the web view, as drawing data for an inline SVG (no JavaScript).

:func:`kpi_chart` places the weekly values, the baseline, the target, the deadline and
the projection in a ``WIDTH`` × ``HEIGHT`` box; the template (``prompts/web/kpis.html``)
draws what it gets. The x axis is time (the Monday of each ISO week), so a gap in the
values and a deadline after the last value sit where they belong.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, timedelta

WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 16, 28  # room for the axis labels


@dataclass
class Chart:
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
    bottom: int = HEIGHT - BOTTOM

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


def week_monday(iso_week: str) -> date:
    year, _, week = iso_week.partition("-W")
    return date.fromisocalendar(int(year), int(week), 1)


def kpi_chart(
    weeks: list[str],
    values: list[float],
    *,
    baseline: float | None = None,
    target: float | None = None,
    deadline: date | None = None,
    projected: tuple[date, float] | None = None,
    fmt=lambda v: f"{v:g}",
) -> Chart:
    """The drawing data of one KPI's chart; ``projected`` is where the trend line ends."""
    days = [week_monday(w) for w in weeks]
    x_dates = [*days, *([deadline] if deadline else []),
               *([projected[0]] if projected else [])]
    first = min(x_dates) if x_dates else date.today()
    last = max(x_dates) if x_dates else first
    if last <= first:
        last = first + timedelta(weeks=1)
    ys = [*values, *(v for v in (baseline, target) if v is not None),
          *([projected[1]] if projected else []), 0.0]
    low, high = min(ys), max(ys)
    if high <= low:
        high = low + 1
    step = nice_step(high - low)
    low, high = math.floor(low / step) * step, math.ceil(high / step) * step
    span_x = (last - first).days
    inner_w, inner_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(day: date) -> float:
        return LEFT + inner_w * (day - first).days / span_x

    def y(value: float) -> float:
        return TOP + inner_h * (1 - (value - low) / (high - low))

    chart = Chart(points=[(x(d), y(v)) for d, v in zip(days, values, strict=True)])
    chart.baseline = y(baseline) if baseline is not None else None
    chart.target = y(target) if target is not None else None
    chart.deadline = x(deadline) if deadline else None
    if projected and days:
        chart.projection = (x(days[-1]), y(values[-1]), x(projected[0]), y(projected[1]))
    ticks = [low + i * step for i in range(round((high - low) / step) + 1)]
    chart.y_ticks = [(y(v), fmt(v)) for v in ticks]
    if days:
        chart.x_ticks = [(x(days[0]), weeks[0]), (x(days[-1]), weeks[-1])]
    return chart
