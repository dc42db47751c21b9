"""``flows/next_steps.yaml``: the next small steps, validated and loaded (see the
comment at the file's top). A typo in a key or a value is a :class:`StepsFileError`,
so it never silently turns a step off."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from coach.features.checkins.trend import TRENDS
from coach.features.next_steps.channels import known_channels, normalize_channel
from coach.flow.model import LANGS
from coach.flow.text import fold

YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's where PyYAML has it

__all__ = ["CONDITION_KEYS", "DEFAULT_PATH", "Step", "StepCatalog", "StepsFileError",
           "load_steps", "parse_steps"]

DEFAULT_PATH = Path(__file__).resolve().parents[3] / "flows" / "next_steps.yaml"
CONDITION_KEYS = (
    "channels_any",
    "kpi_trend",
    "kpi_kind",
    "tactic_keywords",
    "has_listening",
    "has_webcare",
    "has_measurement",
    "always",
)
# what kind of work a step is ("werkte niet" asks for a step of another kind): its
# `area:` in the YAML, else the first word of its id ("listening_saved_searches")
AREAS = ("listening", "webcare", "measurement", "engagement", "reach", "conversion",
         "content", "channel", "tactic", "team", "review")
MIN_MINUTES, MAX_MINUTES = 15, 60
SMALL_MINUTES = 15
_ID_RE = re.compile(r"[a-z][a-z0-9_]{1,39}")


class StepsFileError(ValueError):
    """``flows/next_steps.yaml`` is malformed (unknown key, missing text, ...)."""


@dataclass(frozen=True)
class Step:
    """One step as loaded from the YAML."""

    id: str
    minutes: int
    title: dict[str, str]
    description: dict[str, str]
    when: dict[str, Any]
    order: int
    area: str = "review"

    @property
    def small(self) -> bool:
        """Fits in a quarter of an hour (after "geen tijd")."""
        return self.minutes <= SMALL_MINUTES

    @property
    def score(self) -> int:
        """How specific the step is: its number of conditions; ``always`` and
        ``kpi_kind: any`` add nothing because they hold for every library."""
        if self.when.get("always"):
            return 0
        return sum(
            1 for key, value in self.when.items() if not (key == "kpi_kind" and value == "any")
        )


@dataclass(frozen=True)
class StepCatalog:
    steps: tuple[Step, ...]
    fallback: Step
    strategy_title: dict[str, str]
    strategy_minutes: int

    def get(self, step_id: str) -> Step | None:
        for step in (*self.steps, self.fallback):
            if step.id == step_id:
                return step
        return None


# ------------------------------------------------------------------------- loading


def _text(raw: Any, where: str) -> dict[str, str]:
    if not isinstance(raw, dict) or set(raw) != set(LANGS):
        raise StepsFileError(f"{where}: needs exactly the languages {LANGS}, got {raw!r}")
    for lang in LANGS:
        if not isinstance(raw[lang], str) or not raw[lang].strip():
            raise StepsFileError(f"{where}.{lang}: empty text")
    return {lang: " ".join(raw[lang].split()) for lang in LANGS}


def _minutes(raw: Any, where: str) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int) or not MIN_MINUTES <= raw <= MAX_MINUTES:
        raise StepsFileError(f"{where}.minutes: must be {MIN_MINUTES}-{MAX_MINUTES}, got {raw!r}")
    return raw


def _str_list(raw: Any, where: str) -> list[str]:
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, list) or not raw:
        raise StepsFileError(f"{where}: must be a non-empty list")
    if not all(isinstance(item, str) and item.strip() for item in raw):
        raise StepsFileError(f"{where}: every item must be a non-empty string")
    return [item.strip() for item in raw]


def _conditions(raw: Any, where: str) -> dict[str, Any]:
    if not isinstance(raw, dict) or not raw:
        raise StepsFileError(f"{where}.when: must be a non-empty mapping")
    unknown = set(raw) - set(CONDITION_KEYS)
    if unknown:
        raise StepsFileError(f"{where}.when: unknown condition key(s) {sorted(unknown)}")
    when: dict[str, Any] = {}
    for key, value in raw.items():
        here = f"{where}.when.{key}"
        if key == "always":
            if value is not True or len(raw) != 1:
                raise StepsFileError(f"{here}: must be `true` and the only condition")
            when[key] = True
        elif key in ("has_listening", "has_webcare", "has_measurement"):
            if not isinstance(value, bool):
                raise StepsFileError(f"{here}: must be true or false")
            when[key] = value
        elif key == "channels_any":
            channels = [normalize_channel(c) for c in _str_list(value, here)]
            bad = [c for c in channels if c not in known_channels()]
            if bad:
                raise StepsFileError(f"{here}: unknown channel(s) {bad}")
            when[key] = tuple(channels)
        elif key == "kpi_trend":
            trends = _str_list(value, here)
            bad = [t for t in trends if t not in TRENDS]
            if bad:
                raise StepsFileError(f"{here}: unknown trend(s) {bad}; use {TRENDS}")
            when[key] = tuple(trends)
        elif key == "kpi_kind":
            if value not in ("engagement", "reach", "conversion", "any"):
                raise StepsFileError(f"{here}: use engagement, reach, conversion or any")
            when[key] = value
        elif key == "tactic_keywords":
            when[key] = tuple(fold(k) for k in _str_list(value, here))
    return when


def _step(raw: Any, where: str, order: int) -> Step:
    if not isinstance(raw, dict):
        raise StepsFileError(f"{where}: must be a mapping")
    allowed = {"id", "minutes", "title", "description", "when"}
    unknown = set(raw) - allowed - {"area"}
    if unknown:
        raise StepsFileError(f"{where}: unknown key(s) {sorted(unknown)}")
    missing = allowed - set(raw)
    if missing:
        raise StepsFileError(f"{where}: missing key(s) {sorted(missing)}")
    step_id = raw["id"]
    if not isinstance(step_id, str) or not _ID_RE.fullmatch(step_id):
        raise StepsFileError(f"{where}.id: lower case letters, digits and _, got {step_id!r}")
    where = f"{where} ({step_id})"
    area = raw.get("area") or _area_of(step_id)
    if area not in AREAS:
        raise StepsFileError(f"{where}.area: one of {', '.join(AREAS)}, got {area!r}")
    return Step(
        id=step_id,
        minutes=_minutes(raw["minutes"], where),
        title=_text(raw["title"], f"{where}.title"),
        description=_text(raw["description"], f"{where}.description"),
        when=_conditions(raw["when"], where),
        order=order,
        area=area,
    )


def _area_of(step_id: str) -> str:
    head = step_id.partition("_")[0]
    if head in AREAS:
        return head
    return {"kpi": "measurement", "rising": "content", "linkedin": "channel",
            "instagram": "channel", "ask": "listening", "audit": "channel"}.get(head, "review")


def parse_steps(data: Any) -> StepCatalog:
    """Validate already-parsed YAML data; raises :class:`StepsFileError`."""
    if not isinstance(data, dict):
        raise StepsFileError("top level must be a mapping")
    allowed = {"version", "strategy_first", "fallback", "steps"}
    unknown = set(data) - allowed
    if unknown:
        raise StepsFileError(f"unknown top-level key(s) {sorted(unknown)}")
    if data.get("version") != 1:
        raise StepsFileError("version must be 1")
    raw_steps = data.get("steps")
    if not isinstance(raw_steps, list) or not raw_steps:
        raise StepsFileError("steps: must be a non-empty list")
    steps = tuple(_step(raw, f"steps[{i}]", i) for i, raw in enumerate(raw_steps))

    raw_fallback = data.get("fallback")
    if not isinstance(raw_fallback, dict):
        raise StepsFileError("fallback: missing")
    if "when" in raw_fallback:
        raise StepsFileError("fallback: takes no `when`, it is used when all else is done")
    fallback = _step({**raw_fallback, "when": {"always": True}}, "fallback", len(steps))

    ids = [s.id for s in steps] + [fallback.id]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise StepsFileError(f"duplicate step id(s) {duplicates}")

    first = data.get("strategy_first")
    if not isinstance(first, dict) or set(first) != {"minutes", "title"}:
        raise StepsFileError("strategy_first: needs exactly `minutes` and `title`")
    return StepCatalog(
        steps=steps,
        fallback=fallback,
        strategy_title=_text(first["title"], "strategy_first.title"),
        strategy_minutes=_minutes(first["minutes"], "strategy_first"),
    )


def load_steps(path: str | Path | None = None) -> StepCatalog:
    """Load and validate a steps file (default ``flows/next_steps.yaml``, cached)."""
    if path is None:
        return _load_default()
    return _load(Path(path))


def _load(path: Path) -> StepCatalog:
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=YAML_LOADER)
    except yaml.YAMLError as exc:
        raise StepsFileError(f"{path}: not valid YAML: {exc}") from exc
    try:
        return parse_steps(data)
    except StepsFileError as exc:
        raise StepsFileError(f"{path.name}: {exc}") from None


@lru_cache(maxsize=1)
def _load_default() -> StepCatalog:
    return _load(DEFAULT_PATH)
