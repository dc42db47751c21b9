"""The /voortgang chart: each KPI's recent weekly values against its target, as a PNG.

matplotlib with the Agg backend (no display, no pyplot state): one small panel per KPI,
the values as a line with points (x: the period's distance from the first shown one),
the target as a dashed line, the baseline as a dotted line and the deadline as a
vertical line. Each drawn element has a ``gid`` ("values", "target", "baseline",
"deadline") so tests can read the drawn data (:func:`chart_figure`). The reply that
carries the image also has the same numbers as a text table (accessibility), so the
chart needs no text that is not in that table. Imported lazily: only /voortgang pays
for matplotlib.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from coach.flow.numbers import format_number

MAX_PANELS = 6
COLOURS = ("#1f6f8b", "#c0392b", "#27ae60", "#8e44ad", "#d35400", "#2c3e50")


@dataclass(frozen=True)
class Series:
    name: str
    labels: list[str] = field(default_factory=list)  # x labels, e.g. "W47"
    values: list[float] = field(default_factory=list)
    target: float | None = None
    percent: bool = False  # the target is a percentage
    xs: list[float] = field(default_factory=list)  # x per value (default 0, 1, 2, ...)
    baseline: float | None = None
    deadline_x: float | None = None  # the deadline's x, in the same periods as xs
    deadline_label: str = ""  # the deadline as people write it


def progress_chart(series: list[Series], *, target_label: str, title: str,
                   baseline_label: str = "start", deadline_label: str = "deadline",
                   lang: str = "nl") -> bytes:
    """A PNG (bytes) with one panel per KPI (at most :data:`MAX_PANELS`)."""
    figure = chart_figure(series, target_label=target_label, title=title,
                          baseline_label=baseline_label, deadline_label=deadline_label,
                          lang=lang)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def _number_formatter(lang: str, percent: bool) -> object:
    """Tick labels in the user's language, without an offset or scientific notation."""
    from matplotlib.ticker import FuncFormatter

    return FuncFormatter(lambda value, _pos: format_number(value, lang, percent=percent))


def chart_figure(series: list[Series], *, target_label: str, title: str,
                 baseline_label: str = "start", deadline_label: str = "deadline",
                 lang: str = "nl"):
    """The matplotlib Figure of :func:`progress_chart`, not yet drawn to pixels. Every
    number drawn is written the way the user's language writes it (``format_number``:
    "4,5%" and "1.000.000" in Dutch), never as "4.5", "1e+06" or a "1e6" offset."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    shown = series[:MAX_PANELS] or [Series("-")]
    columns = 1 if len(shown) == 1 else 2
    rows = (len(shown) + columns - 1) // columns
    figure = Figure(figsize=(4.2 * columns, 2.6 * rows + 0.5), dpi=100)
    FigureCanvasAgg(figure)
    figure.suptitle(title, fontsize=12, fontweight="bold")
    for i, s in enumerate(shown):
        ax = figure.add_subplot(rows, columns, i + 1)
        colour = COLOURS[i % len(COLOURS)]
        name = s.name if len(s.name) <= 40 else s.name[:39] + "…"
        ax.set_title(name, fontsize=10)
        xs = list(s.xs) if len(s.xs) == len(s.values) else list(range(len(s.values)))
        if xs:
            ax.plot(xs, s.values, marker="o", color=colour, linewidth=2)
            ax.lines[-1].set_gid("values")
            ax.set_xticks(xs, s.labels, fontsize=8)
        else:
            ax.set_xticks([])
        if s.target is not None:
            ax.axhline(s.target, color="#7f8c8d", linestyle="--", linewidth=1.2,
                       label=f"{target_label} {format_number(s.target, lang, percent=s.percent)}")
            ax.lines[-1].set_gid("target")
        if s.baseline is not None:
            ax.axhline(s.baseline, color="#b0b7bb", linestyle=":", linewidth=1.2,
                       gid="baseline", label=f"{baseline_label} "
                       f"{format_number(s.baseline, lang, percent=s.percent)}")
        if s.deadline_x is not None:
            ax.axvline(s.deadline_x, color="#c0392b", linestyle="-.", linewidth=1.0,
                       gid="deadline", label=f"{deadline_label} {s.deadline_label}".strip())
        if s.target is not None or s.baseline is not None or s.deadline_x is not None:
            ax.legend(loc="best", fontsize=8, frameon=False)
        ax.yaxis.set_major_formatter(_number_formatter(lang, s.percent))
        ax.tick_params(axis="y", labelsize=8)
        ax.grid(axis="y", alpha=0.3)
        ax.spines[["top", "right"]].set_visible(False)
        ax.margins(y=0.12)
        ax.set_ylim(bottom=min(0.0, *(s.values or [0.0])))
    figure.tight_layout()
    return figure
