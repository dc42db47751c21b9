"""The seven-step flow, loaded from ``flows/strategy.yaml`` (see docs/flow-format.md)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
FLOW_PATH = ROOT / "flows" / "strategy.yaml"
LANGS = ("nl", "en")
KINDS = ("text", "list", "choice", "multi", "number")
CHOICE_KINDS = ("choice", "multi")
# answer checks (coach/flow/checks.py) and the parts a "needs" check can ask for
CHECK_KINDS = ("non_answer", "vague_goal", "channel_as_goal", "several_kpis", "vanity_kpi",
               "needs", "tactic_channels", "mission", "why_about_library", "broadcast_only")
NEEDS_PARTS = ("owner", "response_time", "rhythm", "place", "source")
RULE_KEYS = {"min_length", "max_length", "min_items", "max_items", "min", "max"}
QUESTION_ID = re.compile(r"^[a-z_]+\.[a-z_]+$")
OPTION_ID = re.compile(r"^[a-z0-9_]{1,16}$")
DEFAULT_RULES = {"min_length": 2, "max_length": 1000, "min_items": 1, "max_items": 10}
# The questions Python relies on, by role: each role is declared (``role:``) by exactly
# one question of the flow, whose kind must be one of those given (None: any kind).
# Code finds the question with ``flow.by_role(role)``, never by its id.
ROLES: dict[str, tuple[str, ...] | None] = {
    "mission": ("text",),  # the mission in one sentence: a newcomer's welcome, export
    "focus": ("choice",),  # the goal to start with: the pacing advice
    "hours": ("number",),  # the team's hours per week: the pacing advice
    "groups": CHOICE_KINDS,  # audience groups: channel advice after their step, export
    "ages": CHOICE_KINDS,  # audience ages: channel advice, export
    "channels": CHOICE_KINDS,  # chosen channels: channel check, next steps, export
    "tactics": None,  # the tactics: next steps ("tactic_keywords")
    "listening": None,  # how social listening is done: next steps ("has_listening")
    "webcare": None,  # who answers questions online: next steps ("has_webcare")
    "kpis": ("list",),  # the KPIs, asked per goal: check-ins, progress, export
    "kpi_target": ("number",),  # the target, asked per KPI: check-ins, export
    "kpi_baseline": ("number",),  # the value when the KPI was set: check-ins, progress
    "kpi_period": ("choice",),  # week | month | total: the check-ins' rhythm per KPI
    "kpi_deadline": ("choice",),  # when the target should be reached: projections
    "rhythm": None,  # how often is measured: export (KPI table)
    "owner": None,  # who collects the numbers: export (KPI table)
}


class FlowError(ValueError):
    """The flow file is not valid; the message says where."""


@dataclass(frozen=True)
class Option:
    id: str
    label: dict[str, str]
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Check:
    """An answer check as a question declares it (``checks:``, docs/flow-format.md):
    ``kind`` (one of CHECK_KINDS), whether it is ``firm`` (step 4's goals) or gentle
    (step 1's), for ``needs`` the parts an answer must name, and the feedback block
    (``prompts/<lang>/feedback.j2``; the kind's own when empty)."""

    kind: str
    firm: bool = True
    needs: tuple[str, ...] = ()
    feedback: str = ""


@dataclass(frozen=True)
class Question:
    id: str
    step_id: str
    kind: str
    label: dict[str, str]
    prompt: dict[str, str]
    hint: dict[str, str]
    examples: dict[str, tuple[str, ...]]
    rules: dict[str, float]
    options: tuple[Option, ...] = ()
    foreach: str | None = None
    item_label: dict[str, str] = field(default_factory=dict)  # "doel": "(doel 1 van 2)"
    show: tuple[str, ...] = ()
    matcher: str | None = None  # an interpreter of typed text beside the options
    role: str | None = None  # what Python relies on it for (ROLES)
    options_from: tuple[str, ...] = ()  # options: the items of these earlier list answers
    checks: tuple[Check, ...] = ()  # answer checks, the flow's defaults for its kind first
    unit: dict[str, tuple[str, str]] = field(default_factory=dict)  # number: (one, many)

    def option(self, option_id: str) -> Option | None:
        return next((o for o in self.options if o.id == option_id), None)

    def rule(self, name: str) -> float | None:
        return self.rules.get(name, DEFAULT_RULES.get(name))


@dataclass(frozen=True)
class Step:
    id: str
    number: int
    title: dict[str, str]
    intro: dict[str, str]
    questions: tuple[Question, ...]


@dataclass(frozen=True)
class Flow:
    steps: tuple[Step, ...]
    questions: dict[str, Question] = field(default_factory=dict)
    order: tuple[str, ...] = ()
    roles: dict[str, str] = field(default_factory=dict)  # role -> question id

    def by_role(self, role: str) -> Question:
        """The question that declares ``role`` (one of ROLES; checked when loading)."""
        if role not in ROLES:
            raise KeyError(f"unknown role {role!r}; roles are {', '.join(ROLES)}")
        return self.questions[self.roles[role]]

    def question(self, question_id: str | None) -> Question | None:
        return self.questions.get(question_id or "")

    def step(self, step_id: str) -> Step | None:
        return next((s for s in self.steps if s.id == step_id), None)

    def step_of(self, question: Question) -> Step:
        return self.step(question.step_id)  # type: ignore[return-value]



def _texts(raw: object, where: str, *, required: bool = True) -> dict[str, str]:
    if raw is None and not required:
        return {}
    if not isinstance(raw, dict) or any(not str(raw.get(lang) or "").strip() for lang in LANGS):
        raise FlowError(f"{where}: needs a non-empty text for each of {', '.join(LANGS)}")
    return {lang: str(raw[lang]).strip() for lang in LANGS}


def _example_lists(raw: object, where: str) -> dict[str, tuple[str, ...]]:
    if raw is None:
        return {lang: () for lang in LANGS}
    if not isinstance(raw, dict) or any(not isinstance(raw.get(lang), list) for lang in LANGS):
        raise FlowError(f"{where}: examples need a list for each of {', '.join(LANGS)}")
    return {lang: tuple(str(x) for x in raw[lang]) for lang in LANGS}


def _check(raw: object, where: str) -> Check:
    if isinstance(raw, str):
        raw = {"kind": raw}
    if not isinstance(raw, dict) or raw.get("kind") not in CHECK_KINDS:
        raise FlowError(f"{where}: a check's kind must be one of {', '.join(CHECK_KINDS)}")
    needs = tuple(str(n) for n in raw.get("needs") or ())
    if (raw["kind"] == "needs") != bool(needs) or set(needs) - set(NEEDS_PARTS):
        raise FlowError(f"{where}: a needs check lists what an answer must name, one or more"
                        f" of {', '.join(NEEDS_PARTS)}")
    if unknown := set(raw) - {"kind", "firm", "needs", "feedback"}:
        raise FlowError(f"{where}: unknown check keys {sorted(unknown)}")
    return Check(kind=raw["kind"], firm=bool(raw.get("firm", True)), needs=needs,
                 feedback=str(raw.get("feedback") or ""))


def _checks(raw: object, defaults: tuple[Check, ...], where: str) -> tuple[Check, ...]:
    if raw is not None and not isinstance(raw, list):
        raise FlowError(f"{where}: checks must be a list")
    own = tuple(_check(c, f"{where}, check {i + 1}") for i, c in enumerate(raw or ()))
    return (*[d for d in defaults if d.kind not in {c.kind for c in own}], *own)


def _question(raw: dict, step_id: str, seen: set[str],
              default_checks: dict[str, tuple[Check, ...]] | None = None,
              questions: dict[str, Question] | None = None) -> Question:
    qid = str(raw.get("id", ""))
    where = f"question {qid or '?'} in step {step_id}"
    if not QUESTION_ID.match(qid) or len(qid) > 24 or not qid.startswith(step_id + "."):
        raise FlowError(f"{where}: id must be '{step_id}.<name>' (a-z and _, at most 24 chars)")
    if qid in seen:
        raise FlowError(f"{where}: id used twice")
    kind = raw.get("kind")
    if kind not in KINDS:
        raise FlowError(f"{where}: kind must be one of {', '.join(KINDS)}")
    rules = dict(raw.get("rules") or {})
    if unknown := set(rules) - RULE_KEYS:
        raise FlowError(f"{where}: unknown rules {sorted(unknown)}")
    options = tuple(
        Option(
            id=str(o.get("id", "")),
            label=_texts(o.get("label"), f"{where}, option {o.get('id')}"),
            aliases=tuple(str(a) for a in o.get("aliases") or ()),
        )
        for o in raw.get("options") or ()
    )
    options_from = tuple(str(r) for r in raw.get("options_from") or ())
    if options_from and (kind != "choice" or options):
        raise FlowError(f"{where}: options_from belongs to a choice question without options")
    for ref in options_from:
        source = (questions or {}).get(ref)
        if source is None or source.kind != "list":
            raise FlowError(f"{where}: options_from names earlier list questions, not '{ref}'")
    if (kind in CHOICE_KINDS) != bool(options or options_from):
        raise FlowError(f"{where}: options belong to (and are required by) choice and multi")
    if bad := [o.id for o in options if not OPTION_ID.match(o.id)]:
        raise FlowError(f"{where}: option ids must be a-z, 0-9 and _, at most 16 chars: {bad}")
    if len({o.id for o in options}) != len(options):
        raise FlowError(f"{where}: option ids must be unique")
    foreach = raw.get("foreach")
    show = tuple(raw.get("show") or ())
    matcher = raw.get("matcher")
    if matcher is not None and (not isinstance(matcher, str) or kind not in CHOICE_KINDS):
        raise FlowError(f"{where}: matcher names a feature's reader of typed options"
                        " (for choice and multi)")
    for ref in ([foreach] if foreach else []) + list(show):
        if ref not in seen:
            raise FlowError(f"{where}: '{ref}' must be an earlier question")
    prompt = _texts(raw.get("prompt"), f"{where}, prompt")
    if foreach and any("{item}" not in p for p in prompt.values()):
        raise FlowError(f"{where}: a foreach question's prompt must mention {{item}}")
    item_label = _texts(raw.get("item_label"), f"{where}, item_label", required=False)
    if item_label and not foreach:
        raise FlowError(f"{where}: item_label belongs to a foreach question")
    role = raw.get("role")
    if role is not None and role not in ROLES:
        raise FlowError(f"{where}: role must be one of {', '.join(ROLES)}")
    if role is not None and (kinds := ROLES[role]) and kind not in kinds:
        raise FlowError(f"{where}: role {role} needs kind {' or '.join(kinds)}")
    return Question(
        id=qid,
        step_id=step_id,
        kind=kind,
        label=_texts(raw.get("label"), f"{where}, label"),
        prompt=prompt,
        hint=_texts(raw.get("hint"), f"{where}, hint", required=False),
        examples=_example_lists(raw.get("examples"), where),
        rules=rules,
        options=options,
        foreach=foreach,
        item_label=item_label,
        show=show,
        matcher=matcher,
        role=role,
        options_from=options_from,
        checks=_checks(raw.get("checks"), (default_checks or {}).get(kind, ()),
                       f"{where}, checks"),
        unit=_unit(raw.get("unit"), kind, where),
    )


def _unit(raw: object, kind: str, where: str) -> dict[str, tuple[str, str]]:
    """A number's unit per language, singular and plural: ``{nl: [uur, uur], en:
    [hour, hours]}``."""
    if raw is None:
        return {}
    if kind != "number" or not isinstance(raw, dict) or any(
            not isinstance(raw.get(lang), list) or len(raw[lang]) != 2 for lang in LANGS):
        raise FlowError(f"{where}: unit belongs to a number question, as [one, many] for"
                        f" each of {', '.join(LANGS)}")
    return {lang: (str(raw[lang][0]), str(raw[lang][1])) for lang in LANGS}


def parse_flow(data: dict) -> Flow:
    steps: list[Step] = []
    seen: set[str] = set()
    order: list[str] = []
    questions: dict[str, Question] = {}
    raw_defaults = data.get("default_checks") or {}
    if not isinstance(raw_defaults, dict) or set(raw_defaults) - set(KINDS):
        raise FlowError(f"default_checks: a list of checks per question kind ({', '.join(KINDS)})")
    defaults = {kind: _checks(raw, (), f"default_checks, {kind}")
                for kind, raw in raw_defaults.items()}
    for number, raw_step in enumerate(data.get("steps") or (), start=1):
        step_id = str(raw_step.get("id", ""))
        if not re.match(r"^[a-z_]+$", step_id):
            raise FlowError(f"step {number}: id must be a-z and _")
        qs = []
        for raw_q in raw_step.get("questions") or ():
            q = _question(raw_q, step_id, seen, defaults, questions)
            seen.add(q.id)
            order.append(q.id)
            questions[q.id] = q
            qs.append(q)
        if not qs:
            raise FlowError(f"step {step_id}: has no questions")
        steps.append(
            Step(
                id=step_id,
                number=number,
                title=_texts(raw_step.get("title"), f"step {step_id}, title"),
                intro=_texts(raw_step.get("intro"), f"step {step_id}, intro"),
                questions=tuple(qs),
            )
        )
    if not steps:
        raise FlowError("the flow has no steps")
    return Flow(steps=tuple(steps), questions=questions, order=tuple(order),
                roles=_roles(questions))


def _roles(questions: dict[str, Question]) -> dict[str, str]:
    """Role -> question id; every role of ROLES declared by exactly one question."""
    by_role: dict[str, list[str]] = {}
    for q in questions.values():
        if q.role:
            by_role.setdefault(q.role, []).append(q.id)
    for role, ids in by_role.items():
        if len(ids) > 1:
            raise FlowError(f"role {role} is declared by {len(ids)} questions"
                            f" ({', '.join(ids)}); it belongs to one")
    if missing := [role for role in ROLES if role not in by_role]:
        raise FlowError(f"no question has the role {', '.join(missing)}"
                        " (add `role:` to the question the coach should use)")
    return {role: by_role[role][0] for role in ROLES}


@cache
def load_flow(path: Path = FLOW_PATH) -> Flow:
    with open(path, encoding="utf-8") as fh:
        return parse_flow(yaml.safe_load(fh) or {})
