"""The one way a feature plugs into the coach.

A feature is a :class:`Feature` object that declares, with decorators, everything it
adds: commands, buttons, conversation modes, hooks after an answer or a step,
/settings sections, matchers for typed answers and scheduled jobs. The engine knows
features only through this object, and ``coach/features/__init__.py`` lists them all,
in order, in one place::

    feature = Feature("team")

    @feature.command("team")
    def cmd_team(turn: Turn, args: str) -> list[Reply]: ...

    @feature.button("t")
    def press(turn: Turn, rest: str) -> list[Reply]: ...

Handlers get the :class:`~coach.core.turn.Turn` of the event being handled and return
the replies. A feature keeps its own conversation state in ``turn.state(name)``
(namespaced in ``users.pending``), and leaves for a mode of its own and comes back with
``turn.detour(...)`` / ``turn.come_back()``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from coach.core.engine import Coach
    from coach.core.events import Reply
    from coach.core.turn import Turn

Handler = Callable[["Turn", str], "list[Reply]"]
Hook = Callable[["Turn"], "list[Reply]"]


@dataclass(frozen=True)
class Mode:
    """A conversation a feature owns while ``users.mode`` is ``name``: typed text goes
    to ``on_text``; ``on_repeat`` shows the open question again without changing
    anything (after a stale button, a redelivered update, ``/continue``...)."""

    name: str
    on_text: Handler
    on_repeat: Hook


@dataclass(frozen=True)
class Job:
    """Messages the coach starts by itself (the weekly check-in).

    Every ``every`` the adapter asks ``due(coach, now, prefix)`` for the ids of the users
    (with the adapter's id prefix) who are due, and sends each the replies of
    ``start(coach, user_id, now)``; ``start`` returns [] when there is nothing to send
    (claimed already). A user who cannot be reached is given to
    ``Coach.mark_unreachable``."""

    name: str
    every: timedelta
    due: Callable[[Coach, datetime, str], Iterable[str]]
    start: Callable[[Coach, str, datetime], list[Reply]]


@dataclass
class Feature:
    """What one feature adds to the coach (see the module docstring)."""

    name: str
    commands: dict[str, Handler] = field(default_factory=dict)
    buttons: dict[str, Handler] = field(default_factory=dict)
    modes: dict[str, Mode] = field(default_factory=dict)
    without_library: set[str] = field(default_factory=set)  # commands and buttons
    after_answer: dict[str, list[Hook]] = field(default_factory=dict)  # role or question id
    after_step: dict[str, list[Hook]] = field(default_factory=dict)  # step id
    settings: list[Hook] = field(default_factory=list)
    matchers: dict[str, Callable[..., Any]] = field(default_factory=dict)
    jobs: list[Job] = field(default_factory=list)

    def command(self, command_id: str, *, needs_library: bool = True):
        """Handle ``/command_id`` (its names are in coach/core/commands.py)."""
        def register(handler: Handler) -> Handler:
            self.commands[command_id] = handler
            if not needs_library:
                self.without_library.add(f"/{command_id}")
            return handler
        return register

    def button(self, prefix: str, *, needs_library: bool = True):
        """Handle callback data ``prefix:rest``; the handler gets ``rest``."""
        def register(handler: Handler) -> Handler:
            self.buttons[prefix] = handler
            if not needs_library:
                self.without_library.add(f"{prefix}:")
            return handler
        return register

    def mode(self, name: str, *, repeat: Hook):
        """Typed text while ``users.mode == name`` goes to the decorated handler."""
        def register(on_text: Handler) -> Handler:
            self.modes[name] = Mode(name, on_text, repeat)
            return on_text
        return register

    def after_answering(self, question: str):
        """Messages after an answer to a question (by its flow ``role`` or id)."""
        def register(hook: Hook) -> Hook:
            self.after_answer.setdefault(question, []).append(hook)
            return hook
        return register

    def after_finishing(self, step_id: str):
        """Messages after a step's summary."""
        def register(hook: Hook) -> Hook:
            self.after_step.setdefault(step_id, []).append(hook)
            return hook
        return register

    def settings_section(self, hook: Hook) -> Hook:
        """An extra /settings message (with its buttons)."""
        self.settings.append(hook)
        return hook

    def matcher(self, name: str):
        """A parser of typed answers that a flow question names with ``matcher: name``."""
        def register(function: Callable[..., Any]) -> Callable[..., Any]:
            self.matchers[name] = function
            return function
        return register

    def job(self, job: Job) -> Job:
        self.jobs.append(job)
        return job


class Registry:
    """All features' declarations merged; a name declared twice stops start-up."""

    def __init__(self, features: Iterable[Feature]):
        self.features = tuple(features)
        self.commands: dict[str, Handler] = {}
        self.buttons: dict[str, Handler] = {}
        self.modes: dict[str, Mode] = {}
        self.without_library: set[str] = set()
        self.after_answer: dict[str, list[Hook]] = {}
        self.after_step: dict[str, list[Hook]] = {}
        self.settings: list[Hook] = []
        self.matchers: dict[str, Callable[..., Any]] = {}
        self.jobs: list[Job] = []
        for feature in self.features:
            self._add(feature)

    def _add(self, feature: Feature) -> None:
        for kind in ("commands", "buttons", "modes", "matchers"):
            mine, theirs = getattr(self, kind), getattr(feature, kind)
            if taken := mine.keys() & theirs.keys():
                raise ValueError(f"feature {feature.name!r}: {kind} {sorted(taken)} are taken")
            mine.update(theirs)
        self.without_library |= feature.without_library
        for mine, theirs in ((self.after_answer, feature.after_answer),
                             (self.after_step, feature.after_step)):
            for key, hooks in theirs.items():
                mine.setdefault(key, []).extend(hooks)
        self.settings.extend(feature.settings)
        self.jobs.extend(feature.jobs)
