import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coach.flow.numbers import REASONS, NumberError, ParsedNumber, format_number, parse_number


@pytest.mark.parametrize(
    ("text", "value"),
    [
        # plain
        ("0", 0),
        ("7", 7),
        ("1200", 1200),
        ("  42  ", 42),
        # Dutch thousands and decimals
        ("1.200", 1200),
        ("12.345", 12345),
        ("1.200.000", 1_200_000),
        ("1,5", 1.5),
        ("12,25", 12.25),
        ("0,125", 0.125),
        ("1,2345", 1.2345),
        (",5", 0.5),
        # English thousands and decimals
        ("1,200", 1200),
        ("1,200,000", 1_200_000),
        ("1.5", 1.5),
        ("0.125", 0.125),
        (".5", 0.5),
        # mixed: the last separator is the decimal one
        ("1.200,5", 1200.5),
        ("1,200.5", 1200.5),
        ("1.234.567,89", 1234567.89),
        ("1,234,567.89", 1234567.89),
        # space as thousands separator (also non-breaking and thin spaces)
        ("1 200", 1200),
        ("12 345 678", 12_345_678),
        ("1\u00a0200", 1200),
        ("1\u202f200", 1200),
        ("1 200,5", 1200.5),
        ("1 200.5", 1200.5),
        # multipliers
        ("1.5k", 1500),
        ("1,5k", 1500),
        ("2K", 2000),
        ("2 k", 2000),
        ("1,5 duizend", 1500),
        ("2 mln", 2_000_000),
        ("2M", 2_000_000),
        ("1.2 million", 1_200_000),
        # signs
        ("+15", 15),
        ("+ 15", 15),
        # words before / punctuation after
        ("bereik: 1.200", 1200),
        ("we hadden er 30", 30),
        ("300.", 300),
        ("300!", 300),
        # zero as a word
        ("nul", 0),
        ("geen", 0),
        ("Zero", 0),
    ],
)
def test_parse_plain_values(text, value):
    parsed = parse_number(text)
    assert parsed.value == pytest.approx(value)
    assert parsed.percent is False
    assert parsed.unit is None
    assert isinstance(parsed.value, float)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("12%", 12),
        ("12 %", 12),
        ("12,5%", 12.5),
        ("12.5 %", 12.5),
        ("3 procent", 3),
        ("3 percent", 3),
        ("4 pct", 4),
        ("150%", 150),
        ("ca. 12%", 12),
    ],
)
def test_parse_percent(text, value):
    parsed = parse_number(text)
    assert parsed.percent is True
    assert parsed.value == pytest.approx(value)


@pytest.mark.parametrize(
    ("text", "value", "unit"),
    [
        ("1200 views", 1200, "views"),
        ("1.200 Volgers", 1200, "volgers"),
        ("45 nieuwe leden", 45, "nieuwe leden"),
        ("30 likes.", 30, "likes"),
        ("1 200 weergaven", 1200, "weergaven"),
        ("2K views", 2000, "views"),
        ("€ 40", 40, "€"),
        ("€40", 40, "€"),
        ("€ 40,50", 40.5, "€"),
        ("€ 40,-", 40, "€"),
        ("40 euro", 40, "€"),
        ("EUR 40", 40, "€"),
        ("40 €", 40, "€"),
    ],
)
def test_parse_units(text, value, unit):
    parsed = parse_number(text)
    assert parsed.value == pytest.approx(value)
    assert parsed.unit == unit


@pytest.mark.parametrize(
    "text",
    ["ca. 300", "ca 300", "circa 300", "ongeveer 300", "zo'n 300", "rond de 300", "bijna 300",
     "ruim 300", "about 300", "around 300", "~300", "± 300", "+/- 300", "≈300"],
)
def test_parse_approximate(text):
    parsed = parse_number(text)
    assert parsed.value == 300
    assert parsed.approximate is True


def test_exact_number_is_not_approximate():
    assert parse_number("300").approximate is False


@pytest.mark.parametrize(
    ("text", "value"),
    [("-15", -15), ("- 15", -15), ("\u221215", -15), ("minus 15", -15), ("-1,5", -1.5),
     ("-12%", -12), ("-€5", -5)],
)
def test_negative_values_parse_and_are_flagged(text, value):
    parsed = parse_number(text)
    assert parsed.value == pytest.approx(value)
    assert parsed.value < 0


@pytest.mark.parametrize("text", ["-15", "minus 3"])
def test_negative_can_be_refused(text):
    with pytest.raises(NumberError) as info:
        parse_number(text, allow_negative=False)
    assert info.value.reason == "negative"


