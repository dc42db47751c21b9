"""The seven steps: asking, answering and moving through the strategy's questions."""

from __future__ import annotations

from coach.core.feature import Feature, Mode
from coach.features.strategy import answering
from coach.features.strategy import navigation as nav
from coach.features.strategy.asking import paused_hint, repeat_asking, resume

FEATURE = Feature(
    "strategy",
    commands={
        "continue": nav.cmd_continue, "back": nav.cmd_back,
        "skip": nav.cmd_skip, "edit": nav.cmd_edit, "restart": nav.cmd_restart,
        "pause": nav.cmd_pause,
    },
    buttons={
        "n": nav.press_nav, "o": nav.press_option, "m": nav.press_multi_done,
        "y": nav.press_confirm, "x": nav.press_reject, "k": nav.press_keep,
        "s": nav.press_edit_step, "e": nav.press_edit_question, "r": nav.press_restart,
        "f": answering.press, "a": answering.press_agree, "w": answering.press_rename,
    },
    modes=(
        Mode("asking", nav.on_text, repeat_asking),
        Mode("step_done", nav.on_text, paused_hint),
        Mode("paused", nav.on_text, paused_hint),
        Mode("done", nav.on_text, resume),
    ),
)
