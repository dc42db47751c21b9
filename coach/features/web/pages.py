"""What the web view's pages show: read-only views of the user's own library.

Each view gets the :class:`~coach.core.turn.Turn` of the signed-in user (the core has
checked that they are a member, and a coordinator for the team page) and returns the
data of its template in ``prompts/web/``. Nothing here changes the database.

The strategy page shows the same document as the export: :func:`strategy_html` is the
one place that turns the export into HTML.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from datetime import datetime
from functools import cache
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from markupsafe import Markup

from coach.core.events import Document
from coach.features.checkins import kpis as kpi_store
from coach.features.checkins.chart import kpi_chart, week_monday
from coach.features.export.feature import export_document, html_body
from coach.features.export.render_html import stylesheet
from coach.features.team.feature import team_members
from coach.features.web.projection import project
from coach.flow.display import display
from coach.flow.library import open_decisions
from coach.flow.numbers import format_number
from coach.storage import Database, answers, libraries, measurements
from coach.storage import web as web_store

if TYPE_CHECKING:
    from collections.abc import Mapping

    from coach.core.turn import Turn

CACHE_SIZE = 64  # pages kept (a page of a big library is some 100 KB)
CACHE_SECONDS = 300
_cache: OrderedDict[tuple, tuple[float, Any, Any]] = OrderedDict()

# format -> its label (a block of prompts/*/web.j2)
DOWNLOADS = {"docx": "download_docx", "html": "download_html", "md": "download_md"}
PERIODS = ("week", "month", "total")


def cached(turn: Turn, what: str, make: Callable[[], Any]) -> Any:
    """``make()``, or what it made before for the same library, language, day and data
    (``coach.storage.web.library_version``), at most ``CACHE_SECONDS`` ago. The big
    pages (the document, the team) are built once per change, not once per view."""
    day = turn.now.astimezone(ZoneInfo(turn.coach.tz)).date()
    # id(db): one process may hold several databases (the tests do); the entry keeps
    # its database object, so that id is not reused while the entry lives
    key = (id(turn.db), what, turn.library_id, turn.lang, day,
           web_store.library_version(turn.db, turn.library_id))
    hit = _cache.get(key)
    if hit is not None and time.monotonic() - hit[0] < CACHE_SECONDS:
        _cache.move_to_end(key)
        return hit[2]
    value = make()
    _cache[key] = (time.monotonic(), turn.db, value)
    while len(_cache) > CACHE_SIZE:
        _cache.popitem(last=False)
    return value


def strategy_html(db: Database, library_id: int, lang: str, now: datetime, tz: str) -> Markup:
    """The strategy document as HTML: the export's own HTML renderer (its body), so the
    page and every download are the same document."""
    return Markup(html_body(db, library_id, lang, now, tz=tz))


def _download(turn: Turn, fmt: str) -> Document:
    """The strategy as a file in ``fmt`` (the same document as the page)."""
    return export_document(turn.db, turn.library_id, turn.lang, turn.now, fmt,
                           flow=turn.flow, tz=turn.coach.tz)


def document_css(turn: Turn, params: Mapping[str, str]) -> Document:
    """The document's stylesheet, served beside the page (no inline styles: CSP)."""
    return Document("document.css", stylesheet().encode(), mime_type="text/css")


def library_name(turn: Turn) -> str:
    library = libraries.get_library(turn.db, turn.library_id)
    return library["name"] if library else ""


def strategy_page(turn: Turn, params: Mapping[str, str]) -> dict[str, Any]:
    return {
        "library": library_name(turn),
        "document": cached(turn, "strategy", lambda: strategy_html(
            turn.db, turn.library_id, turn.lang, turn.now, turn.coach.tz)),
        "downloads": [{"format": f, "label": turn.t(f"web.{block}")}
                      for f, block in DOWNLOADS.items()],
    }


def download_page(turn: Turn, params: Mapping[str, str]) -> Document:
    fmt = params.get("format", "")
    if fmt not in DOWNLOADS:
        raise LookupError(fmt)
    return cached(turn, f"download.{fmt}", lambda: _download(turn, fmt))


@cache
def _number(value: float, lang: str, percent: bool) -> str:
    return format_number(value, lang, percent=percent)


def _fmt(turn: Turn, value: float | None, percent: bool = False) -> str:
    return "" if value is None else _number(float(value), turn.lang, bool(percent))


def _date(turn: Turn, day: Any) -> str:
    if day is None:
        return ""
    return turn.t("web.date", day=day.day, month=turn.t(f"web.month_{day.month}"),
                  year=day.year)


def _kpi_view(turn: Turn, kpi: kpi_store.Kpi) -> dict[str, Any]:
    rows = measurements.values_for(turn.db, turn.library_id, kpi.key)
    weeks = [r["iso_week"] for r in rows]
    values = [float(r["value"]) for r in rows]
    target = None if kpi.target is None else float(kpi.target)
    projection = project([week_monday(w) for w in weeks], values, target, kpi.deadline,
                         kpi.baseline)
    percent = kpi.target_percent
    chart = kpi_chart(weeks, values, baseline=kpi.baseline, target=target,
                      deadline=kpi.deadline, projected=projection.end,
                      fmt=lambda v: _fmt(turn, v, percent))
    return {
        "key": kpi.key, "name": kpi.name, "goal": kpi.goal,
        "target": _fmt(turn, target, percent), "baseline": _fmt(turn, kpi.baseline, percent),
        "period": kpi.period if kpi.period in PERIODS else "",
        "deadline": _date(turn, kpi.deadline),
        "latest": _fmt(turn, values[-1], bool(rows[-1]["percent"])) if rows else "",
        "chart": chart, "projection": projection, "reach": _date(turn, projection.reach),
        "rows": [{"week": r["iso_week"], "value": _fmt(turn, r["value"], bool(r["percent"])),
                  "author": r["author_name"] or "?"} for r in reversed(rows)],
    }


def kpis_page(turn: Turn, params: Mapping[str, str]) -> dict[str, Any]:
    return {"library": library_name(turn),
            "kpis": [_kpi_view(turn, k) for k in kpi_store.library_kpis(turn.db, turn.library_id)]}


def decisions(turn: Turn) -> list[dict[str, Any]]:
    """The to-decide list: each open decision with the contributions to choose from."""
    out = []
    for row in open_decisions(turn.db, turn.library_id):
        question = turn.flow.questions.get(row["question_id"])
        if question is None:
            continue
        contributions = [
            {"answer_id": a["id"], "author": a["author_name"] or "?",
             "text": display(question, a["value"], turn.lang)}
            for a in answers.current_answers(turn.db, turn.library_id, question.id)
            if a["item_key"] == row["item_key"] and a["status"] == "answered"
        ]
        step = turn.flow.step(question.step_id)
        out.append({"question_id": question.id, "item_key": row["item_key"],
                    "item_text": row.get("item_text") or "",
                    "label": question.label[turn.lang], "names": row.get("names") or [],
                    "step": step.title[turn.lang] if step else "",
                    "contributions": contributions})
    return out


def team_page(turn: Turn, params: Mapping[str, str]) -> dict[str, Any]:
    return {"library": library_name(turn), "members": cached(turn, "team", lambda: members(turn)),
            "decisions": cached(turn, "decisions", lambda: decisions(turn))}


def members(turn: Turn) -> list[dict[str, Any]]:
    """Each member's progress, as /team counts it, and the steps assigned to them."""
    return [shown for _, shown in team_members(turn)]