def test_minus_zero_is_plain_zero():
    assert math.copysign(1, parse_number("-0").value) == 1


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("\n\t", "empty"),
        ("veel", "not_a_number"),
        ("heel veel!", "not_a_number"),
        ("twaalf", "not_a_number"),
        ("🎉", "not_a_number"),
        ("🎉 300", "not_a_number"),
        ("300 👍", "not_a_number"),
        ("1.2.3", "not_a_number"),
        ("1,2,3", "not_a_number"),
        ("1.20.000", "not_a_number"),
        ("1,2.5", "not_a_number"),
        ("1.200,5.3", "not_a_number"),
        ("12abc", "not_a_number"),
        ("12kg", "not_a_number"),
        ("W48", "not_a_number"),
        ("12%%", "not_a_number"),
        ("x" * 80 + " 5", "not_a_number"),
        ("12-15", "ambiguous"),
        ("12 - 15", "ambiguous"),
        ("12–15", "ambiguous"),
        ("12 tot 15", "ambiguous"),
        ("12/15", "ambiguous"),
        ("300 en 400", "ambiguous"),
        ("2024 300", "ambiguous"),
        ("1 2345", "ambiguous"),
        ("12 of meer", "ambiguous"),
        ("1e6", "ambiguous"),
        ("1" * 20, "too_large"),
        ("2000000000000", "too_large"),
        ("5 mln mln", "not_a_number"),
        ("9" * 80, "too_large"),
    ],
)
def test_bad_input(text, reason):
    with pytest.raises(NumberError) as info:
        parse_number(text)
    assert info.value.reason == reason
    assert info.value.reason in REASONS


def test_max_value_is_configurable():
    assert parse_number("5000", max_value=10_000).value == 5000
    with pytest.raises(NumberError) as info:
        parse_number("50.000", max_value=10_000)
    assert info.value.reason == "too_large"


def test_number_error_is_a_value_error_with_text():
    with pytest.raises(ValueError) as info:
        parse_number("veel")
    assert info.value.text == "veel"


def test_none_counts_as_empty():
    with pytest.raises(NumberError) as info:
        parse_number(None)  # type: ignore[arg-type]
    assert info.value.reason == "empty"


def test_parsed_number_fields():
    assert parse_number("12 %") == ParsedNumber(value=12.0, percent=True, unit=None)


@pytest.mark.parametrize(
    ("value", "lang", "expected"),
    [
        (1200, "nl", "1.200"),
        (1.5, "nl", "1,5"),
        (1200, "en", "1,200"),
        (1.5, "en", "1.5"),
        (0, "nl", "0"),
        (12, "nl", "12"),
        (12.0, "en", "12"),
        (1234567.891, "nl", "1.234.567,89"),
        (1234567.891, "en", "1,234,567.89"),
        (-1200, "nl", "-1.200"),
        (-0.001, "nl", "0"),
        (0.125, "nl", "0,13"),
        (2.50, "en", "2.5"),
        (1200.5, "nl", "1.200,5"),
        (1200, "nl-NL", "1.200"),
        (1200, "en-GB", "1,200"),
        (1200, "de", "1.200"),
    ],
)
def test_format_number(value, lang, expected):
    assert format_number(value, lang) == expected


@pytest.mark.parametrize(
    ("value", "lang", "expected"), [(12.5, "nl", "12,5%"), (12.5, "en", "12.5%"), (3, "nl", "3%")]
)
def test_format_percent(value, lang, expected):
    assert format_number(value, lang, percent=True) == expected


def test_format_max_decimals():
    assert format_number(1.23456, "en", max_decimals=3) == "1.235"
    assert format_number(1.23456, "nl", max_decimals=0) == "1"


@pytest.mark.parametrize("bad", [float("nan"), float("inf")])
def test_format_rejects_non_finite(bad):
    with pytest.raises(ValueError):
        format_number(bad, "nl")


@pytest.mark.parametrize(
    "text", ["1.200", "1,5", "1.234.567,89", "0,25", "-3,5", "12"]
)
@pytest.mark.parametrize("lang", ["nl", "en"])
def test_round_trip(text, lang):
    value = parse_number(text).value
    assert parse_number(format_number(value, lang)).value == pytest.approx(value)


@given(st.text(max_size=40))
@settings(max_examples=400, deadline=None)
def test_any_text_gives_a_number_or_a_number_error(text):
    try:
        parsed = parse_number(text)
    except NumberError as exc:
        assert exc.reason in REASONS
    else:
        assert math.isfinite(parsed.value)
        assert abs(parsed.value) <= 10**12


@given(st.decimals(min_value=-10**9, max_value=10**9, places=2, allow_nan=False))
@settings(max_examples=300, deadline=None)
def test_format_then_parse_round_trips(value):
    for lang in ("nl", "en"):
        text = format_number(value, lang)
        assert parse_number(text).value == pytest.approx(float(value), abs=0.005)
