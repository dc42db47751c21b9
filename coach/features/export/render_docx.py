"""The strategy document as a Word file (.docx, python-docx): real headings (Title,
Heading 1-3), tables with a header row, the chart as an image. It opens in Word,
LibreOffice and Google Docs.

Every string is user or template text from the view model; characters XML cannot
hold (control characters, lone surrogates) are taken out and line breaks become breaks
within the paragraph, so no text can break the file.
"""

from __future__ import annotations

import io
import re

from coach.features.export.markdown import _lines
from coach.features.export.model import Block, Section, StrategyDocument

_NOT_XML = re.compile("[\ufffe\uffff\ud800-\udfff]")
IMAGE_WIDTH_CM = 16


def clean(value: object) -> str:
    return "\n".join(_NOT_XML.sub("", line) for line in _lines(value))


class _Writer:
    """One document being written. Style ids are looked up once: python-docx searches
    every style for each paragraph given a style by name (most of the time it took)."""

    def __init__(self):
        from docx import Document

        self.document = Document()
        self.styles = {s.name: s.style_id for s in self.document.styles}

    def paragraph(self, style: str | None = None):
        p = self.document.add_paragraph()
        if style:
            p._p.style = self.styles.get(style, style)
        return p

    @staticmethod
    def text(paragraph, value: str, *, bold: bool = False, italic: bool = False) -> None:
        run = paragraph.add_run(value)  # "\n" becomes a line break
        if bold:
            run.bold = True
        if italic:
            run.italic = True

    def fields(self, pairs: list[tuple[str, str]]) -> None:
        for label, value in pairs:
            p = self.paragraph("List Bullet")
            self.text(p, f"{clean(label)}: ", bold=True)
            self.text(p, clean(value))

    def table(self, header: list[str], rows: list[list[str]]) -> None:
        table = self.document.add_table(rows=1 + len(rows), cols=len(header))
        table._tbl.tblPr.style = self.styles.get("Table Grid")
        for i, values in enumerate([header, *rows]):
            for c, value in zip(table.rows[i].cells, values, strict=False):
                self.text(c.paragraphs[0], clean(value) or "—", bold=i == 0)
        self.paragraph()

    def block(self, block: Block) -> None:
        from docx.shared import Cm

        if block.kind == "paragraph":
            self.text(self.paragraph(), clean(block.text))
        elif block.kind == "note":
            self.text(self.paragraph(), clean(block.text), italic=True)
        elif block.kind == "fields":
            self.fields(block.fields)
        elif block.kind == "list":
            for item in block.items:
                self.text(self.paragraph("List Bullet"), clean(item))
        elif block.kind == "table" and block.table:
            self.table(block.table.header, block.table.rows)
        elif block.kind == "image" and block.image:
            self.document.add_picture(io.BytesIO(block.image), width=Cm(IMAGE_WIDTH_CM))
            self.text(self.paragraph(), clean(block.alt), italic=True)

    def section(self, section: Section, level: int) -> None:
        self.text(self.paragraph(f"Heading {level}"), clean(section.title))
        for block in section.blocks:
            self.block(block)
        for child in section.children:
            self.section(child, min(level + 1, 9))


def render_docx(doc: StrategyDocument) -> bytes:
    writer = _Writer()
    props = writer.document.core_properties
    props.title, props.language = clean(doc.title)[:255], doc.lang
    props.author = props.last_modified_by = ""
    writer.text(writer.paragraph("Title"), clean(doc.title))
    writer.fields(doc.fields)
    for section in doc.sections:
        writer.section(section, 1)
    out = io.BytesIO()
    writer.document.save(out)
    return out.getvalue()
