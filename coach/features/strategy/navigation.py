"""Moving through the steps: the commands and buttons of the strategy, and typed text
while a question is open, paused or done."""

from __future__ import annotations

from coach.core.events import Choice, Reply
from coach.core.texts import label
from coach.core.turn import Turn
from coach.features.strategy.answering import apply, nudge
from coach.features.strategy.asking import (
    accept,
    active_position,
    advance,
    ask,
    paused_hint,
    resume,
    save,
    step_intro,
)
from coach.features.strategy.state import set_state, state
from coach.features.strategy.views import nav_button
from coach.flow.answers import Outcome, check_selection, parse_text
from coach.flow.display import position_ref
from coach.flow.matching import DONE, NO, YES, navigation_word, word_in, yes_and_more

NAV_ACTIONS = ("back", "skip", "pause", "continue", "overview", "edit", "help")

# -- commands -------------------------------------------------------------------------


def cmd_continue(turn: Turn, args: str) -> list[Reply]:
    return resume(turn)


def cmd_pause(turn: Turn, args: str) -> list[Reply]:
    position = turn.current() if turn.user["mode"] in ("asking", "step_done") else None
    turn.move("paused", position or turn.positions.next_open())
    return [turn.say("paused", choices=[[nav_button(turn.lang, "continue")]])]


def cmd_back(turn: Turn, args: str) -> list[Reply]:
    position = active_position(turn)
    if position is None:
        return resume(turn)
    previous = turn.positions.previous(position)
    if previous is None:
        return [ask(turn, position, notice=turn.t("notices.at_first"))]
    turn.move("asking", previous)
    return [ask(turn, previous)]


def cmd_skip(turn: Turn, args: str) -> list[Reply]:
    position = active_position(turn)
    if position is None:
        return resume(turn)
    if turn.positions.is_open(position):
        save(turn, position, "skipped", None)
    return advance(turn, position, notice=turn.t("notices.skipped"))


def cmd_edit(turn: Turn, args: str) -> list[Reply]:
    steps = [[Choice(f"{s.number}. {s.title[turn.lang]}", f"s:{s.id}")]
             for s in turn.flow.steps]
    return [turn.say("edit_steps", choices=steps)]


def cmd_restart(turn: Turn, args: str) -> list[Reply]:
    position = turn.current() or turn.positions.next_open() or turn.positions.all[-1]
    step = turn.flow.step_of(position.question)
    choices = [[Choice(label(turn.lang, "restart_yes"), f"r:{step.id}"),
                nav_button(turn.lang, "continue")]]
    return [turn.say("restart_confirm", choices=choices, step_number=step.number,
                     step_title=step.title[turn.lang])]


# -- buttons --------------------------------------------------------------------------


def press_nav(turn: Turn, action: str) -> list[Reply]:
    if action == "stop":
        return cmd_pause(turn, "")
    if action in NAV_ACTIONS:
        return turn.command(action)
    return [turn.say("notices.unknown_button"), *turn.where_you_are()]


def _stale(turn: Turn, ref: str) -> list[Reply] | None:
    """A reply for a button that belongs to another position than the open one."""
    position = turn.current()
    if turn.user["mode"] == "asking" and position and position_ref(position) == ref:
        return None
    return [turn.say("notices.stale_button"), *turn.where_you_are()]


def press_option(turn: Turn, rest: str) -> list[Reply]:
    ref, _, option_id = rest.partition(":")
    if stale := _stale(turn, ref):
        return stale
    position = turn.current()
    q = position.question
    if q.option(option_id) is None:
        return [turn.say("notices.unknown_button"), ask(turn, position)]
    if q.kind == "choice":
        return accept(turn, position, option_id)
    selection = [s for s in state(turn).get("selection", []) if q.option(s)]
    if option_id in selection:
        selection.remove(option_id)
    else:
        selection.append(option_id)
    set_state(turn, selection=selection)
    reply = ask(turn, position)
    reply.replace = True
    return [reply]


def press_multi_done(turn: Turn, ref: str) -> list[Reply]:
    if stale := _stale(turn, ref):
        return stale
    position = turn.current()
    outcome = check_selection(position.question, state(turn).get("selection", []))
    return apply(turn, position, outcome)


