"""The Word file opens in a real word processor: LibreOffice (Debian's, installed by
.ci/run) reads the strategy's .docx, and what it reads back (converted to HTML) has the
document's headings, tables and chart; it also prints it to PDF, as a coordinator who
sends management a PDF does. Word and Google Docs cannot run here."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.features.export.readers import headings, read, tables_of

SOFFICE = shutil.which("soffice")
pytestmark = pytest.mark.skipif(
    SOFFICE is None and not os.environ.get("CI"),
    reason="LibreOffice is not installed here (.ci/run installs it)")


class Outline(HTMLParser):
    """Headings, tables (rows of cell texts) and images of LibreOffice's HTML."""

    def __init__(self):
        super().__init__()
        self.headings: list[str] = []
        self.tables: list[list[list[str]]] = []
        self.images: list[dict] = []
        self.title = self.lang = ""
        self._title: list[str] | None = None
        self._heading: list[str] | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "body":
            self.lang = dict(attrs).get("lang", "")
        elif tag == "p" and not self.title and self._title is None:
            self._title = []  # Word's Title style: the first paragraph
        if tag in ("h1", "h2", "h3", "h4"):
            self._heading = []
        elif tag == "table":
            self.tables.append([])
        elif tag == "tr" and self.tables:
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self._cell = []
        elif tag == "img":
            self.images.append(dict(attrs))

    def handle_endtag(self, tag):
        if tag == "p" and self._title is not None and not self.title:
            self.title, self._title = " ".join("".join(self._title).split()), None
        if tag in ("h1", "h2", "h3", "h4") and self._heading is not None:
            self.headings.append(" ".join("".join(self._heading).split()))
            self._heading = None
        elif tag in ("td", "th") and self._cell is not None:
            self.tables[-1][-1].append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data):
        for part in (self._heading, self._cell, self._title):
            if part is not None:
                part.append(data)


def convert(source: Path, target: str, out: Path) -> Path:
    profile = out / "profile"
    subprocess.run(
        [SOFFICE or "soffice", "--headless", "--norestore",
         f"-env:UserInstallation=file://{profile}", "--convert-to", target,
         "--outdir", str(out), str(source)],
        check=True, capture_output=True, timeout=180, env={**os.environ, "HOME": str(out)})
    return out / f"{source.stem}.{target.split(':')[0]}"


def test_libreoffice_opens_the_word_file_and_prints_it(strategy, render, tmp_path):
    content = render(strategy[2], "docx")
    path = tmp_path / "strategie.docx"
    path.write_bytes(content)

    html = convert(path, "html", tmp_path)
    seen = Outline()
    seen.feed(html.read_text(encoding="utf-8", errors="replace"))
    ours = read("docx", content)
    title, *rest = headings(ours)
    assert seen.headings == rest  # every heading, in order, none lost
    assert seen.title == title and seen.lang == "nl-NL"  # spelling checked in Dutch
    assert len(seen.tables) == len(tables_of(ours))
    for theirs, mine in zip(seen.tables, tables_of(ours), strict=True):
        assert theirs[0] == mine[0] and len(theirs) == len(mine)  # header and every row
    (image,) = seen.images  # the results chart
    assert (tmp_path / image["src"]).read_bytes().startswith(b"\x89PNG")

    pdf = convert(path, "pdf", tmp_path).read_bytes()
    assert pdf.startswith(b"%PDF")
    assert len(re.findall(rb"/Type\s*/Page\b", pdf)) >= 3  # pages, not an empty stub
