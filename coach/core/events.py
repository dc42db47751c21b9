"""The core's vocabulary: what comes in (an Event) and what goes out (a Reply).

Adapters (Telegram, the console, tests) translate their world into an Event, call
``Coach.handle(event)`` and render the returned replies. Nothing here knows about
Telegram.

Reply texts are Telegram-style HTML (``<b>``, ``<i>``, ``<code>``, ``<a>``); every
piece of user text inside them has been escaped by the templates. The console
adapter turns that HTML into plain text.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

# Telegram limits that the core respects so that every adapter can rely on them.
MAX_MESSAGE_LENGTH = 4096
MAX_CALLBACK_DATA_BYTES = 64


@dataclass(frozen=True)
class Event:
    """One thing a user did.

    Exactly one of ``text``, ``choice``, ``command`` or ``media`` is set.

    - ``user_id``: stable id with an adapter prefix, e.g. ``"tg:12345"`` or ``"console:anna"``.
    - ``name``: display name, used to attribute answers.
    - ``text``: free text the user typed.
    - ``choice``: callback data of a pressed button (may be forged or stale).
    - ``command``: command name without slash, lower case (``"start"``, ``"help"``),
      with ``args`` holding the rest of the line (e.g. the deep-link payload of /start).
    - ``media``: kind of non-text message (``"photo"``, ``"sticker"``, ``"voice"``,
      ``"location"``, ``"document"``, ...), answered with a friendly hint.
    - ``lang_hint``: the client's language code, used only when a user is first seen.
    - ``event_id``: optional unique id (e.g. Telegram update id). An event seen twice
      (a redelivered update after a crash) does not change anything again; the coach
      repeats where the user is instead.
    - ``forwarded``: the text was forwarded from elsewhere, not typed by the user; the
      coach asks before it takes it as an answer.
    """

    user_id: str
    name: str = ""
    text: str | None = None
    choice: str | None = None
    command: str | None = None
    args: str = ""
    media: str | None = None
    lang_hint: str | None = None
    event_id: str | None = None
    forwarded: bool = False


@dataclass(frozen=True)
class Choice:
    """A button: ``label`` is shown, ``data`` comes back as ``Event.choice``. With
    ``web_app`` (an HTTPS URL) the button opens that page as a Telegram Mini App
    instead (and ``data`` is not used)."""

    label: str
    data: str
    web_app: str = ""


@dataclass(frozen=True)
class Document:
    """A file to send (an exported strategy, a chart).

    ``source`` is the file's bytes, or a function that makes them: writing a document
    takes a while, so an adapter with an event loop reads :attr:`content` in a worker
    thread (the function must not touch the database: the feature reads what it needs
    first). :attr:`content` makes the bytes once."""

    filename: str
    source: bytes | Callable[[], bytes]
    mime_type: str = "text/markdown"
    caption: str = ""

    @cached_property
    def content(self) -> bytes:
        return self.source() if callable(self.source) else self.source


@dataclass
class Reply:
    """One message to the user.

    ``choices`` are laid out as rows of buttons.

    After a press, the pressed message shows what was chosen and keeps no button that
    no longer applies: by default the adapter closes it (the pressed button's label
    below its text, no keyboard); a reply with ``replace`` is the pressed message's new
    text and keyboard instead (toggling options of a multiple-choice question keeps
    the options that still apply). ``notice`` marks a short note about the press
    itself, such as a stale or unknown button (the engine makes it the only reply):
    an adapter that can shows it as a notification on the button, not as a message.

    ``document`` is sent as a file with ``text`` as its caption-like companion
    message. ``photo`` is a PNG, or a function that draws it: drawing takes a while, so
    an adapter with an event loop calls it in a worker thread (:meth:`draw_photo` draws
    it on the spot). ``key`` names the template the text came from
    (``"checkins.ask_kpi"``), for logs and tests.
    """

    text: str
    choices: list[list[Choice]] = field(default_factory=list)
    replace: bool = False
    notice: bool = False
    document: Document | None = None
    photo: bytes | Callable[[], bytes] | None = None
    key: str = ""

    def buttons(self) -> list[Choice]:
        return [c for row in self.choices for c in row]

    def draw_photo(self) -> bytes | None:
        return self.photo() if callable(self.photo) else self.photo