def press_confirm(turn: Turn, ref: str) -> list[Reply]:
    confirm = state(turn).get("confirm")
    if (stale := _stale(turn, ref)) or not confirm:
        return stale or [turn.say("notices.stale_button"), *turn.where_you_are()]
    return accept(turn, turn.current(), confirm["value"])


def press_reject(turn: Turn, ref: str) -> list[Reply]:
    if stale := _stale(turn, ref):
        return stale
    set_state(turn, confirm=None)
    return [ask(turn, turn.current(), notice=turn.t("notices.try_again"))]


def press_keep(turn: Turn, ref: str) -> list[Reply]:
    if stale := _stale(turn, ref):
        return stale
    return advance(turn, turn.current())


def press_edit_step(turn: Turn, step_id: str) -> list[Reply]:
    step = turn.flow.step(step_id)
    if step is None:
        return [turn.say("notices.unknown_button"), *turn.where_you_are()]
    rows = [[Choice(q.label[turn.lang], f"e:{q.id}")] for q in step.questions]
    return [turn.say("edit_questions", choices=rows, step_number=step.number,
                     step_title=step.title[turn.lang])]


def press_edit_question(turn: Turn, qid: str) -> list[Reply]:
    position = turn.positions.find(qid)
    if position is None:
        q = turn.flow.question(qid)
        if q is None:
            return [turn.say("notices.unknown_button"), *turn.where_you_are()]
        # asked once the answers it is about (foreach) or chooses from exist
        source = turn.flow.question(q.foreach or q.options_from[0])
        return [turn.say("notices.needs_items", source=source.label[turn.lang]),
                *turn.where_you_are()]
    turn.move("asking", position, strategy={"edit": True})
    return [ask(turn, position)]


def press_restart(turn: Turn, step_id: str) -> list[Reply]:
    step = turn.flow.step(step_id)
    positions = turn.positions.in_step(step_id) if step else []
    if not positions:
        return [turn.say("notices.unknown_button"), *turn.where_you_are()]
    turn.move("asking", positions[0], strategy={"redo": step_id})
    return [step_intro(turn, step_id), ask(turn, positions[0], after_intro=True)]


# -- typed text -----------------------------------------------------------------------


def _confirm_and_add(turn: Turn, value, more: str) -> list[Reply]:
    """"Bedoel je Ouders?" "ja, en ook scholieren": the confirmed options and the rest."""
    position = turn.current()
    q = position.question
    if q.kind == "multi":
        extra = parse_text(q, more, turn.coach.registry.matchers)
        if not extra.error:
            ids = list(dict.fromkeys([*value, *extra.value]))
            return apply(turn, position, Outcome(value=ids, confirm=extra.confirm))
    return accept(turn, position, value)



def on_text(turn: Turn, text: str) -> list[Reply]:
    """Typed text in the strategy's modes: an answer, a navigation word, or a nudge."""
    mode = turn.user["mode"]
    if not text.strip():
        return [turn.say("errors.empty"), *turn.where_you_are()]
    confirm = state(turn).get("confirm")
    if mode == "asking" and confirm and (more := yes_and_more(text)):
        return _confirm_and_add(turn, confirm["value"], more)
    if mode == "asking" and confirm:
        if word_in(text, YES):
            return accept(turn, turn.current(), confirm["value"])
        if word_in(text, NO):
            return press_reject(turn, position_ref(turn.current()))
    if action := navigation_word(text):
        if action == "continue" and mode == "asking" and (position := turn.current()):
            return nudge(turn, position, text)  # "verder" is no answer to the open question
        return turn.command(action)
    if mode == "asking":
        position = turn.current()
        if position is None:
            turn.move("asking", turn.positions.next_open())
            return [turn.say("notices.question_gone"), *resume(turn)]
        if position.question.kind == "multi" and word_in(text, DONE):
            return press_multi_done(turn, position_ref(position))
        outcome = parse_text(position.question, text, turn.coach.registry.matchers)
        return apply(turn, position, outcome)
    if mode == "step_done" and word_in(text, YES):
        return resume(turn)
    if mode in ("paused", "step_done"):
        return paused_hint(turn)
    return resume(turn)
