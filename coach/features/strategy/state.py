"""The strategy's conversation state: its own key in ``users.pending``."""

from __future__ import annotations

from typing import Any

from coach.core.turn import Turn

STATE = "strategy"  # this feature's key in users.pending


def state(turn: Turn) -> dict[str, Any]:
    return turn.state(STATE)


def set_state(turn: Turn, **changes: Any) -> None:
    """Change some keys of the strategy's state (a value of None removes the key)."""
    current = {**state(turn), **changes}
    turn.set_state(STATE, {k: v for k, v in current.items() if v is not None})
