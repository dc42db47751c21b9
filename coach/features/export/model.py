"""The strategy document as one view model: what every format shows, in the same order.

A :class:`StrategyDocument` is a title block and a tree of :class:`Section` values; a
section holds :class:`Block` values (a paragraph, a note, key-value fields, a table or
an image) and sub-sections. Every string in it is plain text, user text as typed and
sentences rendered from ``prompts/<lang>/document.j2``; each renderer (Markdown, .docx,
HTML) escapes it for its format. A section never is empty: one that has nothing agreed
holds a one-line note saying so.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import cache

from coach.features.export.markdown import environment
from coach.flow.vocabulary import load_vocabulary


@dataclass
class Table:
    header: list[str]
    rows: list[list[str]]


@dataclass
class Block:
    kind: str  # "paragraph" | "note" (a remark in italics) | "fields" | "list" | "table" | "image"
    text: str = ""
    fields: list[tuple[str, str]] = field(default_factory=list)  # (label, value)
    items: list[str] = field(default_factory=list)
    table: Table | None = None
    image: bytes | Callable[[], bytes] | None = None  # a PNG, or what draws it
    alt: str = ""

    def png(self) -> bytes | None:
        """The image's PNG, drawn now if it is a drawing (a format that shows it)."""
        return self.image() if callable(self.image) else self.image


@dataclass
class Section:
    id: str  # stable: "summary", "steps", "step:goals", "overview", ...
    title: str
    blocks: list[Block] = field(default_factory=list)
    children: list[Section] = field(default_factory=list)

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass
class StrategyDocument:
    lang: str
    library: str
    title: str
    date: date
    fields: list[tuple[str, str]]  # the title block: date, version, contributors
    sections: list[Section]

    def section(self, section_id: str) -> Section:
        return next(s for top in self.sections for s in top.walk() if s.id == section_id)


# -- texts ---------------------------------------------------------------------------------


class Texts:
    """The blocks of ``prompts/<lang>/document.j2`` as plain text (not escaped)."""

    def __init__(self, lang: str):
        self.lang = lang
        self.template = environment().get_template(f"{lang}/document.j2")
        self._fixed: dict[str, str] = {}  # blocks without context, rendered once

    def __call__(self, block: str, /, **ctx: object) -> str:
        if not ctx and block in self._fixed:
            return self._fixed[block]
        render = self.template.blocks[block]
        # shared: the blocks use no globals, so the context need not copy them (a
        # document renders hundreds of blocks)
        context = self.template.new_context({"lang": self.lang, **ctx}, shared=True)
        text = " ".join("".join(render(context)).split())
        if not ctx:
            self._fixed[block] = text
        return text

    def date(self, day: date) -> str:
        """``1 december 2026`` / ``1 December 2026``."""
        return self("date", day=day.day, month=month_name(self.lang, day.month),
                    year=day.year)

    def weekday_date(self, day: date) -> str:
        return self("weekday_date", weekday=weekday_name(self.lang, day.weekday()),
                    day=day.day, month=month_name(self.lang, day.month))


@cache
def month_name(lang: str, month: int) -> str:
    return load_vocabulary().table("months", lang)[month - 1][0]


@cache
def weekday_name(lang: str, weekday: int) -> str:
    return load_vocabulary().table("weekdays", lang)[weekday][0]


def note(text: str) -> Block:
    return Block("note", text=text)


def fields(pairs: list[tuple[str, str]]) -> Block:
    return Block("fields", fields=pairs)


def table(header: list[str], rows: list[list[str]]) -> Block:
    return Block("table", table=Table(header, rows))
