"""Asking the seven steps' questions and storing the answers.

The user is ``asking`` while a question is open; ``step_done`` after a step's summary
(go on or stop for today); ``paused`` after stopping (``question_id`` is where they
resume); ``done`` when every question has an answer or was skipped. The strategy's
own state (``turn.state("strategy")``) may hold a confirmation of a typed value, a
multiple-choice selection, an edit marker or a step being redone.
"""

from __future__ import annotations

from typing import Any

from coach.core.calendar import format_date
from coach.core.events import Reply
from coach.core.turn import Turn
from coach.features.strategy import renaming
from coach.features.strategy.state import state
from coach.features.strategy.views import nav_button, question_reply, step_summary_reply
from coach.flow import agreement
from coach.flow.display import display
from coach.flow.library import library_answers
from coach.flow.positions import Position
from coach.storage import answers, users
from coach.storage import library_answers as library_store

# -- asking ---------------------------------------------------------------------------


def ask(turn: Turn, position: Position, notice: str = "", *, after_intro: bool = False) -> Reply:
    """The question at ``position``; ``after_intro``: right below the step's intro,
    which already names the step (so the question does not name it again)."""
    q = position.question
    mine_row = answers.my_answer(turn.db, turn.library_id, turn.user["id"], q.id,
                               position.item_key)
    mine = mine_row["value"] if mine_row and mine_row["status"] == "answered" else None
    colleagues = [
        r for r in answers.current_answers(turn.db, turn.library_id, q.id)
        if r["author_id"] != turn.user["id"] and r["status"] == "answered"
        and r["item_key"] == position.item_key
    ]
    reply = question_reply(
        flow=turn.flow, positions=turn.positions, position=position, lang=turn.lang,
        user_id=turn.user["id"], mine=mine, colleagues=colleagues,
        shown=_shown_answers(turn, position), selected=state(turn).get("selection", []),
        notice=notice, after_intro=after_intro,
        history=_history(turn, position) if state(turn).get("edit") else [],
        library=next(
            (r for r in library_answers(turn.db, turn.library_id, q.id)
             if r["item_key"] == position.item_key and r["author_id"] != turn.user["id"]),
            None) if colleagues else None,
    )
    reply.key = "question"
    return reply


HISTORY_SHOWN = 3  # earlier versions of the library's answer shown when editing


def _history(turn: Turn, position: Position) -> list[dict[str, Any]]:
    """The latest versions of the library's answer (who, when, how), newest first."""
    rows = library_store.history(turn.db, turn.library_id, position.question.id,
                                 position.item_key)
    return [{"date": format_date(r["created_at"][:10], turn.lang), "how": r["how"],
             "author": r["author_name"] or "?", "decided_by": r["decided_by_name"] or "",
             "value": display(position.question, r["value"], turn.lang)}
            for r in rows[::-1][:HISTORY_SHOWN]] if len(rows) > 1 else []


def _shown_answers(turn: Turn, position: Position) -> list[tuple[str, str]]:
    shown = []
    for ref in position.question.show:
        source = turn.flow.question(ref)
        rows = library_answers(turn.db, turn.library_id, ref)
        text = "; ".join(display(source, r["value"], turn.lang) for r in rows)
        shown.append((source.label[turn.lang], text))
    return shown


def step_intro(turn: Turn, step_id: str) -> Reply:
    step = turn.flow.step(step_id)
    return turn.say("step_intro", step_number=step.number, step_count=len(turn.flow.steps),
                    step_title=step.title[turn.lang], intro=step.intro[turn.lang])


# -- answering ------------------------------------------------------------------------


def _coordinator_name(turn: Turn) -> str:
    return next((m["name"] or "?" for m in users.members(turn.db, turn.library_id)
                 if m["role"] == "coordinator"), "")


def accept(turn: Turn, position: Position, value: Any, *, feedback: str | None = None,
           notice: str = "", agrees_with: int | None = None,
           renames: dict[str, str] | None = None) -> list[Reply]:
    """Store an answer (``feedback``: the weakness the user kept) and go on. A list
    that leaves out goals, KPIs or tactics something depends on asks about them first
    (``renaming.py``); ``renames`` is what it settled."""
    q = position.question
    if q.options_from and isinstance(value, str) and (option := q.option(value)):
        value = option.label[turn.lang]  # the goal itself: its option id is only for now
    if renames is None and (asked := renaming.check(turn, position, value, feedback, notice)):
        return asked
    standing = save(turn, position, "answered", value, feedback=feedback,
                    agrees_with=agrees_with, renames=renames)
    if standing in ("provisional", "proposal") and not notice:
        notice = turn.t(f"notices.saved_{standing}", coordinator=_coordinator_name(turn))
    hooks = turn.coach.registry.after_answer
    keys = [q.id, *([q.role] if q.role else [])]
    extras = [r for key in keys for hook in hooks.get(key, []) for r in hook(turn)]
    return [*extras, *advance(turn, position, notice=notice or turn.t("notices.saved"))]


def save(turn: Turn, position: Position, status: str, value: Any,
         feedback: str | None = None, agrees_with: int | None = None,
         renames: dict[str, str] | None = None) -> str:
    """Store the user's answer, and the library's where it is theirs to give
    (``coach.flow.agreement``); returns how it stands for the library."""
    answer_id = answers.save_answer(
        turn.db, library_id=turn.library_id, question_id=position.question.id,
        item_key=position.item_key, author=turn.user, status=status, value=value,
        now=turn.now, feedback=feedback, agrees_with=agrees_with,
    )
    standing = agreement.contributed(turn.db, turn.flow, turn.library_id, turn.user,
                                     answer_id, turn.now, renames)
    turn.positions.mark(position, status)
    return standing


