"""The KPI chart as a PNG: one panel per KPI (at most :data:`MAX_PANELS`), for the
/voortgang photo and the strategy document's results.

Each panel is a :class:`~coach.features.checkins.chart.Chart` (the drawing data the web
view's SVG uses too), drawn with Pillow at twice its size so it stays sharp on phones
and in print: the values as a line with points, the target dashed, the baseline dotted,
the deadline as a vertical line, a legend with their numbers. Drawing takes a few
milliseconds. :func:`chart_drawing` also returns every text it drew and each panel's
drawing data, so tests read what was drawn. The reply that carries the image has the
same numbers as a text table (accessibility), so the picture holds nothing else.
"""

from __future__ import annotations

import io
import unicodedata
from dataclasses import dataclass, field
from functools import cache

from PIL import Image, ImageDraw, ImageFont

from coach.features.checkins.chart import HEIGHT, WIDTH, Chart, Series, series_chart
from coach.flow.numbers import format_number

MAX_PANELS = 6
COLOURS = ("#1f6f8b", "#c0392b", "#27ae60", "#8e44ad", "#d35400", "#2c3e50")
SCALE = 2  # pixels per drawing unit
MARGIN, GAP, TITLE, PANEL_TITLE, LEGEND = 12, 16, 36, 26, 24
RIGHT_ROOM = 8  # how far an x label may reach past the plot's right edge
INK, MUTED, GRID = "#1d2327", "#5f6b73", "#e6eaed"
TARGET, BASELINE, DEADLINE = "#5f6b73", "#9aa4ab", "#c0392b"


@dataclass
class Drawing:
    image: Image.Image
    texts: list[str] = field(default_factory=list)  # every text drawn, in order
    panels: list[Chart] = field(default_factory=list)
    legends: list[list[str]] = field(default_factory=list)  # per panel

    def png(self) -> bytes:
        """A 64-colour PNG: a tenth of the bytes of a full-colour one, and quicker to
        write (the lines and the smoothed text need no more colours)."""
        buffer = io.BytesIO()
        self.image.quantize(colors=64, method=Image.Quantize.FASTOCTREE).save(
            buffer, format="PNG")
        return buffer.getvalue()


def progress_chart(series: list[Series], *, target_label: str, title: str,
                   baseline_label: str = "start", deadline_label: str = "deadline",
                   lang: str = "nl") -> bytes:
    """A PNG (bytes) with one panel per KPI."""
    return chart_drawing(series, target_label=target_label, title=title,
                         baseline_label=baseline_label, deadline_label=deadline_label,
                         lang=lang).png()


@cache
def _font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.load_default(size * SCALE)


def _clean(text: str) -> str:
    """User text as one line the font can draw: no control or format characters and
    no emoji or other symbols (a KPI's name may hold any; the table beside the chart
    has the name in full)."""
    kept = ("".join(" " if unicodedata.category(c) in ("Cc", "Zl", "Zp") else c
                    for c in str(text) if unicodedata.category(c) not in ("Cf", "Cs", "So")))
    return " ".join(kept.split())


class _Pen:
    """Draws in drawing units at an offset; records the texts."""

    def __init__(self, drawing: Drawing):
        self.drawing = drawing
        self.draw = ImageDraw.Draw(drawing.image)
        self.ox = self.oy = 0.0

    def _p(self, x: float, y: float) -> tuple[float, float]:
        return (self.ox + x) * SCALE, (self.oy + y) * SCALE

    def text(self, x: float, y: float, text: str, *, size: int = 11, fill: str = MUTED,
             anchor: str = "la", width: float | None = None) -> float:
        """Draws ``text`` (shortened with "…" to ``width``); returns its width."""
        font, text = _font(size), _clean(text)
        if width is not None and font.getlength(text) > width * SCALE:
            while text and font.getlength(text + "…") > width * SCALE:
                text = text[:-1]
            text = text.rstrip() + "…"
        self.drawing.texts.append(text)
        self.draw.text(self._p(x, y), text, font=font, fill=fill, anchor=anchor)
        return font.getlength(text) / SCALE

    def line(self, x1: float, y1: float, x2: float, y2: float, *, fill: str,
             width: float = 1.0, dash: tuple[float, ...] = ()) -> None:
        if not dash:
            self.draw.line([self._p(x1, y1), self._p(x2, y2)], fill=fill,
                           width=round(width * SCALE))
            return
        length = ((x2 - x1) ** 2 + (y2 - y1) ** 2) ** 0.5 or 1.0

        def at(d: float) -> tuple[float, float]:
            return self._p(x1 + (x2 - x1) * d / length, y1 + (y2 - y1) * d / length)

        done, i = 0.0, 0
        while done < length:
            end = min(done + dash[i % len(dash)], length)
            if i % 2 == 0:
                self.draw.line([at(done), at(end)], fill=fill, width=round(width * SCALE))
            done, i = end, i + 1

    def polyline(self, points: list[tuple[float, float]], *, fill: str, width: float) -> None:
        if len(points) > 1:
            self.draw.line([self._p(x, y) for x, y in points], fill=fill,
                           width=round(width * SCALE), joint="curve")
        for x, y in points:
            cx, cy = self._p(x, y)
            r = 3 * SCALE
            self.draw.ellipse([cx - r, cy - r, cx + r, cy + r], fill=fill)


