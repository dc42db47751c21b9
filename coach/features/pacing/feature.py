"""Small steps: does the plan fit the hours the team has?

After the channels and after the tactics of step 6, the coach compares them with what
fits the team's hours per week (``flows/capacity.yaml``). A bigger plan gets one short
piece of advice: start with the first goal and one or two channels. Advice only: the
answers are stored as given.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from coach.core.events import Reply
from coach.core.feature import Feature
from coach.core.turn import Turn
from coach.flow.library import library_answers
from coach.flow.model import ROOT

CAPACITY_PATH = ROOT / "flows" / "capacity.yaml"


@dataclass(frozen=True)
class Fit:
    max_hours: float | None
    channels: int
    tactics: int


@cache
def capacity(path: Path = CAPACITY_PATH) -> tuple[Fit, ...]:
    rows = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    fits = tuple(Fit(r.get("max_hours"), int(r["channels"]), int(r["tactics"])) for r in rows)
    if not fits or fits[-1].max_hours is not None:
        raise ValueError(f"{path}: the last row needs max_hours: null (any number of hours)")
    return fits


def fit_for(hours: float) -> Fit:
    return next(f for f in capacity() if f.max_hours is None or hours <= f.max_hours)


def _answer(turn: Turn, role: str) -> Any:
    rows = library_answers(turn.db, turn.library_id, turn.flow.by_role(role).id)
    return rows[-1]["value"] if rows else None


def _hours(turn: Turn) -> float | None:
    value = _answer(turn, "hours")
    return float(value["value"]) if isinstance(value, dict) and "value" in value else None


def _advice(turn: Turn, what: str, count: int) -> list[Reply]:
    hours = _hours(turn)
    if hours is None:
        return []
    fit = fit_for(hours)
    allowed = fit.channels if what == "channels" else fit.tactics
    if count <= allowed:
        return []
    return [turn.say("pacing.too_much", what=what, count=count, allowed=allowed,
                     hours=hours, channels=fit.channels,
                     focus=_answer(turn, "focus") or "")]


def after_channels(turn: Turn) -> list[Reply]:
    chosen = _answer(turn, "channels")
    return _advice(turn, "channels", len(chosen) if isinstance(chosen, list) else 0)


def after_tactics(turn: Turn) -> list[Reply]:
    tactics = _answer(turn, "tactics")
    return _advice(turn, "tactics", len(tactics) if isinstance(tactics, list) else 0)


FEATURE = Feature(
    "pacing",
    after_answer={"channels": after_channels, "tactics": after_tactics},
)