def advance(turn: Turn, position: Position, notice: str = "") -> list[Reply]:
    """After answering (or skipping or keeping) ``position``: where to next."""
    current = state(turn)
    positions = turn.positions
    position = positions.find(position.question.id, position.item_index) or position
    step_id = position.question.step_id
    if redo := current.get("redo"):
        following = positions.following(position)
        if following and following.question.step_id == redo:
            turn.move("asking", following, strategy={"redo": redo})
            return [ask(turn, following, notice=notice)]
        return finish_step(turn, redo, positions.next_open(position))
    if current.get("edit"):
        following = positions.following(position)
        if following and following.question.id == position.question.id:
            turn.move("asking", following, strategy={"edit": True})
            return [ask(turn, following, notice=notice)]
        nxt = positions.next_open(position)
        if nxt is None:
            return all_done(turn, notice)
        turn.move("asking", nxt)
        return [ask(turn, nxt, notice=turn.t("notices.edited"))]
    nxt = positions.next_open(position)
    if positions.step_finished(step_id) and (nxt is None or nxt.question.step_id != step_id):
        return finish_step(turn, step_id, nxt)
    if nxt is None:
        return all_done(turn, notice)
    turn.move("asking", nxt)
    if nxt.question.step_id != step_id:
        return [step_intro(turn, nxt.question.step_id),
                ask(turn, nxt, notice=notice, after_intro=True)]
    return [ask(turn, nxt, notice=notice)]


def finish_step(turn: Turn, step_id: str, nxt: Position | None) -> list[Reply]:
    """The step's summary, after the messages features add (channel advice)."""
    hooks = turn.coach.registry.after_step
    keys = [step_id, *(q.role for q in turn.flow.step(step_id).questions if q.role)]
    extras = [r for key in keys for hook in hooks.get(key, []) for r in hook(turn)]
    if nxt is None:
        return [*extras, _summary(turn, step_id, None), *all_done(turn)]
    turn.move("step_done", nxt)
    return [*extras, _summary(turn, step_id, turn.flow.step(nxt.question.step_id))]


def _summary(turn: Turn, step_id: str, next_step: Any) -> Reply:
    lines = []
    for p in turn.positions.in_step(step_id):
        row = answers.my_answer(turn.db, turn.library_id, turn.user["id"], p.question.id,
                              p.item_key)
        value = "" if row is None or row["status"] != "answered" else display(
            p.question, row["value"], turn.lang)
        lines.append((p.question.label[turn.lang], p.item_text, value))
    reply = step_summary_reply(flow=turn.flow, step_id=step_id, lang=turn.lang, lines=lines,
                               next_step=next_step)
    reply.key = "step_summary"
    return reply


def all_done(turn: Turn, notice: str = "") -> list[Reply]:
    skipped = turn.positions.first_skipped()
    turn.move("done", skipped)
    choices = [[nav_button(turn.lang, "continue")]] if skipped else []
    choices.append([nav_button(turn.lang, "overview"), nav_button(turn.lang, "edit")])
    todo = sum(1 for p in turn.positions.all if turn.positions.status.get(p.key) == "skipped")
    return [turn.say("all_done", choices=choices, notice=notice, todo=todo,
                     coordinator=turn.user["role"] == "coordinator")]


# -- where the user is ----------------------------------------------------------------


def active_position(turn: Turn) -> Position | None:
    if turn.user["mode"] in ("asking", "step_done", "paused"):
        return turn.current()
    return None


def resume(turn: Turn) -> list[Reply]:
    """Go (back) to the open question: the current one, else the first unanswered."""
    mode = turn.user["mode"]
    position = turn.current() if mode in ("asking", "paused", "step_done") else None
    if position is not None and not turn.positions.is_open(position) and not state(turn):
        position = turn.positions.next_open(position)  # answered meanwhile: go on
    if position is None:
        position = turn.positions.next_open() or turn.positions.first_skipped()
    if position is None:
        return all_done(turn)
    starts_step = position == turn.positions.in_step(position.question.step_id)[0]
    turn.move("asking", position, strategy=state(turn) if mode == "asking" else None)
    if mode == "step_done" or (mode != "asking" and starts_step):
        return [step_intro(turn, position.question.step_id),
                ask(turn, position, after_intro=True)]
    return [ask(turn, position)]


def paused_hint(turn: Turn) -> list[Reply]:
    """Typed text (or a repeat) while no question is open: where the user is, and the
    way on. It never says the user paused: this mode also follows a check-in or a
    step's summary."""
    position = turn.current()
    step = turn.flow.step_of(position.question) if position else None
    if step is None:
        return [turn.say("notices.paused_hint", choices=[[nav_button(turn.lang, "continue")]],
                         step_number=None, step_title="")]
    if turn.user["mode"] == "step_done":
        choices = [[nav_button(turn.lang, "continue"), nav_button(turn.lang, "stop")]]
        return [turn.say("notices.step_done_hint", choices=choices, step_number=step.number,
                         step_title=step.title[turn.lang])]
    return [turn.say("notices.paused_hint", choices=[[nav_button(turn.lang, "continue")]],
                     step_number=step.number, step_title=step.title[turn.lang])]


def repeat_asking(turn: Turn) -> list[Reply]:
    position = turn.current()
    if position is None:
        return resume(turn)
    if state(turn).get("renaming"):
        return [renaming.prompt(turn, position)]
    return [ask(turn, position)]
