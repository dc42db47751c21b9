"""The to-decide list (``/beslissen``): one card per open decision, with buttons.

Callback data (prefix ``d``, at most 64 bytes):

- ``d:n:<index>``      show the open decision at ``index`` (the list may have changed)
- ``d:a:<answer id>``  adopt a contribution as the library's answer
- ``d:A:<answer id>``  adopt it after the warning about goals/KPIs it leaves out
- ``d:m:<ref>``        merge the contributions (lists and multiple choice)
- ``d:e:<ref>``        the coordinator writes the library's answer (edit)
- ``d:k:<ref>``        keep the library's answer as it is (a provisional one is confirmed)

``<ref>`` is ``<question id>~<item key>``. Every press is checked again: the presser
must still be the coordinator, and the contribution must still be a current one of the
presser's own library; a stale or forged button changes nothing and says so.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from coach.core.events import Choice, Reply
from coach.features.strategy.asking import ask
from coach.flow import agreement
from coach.flow.display import display
from coach.flow.library import open_decisions
from coach.storage import answers

if TYPE_CHECKING:
    from coach.core.turn import Turn

SHOWN = 3  # contributions shown on one card


def ref_of(decision: dict[str, Any]) -> str:
    return f"{decision['question_id']}~{decision['item_key']}"


def _find(turn: Turn, ref: str) -> dict[str, Any] | None:
    return next((d for d in open_decisions(turn.db, turn.library_id) if ref_of(d) == ref),
                None)


def card(turn: Turn, index: int = 0, notice: str = "") -> Reply:
    """The open decision at ``index`` (clamped), or "nothing to decide"."""
    decisions = open_decisions(turn.db, turn.library_id)
    if not decisions:
        return turn.say("decisions.none", notice=notice)
    index = min(max(index, 0), len(decisions) - 1)
    d = decisions[index]
    q = turn.flow.question(d["question_id"])
    if q is None:  # a question the flow no longer has
        return turn.say("decisions.none", notice=notice)
    step = turn.flow.step_of(q)
    library = d["library"]
    rows: list[list[Choice]] = []
    shown = d["contributions"][:SHOWN]
    for c in shown:
        rows.append([turn.button("decisions.btn_adopt", f"d:a:{c['id']}",
                                 name=c["author_name"] or "?")])
    ref = ref_of(d)
    values = [c["value"] for c in d["contributions"]] + ([library["value"]] if library else [])
    if q.kind in ("list", "multi") and len(values) > 1:
        rows.append([turn.button("decisions.btn_merge", f"d:m:{ref}")])
    tail = [turn.button("decisions.btn_edit", f"d:e:{ref}")]
    if library:
        tail.append(turn.button("decisions.btn_keep", f"d:k:{ref}"))
    rows.append(tail)
    if len(decisions) > 1:
        rows.append([turn.button("decisions.btn_next", f"d:n:{(index + 1) % len(decisions)}")])
    return turn.say(
        "decisions.card", choices=rows, notice=notice, number=index + 1,
        count=len(decisions), step_number=step.number, step_title=step.title[turn.lang],
        label=q.label[turn.lang], item=d["item_text"],
        library=display(q, library["value"], turn.lang) if library else "",
        provisional=bool(library and library["provisional"]),
        library_author=(library or {}).get("author_name") or "",
        contributions=[(c["author_name"] or "?", display(q, c["value"], turn.lang))
                       for c in shown],
        more=max(0, len(d["contributions"]) - SHOWN),
    )


def cmd_decide(turn: Turn, args: str) -> list[Reply]:
    if turn.user["role"] != "coordinator":
        return [turn.say("notices.coordinator_only")]
    return [card(turn)]


def press(turn: Turn, rest: str) -> list[Reply]:
    if turn.user["role"] != "coordinator":
        return [turn.say("notices.coordinator_only")]
    action, _, arg = rest.partition(":")
    if action == "n" and arg.isdigit():
        return [card(turn, int(arg))]
    if action in ("a", "A") and arg.isdigit():
        return _adopt(turn, int(arg), confirmed=action == "A")
    decision = _find(turn, arg) if action in ("m", "e", "k") else None
    if decision is None:
        return [card(turn, notice=turn.t("decisions.stale"))]
    if action == "e":
        return _edit(turn, decision)
    q = turn.flow.question(decision["question_id"])
    if action == "m":
        values = [c["value"] for c in decision["contributions"]]
        if decision["library"]:
            values.insert(0, decision["library"]["value"])
        value = agreement.merged(q.kind, values)
        if value is None:
            return [card(turn, notice=turn.t("decisions.stale"))]
        agreement.decide(turn.db, turn.flow, turn.library_id, turn.user, q.id,
                         decision["item_key"], value, "merged", turn.now)
        return [card(turn, notice=turn.t("decisions.merged", label=q.label[turn.lang]))]
    library = decision["library"]
    agreement.decide(turn.db, turn.flow, turn.library_id, turn.user, q.id,
                     decision["item_key"], library["value"], "confirmed", turn.now,
                     source={"id": library["source_answer_id"],
                             "author_id": library["author_id"],
                             "author_name": library["author_name"]})
    return [card(turn, notice=turn.t("decisions.kept", label=q.label[turn.lang]))]


def _adopt(turn: Turn, answer_id: int, *, confirmed: bool) -> list[Reply]:
    row = answers.get_answer(turn.db, turn.library_id, answer_id)
    if row is None or row["superseded_at"] or row["status"] != "answered":
        return [card(turn, notice=turn.t("decisions.stale"))]
    q = turn.flow.question(row["question_id"])
    if q is None:
        return [card(turn, notice=turn.t("decisions.stale"))]
    dropped = agreement.dropped(turn.db, turn.flow, turn.library_id, q.id, row["item_key"],
                                row["value"])
    if dropped and not confirmed:
        choices = [[turn.button("decisions.btn_adopt_anyway", f"d:A:{answer_id}"),
                    turn.button("decisions.btn_back", "d:n:0")]]
        return [turn.say("decisions.warn_dropped", choices=choices, name=row["author_name"],
                         dropped=[_dropped_view(turn, d) for d in dropped])]
    agreement.decide(turn.db, turn.flow, turn.library_id, turn.user, q.id, row["item_key"],
                     row["value"], "adopted", turn.now, source=row)
    return [card(turn, notice=turn.t("decisions.adopted", name=row["author_name"] or "?",
                                     label=q.label[turn.lang]))]


def _dropped_view(turn: Turn, d: dict[str, Any]) -> dict[str, Any]:
    deps = d["dependents"]
    return {"text": d["text"], "measurements": deps.get("measurements", 0),
            "answers": sum(n for k, n in deps.items() if k != "measurements")}


def _edit(turn: Turn, decision: dict[str, Any]) -> list[Reply]:
    position = next((p for p in turn.positions.all
                     if p.key == (decision["question_id"], decision["item_key"])), None)
    if position is None:
        return [card(turn, notice=turn.t("decisions.stale"))]
    turn.move("asking", position, strategy={"edit": True})
    return [ask(turn, position, notice=turn.t("decisions.edit_hint"))]
