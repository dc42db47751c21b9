"""The document's later sections: roles, listening and webcare, the content rhythm of
the first four weeks, results so far, open points and the appendix (see document.py)."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from coach.features.checkins.chart import Series
from coach.features.checkins.chart_png import progress_chart
from coach.features.checkins.trend import trend
from coach.features.export import reading
from coach.features.export.context import linked_tactics
from coach.features.export.model import Block, Section, fields, note, table
from coach.flow.library import open_decisions
from coach.storage import measurements, users

if TYPE_CHECKING:
    from coach.features.export.context import Reading

CHART_WEEKS = 12
HISTORY_MAX = 30
QUOTE_MAX = 120


def _short(text: str, limit: int = QUOTE_MAX) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _lower(label: str) -> str:
    return label[:1].lower() + label[1:]


def roles(r: Reading) -> Section:
    w = r.w
    coordinators = [m["name"] for m in users.members(r.db, r.library_id)
                    if m["role"] == "coordinator"]
    rows = []
    if coordinators:
        rows.append([w("role_coordination"), coordinators[0], ", ".join(coordinators[1:]) or "—"])
    for task, role in (("role_webcare", "webcare"), ("role_listening", "listening"),
                       ("role_measure", "owner")):
        text = r.value(role)
        who = reading.who_in(text) or (text if role == "owner" else "")
        if who:
            rows.append([w(task), who, reading.backup_in(text) or "—"])
    if not rows:
        return Section("roles", w("roles"), [note(w("roles_empty"))])
    header = [w("col_task"), w("col_who"), w("col_backup")]
    return Section("roles", w("roles"), [table(header, rows)])


def _plan(r: Reading, section_id: str, title: str, empty: str,
          parts: list[tuple[str, str]], agreement: str) -> Section:
    w = r.w
    if not agreement:
        return Section(section_id, title, [note(w(empty))])
    pairs = [(w("field_agreement"), agreement)]
    pairs += [(w(label), value) for label, value in parts if value]
    blocks = [fields(pairs)]
    missing = [_lower(w(label)) for label, value in parts if not value]
    if missing:
        blocks.append(note(w("missing_fields", fields=missing)))
    return Section(section_id, title, blocks)


def listening(r: Reading) -> Section:
    w = r.w
    heard, care = r.value("listening"), r.value("webcare")
    tool = reading.tool_in(heard) or reading.tool_in(care)
    listen = _plan(r, "listening:listening", w("listening_title"), "listening_empty", [
        ("field_where", ", ".join(reading.places_in(heard, r.channel_label))),
        ("field_how_often", reading.how_often_in(heard)), ("field_tool", tool)], heard)
    webcare = _plan(r, "listening:webcare", w("webcare_title"), "webcare_empty", [
        ("field_who_answers", reading.who_in(care)), ("field_backup", reading.backup_in(care)),
        ("field_response_time", reading.response_time_in(care)),
        ("field_hours", reading.hours_in(care))], care)
    return Section("listening", w("listening"), children=[listen, webcare])


def content_rhythm(r: Reading) -> Section:
    w = r.w
    start = reading.first_monday_after(r.today)
    planned, unplanned = [], []
    for tactic in r.items("tactics"):
        rhythm = reading.rhythm_of(tactic)
        dates = reading.dates_in_first_weeks(rhythm, start) if rhythm.frequency else []
        if not dates:
            unplanned.append(tactic)
        channels = ", ".join(r.channel_label(c) for c in reading.channels_in(tactic)) or "—"
        for day, kind in dates:
            planned.append((day, kind, tactic, channels))
    planned.sort(key=lambda p: p[0])
    blocks: list[Block] = []
    if planned:
        rows = [[w.weekday_date(day) if kind == "day" else
                 w("week_of" if kind == "week" else "daily_week_of", date=w.date(day)),
                 tactic, channels] for day, kind, tactic, channels in planned]
        blocks += [note(w("rhythm_proposal", start=w.date(start))),
                   table([w("col_date"), w("col_tactic_plain"), w("col_channel")], rows)]
    else:
        blocks.append(note(w("rhythm_empty")))
    if unplanned:
        blocks.append(Block("paragraph", text=w("rhythm_unplanned", tactics=unplanned)))
    return Section("rhythm", w("rhythm"), blocks)




def results(r: Reading, *, chart: bool = True) -> Section:
    w = r.w
    if not r.kpis:
        return Section("results", w("results"), [note(w("results_empty"))])
    rows, series = [], []
    for kpi in r.kpis:
        values = measurements.values_for(r.db, r.library_id, kpi.key)
        last = values[-1] if values else None
        rows.append([kpi.name, r.number(kpi.baseline, kpi.target_percent) or "—",
                     r.number(kpi.target, kpi.target_percent) or "—",
                     r.number(last["value"], bool(last["percent"])) if last else "—",
                     last["iso_week"] if last else "—",
                     w(f"trend_{trend([v['value'] for v in values])}"), str(len(values))])
        shown = values[-CHART_WEEKS:]
        series.append(Series(kpi.name, [f"W{v['iso_week'][-2:]}" for v in shown],
                             [float(v["value"]) for v in shown],
                             None if kpi.target is None else float(kpi.target),
                             kpi.target_percent))
    header = [w(c) for c in ("col_kpi_plain", "col_baseline", "col_target", "col_latest",
                             "col_week", "col_trend", "col_count")]
    blocks = [table(header, rows)]
    if not any(s.values for s in series):
        blocks.append(note(w("results_none_yet")))
    elif chart:  # drawn when a format places it (off the event loop, see feature.py)
        draw = partial(progress_chart, series, target_label=w("chart_target"),
                       title=w("chart_title"), lang=r.lang)
        blocks.append(Block("image", image=draw, alt=w("chart_alt")))
    return Section("results", w("results"), blocks)


def _where(r: Reading, question_id: str, item: str) -> str:
    """"Stap 2, Leeftijden" or "Stap 5, KPI's („goal”)": where in the flow a point is."""
    key = (question_id, item)
    if key not in r.places:
        q = r.flow.question(question_id)
        step = next(s for s in r.flow.steps if any(x.id == q.id for x in s.questions))
        r.places[key] = r.w("where", step=step.number, label=q.label[r.lang],
                            item=_short(item, 80))
    return r.places[key]


def open_points(r: Reading) -> Section:
    w = r.w
    items: list[str] = []
    skipped: dict[tuple[str, str], list[str]] = {}
    for row in r.history:
        if row["superseded_at"] is None and row["status"] == "skipped":
            names = skipped.setdefault((row["question_id"], row["item_key"]), [])
            if (row["author_name"] or "?") not in names:
                names.append(row["author_name"] or "?")
    for qid in r.flow.order:  # what the library has no answer to yet, in the flow's order
        q = r.question(qid)
        source = q.foreach or (q.options_from[0] if q.options_from and not q.options else "")
        keys = r.items(q.foreach) if q.foreach else [""]
        if source and not (r.items(source) if q.foreach else []):
            if not r.answers(qid):
                items.append(w("open_waiting", where=_where(r, qid, ""),
                               source=r.flow.question(source).label[r.lang]))
            continue
        answered = {row["item_key"] for row in r.answers(qid)}
        for key in keys:
            if key not in answered:
                where = _where(r, qid, key)
                names = skipped.get((qid, key))
                items.append(w("open_skipped", where=where, names=names) if names
                             else w("open_unanswered", where=where))
    for qid in r.flow.order:
        for row in r.answers(qid):
            if kind := row.get("feedback"):
                block = f"weak_{kind}" if f"weak_{kind}" in w.template.blocks else "weak_other"
                items.append(w("open_kept", where=_where(r, qid, row["item_key"]),
                               answer=_short(r.shown(row)), feedback=w(block)))
    for d in open_decisions(r.db, r.library_id):
        if d["question_id"] in r.flow.questions:
            items.append(w("open_decision", where=_where(r, d["question_id"], d["item_text"]),
                           names=list(d.get("names") or [])))
    if r.items("tactics"):
        items += [w("open_no_tactic", kpi=_short(k.name, 80)) for k in r.kpis
                  if not linked_tactics(r, k)]
    care = r.value("webcare")
    if care and not reading.backup_in(care):
        items.append(w("open_no_backup"))
    blocks = [Block("list", items=items)] if items else [note(w("open_empty"))]
    return Section("open", w("open"), blocks)


def appendix(r: Reading) -> Section:
    w = r.w
    library = {(row["question_id"], row["item_key"]): row for qid in r.flow.order
               for row in r.answers(qid)}
    grouped: dict[tuple[str, str, str], list[str]] = {}
    for row in r.history:
        if row["superseded_at"] is not None or row["status"] != "answered" or (
                row["question_id"] not in r.flow.questions):
            continue
        agreed = library.get((row["question_id"], row["item_key"]))
        if agreed is not None and (agreed["id"] == row["id"] or agreed["value"] == row["value"]):
            continue  # the library's answer, or the same words
        value = r.shown({**row, "provisional": False})
        names = grouped.setdefault((row["question_id"], row["item_key"], value), [])
        if (row["author_name"] or "?") not in names:
            names.append(row["author_name"] or "?")
    order = {qid: i for i, qid in enumerate(r.flow.order)}
    children = []
    if grouped:
        pairs = [(_where(r, qid, key), w("contribution", names=names, value=value))
                 for (qid, key, value), names in sorted(grouped.items(),
                                                         key=lambda g: order[g[0][0]])]
        children.append(Section("appendix:contributions", w("contributions"),
                                [note(w("contributions_intro")), fields(pairs)]))
    earlier = [row for row in r.history if row["superseded_at"] is not None
               and row["status"] == "answered" and row["question_id"] in r.flow.questions]
    if earlier:
        lines = [w("history_line", date=w.date(_day(row["created_at"])),
                   name=row["author_name"] or "?",
                   label=_where(r, row["question_id"], row["item_key"]),
                   value=_short(r.shown({**row, "provisional": False})))
                 for row in reversed(earlier[-HISTORY_MAX:])]
        blocks = [Block("list", items=lines)]
        if len(earlier) > HISTORY_MAX:
            blocks.append(note(w("history_more", count=len(earlier) - HISTORY_MAX)))
        children.append(Section("appendix:history", w("history"), blocks))
    if not children:
        return Section("appendix", w("appendix"), [note(w("appendix_empty"))])
    return Section("appendix", w("appendix"), children=children)


def _day(stamp: str):
    from datetime import date

    return date.fromisoformat(stamp[:10])
