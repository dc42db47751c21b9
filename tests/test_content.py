"""Content is data: the flow and the templates are complete in both languages."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from coach.core.commands import COMMANDS
from coach.core.texts import PROMPTS_DIR, render, template_names
from coach.flow.model import FLOW_PATH, LANGS, ROLES, FlowError, load_flow, parse_flow

CODE_DIR = Path(__file__).resolve().parent.parent / "coach"


def test_both_languages_have_the_same_templates_and_blocks():
    nl, en = template_names("nl"), template_names("en")
    assert nl == en, f"only in nl: {sorted(nl - en)}; only in en: {sorted(en - nl)}"


def referenced_templates() -> set[str]:
    """Template names the code passes as literals to say/t/render/label/nav_button."""
    names = set()
    for path in CODE_DIR.rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        for m in re.finditer(r"\b(?:say|t|render)\(\s*(?:[\w.\[\]\"']+,\s*)?\"([\w.]+)\"", source):
            names.add(m.group(1))
        for m in re.finditer(r"\b(?:label|nav_button)\([^,()]+,\s*\"(\w+)\"", source):
            names.add(f"labels.{m.group(1)}")
    return names


def test_every_template_the_code_uses_exists_in_every_language():
    used = referenced_templates()
    assert len(used) > 30  # the scan itself works
    for lang in LANGS:
        missing = used - template_names(lang)
        assert not missing, f"{lang}: missing {sorted(missing)}"


@pytest.mark.parametrize("lang", LANGS)
def test_every_command_has_a_description_within_telegram_limits(lang):
    for command in COMMANDS:
        description = render(lang, f"commands.{command.id}")
        assert 3 <= len(description) <= 256
        assert re.fullmatch(r"[a-z0-9_]{1,32}", command.name(lang))


def test_the_flow_loads_and_every_reference_points_to_something():
    flow = load_flow()
    assert [s.id for s in flow.steps] == [
        "goals", "audience", "mission", "sm_goals", "kpis", "tactics", "measure"]
    for q in flow.questions.values():
        for ref in ([q.foreach] if q.foreach else []) + list(q.show):
            assert ref in flow.questions
        for o in q.options:
            assert len(f"o:{q.id}:{o.id}".encode()) <= 64


@pytest.mark.parametrize(
    "mutation,message",
    [
        (lambda d: d["steps"][0]["questions"][0]["prompt"].pop("en"), "non-empty text"),
        (lambda d: d["steps"][4]["questions"][0].update(foreach="nope.nope"), "earlier question"),
        (lambda d: d["steps"][1]["questions"][0].update(kind="essay"), "kind must be"),
        (lambda d: d["steps"][0]["questions"][0].update(rules={"max_len": 3}), "unknown rules"),
        (lambda d: d["steps"][0]["questions"][1].update(id="goals.offline"), "used twice"),
        (lambda d: d["steps"][1]["questions"][0].update(options=[]), "options"),
        (lambda d: d["steps"][0]["questions"][0].update(item_label={"nl": "doel", "en": "goal"}),
         "item_label belongs to a foreach question"),
        (lambda d: d["steps"][4]["questions"][0].update(item_label={"nl": "doel"}),
         "item_label: needs a non-empty text"),
        (lambda d: d["steps"][0]["questions"][0].update(role="listenning"), "role must be one of"),
        (lambda d: d["steps"][4]["questions"][0].update(role="kpi_target"),
         "role kpi_target needs kind number"),
    ],
)
def test_a_broken_flow_file_is_reported_clearly(mutation, message):
    data = yaml.safe_load(FLOW_PATH.read_text(encoding="utf-8"))
    mutation(data)
    with pytest.raises(FlowError, match=message):
        parse_flow(data)


def test_no_template_uses_unsupported_html():
    allowed = {"b", "i", "u", "s", "code", "pre", "a", "blockquote"}
    for path in PROMPTS_DIR.rglob("*.j2"):
        tags = set(re.findall(r"</?([a-zA-Z-]+)", path.read_text(encoding="utf-8")))
        assert tags <= allowed, f"{path}: {tags - allowed}"


def _question(data, question_id):
    return next(q for s in data["steps"] for q in s["questions"] if q["id"] == question_id)


def test_every_role_is_declared_once_and_found_by_role():
    flow = load_flow()
    assert set(flow.roles) == set(ROLES)
    for role in ROLES:
        assert flow.by_role(role).role == role
    assert flow.by_role("listening").id == "tactics.listening"
    with pytest.raises(KeyError, match="unknown role"):
        flow.by_role("listenning")


def test_a_missing_role_is_reported_in_one_line():
    data = yaml.safe_load(FLOW_PATH.read_text(encoding="utf-8"))
    del _question(data, "tactics.listening")["role"]
    with pytest.raises(FlowError, match=r"^no question has the role listening \(add `role:`"):
        parse_flow(data)


def test_a_renamed_question_keeps_its_role():
    data = yaml.safe_load(FLOW_PATH.read_text(encoding="utf-8"))
    _question(data, "tactics.listening")["id"] = "tactics.luisteren"
    assert parse_flow(data).by_role("listening").id == "tactics.luisteren"


def test_a_duplicated_role_is_reported_in_one_line():
    data = yaml.safe_load(FLOW_PATH.read_text(encoding="utf-8"))
    _question(data, "tactics.webcare")["role"] = "listening"
    with pytest.raises(FlowError) as error:
        parse_flow(data)
    assert str(error.value) == ("role listening is declared by 2 questions"
                                " (tactics.listening, tactics.webcare); it belongs to one")
