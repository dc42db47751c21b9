"""Turning typed text into an answer for a question, following the flow's rules.

``parse_answer`` returns an ``Outcome``: a value to store, a problem to explain (the
name of an ``errors`` template block plus its context), or a value that needs the
user's confirmation because a typed option was an uncertain match.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from coach.flow.matching import match_answer, match_option, split_tokens
from coach.flow.model import Question
from coach.flow.numbers import NumberError, parse_number
from coach.flow.text import normalize
from coach.flow.vocabulary import words


@dataclass
class Outcome:
    value: Any = None
    error: str | None = None
    error_ctx: dict[str, Any] = field(default_factory=dict)
    confirm: bool = False


def _fail(error: str, **ctx: Any) -> Outcome:
    return Outcome(error=error, error_ctx=ctx)


def _check_length(text: str, q: Question) -> Outcome | None:
    if len(text) < q.rule("min_length"):
        return _fail("too_short", min=int(q.rule("min_length")))
    if len(text) > q.rule("max_length"):
        return _fail("too_long", max=int(q.rule("max_length")), length=len(text))
    return None


def _check_count(count: int, q: Question) -> Outcome | None:
    low, high = int(q.rule("min_items")), int(q.rule("max_items"))
    if count < low:
        return _fail("too_few", min=low, count=count)
    if count > high:
        return _fail("too_many", max=high, count=count)
    return None


def split_items(text: str) -> list[str]:
    """One item per line or separated by ";" (list bullets and numbering removed)."""
    items = []
    for line in re.split(r"[\n;]", text):
        line = re.sub(r"^\s*(?:[-*•]|\d+[.)])\s+", "", line).strip()
        if line:
            items.append(line)
    return items


Matcher = Callable[[str], list[str]]


def parse_text(q: Question, text: str, matchers: Mapping[str, Matcher] | None = None) -> Outcome:
    """Read a typed answer; ``matchers`` are the features' interpreters of free text
    that a question names with ``matcher`` (the registry's, by name)."""
    text = text.strip()
    if q.kind == "text":
        return _check_length(text, q) or Outcome(value=text)
    if q.kind == "list":
        items = split_items(text)
        for item in items:
            if problem := _check_length(item, q):
                return problem
        return _check_count(len(items), q) or Outcome(value=items)
    if q.kind == "number":
        return parse_number_answer(q, text)
    return parse_options(q, text, matchers or {})


def parse_number_answer(q: Question, text: str) -> Outcome:
    try:
        number = parse_number(text)
    except NumberError as exc:
        return _fail("not_a_number", reason=exc.reason)
    low, high = q.rule("min"), q.rule("max")
    if low is None:
        low = 0
    if number.value < low:
        return _fail("number_too_low", min=low)
    if high is not None and number.value > high:
        return _fail("number_too_high", max=high)
    return Outcome(value={"value": number.value, "percent": number.percent, "unit": number.unit})


def _interpret(q: Question, text: str, matchers: Mapping[str, Matcher]) -> list[str]:
    """Option ids a question's own interpreter (``matcher`` in the flow) reads in the
    whole text, e.g. "jongeren van 15 tot 20" → the two age bands it spans."""
    read = matchers.get(q.matcher or "")
    if read is None:
        return []
    return [i for i in read(text[:2000]) if q.option(i)]


AUDIENCE_MATCHERS = ("groups", "ages")  # questions about who: "iedereen" is no answer there


@cache
def _everyone_words() -> frozenset[str]:
    return frozenset(normalize(w) for w in words("everyone"))


def _everyone(text: str) -> bool:
    """"iedereen", "Alle leeftijden!": the whole answer names everyone, no group."""
    return len(text) <= 40 and normalize(text) in _everyone_words()


# A typed choice longer than this is a paste (a long text, or a part of one that
# Telegram split), not options: it gets its own reply instead of a fuzzy guess.
MAX_TYPED_OPTIONS_LENGTH = 400


def parse_options(q: Question, text: str, matchers: Mapping[str, Matcher]) -> Outcome:
    if len(text) > MAX_TYPED_OPTIONS_LENGTH:
        return _fail("long_for_options", length=len(text),
                     examples=[o.label for o in q.options[:2]])
    if q.matcher in AUDIENCE_MATCHERS and _everyone(text):  # a group too big to start with
        return _fail("everyone")
    tokens = split_tokens(text) if q.kind == "multi" else [text.strip()]
    match = match_answer if q.options_from else match_option
    matches = [match(t, q.options) for t in tokens]
    unknown = [m.token for m in matches if m.option_id is None]
    if unknown or not matches:
        # not the options' own words: the question's interpreter may still read it,
        # and what it reads is always confirmed, never taken for granted
        if interpreted := _interpret(q, text, matchers):
            value = interpreted[0] if q.kind == "choice" else interpreted
            return _check_count(len(interpreted), q) or Outcome(value=value, confirm=True)
        known = list(dict.fromkeys(m.option_id for m in matches if m.sure))
        return Outcome(value=known if q.kind == "multi" else None, error="unknown_option",
                       error_ctx={"tokens": unknown,
                                  "known": [q.option(i).label for i in known],
                                  "examples": [o.label for o in
                                               q.options[:2 if q.kind == "multi" else 1]]})
    ids: list[str] = []
    for m in matches:
        if m.option_id not in ids:
            ids.append(m.option_id)  # type: ignore[arg-type]
    if q.kind == "choice":
        return Outcome(value=ids[0], confirm=not matches[0].sure)
    if problem := _check_count(len(ids), q):
        return problem
    return Outcome(value=ids, confirm=not all(m.sure for m in matches))


def check_selection(q: Question, ids: list[str]) -> Outcome:
    """Validate a multiple-choice selection made with buttons."""
    return _check_count(len(ids), q) or Outcome(value=list(ids))
