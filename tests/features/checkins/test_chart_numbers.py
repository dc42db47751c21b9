"""The KPI chart (the /voortgang photo, the document's results): the numbers are written
the way the user's language does, read back from what was drawn (every text the pen
put on the picture), and the picture holds what the drawing data says (its pixels)."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image

from coach.features.checkins.chart import Series
from coach.features.checkins.chart_png import COLOURS, SCALE, chart_drawing, progress_chart


def drawn_text(series: list[Series], lang: str) -> list[str]:
    return chart_drawing(series, target_label="doel" if lang == "nl" else "target",
                         title="Voortgang", lang=lang).texts


PERCENT = Series("Bereik", ["W1", "W2", "W3"], [3.5, 4.0, 4.25], target=4.5, percent=True)
SMALL = Series("Conversie", ["W1", "W2"], [0.25, 0.5])
MILLIONS = Series("Weergaven", ["W1", "W2"], [250_000.0, 1_200_000.0], target=1_000_000.0)


def test_a_dutch_chart_writes_dutch_numbers():
    texts = drawn_text([PERCENT, MILLIONS, SMALL], "nl")
    joined = " | ".join(texts)
    assert "doel 4,5%" in texts
    assert "doel 1.000.000" in texts
    assert "4.5%" not in joined
    assert not any(re.search(r"\de[+-]?\d", t) for t in texts), joined  # no 1e+06, 1e6
    ticks = [t for t in texts if re.fullmatch(r"[\d.,%-]+", t)]
    assert "1.000.000" in ticks or "1.200.000" in ticks, ticks
    decimals = [t for t in ticks if re.fullmatch(r"0[.,]\d+", t)]  # the small panel's
    assert decimals and all("," in t for t in decimals), ticks


def test_an_english_chart_writes_english_numbers():
    texts = drawn_text([PERCENT, MILLIONS], "en")
    assert "target 4.5%" in texts
    assert "target 1,000,000" in texts
    assert not any(re.search(r"\de[+-]?\d", t) for t in texts)


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_png_is_drawn_in_both_languages(lang):
    png = progress_chart([PERCENT], target_label="doel", title="t", lang=lang)
    assert png.startswith(b"\x89PNG")
    assert Image.open(io.BytesIO(png)).size[0] >= 1000  # sharp on a phone and in print


def test_the_pixels_hold_the_values_line_in_the_panels_colour():
    drawing = chart_drawing([PERCENT, SMALL], target_label="doel", title="t")
    picture = Image.open(io.BytesIO(drawing.png())).convert("RGB")
    for i, chart in enumerate(drawing.panels):
        colour = tuple(int(COLOURS[i][k:k + 2], 16) for k in (1, 3, 5))
        x, y = chart.points[-1]  # the last point's dot, in its panel
        left = 12 + i * (640 + 16)
        pixel = picture.getpixel((round((left + x) * SCALE), round((12 + 36 + 26 + y) * SCALE)))
        assert all(abs(a - b) <= 24 for a, b in zip(pixel, colour, strict=True)), (pixel, colour)


@pytest.mark.parametrize("name", [
    "<script>alert(1)</script>", "x" * 500, "📈 Bereik 🎉", "\u202eبيت\u202c", "a\x00b\x1bc\nd",
])
def test_any_name_draws_as_one_short_line(name):
    drawing = chart_drawing([Series(name, ["W1"], [1.0])], target_label="doel", title="t")
    title = drawing.texts[1]
    assert "\n" not in title and "\x00" not in title and "\x1b" not in title
    assert "📈" not in title and "\u202e" not in title  # no emoji, no direction controls
    assert len(title) < 120
    assert drawing.png().startswith(b"\x89PNG")


def test_many_periods_get_a_readable_number_of_labels():
    labels = [f"W{i}" for i in range(1, 53)]
    drawing = chart_drawing([Series("Bereik", labels, [float(i) for i in range(52)])],
                            target_label="doel", title="t")
    shown = [label for _, label in drawing.panels[0].x_ticks]
    assert 4 <= len(shown) <= 8 and shown[-1] == "W52"  # the latest period always shows
