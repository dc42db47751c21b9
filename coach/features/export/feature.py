"""/export and ``bot.py export``: the team's strategy as a document in three formats.

The document is built once as a view model (``document.py``) and rendered per format:
Word (``render_docx.py``), a web page that prints to PDF (``render_html.py``) and
Markdown (``render_md.py``). ``/export`` offers the formats as buttons (``ex:<format>``);
``/export docx`` (or ``html``, ``md``) sends one at once.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from coach.core.calendar import DEFAULT_TZ
from coach.core.events import Document, Reply
from coach.core.feature import Feature
from coach.core.texts import lang_or_default, render
from coach.features.export.document import build_document
from coach.flow.model import Flow
from coach.storage import Database, libraries, users

if TYPE_CHECKING:
    from coach.core.turn import Turn
    from coach.features.export.model import StrategyDocument


@dataclass(frozen=True)
class Format:
    id: str
    extension: str
    mime_type: str


FORMATS = {f.id: f for f in (
    Format("docx", "docx",
           "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    Format("html", "html", "text/html"),
    Format("md", "md", "text/markdown"),
)}


def render_document(db: Database, library_id: int, lang: str | None, now: datetime,
                    fmt: str = "md", *, flow: Flow | None = None,
                    tz: str = DEFAULT_TZ) -> bytes:
    """The library's strategy document in format ``fmt`` ("docx", "html", "md")."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}")
    return write(build_document(db, library_id, lang, now, flow=flow, tz=tz,
                                chart=fmt != "md"), fmt)


def write(doc: StrategyDocument, fmt: str) -> bytes:
    """Write the document in format ``fmt``: the view model only, no database."""
    if fmt == "docx":
        from coach.features.export.render_docx import render_docx

        return render_docx(doc)
    if fmt == "html":
        from coach.features.export.render_html import render_html

        return render_html(doc).encode("utf-8")
    from coach.features.export.render_md import render_markdown

    return render_markdown(doc).encode("utf-8")


def html_body(db: Database, library_id: int, lang: str | None, now: datetime, *,
              flow: Flow | None = None, tz: str = DEFAULT_TZ) -> str:
    """The HTML document without the page around it (no ``<html>``/``<head>``), with
    the chart embedded: for the web view to place in its own page. Its stylesheet is
    ``coach.features.export.render_html.stylesheet()`` (rules under ``.strategy``)."""
    from coach.features.export.render_html import render_html_body

    return render_html_body(build_document(db, library_id, lang, now, flow=flow, tz=tz))


def filename(library_name: str, date: str, lang: str, fmt: str = "md") -> str:
    ascii_name = unicodedata.normalize("NFKD", library_name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:40].strip("-")
    word = render(lang, "labels.strategy_file")
    return f"{word}-{slug or render(lang, 'labels.library_file')}-{date}.{FORMATS[fmt].extension}"


def export_document(db: Database, library_id: int, lang: str | None, now: datetime,
                    fmt: str = "md", *, flow: Flow | None = None, tz: str = DEFAULT_TZ,
                    caption: str = "") -> Document:
    """The document as a file to send: name, content and MIME type."""
    lang = lang_or_default(lang)
    library = libraries.get_library(db, library_id)
    if library is None:
        raise LookupError(f"no library with id {library_id}")
    date = now.astimezone(ZoneInfo(tz)).date().isoformat()
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}")
    doc = build_document(db, library_id, lang, now, flow=flow, tz=tz, chart=fmt != "md")
    # read now, written later: an adapter with an event loop writes it in a worker thread
    return Document(filename=filename(library["name"], date, lang, fmt),
                    source=partial(write, doc, fmt), mime_type=FORMATS[fmt].mime_type,
                    caption=caption)


# -- finding a library by name or id (the command line) ---------------------------------


class LibraryNotFound(LookupError):
    """No library, or more than one, matches: ``block`` of prompts/*/cli.j2 says so."""

    def __init__(self, block: str, **ctx: object):
        super().__init__(block)
        self.block, self.ctx = block, ctx


def _norm(name: str) -> str:
    return " ".join(str(name).split()).casefold()


def find_library(db: Database, wanted: str) -> dict[str, Any]:
    """The library with id ``wanted``, else the one whose name matches (exactly, then
    as a part of the name). Raises LibraryNotFound for none or several."""
    wanted = wanted.strip()
    every = libraries.all_libraries(db)
    if wanted.isdigit():
        by_id = [lib for lib in every if lib["id"] == int(wanted)]
        if by_id:
            return by_id[0]
    key = _norm(wanted)
    found = [lib for lib in every if _norm(lib["name"]) == key] or [
        lib for lib in every if key and key in _norm(lib["name"])]
    if len(found) == 1:
        return found[0]
    if not found:
        raise LibraryNotFound("no_library", wanted=repr(wanted))
    listed = ", ".join(f"{lib['id']} ({lib['name']})" for lib in found[:10])
    raise LibraryNotFound("ambiguous_library", wanted=repr(wanted), listed=listed)


# -- /export --------------------------------------------------------------------------


def coordinators(db: Database, library_id: int) -> list[str]:
    return [m["name"] for m in users.members(db, library_id) if m["role"] == "coordinator"]


def _refused(turn: Turn) -> list[Reply] | None:
    if turn.user["role"] != "coordinator":
        return [turn.say("export_reply.refused",
                         coordinators=coordinators(turn.db, turn.library_id))]
    return None


def _choose(turn: Turn, library: str, key: str = "export_reply.choose") -> Reply:
    row = [turn.button(f"export_reply.label_{f}", f"ex:{f}") for f in FORMATS]
    return turn.say(key, choices=[row], library=library)


def _send(turn: Turn, fmt: str) -> list[Reply]:
    library_id = turn.library_id  # only ever the user's own library
    name = libraries.get_library(turn.db, library_id)["name"]
    caption = turn.t(f"export_reply.caption_{fmt}", library=name)
    document = export_document(turn.db, library_id, turn.lang, turn.now, fmt, flow=turn.flow,
                               tz=turn.coach.tz, caption=caption)
    return [Reply(text=turn.t(f"export_reply.done_{fmt}"), document=document,
                  key=f"export_reply.done_{fmt}")]


def cmd_export(turn: Turn, args: str) -> list[Reply]:
    if refused := _refused(turn):
        return refused
    fmt = args.strip().lower().lstrip(".")
    if fmt in FORMATS:
        return _send(turn, fmt)
    name = libraries.get_library(turn.db, turn.library_id)["name"]
    return [_choose(turn, name)]


def press_export(turn: Turn, rest: str) -> list[Reply]:
    if refused := _refused(turn):
        return refused
    if rest in FORMATS:
        return _send(turn, rest)
    name = libraries.get_library(turn.db, turn.library_id)["name"]
    return [turn.say("export_reply.unknown_format"), _choose(turn, name)]


FEATURE = Feature("export", commands={"export": cmd_export}, buttons={"ex": press_export})
