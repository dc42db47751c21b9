"""A user talking to the coach in memory, as an adapter would; a clock moved by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from coach.core.engine import Coach
from coach.core.events import MAX_CALLBACK_DATA_BYTES, MAX_MESSAGE_LENGTH, Event, Reply
from tests.support.html import parse_html


class Clock:
    """A clock the tests move by hand."""

    def __init__(self, start: datetime | None = None):
        self.now = start or datetime(2026, 11, 23, 10, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)


def check_reply(reply: Reply) -> None:
    """What Telegram would accept: valid HTML, not empty, short enough, small buttons."""
    assert reply.text.strip(), "empty message"
    visible = parse_html(reply.text)
    assert len(visible) <= MAX_MESSAGE_LENGTH
    for button in reply.buttons():
        assert button.label.strip()
        assert len(button.data.encode()) <= MAX_CALLBACK_DATA_BYTES, button.data


class Chat:
    """One user talking to the coach, as an adapter would."""

    def __init__(self, coach: Coach, user_id: str, name: str, lang_hint: str | None = None):
        self.coach, self.user_id, self.name, self.lang_hint = coach, user_id, name, lang_hint
        self.replies: list[Reply] = []
        self.history: list[Reply] = []  # every reply this user got, in order

    def _send(self, **kwargs) -> list[Reply]:
        event = Event(user_id=self.user_id, name=self.name, lang_hint=self.lang_hint, **kwargs)
        self.replies = self.coach.handle(event)
        self.history += self.replies
        for reply in self.replies:
            check_reply(reply)
        return self.replies

    def say(self, text: str) -> list[Reply]:
        return self._send(text=text)

    def cmd(self, command: str, args: str = "") -> list[Reply]:
        return self._send(command=command, args=args)

    def press_data(self, data: str) -> list[Reply]:
        return self._send(choice=data)

    def press(self, label_part: str) -> list[Reply]:
        """Press the last shown button whose label contains ``label_part``."""
        for reply in reversed(self.replies):
            for button in reply.buttons():
                if label_part.lower() in button.label.lower():
                    return self.press_data(button.data)
        raise AssertionError(f"no button {label_part!r} in {self.texts()}")

    def media(self, kind: str) -> list[Reply]:
        return self._send(media=kind)

    def texts(self) -> str:
        return "\n---\n".join(r.text for r in self.replies)

    def templates(self) -> list[str]:
        """The templates the last replies came from: ``["errors.empty", "question"]``."""
        return [r.key for r in self.replies]

    @property
    def last(self) -> str:
        return self.replies[-1].text

    def buttons(self) -> list[str]:
        return [b.data for r in self.replies for b in r.buttons()]

    def user(self) -> dict:
        return self.coach.db["users"].get(self.user_id)

    def create_library(self, name: str = "Bibliotheek Rivierenland") -> None:
        self.cmd("start")
        self.press_data("l:new")
        self.say(name)

    def invite_code(self) -> str:
        self.cmd("uitnodigen")
        return self.coach.db.execute(
            "select code from invites where revoked_at is null and library_id = ?"
            " order by created_at desc limit 1",
            [self.user()["library_id"]],
        ).fetchone()[0]
