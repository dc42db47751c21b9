"""The one way a feature plugs into the coach.

A feature is one :class:`Feature` value that declares everything it adds: commands,
buttons, conversation modes, hooks after an answer or a step, /settings sections,
matchers for typed answers and scheduled jobs. The engine knows features only through
these values, and ``coach/features/__init__.py`` lists them all, in order, in one place::

    FEATURE = Feature(
        "team",
        commands={"team": cmd_team},          # /team (names in coach/core/commands.py)
        buttons={"t": press},                 # callback data "t:<rest>"
    )

Handlers get the :class:`~coach.core.turn.Turn` of the event being handled and return
the replies. A feature keeps its conversation state in ``turn.state(owner)`` (its own
key in ``users.pending``), and leaves for a mode of its own and comes back with
``turn.detour(...)`` / ``turn.come_back()``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from coach.core.commands import COMMANDS, Command

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
    needs_library: bool = True


@dataclass(frozen=True)
class Job:
    """Messages the coach starts by itself (the weekly check-in).

    Every ``every`` the adapter asks ``due(coach, now, prefix)`` for the ids of the users
    (with the adapter's id prefix) who are due, and sends each the replies of
    ``start(coach, user_id, now)``; ``start`` commits what it needs before it returns
    and returns [] when there is nothing to send (claimed already). A user who cannot be
    reached is given to ``Coach.mark_unreachable``."""

    name: str
    every: timedelta
    due: Callable[[Coach, datetime, str | None], Iterable[str]]
    start: Callable[[Coach, str, datetime], list[Reply]]


@dataclass(frozen=True)
class Page:
    """A read-only view of the user's own library, for an adapter that shows pages (the
    web view): ``view(turn, params)`` returns what the page shows (a dict for its
    template, or a :class:`~coach.core.events.Document` to download). It must not change
    anything. ``coordinators``: only a coordinator may see it."""

    name: str
    view: Callable[[Turn, Mapping[str, str]], Any]
    coordinators: bool = False


@dataclass(frozen=True)
class Action:
    """A change asked for from a page (a posted form of the web view): ``run(turn,
    fields)`` changes the user's own library and returns the name of the template
    that says what happened. It runs in one transaction, committed before the answer."""

    name: str
    run: Callable[[Turn, Mapping[str, str]], str]
    coordinators: bool = True


@dataclass(frozen=True)
class Feature:
    """What one feature adds to the coach (see the module docstring).

    ``after_answer`` hooks are keyed by a question's flow ``role`` or its id;
    ``after_step`` hooks by step id, or by a role (the step that holds that question).
    Commands and buttons need the user to be in a library unless named in
    ``commands_without_library``/``buttons_without_library``.
    A command's names come from ``coach/core/commands.py`` (the menu); a feature that
    brings a command of its own declares its names in ``names``."""

    name: str
    commands: Mapping[str, Handler] = field(default_factory=dict)
    names: Sequence[Command] = ()
    buttons: Mapping[str, Handler] = field(default_factory=dict)
    modes: Sequence[Mode] = ()
    commands_without_library: frozenset[str] = frozenset()
    buttons_without_library: frozenset[str] = frozenset()
    after_answer: Mapping[str, Hook] = field(default_factory=dict)
    after_step: Mapping[str, Hook] = field(default_factory=dict)
    settings: Sequence[Hook] = ()
    matchers: Mapping[str, Callable[..., Any]] = field(default_factory=dict)
    jobs: Sequence[Job] = ()
    pages: Sequence[Page] = ()
    actions: Sequence[Action] = ()


class Registry:
    """All features' declarations merged; a name declared twice stops start-up."""

    def __init__(self, features: Iterable[Feature]):
        self.features = tuple(features)
        self.names: list[Command] = list(COMMANDS)  # the menu's order, then the features'
        self.commands: dict[str, Handler] = {}
        self.buttons: dict[str, Handler] = {}
        self.modes: dict[str, Mode] = {}
        self.matchers: dict[str, Callable[..., Any]] = {}
        self.without_library: set[str] = set()  # "/command" and "prefix:"
        self.after_answer: dict[str, list[Hook]] = {}
        self.after_step: dict[str, list[Hook]] = {}
        self.settings: list[Hook] = []
        self.jobs: list[Job] = []
        self.pages: dict[str, Page] = {}
        self.actions: dict[str, Action] = {}
        for feature in self.features:
            self._add(feature)
        self._by_name = {name: c.id for c in self.names
                         for name in (c.id, c.nl, c.en, *c.aliases)}

    def command_id(self, name: str) -> str | None:
        """The command id for a typed name ("verder", "continue", "Verder@biebbot")."""
        return self._by_name.get(name.split("@", 1)[0].lower())

    def _add(self, feature: Feature) -> None:
        modes = {m.name: m for m in feature.modes}
        pages = {p.name: p for p in feature.pages}
        actions = {a.name: a for a in feature.actions}
        for kind, theirs in (("commands", feature.commands), ("buttons", feature.buttons),
                             ("modes", modes), ("matchers", feature.matchers),
                             ("pages", pages), ("actions", actions)):
            mine = getattr(self, kind)
            if taken := mine.keys() & theirs.keys():
                raise ValueError(f"feature {feature.name!r}: {kind} {sorted(taken)} are taken")
            mine.update(theirs)
        if taken := {c.id for c in self.names} & {c.id for c in feature.names}:
            raise ValueError(f"feature {feature.name!r}: command names {sorted(taken)} are taken")
        self.names.extend(feature.names)
        self.without_library |= {f"/{c}" for c in feature.commands_without_library}
        self.without_library |= {f"{b}:" for b in feature.buttons_without_library}
        for key, hook in feature.after_answer.items():
            self.after_answer.setdefault(key, []).append(hook)
        for key, hook in feature.after_step.items():
            self.after_step.setdefault(key, []).append(hook)
        self.settings.extend(feature.settings)
        self.jobs.extend(feature.jobs)
