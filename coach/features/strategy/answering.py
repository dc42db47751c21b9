"""Taking a typed answer: explain a problem, confirm an unsure match, push back once.

Push back once, never block: a weak answer gets one short, concrete suggestion.

A question's ``checks`` (flows/strategy.yaml) run on every typed answer
(``coach/flow/checks.py``). A strong answer is stored at once, without a word. A weak
one is not stored yet: the coach says what would make it carry the next step
(``prompts/<lang>/feedback.j2``), with a button to keep it. The next answer to the same
question is taken as it is: a better one plainly, the same or another weak one with
its weakness noted (``answers.feedback``), so the export and the check-ins can come
back to it. A non-answer ("geen idee", "zoals bram zegt") is never stored: it can be
skipped, or a colleague's answer taken over.

Callback data: ``f:keep:<ref>`` keeps the answer, ``f:take:<ref>:<answer id>`` takes
over a colleague's answer to the same question, ``a:<answer id>`` agrees with a
colleague's answer shown with the question.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from coach.core.events import Choice, Reply
from coach.core.texts import label
from coach.core.turn import Turn
from coach.features.advice.feature import chosen_ids
from coach.features.strategy import renaming
from coach.features.strategy.asking import accept, advance, ask, save
from coach.features.strategy.state import set_state, state
from coach.features.strategy.views import nav_button
from coach.flow.answers import Outcome
from coach.flow.checks import Finding, quote, run_checks
from coach.flow.display import display, position_ref
from coach.flow.model import Question
from coach.flow.positions import Position
from coach.flow.vocabulary import load_vocabulary
from coach.storage import answers

DEADLINE_MONTHS = 3  # the example deadline: the first of the month this far ahead


def apply(turn: Turn, position: Position, outcome: Outcome) -> list[Reply]:
    """Store a parsed answer, explain its problem, or ask to confirm an unsure match."""
    if outcome.error:
        if outcome.error == "unknown_option" and outcome.value:  # keep what was recognised
            selection = [*state(turn).get("selection", []), *outcome.value]
            set_state(turn, selection=list(dict.fromkeys(selection)))
        notice = turn.t(f"errors.{outcome.error}", **outcome.error_ctx)
        return [ask(turn, position, notice=notice)]
    if outcome.confirm:
        set_state(turn, confirm={"value": outcome.value})
        ref = position_ref(position)
        choices = [[Choice(label(turn.lang, "yes"), f"y:{ref}"),
                    Choice(label(turn.lang, "no"), f"x:{ref}")]]
        return [turn.say("confirm", choices=choices,
                         value=display(position.question, outcome.value, turn.lang))]
    if position.question.checks:
        return review(turn, position, outcome.value)
    return accept(turn, position, outcome.value)


def review(turn: Turn, position: Position, value: Any) -> list[Reply]:
    """Store ``value``, or push back once on it (see the module docstring)."""
    finding = run_checks(position.question.checks, value, turn.lang, context(turn, position))
    if finding is None:
        return accept(turn, position, value)
    return _push_back(turn, position, finding, value)


def nudge(turn: Turn, position: Position, text: str) -> list[Reply]:
    """"verder" or "volgende" while a question is open: say what is asked, offer skip."""
    return _push_back(turn, position, Finding("non_answer", quote(text), keep=False), text)


def _push_back(turn: Turn, position: Position, finding: Finding, value: Any) -> list[Reply]:
    ref = position_ref(position)
    if (state(turn).get("feedback") or {}).get("ref") != ref:
        # the first weak answer here: say so, store nothing yet
        set_state(turn, feedback={"ref": ref, "kind": finding.kind, "value": value})
        return [feedback_reply(turn, position, finding)]
    if not finding.keep:  # a non-answer again: leave the question open for later
        if turn.positions.is_open(position):
            save(turn, position, "skipped", None)
        return advance(turn, position, notice=turn.t("feedback.skipped_non_answer"))
    return accept(turn, position, value, feedback=finding.kind,
                  notice=turn.t("feedback.kept"))


def context(turn: Turn, position: Position) -> dict[str, Any]:
    """What the checks may compare an answer with: the item it is about (the goal of a
    KPI, the tactic of a measurement) and the chosen channels."""
    if not any(c.kind == "tactic_channels" for c in position.question.checks):
        return {"item": position.item_text}  # the chosen channels only when a check reads them
    chosen = chosen_ids(turn.db, turn.library_id, turn.flow.by_role("channels").id)
    return {"item": position.item_text, "channels": chosen}


def feedback_reply(turn: Turn, position: Position, finding: Finding) -> Reply:
    ref = position_ref(position)
    channels = turn.flow.by_role("channels")
    names = _channel_names(channels, turn.lang)
    ctx = {**finding.ctx, "quote": finding.quote, "deadline": _deadline(turn),
           "colleague": finding.ctx.get("colleague", ""), "pick_one": False}
    if "channel" in ctx:
        ctx["channel"] = names.get(ctx["channel"], ctx["channel"])
    for key in ("chosen", "channels"):
        if isinstance(ctx.get(key), list):
            ctx[key] = ", ".join(names.get(c, c) for c in ctx[key])
    row: list[Choice] = []
    if finding.keep:
        row.append(turn.button("feedback.keep", f"f:keep:{ref}"))
    elif colleague := _colleague_answer(turn, position, ctx["colleague"]):
        row.append(turn.button("feedback.take", f"f:take:{ref}:{colleague['id']}",
                               name=colleague["author_name"]))
    row.append(nav_button(turn.lang, "skip"))
    return turn.say(f"feedback.{finding.kind}", choices=[row], **ctx)


def _channel_names(question: Question, lang: str) -> dict[str, str]:
    return {o.id: o.label[lang] for o in question.options}


def _deadline(turn: Turn) -> str:
    """A date a few months ahead, in words ("1 maart"), for the example."""
    month0 = turn.now.month - 1 + DEADLINE_MONTHS
    day = date(turn.now.year + month0 // 12, month0 % 12 + 1, 1)
    month = load_vocabulary().table("months", turn.lang)[day.month - 1][0]
    return f"1 {month}" if turn.lang == "nl" else f"1 {month.capitalize()}"


def _colleague_answer(turn: Turn, position: Position, name: str) -> dict[str, Any] | None:
    """The answer of the colleague a non-answer points to ("eens met sanne")."""
    if not name:
        return None
    for row in answers.current_answers(turn.db, turn.library_id, position.question.id):
        if (row["author_id"] != turn.user["id"] and row["status"] == "answered"
                and row["item_key"] == position.item_key
                and (row["author_name"] or "").lower().split()[:1] == [name.lower()]):
            return row
    return None


def press(turn: Turn, rest: str) -> list[Reply]:
    """``f:keep:<ref>`` and ``f:take:<ref>:<answer id>``."""
    action, _, rest = rest.partition(":")
    ref, _, answer_id = rest.partition(":")
    position = turn.current()
    earlier = state(turn).get("feedback") or {}
    if (turn.user["mode"] != "asking" or position is None or position_ref(position) != ref
            or earlier.get("ref") != ref):
        return [turn.say("notices.stale_button"), *turn.where_you_are()]
    if action == "keep" and earlier.get("kind") != "non_answer":
        return accept(turn, position, earlier["value"], feedback=earlier["kind"],
                      notice=turn.t("feedback.kept"))
    if action == "take" and answer_id.isdigit():
        for row in answers.current_answers(turn.db, turn.library_id, position.question.id):
            if (row["id"] == int(answer_id) and row["status"] == "answered"
                    and row["item_key"] == position.item_key
                    and row["author_id"] != turn.user["id"]):
                return accept(turn, position, row["value"])
    return [turn.say("notices.unknown_button"), ask(turn, position)]


def press_agree(turn: Turn, answer_id: str) -> list[Reply]:
    """``a:<answer id>``: the user agrees with a colleague's answer to the question they
    are at: it becomes their answer too (counted for a majority)."""
    position = turn.current()
    row = answers.get_answer(turn.db, turn.library_id, int(answer_id)) if (
        answer_id.isdigit()) else None
    if (turn.user["mode"] != "asking" or position is None or row is None
            or row["superseded_at"] or row["status"] != "answered"
            or row["author_id"] == turn.user["id"]
            or (row["question_id"], row["item_key"]) != position.key):
        return [turn.say("notices.stale_button"), *turn.where_you_are()]
    set_state(turn, feedback=None, selection=None, confirm=None)
    return accept(turn, position, row["value"], agrees_with=row["id"])


def press_rename(turn: Turn, rest: str) -> list[Reply]:
    """``w:...``: settle one goal, KPI or tactic a list answer left out (renaming.py)."""
    action, _, rest = rest.partition(":")
    ref, _, number = rest.partition(":")
    position = turn.current()
    pending = state(turn).get("renaming")
    if (turn.user["mode"] != "asking" or position is None or not pending
            or position_ref(position) != ref or pending["ref"] != ref
            or action not in ("r", "d", "k")):
        return [turn.say("notices.stale_button"), *turn.where_you_are()]
    entry = pending["dropped"].pop(0)
    if action == "r":
        new = renaming.new_entries(turn, position, pending)
        if not number.isdigit() or int(number) >= min(len(new), renaming.SHOWN):
            pending["dropped"].insert(0, entry)
            return [turn.say("notices.stale_button"), renaming.prompt(turn, position)]
        pending["renames"][new[int(number)]] = entry["key"]
    elif action == "k":
        pending["value"].append(entry["text"])
    if pending["dropped"]:
        set_state(turn, renaming=pending)
        return [renaming.prompt(turn, position)]
    set_state(turn, renaming=None)
    notice = turn.t("renaming.done") if pending["renames"] else (
        turn.t("renaming.removed") if action == "d" else "")
    return accept(turn, position, pending["value"], feedback=pending["feedback"],
                  notice=pending["notice"] or notice, renames=pending["renames"])
