"""One spelling per word: every message (prompts/<lang>/*.j2) and the texts the coach
says from the flow (flows/strategy.yaml, flows/next_steps.yaml) use the spelling of
flows/<lang>/spelling.yaml, never one of its listed variants."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from tests.support import ROOT

LANGS = ("nl", "en")
JINJA = re.compile(r"\{#.*?#\}|\{%.*?%\}|\{\{.*?\}\}", re.S)
SPOKEN_FLOWS = ("strategy.yaml", "next_steps.yaml")


def spelling(lang: str) -> dict[str, list[str]]:
    return yaml.safe_load((ROOT / "flows" / lang / "spelling.yaml").read_text(encoding="utf-8"))


def _texts_in(node: object, lang: str) -> list[str]:
    """The ``lang`` values of a flow file: every {nl: ..., en: ...} text in it."""
    if isinstance(node, dict):
        found = []
        for key, value in node.items():
            if key == lang and isinstance(value, (str, list)):
                found.extend([value] if isinstance(value, str) else map(str, value))
            else:
                found.extend(_texts_in(value, lang))
        return found
    if isinstance(node, list):
        return [t for item in node for t in _texts_in(item, lang)]
    return []


def texts(lang: str) -> list[tuple[str, str]]:
    """(where, text) of everything the coach says in ``lang``."""
    found = []
    for path in sorted((ROOT / "prompts" / lang).glob("*.j2")):
        found.append((str(path.relative_to(ROOT)), JINJA.sub(" ", path.read_text("utf-8"))))
    for name in SPOKEN_FLOWS:
        data = yaml.safe_load((ROOT / "flows" / name).read_text(encoding="utf-8"))
        found.extend((f"flows/{name}", t) for t in _texts_in(data, lang))
    return found


def variant_pattern(variant: str) -> re.Pattern[str]:
    forms = {variant, variant[:1].upper() + variant[1:]}
    alternatives = "|".join(map(re.escape, forms))
    return re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])")


@pytest.mark.parametrize("lang", LANGS)
def test_no_message_uses_a_wrong_variant(lang):
    wrong, said = [], texts(lang)  # read the files once, not once per variant
    for right, variants in spelling(lang).items():
        for variant in variants:
            pattern = variant_pattern(variant)
            wrong.extend(f"{where}: {variant!r} (write {right!r})"
                         for where, text in said if pattern.search(text))
    assert wrong == []


@pytest.mark.parametrize("lang", LANGS)
def test_the_list_is_consistent(lang):
    """No variant is itself a chosen spelling, and the chosen spellings are in use."""
    table = spelling(lang)
    variants = {v for vs in table.values() for v in vs}
    assert not variants & set(table)
    everything = " ".join(t for _, t in texts(lang))
    used = [right for right in table if variant_pattern(right).search(everything)]
    assert len(used) >= len(table) // 2, used


def test_the_scan_finds_a_wrong_variant(tmp_path: Path):
    assert variant_pattern("social-mediastrategie").search("een Social-mediastrategie maken")
    assert not variant_pattern("social-mediastrategie").search("een socialemediastrategie")
    assert not variant_pattern("coordinator").search("de coördinator")
