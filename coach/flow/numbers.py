"""Reading and writing the numbers people type in a weekly check-in.

Library staff answer "Hoeveel bereik had je deze week?" in every way imaginable:
``1.200``, ``1,5``, ``12%``, ``ca. 300``, ``1200 views``, ``2K``, ``€ 40,-``. This
module turns such an answer into a :class:`ParsedNumber` or raises
:class:`NumberError` with a machine-readable ``reason`` the caller can turn into a
friendly question back. Nothing here knows about Telegram.

The separator rule (Dutch and English notation in one parser)
-------------------------------------------------------------
* Both ``.`` and ``,`` present: the **last** one is the decimal separator, the other
  one groups thousands (``1.200,5`` and ``1,200.5`` are both 1200.5). The grouping
  must be correct (groups of exactly three digits), otherwise ``not_a_number``.
* One kind of separator, several times: thousands (``1.200.000``, ``1,200,000``).
  Bad grouping such as ``1.2.3`` is ``not_a_number``.
* One separator, once: it is a **thousands separator when exactly three digits
  follow and the part before it is 1-3 digits and not ``0``** (``1.200`` = ``1,200``
  = 1200). Otherwise it is the decimal separator (``1,5`` = ``1.5`` = 1.5,
  ``12,25`` = 12.25, ``0,125`` = 0.125, ``1,2345`` = 1.2345). So ``1,200`` means one
  thousand two hundred, also for Dutch writers; nobody reports "1,2 likes" with a
  trailing zero, while "1.200" (Dutch) and "1,200" (English) are both common.
* Spaces may group thousands: ``1 200``, ``12 345 678`` (first group 1-3 digits,
  then groups of exactly three). Non-breaking and thin spaces count as spaces.

What else is understood
-----------------------
(the words below are examples; all of them live in ``flows/<lang>/vocabulary.yaml``,
key ``numbers``)

* percent: ``12%``, ``12 %``, ``12 procent``, ``12 percent``, ``12 pct`` - ``value``
  stays 12 (not 0.12) and ``percent`` is True;
* a unit after the number: ``1200 views``, ``45 nieuwe leden`` - ``unit`` is the
  lower-cased words (``"views"``, ``"nieuwe leden"``);
* money: ``€ 40``, ``€40,50``, ``40 euro``, ``EUR 40``, ``€ 40,-`` - ``unit`` is ``"€"``;
* multipliers: ``1.5k``, ``2K``, ``1,5 duizend``, ``2 mln``, ``2M`` (upper-case M only,
  so a lone "m" is never read as million);
* approximations: ``ca. 300``, ``circa``, ``ongeveer``, ``zo'n``, ``rond``, ``bijna``,
  ``ruim``, ``about``, ``around``, ``~``, ``±``, ``≈`` - ``approximate`` is True;
* signs: ``+15`` is 15; ``-15``, ``−15`` (Unicode minus), ``minus 15`` are -15.
  Negative values are returned (``value < 0``) so the caller can warn; pass
  ``allow_negative=False`` to get ``NumberError('negative')`` instead;
* other words before the number are ignored (``bereik: 1.200``, ``we hadden er 30``),
  as is closing punctuation (``300.``, ``300!``);
* ``0`` spelled as a word: ``nul``, ``geen``, ``zero``, ``none``.

Rejected, with their reasons
----------------------------
* ``empty``: nothing but whitespace;
* ``not_a_number``: no digits (``veel``, emoji), bad grouping (``1.2.3``), symbols
  or digits glued to letters (``12abc``, ``🎉 300``), more than 60 characters of text;
* ``ambiguous``: more than one number - ranges (``12-15``, ``12 tot 15``, ``12/15``)
  or two figures (``300 en 400``);
* ``negative``: only with ``allow_negative=False``;
* ``too_large``: absolute value above ``max_value`` (default 10**12), or a run of
  more than 60 digits.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from coach.flow.text import alternation, lang_from_hint, longest_first
from coach.flow.vocabulary import words

__all__ = [
    "MAX_VALUE",
    "REASONS",
    "NumberError",
    "ParsedNumber",
    "format_number",
    "parse_number",
]

MAX_VALUE = 10**12
MAX_INPUT_LENGTH = 60
REASONS = ("empty", "not_a_number", "ambiguous", "negative", "too_large")


@dataclass(frozen=True)
class ParsedNumber:
    """A number read from user text.

    ``value`` is the number itself (12 for "12%"), ``percent`` tells whether it was
    a percentage, ``unit`` is the currency sign "€" or the lower-cased words after
    the number ("views"), or None. ``approximate`` is True for "ca. 300" and friends.
    """

    value: float
    percent: bool = False
    unit: str | None = None
    approximate: bool = False


class NumberError(ValueError):
    """The text is not one usable number. ``reason`` is one of :data:`REASONS`."""

    def __init__(self, reason: str, text: str = "") -> None:
        if reason not in REASONS:
            raise ValueError(f"unknown reason {reason!r}")
        super().__init__(f"{reason}: {text!r}")
        self.reason = reason
        self.text = text


# A number token: digits with '.', ',' or a single space between digit groups,
# optionally starting with a separator (".5", ",5").
_NUMBER = re.compile(
    r"(?<![0-9])(?:[.,](?=[0-9]))?[0-9](?:[0-9]|[.,](?=[0-9])|\s(?=[0-9]{3}(?![0-9])))*"
)
_SPACES = re.compile(r"[\s\u00a0\u202f\u2009\u2007]+")
_GROUPED = re.compile(r"[0-9]{1,3}(?:[.,][0-9]{3})+")

# The words around a number live in flows/<lang>/vocabulary.yaml (``numbers``); every
# language is understood at once. Signs and symbols are notation and stay here.
def _longest_first(key: str) -> tuple[str, ...]:
    return longest_first(w.lower() for w in words(f"numbers.{key}"))


_ZERO_WORDS = set(_longest_first("zero"))
_APPROX_WORDS = (*_longest_first("about"), "~", "±", "≈", "+/-", "+-")
_CURRENCY_WORDS = _longest_first("currency")
_CURRENCY_PREFIX = ("€", *_CURRENCY_WORDS)
_MINUS_WORDS = _longest_first("minus")
_SIGNS = (*((w, -1) for w in _MINUS_WORDS), ("-", -1), ("−", -1), ("–", -1), ("+", 1))
_RANGE_STARTS = tuple(w + " " for w in _longest_first("range"))
# a period after the number: "a month", "an hour", "/maand" (then read as "per month")
_PER_UNIT = re.compile(r"^(?:an?\s+|/\s*)([^\W\d_]+)$", re.IGNORECASE)
_MULTIPLIERS = {
    "k": 1_000, "K": 1_000, "M": 1_000_000,
    **dict.fromkeys(_longest_first("thousand"), 1_000),
    **dict.fromkeys(_longest_first("million"), 1_000_000),
}
_MULTIPLIER_RE = re.compile(
    rf"({alternation(_MULTIPLIERS)})(?![^\W\d_])"
)
_PERCENT_RE = re.compile(
    rf"(%|{alternation(_longest_first('percent'))})(?![^\W\d_])", re.IGNORECASE
)
_CURRENCY_SUFFIX_RE = re.compile(
    rf"(€|{alternation(_CURRENCY_WORDS)})(?![^\W\d_])", re.IGNORECASE
)
_PRICE_DASH_RE = re.compile(r"^[.,]-{1,2}")
_UNIT_RE = re.compile(r"[^\W\d_]+(?:[ '’-][^\W\d_]+)*")
_TRAILING_PUNCT = ".!?;:)]"
_PREFIX_ALLOWED_EXTRA = set(" .,:'’()[]~±≈/")


def _fail(reason: str, text: str) -> NumberError:
    return NumberError(reason, text)


def _digits_to_decimal(token: str, text: str) -> Decimal:
    """Apply the separator rule from the module docstring to one number token."""
    token = _SPACES.sub(" ", token)
    if " " in token:
        groups = token.split(" ")
        head, last = groups[:-1], groups[-1]
        if not (
            groups[0].isdigit()
            and 1 <= len(groups[0]) <= 3
            and all(g.isdigit() and len(g) == 3 for g in head[1:])
        ):
            raise _fail("ambiguous", text)  # "2024 300", "1.200 300": two numbers
        if last.isdigit():
            return Decimal("".join(groups))
        # "1 200,5": spaces group thousands, the last group carries the decimal part
        if last[:3].isdigit() and last[3:4] in {".", ","} and last[4:].isdigit():
            return Decimal("".join(head) + last[:3] + "." + last[4:])
        raise _fail("ambiguous", text)

    dots, commas = token.count("."), token.count(",")
    if dots == 0 and commas == 0:
        return Decimal(token)

    if dots and commas:
        decimal_sep = "." if token.rfind(".") > token.rfind(",") else ","
        thousands_sep = "," if decimal_sep == "." else "."
        integer, _, fraction = token.rpartition(decimal_sep)
        if token.count(decimal_sep) != 1 or not fraction.isdigit():
            raise _fail("not_a_number", text)
        if not _GROUPED.fullmatch(integer) or thousands_sep + decimal_sep in token:
            raise _fail("not_a_number", text)
        return Decimal(integer.replace(thousands_sep, "") + "." + fraction)

    sep = "." if dots else ","
    if token.count(sep) > 1:
        if not _GROUPED.fullmatch(token):
            raise _fail("not_a_number", text)
        return Decimal(token.replace(sep, ""))

    integer, _, fraction = token.partition(sep)
    if integer == "":
        return Decimal("0." + fraction)
    if len(fraction) == 3 and 1 <= len(integer) <= 3 and integer != "0":
        return Decimal(integer + fraction)
    return Decimal(integer + "." + fraction)


def _strip_prefix(prefix: str, text: str) -> tuple[int, bool, bool]:
    """Read sign, currency and approximation words before the number.

    Returns (sign, is_currency, approximate). Other words are allowed and ignored.
    """
    sign = 1
    currency = False
    approximate = False
    rest = prefix.strip().rstrip(":").rstrip()
    # Sign directly before the number ("-15", "- 15", "minus 15", "+15").
    for marker, value in _SIGNS:
        if rest.lower().endswith(marker) and not rest.endswith(("+/-", "+-")):
            before = rest[: -len(marker)]
            if marker in _MINUS_WORDS and before and before[-1].isalpha():
                continue
            sign = value
            rest = before.rstrip()
            break
    lowered = rest.lower()
    for word in _CURRENCY_PREFIX:
        if lowered.endswith(word) and (
            len(lowered) == len(word) or not lowered[-len(word) - 1].isalpha() or word == "€"
        ):
            currency = True
            rest = rest[: -len(word)].rstrip()
            lowered = rest.lower()
            break
    if sign == 1 and rest.endswith(("-", "−")) and not rest.endswith(("+/-", "+-")):
        sign = -1  # "- € 5"
        rest = rest[:-1].rstrip()
        lowered = rest.lower()
    for word in _APPROX_WORDS:
        if lowered.endswith(word):
            cut = len(lowered) - len(word)
            if word[0].isalpha() and cut > 0 and lowered[cut - 1].isalpha():
                continue
            approximate = True
            rest = rest[:cut].rstrip()
            break
    for ch in rest:
        if not (ch.isalpha() or ch in _PREFIX_ALLOWED_EXTRA):
            raise _fail("not_a_number", text)
    return sign, currency, approximate


def parse_number(
    text: str,
    *,
    allow_negative: bool = True,
    max_value: float = MAX_VALUE,
) -> ParsedNumber:
    """Parse one number typed in Dutch or English notation; see the module docstring.

    Raises :class:`NumberError` with ``reason`` in :data:`REASONS`.
    """
    if text is None or not str(text).strip():
        raise _fail("empty", "" if text is None else str(text))
    original = str(text)
    cleaned = _SPACES.sub(" ", original).strip()
    if len(cleaned) > MAX_INPUT_LENGTH:
        only_digits = all(ch.isdigit() or ch in ".,+- " for ch in cleaned)
        raise _fail("too_large" if only_digits else "not_a_number", original)
    if cleaned.lower().rstrip(_TRAILING_PUNCT) in _ZERO_WORDS:
        return ParsedNumber(0.0)

    tokens = list(_NUMBER.finditer(cleaned))
    if not tokens:
        raise _fail("not_a_number", original)
    if len(tokens) > 1:
        raise _fail("ambiguous", original)
    match = tokens[0]
    prefix, suffix = cleaned[: match.start()], cleaned[match.end() :]
    if prefix and prefix[-1].isalpha() and not prefix.endswith(("€", "EUR", "eur")):
        # digits glued to letters: "abc12", "W48"
        raise _fail("not_a_number", original)

    number = _digits_to_decimal(match.group(), original)
    sign, currency, approximate = _strip_prefix(prefix, original)

    rest = suffix
    if rest[:1].isalpha() and not _MULTIPLIER_RE.match(rest) and not _PERCENT_RE.match(rest):
        raise _fail("not_a_number", original)  # "12abc"
    rest = rest.strip()

    multiplier = _MULTIPLIER_RE.match(rest)
    if multiplier:
        number *= _MULTIPLIERS[multiplier.group(1)]
        rest = rest[multiplier.end() :].strip()

    percent = False
    found = _PERCENT_RE.match(rest)
    if found:
        percent = True
        rest = rest[found.end() :].strip()

    dash = _PRICE_DASH_RE.match(rest)  # "€ 40,-"
    if dash:
        rest = rest[dash.end() :].strip()

    found = _CURRENCY_SUFFIX_RE.match(rest)
    if found and not percent:
        currency = True
        rest = rest[found.end() :].strip()

    rest = rest.rstrip(_TRAILING_PUNCT).strip()
    if per := _PER_UNIT.match(rest):  # "20 a month", "20/maand": like "20 per maand"
        rest = f"per {per.group(1)}"
    unit: str | None = None
    if rest:
        if any(ch.isdigit() for ch in rest):
            raise _fail("ambiguous", original)
        if rest[0] in "-–—/~" or rest.lower().startswith(_RANGE_STARTS):
            raise _fail("ambiguous", original)
        if not _UNIT_RE.fullmatch(rest):
            raise _fail("not_a_number", original)
        unit = rest.lower()
        if unit in {m.lower() for m in _MULTIPLIERS} or _PERCENT_RE.fullmatch(unit):
            raise _fail("not_a_number", original)  # "5 mln mln", "5% procent"
    if currency:
        unit = "€"

    try:
        value = float(number) * sign
    except (InvalidOperation, OverflowError):  # pragma: no cover - defensive
        raise _fail("too_large", original) from None
    if not math.isfinite(value) or abs(value) > max_value:
        raise _fail("too_large", original)
    if value == 0:
        value = 0.0  # never -0.0
    if value < 0 and not allow_negative:
        raise _fail("negative", original)
    return ParsedNumber(value=value, percent=percent, unit=unit, approximate=approximate)


def format_number(
    value: float,
    lang: str = "nl",
    *,
    percent: bool = False,
    max_decimals: int = 2,
) -> str:
    """Format a number for a message: nl "1.200" / "1,5", en "1,200" / "1.5".

    Whole numbers get no decimals; other values are rounded half-up to ``max_decimals``
    (0.125 -> "0,13") and trailing zeros dropped. ``percent=True`` appends "%"
    ("12,5%"). Any ``lang`` that does not start with "en" is formatted the Dutch way.
    """
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        raise TypeError(f"not a number: {value!r}")
    if not math.isfinite(float(value)):
        raise ValueError(f"cannot format {value!r}")
    exact = value if isinstance(value, Decimal) else Decimal(repr(float(value)))
    rounded = exact.quantize(Decimal(1).scaleb(-max_decimals), rounding=ROUND_HALF_UP)
    if rounded == rounded.to_integral_value():
        body = f"{abs(int(rounded)):,}"
    else:
        body = f"{abs(rounded):,.{max_decimals}f}".rstrip("0").rstrip(".")
    if lang_from_hint(lang) == "nl":
        body = body.replace(",", "\0").replace(".", ",").replace("\0", ".")
    sign = "-" if rounded < 0 else ""
    return f"{sign}{body}{'%' if percent else ''}"
