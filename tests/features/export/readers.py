"""Reading an exported strategy back, the same way for all three formats.

Each reader returns the document's outline: a list of entries

- ``("h", level, text)``: a heading (1 = the title);
- ``("field", label, value)``: a "label: value" line;
- ``("item", text)``, ``("note", text)``, ``("para", text)``;
- ``("table", rows)``: rows of cell texts, the header first;
- ``("image", alt)``: a picture (not in Markdown).

The Markdown is parsed with markdown-it-py (CommonMark + tables), the .docx opened with
python-docx, the HTML read with the standard library's html.parser.
"""

from __future__ import annotations

import io
from html.parser import HTMLParser

from markdown_it import MarkdownIt

PARSER = MarkdownIt("commonmark").enable("table")


def norm(text: str) -> str:
    return " ".join(text.split())


# -- Markdown -------------------------------------------------------------------------------


def _inline_text(token) -> str:
    return "".join("\n" if c.type in ("softbreak", "hardbreak") else c.content
                   for c in token.children or [])


def _md_item(inline) -> tuple:
    kids = [c for c in inline.children or [] if c.type != "text" or c.content]
    if len(kids) >= 3 and kids[0].type == "strong_open":
        close = next(i for i, c in enumerate(kids) if c.type == "strong_close")
        label = "".join(c.content for c in kids[1:close]).rstrip(":")
        value = "".join(c.content for c in kids[close + 1:])
        return ("field", norm(label), norm(value))
    return ("item", norm(_inline_text(inline)))


def read_markdown(text: str) -> list[tuple]:
    tokens = PARSER.parse(text)
    out: list[tuple] = []
    i = 0
    while i < len(tokens):
        t = tokens[i]
        if t.type == "heading_open":
            out.append(("h", int(t.tag[1]), norm(_inline_text(tokens[i + 1]))))
            i += 3
            continue
        if t.type == "list_item_open":
            out.append(_md_item(tokens[i + 2]))
            while tokens[i].type != "list_item_close":
                i += 1
        elif t.type == "paragraph_open":
            inline = tokens[i + 1]
            kids = inline.children or []
            if kids and kids[0].type == "em_open" and kids[-1].type == "em_close":
                out.append(("note", norm(_inline_text(inline))))
            else:
                out.append(("para", norm(_inline_text(inline))))
        elif t.type == "table_open":
            rows, row = [], []
            while tokens[i].type != "table_close":
                tok = tokens[i]
                if tok.type == "tr_open":
                    row = []
                elif tok.type in ("th_open", "td_open"):
                    row.append(norm(_inline_text(tokens[i + 1])))
                elif tok.type == "tr_close":
                    rows.append(row)
                i += 1
            out.append(("table", rows))
        i += 1
    return out


# -- HTML -----------------------------------------------------------------------------------


class _Html(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out: list[tuple] = []
        self.buffer: list[str] | None = None
        self.stack: list[tuple[str, dict]] = []
        self.label = ""
        self.rows: list[list[str]] | None = None
        self.tags: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        attrs = dict(attrs)
        if tag in ("h1", "h2", "h3", "h4", "h5", "dt", "dd", "li", "p", "th", "td"):
            self.buffer = []
            self.stack.append((tag, attrs))
        elif tag == "br" and self.buffer is not None:
            self.buffer.append("\n")
        elif tag == "table":
            self.rows = []
        elif tag == "tr":
            self.rows.append([])
        elif tag == "img":
            self.out.append(("image", attrs.get("alt", ""), attrs.get("src", "")))

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1][0] != tag:
            if tag == "table" and self.rows is not None:
                self.out.append(("table", self.rows))
                self.rows = None
            return
        _, attrs = self.stack.pop()
        text = norm("".join(self.buffer or []))
        self.buffer = None
        if tag[0] == "h" and tag[1:].isdigit():
            self.out.append(("h", int(tag[1]), text))
        elif tag == "dt":
            self.label = text
        elif tag == "dd":
            self.out.append(("field", self.label, text))
        elif tag == "li":
            self.out.append(("item", text))
        elif tag == "p":
            self.out.append(("note" if "note" in (attrs.get("class") or "") else "para", text))
        elif tag in ("th", "td"):
            self.rows[-1].append(text)

    def handle_data(self, data):
        if self.buffer is not None:
            self.buffer.append(data)


