"""The /voortgang chart: each KPI's recent weekly values against its target, as a PNG.

matplotlib with the Agg backend (no display, no pyplot state): one small panel per KPI,
the values as a line with points and the target as a dashed line. The reply that
carries the image also has the same numbers as a text table (accessibility), so the
chart needs no text that is not in that table. Imported lazily: only /voortgang pays
for matplotlib.

Every number drawn (axis ticks, the target in the legend) is written the way the
user's language writes numbers (``format_number``: "4,5%" and "1.000.000" in Dutch),
never in matplotlib's own notation ("4.5", "1e+06", a "1e6" offset above the axis).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from coach.flow.numbers import format_number

if TYPE_CHECKING:
    from matplotlib.figure import Figure

MAX_PANELS = 6
COLOURS = ("#1f6f8b", "#c0392b", "#27ae60", "#8e44ad", "#d35400", "#2c3e50")


@dataclass(frozen=True)
class Series:
    name: str
    labels: list[str] = field(default_factory=list)  # x labels, e.g. "W47"
    values: list[float] = field(default_factory=list)
    target: float | None = None
    percent: bool = False  # the target is a percentage


def progress_chart(series: list[Series], *, target_label: str, title: str,
                   lang: str = "nl") -> bytes:
    """A PNG (bytes) with one panel per KPI (at most :data:`MAX_PANELS`)."""
    figure = progress_figure(series, target_label=target_label, title=title, lang=lang)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def _number_formatter(lang: str, percent: bool) -> object:
    """Tick labels in the user's language, without an offset or scientific notation."""
    from matplotlib.ticker import FuncFormatter

    return FuncFormatter(lambda value, _pos: format_number(value, lang, percent=percent))


def progress_figure(series: list[Series], *, target_label: str, title: str,
                    lang: str = "nl") -> Figure:
    """The chart as a matplotlib figure (drawn with the Agg canvas)."""
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
        xs = list(range(len(s.values)))
        if xs:
            ax.plot(xs, s.values, marker="o", color=colour, linewidth=2)
            ax.set_xticks(xs, s.labels, fontsize=8)
        else:
            ax.set_xticks([])
        if s.target is not None:
            ax.axhline(s.target, color="#7f8c8d", linestyle="--", linewidth=1.2,
                       label=f"{target_label} {format_number(s.target, lang, percent=s.percent)}")
            ax.legend(loc="best", fontsize=8, frameon=False)
        ax.yaxis.set_major_formatter(_number_formatter(lang, s.percent))
        ax.tick_params(axis="y", labelsize=8)
        ax.grid(axis="y", alpha=0.3)
        ax.spines[["top", "right"]].set_visible(False)
        ax.margins(y=0.12)
        ax.set_ylim(bottom=min(0.0, *(s.values or [0.0])))
    figure.tight_layout()
    return figure
