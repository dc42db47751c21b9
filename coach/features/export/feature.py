"""The team's strategy as one Markdown document: ``/export`` and ``bot.py export``.

The document is ``prompts/<lang>/export.md.j2``, rendered with the Markdown-safe
environment of ``markdown.py``.

The "measurement method" column of the KPI table: the flow has no method per KPI
(step 7 asks one per tactic), so the column shows the library's measuring rhythm and
who collects the numbers; the methods per tactic follow in step 7.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from coach.core.calendar import DEFAULT_TZ
from coach.core.events import Document, Reply
from coach.core.feature import Feature
from coach.core.texts import lang_or_default, render
from coach.features.advice.data import load_channel_data
from coach.features.advice.feature import audience_profile, chosen_ids
from coach.features.checkins import kpis as kpi_store
from coach.features.checkins.trend import trend as trend_of
from coach.features.export.markdown import environment
from coach.features.next_steps.ranking import LibrarySnapshot, choose_next_step, rank_next_steps
from coach.features.next_steps.snapshot import TREND_WEEKS, library_snapshot
from coach.flow.display import display
from coach.flow.library import library_answers
from coach.flow.model import Flow, Question, load_flow
from coach.flow.numbers import format_number
from coach.flow.positions import Positions
from coach.storage import Database, answers, checkins, libraries, measurements, users
from coach.storage import items as item_store

if TYPE_CHECKING:
    from coach.core.turn import Turn

NEXT_STEPS_MAX = 3
ARROWS = {"rising": "↑", "falling": "↓", "flat": "→", "none": "—"}

# -- Markdown-safe text ------------------------------------------------------------------

# -- what the template gets ----------------------------------------------------------------


@dataclass
class AnswerView:
    author: str
    text: str = ""  # for text, choice, multi and number answers
    items: list[str] = field(default_factory=list)  # for list answers


@dataclass
class ItemView:
    key: str  # the foreach item ("" for an ordinary question)
    answers: list[AnswerView]
    skipped_by: list[str]
    counted: bool = True  # a position of the library (not an item only a colleague had)


@dataclass
class QuestionView:
    id: str
    label: str
    kind: str
    prompt: str
    foreach: bool
    items: list[ItemView]
    waiting_for: str = ""  # a foreach question whose source list has no answer yet


@dataclass
class StepView:
    number: int
    id: str
    title: str
    questions: list[QuestionView]


@dataclass
class TodoView:
    step: int
    step_title: str
    label: str
    item: str
    prompt: str
    skipped_by: list[str]
    waiting_for: str = ""


@dataclass
class KpiRow:
    goal: str
    name: str
    target: str
    method: str
    latest: str
    week: str
    trend: str
    values: list[str]


def _prompt(q: Question, lang: str, item: str) -> str:
    return q.prompt[lang].replace("{item}", item)


def _answer_view(q: Question, row: dict[str, Any], lang: str) -> AnswerView:
    name = row["author_name"] or "?"
    if q.kind == "list":
        return AnswerView(name, items=[str(v) for v in row["value"] or []])
    return AnswerView(name, text=display(q, row["value"], lang))


def _steps_and_todo(
    db: Database, flow: Flow, library_id: int, lang: str
) -> tuple[list[StepView], list[TodoView], int, int]:
    """Every question with every colleague's current answer; the open positions."""
    by_key: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for row in answers.current_answers(db, library_id):
        by_key.setdefault((row["question_id"], row["item_key"]), []).append(row)
    positions = Positions(db, flow, library_id, "")
    texts = item_store.texts(db, library_id)
    steps: list[StepView] = []
    todo: list[TodoView] = []
    answered = total = 0
    for step in flow.steps:
        questions = []
        for q in step.questions:
            keys = [p.item_key for p in positions.all if p.question.id == q.id]
            extra = sorted(
                {k for (qid, k) in by_key if qid == q.id and k not in keys},
                key=lambda k: min(r["id"] for r in by_key[(q.id, k)]),
            )
            items = []
            for key in [*keys, *extra]:
                rows = by_key.get((q.id, key), [])
                done = [r for r in rows if r["status"] == "answered"]
                skipped = [r["author_name"] for r in rows if r["status"] == "skipped"]
                if not done and key in extra:
                    continue
                items.append(ItemView(texts.get(key, key), [_answer_view(q, r, lang) for r in done],
                                      skipped,
                                      counted=key in keys))
                if key in keys:
                    total += 1
                    if done:
                        answered += 1
                    else:
                        text = texts.get(key, key)
                        todo.append(TodoView(step.number, step.title[lang], q.label[lang], text,
                                             _prompt(q, lang, text), skipped))
            waiting = ""
            if q.foreach and not keys:
                waiting = flow.question(q.foreach).label[lang]
                total += 1
                todo.append(TodoView(step.number, step.title[lang], q.label[lang], "",
                                     _prompt(q, lang, "…"), [], waiting))
            questions.append(QuestionView(q.id, q.label[lang], q.kind, q.prompt[lang],
                                          bool(q.foreach), items, waiting))
        steps.append(StepView(step.number, step.id, step.title[lang], questions))
    return steps, todo, answered, total