def read_html(text: str) -> list[tuple]:
    parser = _Html()
    parser.feed(text)
    parser.close()
    return [e if e[0] != "image" else e[:2] for e in parser.out]


def html_tags(text: str) -> list[str]:
    parser = _Html()
    parser.feed(text)
    return parser.tags


def html_images(text: str) -> list[str]:
    parser = _Html()
    parser.feed(text)
    return [e[2] for e in parser.out if e[0] == "image"]


# -- .docx ------------------------------------------------------------------------------------


def read_docx(content: bytes) -> list[tuple]:
    from docx import Document
    from docx.table import Table

    document = Document(io.BytesIO(content))
    out: list[tuple] = []
    for part in document.iter_inner_content():
        if isinstance(part, Table):
            out.append(("table", [[norm(c.text) for c in row.cells] for row in part.rows]))
            continue
        style = part.style.name
        text = norm(part.text)
        if style == "Title":
            out.append(("h", 1, text))
        elif style.startswith("Heading "):
            out.append(("h", int(style.split()[1]) + 1, text))
        elif style == "List Bullet":
            runs = part.runs
            if runs and runs[0].bold:
                out.append(("field", norm(runs[0].text).rstrip(":"),
                            norm("".join(r.text for r in runs[1:]))))
            else:
                out.append(("item", text))
        elif part._p.xpath(".//pic:pic"):
            out.append(("image", ""))
        elif text and all(r.italic for r in part.runs if r.text.strip()):
            out.append(("note", text))
        elif text:
            out.append(("para", text))
    # the picture's own paragraph has no text; its alt text follows as a note
    return _merge_images(out)


def _merge_images(out: list[tuple]) -> list[tuple]:
    merged: list[tuple] = []
    for entry in out:
        if merged and merged[-1] == ("image", "") and entry[0] == "note":
            merged[-1] = ("image", entry[1])
        else:
            merged.append(entry)
    return merged


def read(fmt: str, content: bytes) -> list[tuple]:
    if fmt == "md":
        return read_markdown(content.decode("utf-8"))
    if fmt == "html":
        return read_html(content.decode("utf-8"))
    return read_docx(content)


# -- questions about an outline -------------------------------------------------------------


def headings(outline: list[tuple], level: int | None = None) -> list[str]:
    return [e[2] for e in outline if e[0] == "h" and (level is None or e[1] == level)]


def section(outline: list[tuple], title: str) -> list[tuple]:
    """The entries under heading ``title`` up to the next heading of its level or higher
    (sub-sections included)."""
    for i, e in enumerate(outline):
        if e[0] == "h" and e[2] == title:
            level, found = e[1], []
            for f in outline[i + 1:]:
                if f[0] == "h" and f[1] <= level:
                    break
                found.append(f)
            return found
    raise AssertionError(f"no heading {title!r} in {headings(outline)}")


def fields_of(entries: list[tuple]) -> dict[str, str]:
    return {e[1]: e[2] for e in entries if e[0] == "field"}


def tables_of(entries: list[tuple]) -> list[list[list[str]]]:
    return [e[1] for e in entries if e[0] == "table"]


def texts_of(entries: list[tuple], kind: str) -> list[str]:
    return [e[1] for e in entries if e[0] == kind]


def empty_headings(outline: list[tuple]) -> list[str]:
    """Headings directly followed by a heading of the same or a higher level, or by nothing."""
    found = []
    for i, e in enumerate(outline):
        if e[0] != "h":
            continue
        after = outline[i + 1] if i + 1 < len(outline) else None
        if after is None or (after[0] == "h" and after[1] <= e[1]):
            found.append(e[2])
    return found
