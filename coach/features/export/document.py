"""The strategy document's view model, built once from the database and rendered per
format (``render_md.py``, ``render_docx.py``, ``render_html.py``), so the formats
cannot drift apart.

It reads the library's answers ONLY through ``coach.flow.library.library_answers``
(a provisional row is shown as a proposal, not as the library's), the KPIs through
``coach.features.checkins.kpis.library_kpis`` (by ``Kpi.key``) and the open team
decisions through ``coach.flow.library.open_decisions``. The sections: the title block,
a summary, the seven steps (one answer per question), the overview from goal to
measurement, roles, listening and webcare, the content rhythm of the first four weeks
(a proposal), results so far, open points and an appendix (colleagues' contributions
and history); see ``sections.py`` for the last five.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from coach.core.calendar import DEFAULT_TZ
from coach.core.texts import lang_or_default
from coach.features.checkins.kpis import Kpi, library_kpis
from coach.features.export import reading, sections
from coach.features.export.context import Reading, linked_tactics
from coach.features.export.model import Block, Section, StrategyDocument, Texts, fields, note, table
from coach.flow.model import Flow, load_flow
from coach.flow.positions import Positions
from coach.storage import Database, libraries, users
from coach.storage.history import answer_history

KEY_KPIS = 5


def _title_block(r: Reading, library: dict[str, Any]) -> list[tuple[str, str]]:
    w = r.w
    changes = sorted({row["created_at"][:10] for row in r.history})
    pairs = [(w("field_date"), w.date(r.today))]
    if changes:
        pairs.append((w("field_version"), w("version", number=len(changes),
                                             changed=w.date(date.fromisoformat(changes[-1])))))
    coordinators = {m["name"] for m in users.members(r.db, r.library_id)
                    if m["role"] == "coordinator"}
    names = list(dict.fromkeys(row["author_name"] for row in r.history
                               if row["author_name"] and row["status"] == "answered"))
    shown = [w("coordinator", name=n) if n in coordinators else n for n in names]
    if shown:
        pairs.append((w("field_contributors"), ", ".join(shown)))
    return pairs


def kpi_text(r: Reading, kpi: Kpi) -> str:
    return r.w("kpi_line", name=kpi.name, baseline=r.number(kpi.baseline, kpi.target_percent),
               target=r.number(kpi.target, kpi.target_percent), period=period(r, kpi),
               deadline=r.w.date(kpi.deadline) if kpi.deadline else "")


def period(r: Reading, kpi: Kpi) -> str:
    return r.w(f"period_{kpi.period}") if kpi.period in ("week", "month", "total") else ""


def _summary(r: Reading) -> Section:
    w = r.w
    audiences = ", ".join(v for v in (r.value("groups"), r.value("ages")) if v)
    hours = r.answers(r.flow.by_role("hours").id)
    capacity = ""
    if hours and isinstance(hours[0]["value"], dict):
        capacity = r.shown(hours[0])  # "4 uur": the unit is the flow's
    pairs = [(w(label), value) for label, value in (
        ("field_mission", r.value("mission.statement")), ("field_focus", r.value("focus")),
        ("field_audiences", audiences), ("field_channels", r.value("channels")),
        ("field_capacity", capacity)) if value]
    blocks = [fields(pairs)] if pairs else []
    if r.kpis:
        blocks += [Block("paragraph", text=w("field_kpis")),
                   Block("list", items=[kpi_text(r, k) for k in r.kpis[:KEY_KPIS]])]
    return Section("summary", w("summary"), blocks or [note(w("summary_empty"))])


def _steps(r: Reading) -> Section:
    w = r.w
    children = []
    for step in r.flow.steps:
        pairs = []
        for q in step.questions:
            for row in r.answers(q.id):
                label = q.label[r.lang]
                if q.foreach:
                    label = w("item_label", label=label, item=row["item_key"])
                pairs.append((label, r.shown(row)))
        blocks = [fields(pairs)] if pairs else [note(w("step_empty"))]
        children.append(Section(f"step:{step.id}", w("step_title", number=step.number,
                                                      title=step.title[r.lang]), blocks))
    return Section("steps", w("steps"), children=children)


def _joined(*parts: str) -> str:
    return " · ".join(p for p in parts if p) or "—"


def tactic_cell(r: Reading, tactic: str) -> str:
    channels = reading.channels_in(tactic)
    chosen = r.answers(r.flow.by_role("channels").id)
    if not channels and chosen and isinstance(chosen[0]["value"], list) and len(
            chosen[0]["value"]) == 1:
        channels = list(chosen[0]["value"])  # the only channel the library chose
    labels = ", ".join(r.channel_label(c) for c in channels)
    return f"{tactic} ({_joined(labels, reading.rhythm_words(tactic), reading.who_in(tactic))})"


def measure_cell(r: Reading, tactic: str) -> str:
    owner = r.value("owner")
    return _joined(r.value("measure.per_tactic", tactic), r.value("rhythm"),
                   reading.who_in(owner) or owner)


def _overview(r: Reading) -> Section:
    w = r.w
    if not r.kpis:
        return Section("overview", w("overview"), [note(w("overview_empty"))])
    links = {row["item_key"]: r.shown(row) for row in r.answers("sm_goals.link")}
    rows = []
    for kpi in r.kpis:
        tactics = linked_tactics(r, kpi)
        kpi_cell = _joined(kpi.name, w("baseline", value=r.number(kpi.baseline, kpi.target_percent))
                           if kpi.baseline is not None else "",
                           w("target", value=r.number(kpi.target, kpi.target_percent))
                           if kpi.target is not None else "", period(r, kpi),
                           w("deadline", date=w.date(kpi.deadline)) if kpi.deadline else "")
        rows.append([links.get(kpi.goal, "") or "—", kpi.goal or "—", kpi_cell,
                     "; ".join(tactic_cell(r, x) for x in tactics) or "—",
                     "; ".join(measure_cell(r, x) for x in tactics) or "—"])
    header = [w(c) for c in ("col_goal", "col_sm_goal", "col_kpi", "col_tactic", "col_measure")]
    return Section("overview", w("overview"), [table(header, rows)])


def build_document(db: Database, library_id: int, lang: str | None, now: datetime, *,
                   flow: Flow | None = None, tz: str = DEFAULT_TZ,
                   chart: bool = True) -> StrategyDocument:
    """The whole document; ``chart=False`` leaves the results chart out (Markdown)."""
    flow = flow or load_flow()
    lang = lang_or_default(lang)
    library = libraries.get_library(db, library_id)
    if library is None:
        raise LookupError(f"no library with id {library_id}")
    positions = Positions(db, flow, library_id, "")
    r = Reading(db, flow, library_id, lang, now.astimezone(ZoneInfo(tz)).date(), Texts(lang),
                positions, {p.question.id: p.question for p in positions.all})
    r.kpis = library_kpis(db, library_id)
    r.history = answer_history(db, library_id)
    body = [_summary(r), _steps(r), _overview(r), sections.roles(r), sections.listening(r),
            sections.content_rhythm(r), sections.results(r, chart=chart),
            sections.open_points(r), sections.appendix(r)]
    return StrategyDocument(lang, library["name"], r.w("title", library=library["name"]),
                            r.today, _title_block(r, library), body)