def _latest_text(db: Database, flow: Flow, library_id: int, role: str,
                 lang: str) -> str:
    question = flow.by_role(role)
    rows = library_answers(db, library_id, question.id)
    return display(question, rows[-1]["value"], lang) if rows else ""


def _kpi_rows(
    db: Database, library_id: int, lang: str, method: str
) -> list[KpiRow]:
    rows = []
    for k in kpi_store.library_kpis(db, library_id):
        values = measurements.values_for(db, library_id, k.key, limit=TREND_WEEKS)
        direction = trend_of([v["value"] for v in values])
        fmt = [format_number(float(v["value"]), lang, percent=bool(v["percent"]))
               for v in values]
        rows.append(KpiRow(
            goal=k.goal, name=k.name,
            target="" if k.target is None else format_number(
                float(k.target), lang, percent=k.target_percent),
            method=method, latest=fmt[-1] if fmt else "",
            week=values[-1]["iso_week"] if values else "",
            trend=ARROWS[direction], values=fmt,
        ))
    return rows


def _next_steps(db: Database, library_id: int, snapshot: LibrarySnapshot,
                todo: list[TodoView], lang: str) -> list[Any]:
    """Two suggestions from flows/next_steps.yaml once the strategy is complete."""
    if todo:
        return []
    done = checkins.done_steps(db, library_id)
    ranked = rank_next_steps(snapshot, done, lang=lang)[: NEXT_STEPS_MAX - 1]
    return ranked or [choose_next_step(snapshot, done, lang=lang)]


@dataclass(frozen=True)
class Export:
    text: str
    answered: int  # positions of the library with at least one answer
    total: int


def build_export(
    db: Database,
    library_id: int,
    lang: str | None,
    now: datetime,
    *,
    flow: Flow | None = None,
    tz: str = DEFAULT_TZ,
) -> Export:
    flow = flow or load_flow()
    lang = lang_or_default(lang)
    library = libraries.get_library(db, library_id)
    if library is None:
        raise LookupError(f"no library with id {library_id}")
    steps, todo, answered, total = _steps_and_todo(db, flow, library_id, lang)

    data = load_channel_data()
    profile = audience_profile(db, library_id, "")
    audience = data.audience_view(profile, lang) if profile else None
    channels = chosen_ids(db, library_id, "", flow.by_role("channels").id)
    flags = None
    if profile and channels:
        flags = data.flags_view(data.channel_flags(profile, channels), lang)["flags"]

    rhythm = _latest_text(db, flow, library_id, "rhythm", lang)
    owner = _latest_text(db, flow, library_id, "owner", lang)
    kpi_rows = _kpi_rows(db, library_id, lang, " · ".join(x for x in (rhythm, owner)
                                                                    if x))
    snapshot = library_snapshot(db, library_id)
    members = [{"name": m["name"], "coordinator": m["role"] == "coordinator"}
               for m in users.members(db, library_id)]
    template = environment().get_template(f"{lang}/export.md.j2")
    text = template.render(
        lang=lang,
        library=library["name"],
        date=now.astimezone(ZoneInfo(tz)).date().isoformat(),
        answered=answered,
        total=total,
        percent=round(100 * answered / total) if total else 0,
        members=members,
        steps=steps,
        todo=todo,
        audience=audience,
        flags=flags,
        kpis=kpi_rows,
        trend_weeks=TREND_WEEKS,
        rhythm=rhythm,
        owner=owner,
        next_todo=todo[:NEXT_STEPS_MAX],
        next_steps=_next_steps(db, library_id, snapshot, todo, lang),
    )
    return Export(re.sub(r"\n{3,}", "\n\n", text).strip() + "\n", answered, total)


def filename(library_name: str, date: str, lang: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", library_name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:40].strip("-")
    word = render(lang, "labels.strategy_file")
    return f"{word}-{slug or render(lang, 'labels.library_file')}-{date}.md"


def export_document(
    db: Database,
    library_id: int,
    lang: str | None,
    now: datetime,
    *,
    flow: Flow | None = None,
    tz: str = DEFAULT_TZ,
    caption: str = "",
) -> tuple[Document, Export]:
    """The export as a file to send, and what it contains."""
    lang = lang_or_default(lang)
    result = build_export(db, library_id, lang, now, flow=flow, tz=tz)
    library = libraries.get_library(db, library_id)
    date = now.astimezone(ZoneInfo(tz)).date().isoformat()
    document = Document(filename=filename(library["name"], date, lang),
                        content=result.text.encode("utf-8"), mime_type="text/markdown",
                        caption=caption)
    return document, result


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


def cmd_export(turn: Turn, args: str) -> list[Reply]:
    if turn.user["role"] != "coordinator":
        return [turn.say("export_reply.refused",
                         coordinators=coordinators(turn.db, turn.library_id))]
    library_id = turn.library_id  # only ever the user's own library
    document, result = export_document(turn.db, library_id, turn.lang, turn.now,
                                       flow=turn.flow, tz=turn.coach.tz,
                                       caption=turn.t("export_reply.caption"))
    return [Reply(text=turn.t("export_reply.done", answered=result.answered, total=result.total,
                              filename=document.filename),
                  document=document)]


FEATURE = Feature("export", commands={"export": cmd_export})
