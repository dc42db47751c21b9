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
from functools import cache

from coach.features.export.markdown import _lines
from coach.features.export.model import Block, Section, StrategyDocument

_NOT_XML = re.compile("[\ufffe\uffff\ud800-\udfff]")
IMAGE_WIDTH_CM = 16


def clean(value: object) -> str:
    return "\n".join(_NOT_XML.sub("", line) for line in _lines(value))


TEXT_WIDTH_TWIPS = 9360  # 6.5 inches: the template's page less its margins


@cache
def _qn(tag: str) -> str:
    from docx.oxml.ns import qn

    return qn(tag)


class _Writer:
    """One document being written. python-docx makes the file (template, styles, the
    picture, core properties); paragraphs, runs and tables are built as WordprocessingML
    elements directly, which is the same XML its API writes but without looking up the
    style by name and walking the body for every paragraph and every character (that
    took most of a big document's time)."""

    def __init__(self):
        from docx import Document

        self.document = Document()
        self.styles = {s.name: s.style_id for s in self.document.styles}
        self.body = self.document.element.body
        self.end = self.body.sectPr  # paragraphs and tables go before the section settings

    def proofing_language(self, tag: str) -> None:
        """The language Word and LibreOffice check the spelling in (the template says
        en-US, which would mark every Dutch word as a mistake)."""
        for lang in self.document.styles.element.iter(_qn("w:lang")):
            lang.set(_qn("w:val"), tag)

    def _el(self, parent, tag: str, **attrs: str):
        from lxml import etree

        return etree.SubElement(parent, _qn(tag), {_qn(f"w:{k}"): v for k, v in attrs.items()})

    def _p(self, style: str | None = None, parent=None):
        from lxml import etree

        if parent is None:
            p = etree.Element(_qn("w:p"))
            self.end.addprevious(p)
        else:
            p = self._el(parent, "w:p")
        if style:
            self._el(self._el(p, "w:pPr"), "w:pStyle", val=self.styles.get(style, style))
        return p

    def run(self, p, text: str, *, bold: bool = False, italic: bool = False) -> None:
        r = self._el(p, "w:r")
        if bold or italic:
            rpr = self._el(r, "w:rPr")
            if bold:
                self._el(rpr, "w:b")
            if italic:
                self._el(rpr, "w:i")
        for i, line in enumerate(text.split("\n")):
            if i:
                self._el(r, "w:br")
            t = self._el(r, "w:t")
            t.text = line
            t.set(_qn("xml:space"), "preserve")

    def paragraph(self, text: str, style: str | None = None, **run) -> None:
        self.run(self._p(style), text, **run)

    def fields(self, pairs: list[tuple[str, str]]) -> None:
        for label, value in pairs:
            p = self._p("List Bullet")
            self.run(p, f"{clean(label)}: ", bold=True)
            self.run(p, clean(value))

    def table(self, header: list[str], rows: list[list[str]]) -> None:
        from lxml import etree

        tbl = etree.Element(_qn("w:tbl"))
        self.end.addprevious(tbl)
        props = self._el(tbl, "w:tblPr")
        self._el(props, "w:tblStyle", val=self.styles.get("Table Grid", "TableGrid"))
        self._el(props, "w:tblW", w="0", type="auto")
        self._el(props, "w:tblLook", val="04A0", firstRow="1", lastRow="0", firstColumn="1",
                 lastColumn="0", noHBand="0", noVBand="1")
        width = str(TEXT_WIDTH_TWIPS // max(1, len(header)))
        grid = self._el(tbl, "w:tblGrid")
        for _ in header:
            self._el(grid, "w:gridCol", w=width)
        for i, values in enumerate([header, *rows]):
            tr = self._el(tbl, "w:tr")
            if i == 0:
                self._el(self._el(tr, "w:trPr"), "w:tblHeader")  # repeats on every page
            for value in values:
                tc = self._el(tr, "w:tc")
                self._el(self._el(tc, "w:tcPr"), "w:tcW", w=width, type="dxa")
                self.run(self._p(parent=tc), clean(value) or "—", bold=i == 0)
        self._p()

    def block(self, block: Block) -> None:
        from docx.shared import Cm

        if block.kind == "paragraph":
            self.paragraph(clean(block.text))
        elif block.kind == "note":
            self.paragraph(clean(block.text), italic=True)
        elif block.kind == "fields":
            self.fields(block.fields)
        elif block.kind == "list":
            for item in block.items:
                self.paragraph(clean(item), "List Bullet")
        elif block.kind == "table" and block.table:
            self.table(block.table.header, block.table.rows)
        elif block.kind == "image" and block.image:
            self.document.add_picture(io.BytesIO(block.png()), width=Cm(IMAGE_WIDTH_CM))
            self.paragraph(clean(block.alt), italic=True)

    def section(self, section: Section, level: int) -> None:
        self.paragraph(clean(section.title), f"Heading {level}")
        for block in section.blocks:
            self.block(block)
        for child in section.children:
            self.section(child, min(level + 1, 9))


PROOFING = {"nl": "nl-NL", "en": "en-GB"}


def render_docx(doc: StrategyDocument) -> bytes:
    writer = _Writer()
    props = writer.document.core_properties
    props.title, props.language = clean(doc.title)[:255], doc.lang
    props.author = props.last_modified_by = ""
    writer.proofing_language(PROOFING.get(doc.lang, doc.lang))
    writer.paragraph(clean(doc.title), "Title")
    writer.fields(doc.fields)
    for section in doc.sections:
        writer.section(section, 1)
    out = io.BytesIO()
    writer.document.save(out)
    return out.getvalue()
