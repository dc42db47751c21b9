"""The /voortgang chart writes numbers the way the user's language does: the drawn
text is read back from the matplotlib figure (ticks, legend, offset), not guessed."""

from __future__ import annotations

import re

import pytest
from matplotlib.text import Text

from coach.features.checkins.chart import Series, chart_figure, progress_chart


def drawn_text(series: list[Series], lang: str) -> list[str]:
    figure = chart_figure(series, target_label="doel" if lang == "nl" else "target",
                             title="Voortgang", lang=lang)
    figure.canvas.draw()  # tick labels and offsets are made while drawing
    texts = [t.get_text() for t in figure.findobj(Text) if t.get_visible()]
    for ax in figure.axes:
        texts.append(ax.yaxis.get_offset_text().get_text())
    return [t for t in texts if t]


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
    assert "0,1" in ticks and "0.1" not in ticks, ticks  # the small panel's decimals


def test_an_english_chart_writes_english_numbers():
    texts = drawn_text([PERCENT, MILLIONS], "en")
    assert "target 4.5%" in texts
    assert "target 1,000,000" in texts
    assert not any(re.search(r"\de[+-]?\d", t) for t in texts)


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_png_is_drawn_in_both_languages(lang):
    png = progress_chart([PERCENT], target_label="doel", title="t", lang=lang)
    assert png.startswith(b"\x89PNG")
