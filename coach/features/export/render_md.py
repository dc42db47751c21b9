"""The strategy document as CommonMark (with GFM tables), for a wiki or a repository.

Every string of the view model goes through ``md()`` or ``cell()`` (markdown.py), so
user text shows as typed and never becomes a heading, link, table or raw HTML. The
chart is left out: Markdown cannot hold an image without a second file; the results
table has the same numbers.
"""

from __future__ import annotations

import re

from coach.features.export.markdown import cell, md
from coach.features.export.model import Block, Section, StrategyDocument


def _block(block: Block) -> list[str]:
    if block.kind == "paragraph":
        return [md(block.text), ""]
    if block.kind == "note":
        return [f"*{md(block.text)}*", ""]
    if block.kind == "fields":
        return [*(f"- **{md(label)}:** {md(value)}" for label, value in block.fields), ""]
    if block.kind == "list":
        return [*(f"- {md(item)}" for item in block.items), ""]
    if block.kind == "table" and block.table:
        t = block.table
        lines = ["| " + " | ".join(cell(h) for h in t.header) + " |",
                 "|" + "---|" * len(t.header)]
        lines += ["| " + " | ".join(cell(c) for c in row) + " |" for row in t.rows]
        return [*lines, ""]
    return []  # an image


def _section(section: Section, level: int) -> list[str]:
    lines = [f"{'#' * level} {md(section.title)}", ""]
    for block in section.blocks:
        lines += _block(block)
    for child in section.children:
        lines += _section(child, level + 1)
    return lines


def render_markdown(doc: StrategyDocument) -> str:
    lines = [f"# {md(doc.title)}", ""]
    lines += [*(f"- **{md(label)}:** {md(value)}" for label, value in doc.fields), ""]
    for section in doc.sections:
        lines += _section(section, 2)
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip() + "\n"
