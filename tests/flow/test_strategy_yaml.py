"""Structural checks for flows/strategy.yaml that only need yaml.safe_load.

The engine's own loader adds stricter checks; these stay independent of it.
"""

import re

import yaml

from coach.features.advice.data import (
    CHANNEL_IDS,  # the flow offers what the channel data knows
)
from tests.support import ROOT

FLOW = ROOT / "flows" / "strategy.yaml"

STEP_IDS = ["goals", "audience", "mission", "sm_goals", "kpis", "tactics", "measure"]
KINDS = {"text", "list", "choice", "multi", "number"}
LANGS = ("nl", "en")
STEP_ID_RE = re.compile(r"^[a-z_]+$")
QUESTION_ID_RE = re.compile(r"^([a-z_]+)\.([a-z0-9_]+)$")
OPTION_ID_RE = re.compile(r"^[a-z0-9_]{1,16}$")


def load():
    with FLOW.open(encoding="utf-8") as f:
        return yaml.safe_load(f)


def steps():
    return load()["steps"]


def questions():
    return [q for s in steps() for q in s["questions"]]


def by_id():
    return {q["id"]: q for q in questions()}


def assert_text(value, where):
    assert isinstance(value, dict), f"{where}: expected {{nl, en}}"
    for lang in LANGS:
        text = value.get(lang)
        assert isinstance(text, str) and text.strip(), f"{where}: empty {lang}"


def assert_text_list(value, where):
    assert isinstance(value, dict), f"{where}: expected {{nl: [...], en: [...]}}"
    for lang in LANGS:
        items = value.get(lang)
        assert isinstance(items, list) and items, f"{where}: no {lang} items"
        for item in items:
            assert isinstance(item, str) and item.strip(), f"{where}: empty {lang} item"


def test_version_and_step_order():
    data = load()
    assert data["version"] == 1
    assert [s["id"] for s in data["steps"]] == STEP_IDS


def test_two_to_five_questions_per_step():
    for step in steps():
        assert 2 <= len(step["questions"]) <= 5, step["id"]


def test_every_text_field_has_nl_and_en():
    for step in steps():
        assert_text(step["title"], f"{step['id']}.title")
        assert_text(step["intro"], f"{step['id']}.intro")
        for q in step["questions"]:
            for field in ("label", "prompt"):
                assert_text(q[field], f"{q['id']}.{field}")
            if "hint" in q:
                assert_text(q["hint"], f"{q['id']}.hint")
            if "examples" in q:
                assert_text_list(q["examples"], f"{q['id']}.examples")
            for opt in q.get("options", []):
                assert_text(opt["label"], f"{q['id']}:{opt['id']}.label")


def test_ids_unique_and_well_formed():
    seen = set()
    for step in steps():
        assert STEP_ID_RE.match(step["id"]), step["id"]
        for q in step["questions"]:
            qid = q["id"]
            m = QUESTION_ID_RE.match(qid)
            assert m, qid
            assert m.group(1) == step["id"], f"{qid} not in step {step['id']}"
            assert len(qid) <= 24, qid
            assert qid not in seen, f"duplicate id {qid}"
            seen.add(qid)
            option_ids = [o["id"] for o in q.get("options", [])]
            assert len(option_ids) == len(set(option_ids)), qid
            for oid in option_ids:
                assert OPTION_ID_RE.match(oid), f"{qid}: {oid}"


def test_aliases_do_not_clash_within_a_question():
    for q in questions():
        owner = {}
        for opt in q.get("options", []):
            for alias in opt.get("aliases", []):
                key = alias.strip().lower()
                assert key, f"{q['id']}: empty alias"
                assert owner.setdefault(key, opt["id"]) == opt["id"], (
                    f"{q['id']}: alias {alias!r} used by {owner[key]} and {opt['id']}"
                )


def test_kinds_valid_and_options_only_for_choice_and_multi():
    for q in questions():
        assert q["kind"] in KINDS, q["id"]
        if q["kind"] in ("choice", "multi"):
            assert q.get("options") or q.get("options_from"), f"{q['id']} needs options"
        else:
            assert "options" not in q, f"{q['id']} must not have options"


def test_one_question_per_prompt():
    for q in questions():
        for lang in LANGS:
            prompt = q["prompt"][lang]
            assert prompt.rstrip().endswith("?"), f"{q['id']} {lang}"
            assert prompt.count("?") == 1, f"{q['id']} {lang}: more than one question"


def test_foreach_and_show_point_to_earlier_questions():
    earlier = set()
    for q in questions():
        refs = list(q.get("show", []))
        if "foreach" in q:
            refs.append(q["foreach"])
        for ref in refs:
            assert ref in earlier, f"{q['id']} refers to {ref}, not an earlier question"
        earlier.add(q["id"])


def test_foreach_targets_are_lists_and_prompts_use_item():
    qs = by_id()
    for q in questions():
        if "foreach" in q:
            assert qs[q["foreach"]]["kind"] == "list", q["id"]
            for lang in LANGS:
                assert "{item}" in q["prompt"][lang], f"{q['id']} {lang}"
        else:
            for lang in LANGS:
                assert "{item}" not in q["prompt"][lang], f"{q['id']} {lang}"


def test_one_or_two_kpis_per_goal():
    q = by_id()["kpis.per_goal"]
    assert q["kind"] == "list"
    assert q["foreach"] == "sm_goals.list"
    assert q["rules"]["min_items"] == 1
    assert q["rules"]["max_items"] == 2


def test_measurement_for_every_tactic():
    q = by_id()["measure.per_tactic"]
    assert q["foreach"] == "tactics.list"


def test_tactics_after_audience_and_shows_audience_answers():
    order = [s["id"] for s in steps()]
    assert order.index("tactics") > order.index("audience")
    channels = by_id()["tactics.channels"]
    shown = set(channels.get("show", []))
    assert {"audience.groups", "audience.media"} <= shown


def test_channel_options():
    qs = by_id()
    for qid in ("audience.media", "tactics.channels"):
        assert [o["id"] for o in qs[qid]["options"]] == list(CHANNEL_IDS), qid


def test_rules_fit_the_kind():
    allowed = {
        "text": {"min_length", "max_length"},
        "list": {"min_length", "max_length", "min_items", "max_items"},
        "multi": {"min_items", "max_items"},
        "choice": set(),
        "number": {"min", "max"},
    }
    for q in questions():
        rules = q.get("rules", {})
        assert set(rules) <= allowed[q["kind"]], q["id"]
        if "min_items" in rules and "max_items" in rules:
            assert 1 <= rules["min_items"] <= rules["max_items"], q["id"]
        if q["kind"] == "multi" and "max_items" in rules:
            assert rules["max_items"] <= len(q["options"]), q["id"]