TARGET_DASH, BASELINE_DASH, DEADLINE_DASH = (6, 4), (2, 3), (6, 3, 2, 3)


def _legend(pen: _Pen, chart: Chart, items: list[tuple[str, str, tuple]], y: float) -> None:
    x = chart.left
    for text, colour, dash in items:
        pen.line(x, y, x + 18, y, fill=colour, width=1.5, dash=dash)
        x += 24 + pen.text(x + 24, y, text, size=10, anchor="lm",
                           width=chart.right - x - 24) + 14
        if x > chart.right - 40:
            break


def _panel(pen: _Pen, s: Series, colour: str, *, labels: tuple[str, str, str],
           lang: str) -> Chart:
    def fmt(value: float) -> str:
        return format_number(value, lang, percent=s.percent)

    chart = series_chart(s, fmt)
    pen.text(chart.left, PANEL_TITLE / 2, s.name, size=12, fill=INK, anchor="lm",
             width=chart.right - chart.left)
    pen.oy += PANEL_TITLE
    for y, label in chart.y_ticks:
        pen.line(chart.left, y, chart.right, y, fill=GRID)
        pen.text(chart.left - 6, y, label, size=10, anchor="rm")
    for x, label in chart.x_ticks:  # centred under its point, inside the panel
        half = _font(10).getlength(_clean(label)) / SCALE / 2
        x = min(max(x, chart.left - 20 + half), chart.right + RIGHT_ROOM - half)
        pen.text(x, chart.bottom + 6, label, size=10, anchor="ma")
    pen.line(chart.left, chart.bottom, chart.right, chart.bottom, fill=MUTED)
    target_label, baseline_label, deadline_label = labels
    legend = []
    if chart.baseline is not None:
        pen.line(chart.left, chart.baseline, chart.right, chart.baseline, fill=BASELINE,
                 width=1.5, dash=BASELINE_DASH)
    if chart.target is not None:
        pen.line(chart.left, chart.target, chart.right, chart.target, fill=TARGET,
                 width=1.5, dash=TARGET_DASH)
        legend.append((f"{target_label} {fmt(s.target)}", TARGET, TARGET_DASH))
    if chart.baseline is not None:
        legend.append((f"{baseline_label} {fmt(s.baseline)}", BASELINE, BASELINE_DASH))
    if chart.deadline is not None:
        pen.line(chart.deadline, chart.top, chart.deadline, chart.bottom, fill=DEADLINE,
                 width=1.2, dash=DEADLINE_DASH)
        legend.append((f"{deadline_label} {s.deadline_label}".strip(), DEADLINE,
                       DEADLINE_DASH))
    pen.polyline(chart.points, fill=colour, width=2.5)
    _legend(pen, chart, legend, HEIGHT + LEGEND / 2)
    pen.drawing.legends.append([text for text, _, _ in legend])
    return chart


def chart_drawing(series: list[Series], *, target_label: str, title: str,
                  baseline_label: str = "start", deadline_label: str = "deadline",
                  lang: str = "nl") -> Drawing:
    shown = series[:MAX_PANELS] or [Series("-")]
    columns = 1 if len(shown) == 1 else 2
    rows = (len(shown) + columns - 1) // columns
    panel_h = PANEL_TITLE + HEIGHT + LEGEND
    width = 2 * MARGIN + columns * WIDTH + (columns - 1) * GAP
    height = MARGIN + TITLE + rows * panel_h + (rows - 1) * GAP + MARGIN
    drawing = Drawing(Image.new("RGB", (width * SCALE, height * SCALE), "white"))
    pen = _Pen(drawing)
    pen.text(width / 2, MARGIN + TITLE / 2, title, size=15, fill=INK, anchor="mm",
             width=width - 2 * MARGIN)
    for i, s in enumerate(shown):
        pen.ox = MARGIN + (i % columns) * (WIDTH + GAP)
        pen.oy = MARGIN + TITLE + (i // columns) * (panel_h + GAP)
        drawing.panels.append(_panel(pen, s, COLOURS[i % len(COLOURS)], lang=lang,
                                     labels=(target_label, baseline_label, deadline_label)))
    return drawing
