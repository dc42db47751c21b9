"""One event being handled: the user, their library and language, 'now', and the
small vocabulary features use to change where the user is.

A user's place in the conversation is ``users.mode`` plus ``question_id``/``item``;
``users.pending`` holds each feature's conversation state under the feature's own key
(``turn.state("checkin")``), and under ``"return"`` the place a detour comes back to.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from coach.core.events import Choice, Reply
from coach.core.texts import lang_or_default, render
from coach.flow.positions import Position, Positions
from coach.storage import users

if TYPE_CHECKING:
    from coach.core.engine import Coach

RETURN = "return"  # the key of users.pending that holds where a detour comes back to


class Turn:
    """One event being handled. Features get it and change the user only through it."""

    def __init__(self, coach: Coach, user: dict[str, Any], now: datetime):
        self.coach, self.db, self.flow = coach, coach.db, coach.flow
        self.user, self.now = user, now
        self.lang = lang_or_default(user["lang"])
        self._positions: Positions | None = None
        self.memo: dict[Any, Any] = {}  # what features compute once per event

    @property
    def library_id(self) -> int | None:
        return self.user["library_id"]

    @property
    def positions(self) -> Positions:
        if self._positions is None:
            self._positions = Positions(self.db, self.flow, self.library_id, self.user["id"])
        return self._positions

    def forget_positions(self) -> None:
        """The user's library or place changed: compute the positions again when needed."""
        self._positions = None

    # -- texts ------------------------------------------------------------------------

    def t(self, template: str, /, **ctx: Any) -> str:
        return render(self.lang, template, **ctx)

    def button(self, template: str, data: str, /, **ctx: Any) -> Choice:
        """A button whose label is a template (labels are plain text, not HTML)."""
        return Choice(str(Markup(self.t(template, **ctx)).unescape()), data)

    def say(
        self, template: str, /, choices: list[list[Choice]] | None = None, **ctx: Any
    ) -> Reply:
        return Reply(text=self.t(template, **ctx), choices=choices or [], key=template)

    # -- state ------------------------------------------------------------------------

    @property
    def pending(self) -> dict[str, Any]:
        return users.pending(self.user)

    def state(self, owner: str) -> dict[str, Any]:
        """The conversation state of one feature (a copy; write it with set_state)."""
        value = self.pending.get(owner)
        return dict(value) if isinstance(value, dict) else {}

    def set_state(self, owner: str, value: dict[str, Any] | None) -> None:
        pending = {k: v for k, v in self.pending.items() if k != owner}
        if value:
            pending[owner] = value
        self.update(pending=pending)

    def update(self, **fields: Any) -> None:
        if "pending" in fields and not isinstance(fields["pending"], str):
            fields["pending"] = json.dumps(fields["pending"] or {})
        users.update_user(self.db, self.user["id"], self.now, **fields)
        self.user.update(fields)

    def move(self, mode: str, position: Position | None = None, **states: dict | None) -> None:
        """Go to ``mode`` (at ``position``); the pending state becomes ``states`` alone."""
        self.update(
            mode=mode,
            question_id=position.question.id if position else None,
            item=position.item_index if position else 0,
            pending={owner: s for owner, s in states.items() if s},
        )

    def current(self) -> Position | None:
        return self.positions.find(self.user["question_id"], self.user["item"] or 0)

    # -- going somewhere and coming back ----------------------------------------------

    def detour(self, mode: str, *, nested: bool = False, **states: dict | None) -> None:
        """Leave for ``mode`` (a check-in, a settings question) and remember where to
        come back to. From inside another detour the way back stays that detour's way
        back, unless ``nested`` (and ``mode`` is another one): then the detour itself is
        where to come back to (a setting changed in a check-in returns to the check-in)."""
        pending = self.pending
        if RETURN in pending and (not nested or self.user["mode"] == mode):
            back = pending[RETURN]
        else:
            back = {"mode": self.user["mode"], "question_id": self.user["question_id"],
                    "item": self.user["item"] or 0, "pending": pending}
        self.update(mode=mode, pending={**{o: s for o, s in states.items() if s}, RETURN: back})

    def in_detour(self) -> bool:
        return RETURN in self.pending

    def come_back(self) -> dict[str, Any]:
        """Return to where the detour started (paused, without one); returns that place."""
        back = self.pending.get(RETURN) or {"mode": "paused"}
        self.update(mode=back.get("mode") or "paused", question_id=back.get("question_id"),
                    item=back.get("item") or 0, pending=back.get("pending") or {})
        self.forget_positions()
        return back

    # -- dispatching again ------------------------------------------------------------

    def where_you_are(self) -> list[Reply]:
        """Repeat the open question (or the menu) without changing anything."""
        return self.coach.where_you_are(self)

    def command(self, command_id: str, args: str = "") -> list[Reply]:
        """Do what ``/command_id`` does (a typed navigation word, a menu button)."""
        return self.coach.run_command(self, command_id, args)
