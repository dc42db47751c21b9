"""The strategy's messages (questions, summaries) and buttons, built from templates.

Callback data used by the buttons (all well under Telegram's 64 bytes):

- ``n:<action>``      navigation: back, skip, pause, continue, overview, stop, edit
- ``o:<qid>:<opt>``   pick (or toggle, for multi) an option of question ``qid``
- ``m:<qid>``         finish a multiple-choice selection
- ``y:<qid>`` / ``x:<qid>``   confirm / reject an uncertain match
- ``k:<qid>``         keep the current answer
- ``a:<answer id>``   agree with a colleague's answer ("Eens met Sanne")
- ``s:<step>`` / ``e:<qid>``  edit: pick a step / a question
- ``r:<step>``        restart a step (after confirmation)
- ``l:new`` / ``l:join``      create / join a library
- ``g:<lang>``        choose a language
- ``i:new``           make a new invite link
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup, escape

from coach.core.events import Choice, Reply
from coach.core.texts import label, markup, render
from coach.flow.display import display, position_ref
from coach.flow.model import Flow, Question
from coach.flow.positions import Position, Positions


def nav_button(lang: str, action: str) -> Choice:
    return Choice(label(lang, action), f"n:{action}")


def prompt_html(q: Question, lang: str, item: str = "") -> Markup:
    """The question's prompt, escaped, with ``{item}`` filled in (in italics)."""
    text = escape(q.prompt[lang])
    return Markup(text.replace("{item}", Markup("<i>%s</i>") % item))


def option_rows(position: Position, lang: str, selected: list[str]) -> list[list[Choice]]:
    q, ref = position.question, position_ref(position)
    buttons = []
    for o in q.options:
        mark = " ✅" if o.id in selected else ""  # after the word: it is read out last
        buttons.append(Choice(o.label[lang] + mark, f"o:{ref}:{o.id}"))
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    if q.kind == "multi":
        rows.append([Choice(label(lang, "done"), f"m:{ref}")])
    return rows


def question_reply(
    *,
    flow: Flow,
    positions: Positions,
    position: Position,
    lang: str,
    user_id: str,
    mine: Any,
    colleagues: list[dict[str, Any]],
    shown: list[tuple[str, str]],
    selected: list[str],
    notice: str = "",
    library: dict[str, Any] | None = None,
    history: list[dict[str, Any]] | None = None,
    after_intro: bool = False,
) -> Reply:
    q = position.question
    step = flow.step_of(q)
    step_questions = [x.id for x in step.questions]
    items = positions.items(q.foreach) if q.foreach else []
    text = render(
        lang,
        "question",
        notice=markup(notice),
        after_intro=after_intro,
        step_number=step.number,
        step_count=len(flow.steps),
        step_title=step.title[lang],
        question_number=step_questions.index(q.id) + 1,
        question_count=len(step_questions),
        item_number=position.item_index + 1,
        item_count=len(items),
        item_label=q.item_label.get(lang, ""),
        prompt=prompt_html(q, lang, position.item_text),
        hint=q.hint.get(lang, ""),
        examples=q.examples[lang][:2],
        kind=q.kind,
        max_items=int(q.rule("max_items")) if q.kind in ("list", "multi") else 0,
        shown=shown,
        colleagues=[(c["author_name"], display(q, c["value"], lang)) for c in colleagues[:3]],
        more_colleagues=max(0, len(colleagues) - 3),
        mine=display(q, mine, lang) if mine is not None else "",
        library=display(q, library["value"], lang) if library else "",
        library_provisional=bool(library and library["provisional"]),
        library_author=(library or {}).get("author_name") or "",
        history=history or [],
        selected=[o.label[lang] for o in q.options if o.id in selected],
        typed_example=", ".join(o.label[lang].lower() for o in q.options[:2]),
    )
    rows = option_rows(position, lang, selected) if q.options else []
    rows += [[Choice(Markup(render(lang, "labels.agree", name=(c["author_name"] or "?")[:30]))
                     .unescape(), f"a:{c['id']}")] for c in colleagues[:3]]
    nav = []
    if positions.previous(position) is not None:
        nav.append(nav_button(lang, "back"))
    if mine is not None:
        nav.append(Choice(label(lang, "keep"), f"k:{position_ref(position)}"))
    else:
        nav.append(nav_button(lang, "skip"))
    nav.append(nav_button(lang, "pause"))
    return Reply(text=text, choices=[*rows, nav])


def step_summary_reply(
    *, flow: Flow, step_id: str, lang: str, lines: list[tuple[str, str, str]], next_step: Any
) -> Reply:
    step = flow.step(step_id)
    text = render(
        lang,
        "step_summary",
        step_number=step.number,
        step_title=step.title[lang],
        lines=lines,
        next_step_number=next_step.number if next_step else None,
        next_step_title=next_step.title[lang] if next_step else "",
    )
    # after the last step the "all done" message that follows has its own buttons
    choices = [[nav_button(lang, "continue"), nav_button(lang, "stop")]] if next_step else []
    return Reply(text=text, choices=choices)
