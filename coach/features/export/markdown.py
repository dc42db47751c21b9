"""Markdown that shows user text as typed: the export's own Jinja2 environment.

The chat templates (coach/core/texts.py) escape HTML, which is wrong for Markdown.
Here autoescaping is off and every piece of user text goes through one of two
Markdown-safe helpers, available in the template as functions (not filters, so the
chat environment can still parse the file for the content tests):

- ``md(text)``: inline text; Markdown syntax is backslash-escaped so it shows as typed
  and cannot start a heading, list, quote, code block, link, table or raw HTML.
  ``md(text, indent=2)`` keeps the text's line breaks (hard breaks, indented to stay
  inside a list item); without ``indent`` lines are joined with spaces.
- ``cell(text)``: the same for a table cell, on one line, with ``|`` escaped and at
  most ``CELL_MAX`` characters.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from jinja2 import Environment

from coach.core.texts import PROMPTS_DIR, make_environment

CELL_MAX = 300
_LINE_BREAKS = re.compile(r"\r\n|[\r\n\v\f\x1c-\x1e\x85\u2028\u2029]")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1b\x1f\x7f]")
_INLINE = re.compile(r"([\\`*\[\]<>|~])")
_UNDERSCORE = re.compile(r"(?<![^\W_])_|_(?![^\W_])")  # all but those inside a word
_ENTITY = re.compile(r"&(?=#?[0-9A-Za-z]+;)")
_BLOCK_START = re.compile(r"^([+=-]|#(?=#{0,5}(?:\s|$)))")
_ORDERED = re.compile(r"^(\d{1,9})([.)])(?=\s|$)")


def _lines(text: Any) -> list[str]:
    """The non-empty lines of ``text``, stripped, without control characters."""
    text = _LINE_BREAKS.sub("\n", "" if text is None else str(text))
    text = _CONTROL.sub("", text.replace("\t", " "))
    return [line.strip() for line in text.split("\n") if line.strip()]


_PLAIN = re.compile(r"[^\\`*\[\]<>|~_&]*")  # nothing inline to escape


def _escape_line(line: str) -> str:
    if _PLAIN.fullmatch(line) and not (line[:1] in "+=-#" or line[:1].isdigit()):
        return line  # most text: nothing to escape (an export escapes thousands of lines)
    line = _INLINE.sub(r"\\\1", line)
    line = _UNDERSCORE.sub(r"\\_", line)
    line = _ENTITY.sub(r"\\&", line)
    line = _BLOCK_START.sub(r"\\\1", line)
    return _ORDERED.sub(r"\1\\\2", line)


def md(text: Any, indent: int | None = None) -> str:
    """User text as inline Markdown that shows exactly as typed."""
    lines = [_escape_line(line) for line in _lines(text)]
    if indent is None:
        return " ".join(lines)
    return ("\\\n" + " " * indent).join(lines)


def cell(text: Any, limit: int = CELL_MAX) -> str:
    """User text for a table cell: one line, ``|`` escaped, shortened; "—" when empty."""
    flat = " ".join(" ".join(_lines(text)).split())
    if len(flat) > limit:
        flat = flat[: limit - 1].rstrip() + "…"
    return _escape_line(flat) if flat else "—"


@cache
def environment() -> Environment:
    env = make_environment(PROMPTS_DIR, html=False)
    env.globals.update(md=md, cell=cell)
    env.filters.update(md=md, cell=cell)
    return env
