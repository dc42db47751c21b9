"""The strategy document as one self-contained HTML page that prints well to PDF.

Everything is escaped (``html.escape``, and user text is stripped of control
characters); the chart is embedded as a ``data:`` URI; the stylesheet
(``document.css`` beside this module) is inlined, with print rules (A4 margins, no
table row split over pages, headings kept with what follows). ``render_html_body``
gives the document without the page around it, for the web view to embed.
"""

from __future__ import annotations

import base64
from functools import cache
from html import escape
from pathlib import Path

from coach.features.export.markdown import _lines
from coach.features.export.model import Block, Section, StrategyDocument

CSS_PATH = Path(__file__).with_name("document.css")


@cache
def stylesheet() -> str:
    return CSS_PATH.read_text(encoding="utf-8")


def text(value: object) -> str:
    """User or template text as HTML: escaped, line breaks kept, control characters out."""
    return "<br>".join(escape(line, quote=True) for line in _lines(value))


def _fields(pairs: list[tuple[str, str]]) -> str:
    items = "".join(f"<dt>{text(label)}</dt><dd dir=\"auto\">{text(value)}</dd>"
                    for label, value in pairs)
    return f"<dl>{items}</dl>"


def _block(block: Block) -> str:
    if block.kind == "paragraph":
        return f"<p dir=\"auto\">{text(block.text)}</p>"
    if block.kind == "note":
        return f"<p class=\"note\" dir=\"auto\"><em>{text(block.text)}</em></p>"
    if block.kind == "fields":
        return _fields(block.fields)
    if block.kind == "list":
        return "<ul>" + "".join(f"<li dir=\"auto\">{text(i)}</li>" for i in block.items) + "</ul>"
    if block.kind == "table" and block.table:
        head = "".join(f"<th scope=\"col\">{text(h)}</th>" for h in block.table.header)
        body = "".join("<tr>" + "".join(f"<td dir=\"auto\">{text(c)}</td>" for c in row)
                       + "</tr>" for row in block.table.rows)
        return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    if block.kind == "image" and block.image:
        data = base64.b64encode(block.png()).decode("ascii")
        return (f"<figure><img src=\"data:image/png;base64,{data}\" alt=\"{text(block.alt)}\">"
                "</figure>")
    return ""


def _section(section: Section, level: int) -> str:
    parts = [f"<section id=\"{escape(section.id.replace(':', '-'))}\">",
             f"<h{level}>{text(section.title)}</h{level}>"]
    parts += [_block(b) for b in section.blocks]
    parts += [_section(c, level + 1) for c in section.children]
    return "\n".join([*parts, "</section>"])


def render_html_body(doc: StrategyDocument) -> str:
    """The document as an ``<article>``, without ``<html>``, ``<head>`` or ``<body>``."""
    parts = [f"<article class=\"strategy\" lang=\"{doc.lang}\">",
             f"<header><h1 dir=\"auto\">{text(doc.title)}</h1>{_fields(doc.fields)}</header>"]
    parts += [_section(s, 2) for s in doc.sections]
    return "\n".join([*parts, "</article>"]) + "\n"


def render_html(doc: StrategyDocument) -> str:
    """A complete page: the body with its stylesheet, ready to open or print to PDF."""
    return (f"<!DOCTYPE html>\n<html lang=\"{doc.lang}\">\n<head>\n<meta charset=\"utf-8\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            f"<title>{text(doc.title)}</title>\n<style>\n{stylesheet()}</style>\n</head>\n"
            f"<body>\n{render_html_body(doc)}</body>\n</html>\n")
