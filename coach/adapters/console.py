"""The terminal adapter: chat with the coach in a console, over the same engine and DB.

Buttons are shown with a letter; type the letter to press one (numbers are answers: a
KPI value of 2 must not press button 2), type text to answer, and ``/command`` for
commands. ``:quit`` (or Ctrl-D) leaves.
"""

from __future__ import annotations

import html
import re
import sys
from collections.abc import Callable
from typing import TextIO

from coach.core.engine import Coach
from coach.core.events import Choice, Event, Reply

TAG = re.compile(r"</?(?:b|strong|i|em|u|ins|s|strike|del|code|pre|a|tg-spoiler|span|blockquote)"
                 r"(?:\s[^>]*)?>")


def plain(text: str) -> str:
    """Telegram HTML → terminal text (tags dropped, entities decoded)."""
    return html.unescape(TAG.sub("", text))


def render_reply(reply: Reply, buttons: list[Choice]) -> str:
    """The reply as terminal text; its buttons are appended to ``buttons`` and numbered."""
    lines = [plain(reply.text)]
    if reply.document:
        lines.append(f"[file: {reply.document.filename}, {len(reply.document.content)} bytes]")
    if reply.photo:
        lines.append(f"[image: {len(reply.draw_photo())} bytes]")
    for row in reply.choices:
        cells = []
        for choice in row:
            if choice.web_app:  # a Mini App button: in a terminal, its address
                cells.append(f"[{choice.label}: {choice.web_app}]")
                continue
            buttons.append(choice)
            cells.append(f"[{button_key(len(buttons) - 1)}] {choice.label}")
        lines.append("   ".join(cells))
    return "\n".join(lines)


def button_key(index: int) -> str:
    """a, b, ..., z, then aa, ab, ... (never a number, which would be an answer)."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    return letters[index] if index < 26 else letters[index // 26 - 1] + letters[index % 26]


def to_event(line: str, user_id: str, name: str, buttons: list[Choice]) -> Event:
    stripped = line.strip()
    keys = {button_key(i): b for i, b in enumerate(buttons)}
    if stripped.lower() in keys:
        return Event(user_id=user_id, name=name, choice=keys[stripped.lower()].data)
    if stripped.startswith("/") and len(stripped) > 1:
        command, _, args = stripped[1:].partition(" ")
        return Event(user_id=user_id, name=name, command=command.lower(), args=args)
    return Event(user_id=user_id, name=name, text=line)


def run_console(
    coach: Coach,
    user: str,
    *,
    stdin: TextIO = sys.stdin,
    stdout: TextIO = sys.stdout,
    prompt: Callable[[], str] = lambda: "> ",
) -> int:
    user_id = f"console:{user.strip().lower()}"
    buttons: list[Choice] = []

    def show(replies: list[Reply]) -> None:
        buttons.clear()
        for reply in replies:
            print(render_reply(reply, buttons), end="\n\n", file=stdout)

    print(f"Biebcoach — console ({user}). Type :quit to leave.\n", file=stdout)
    show(coach.handle(Event(user_id=user_id, name=user, command="start")))
    while True:
        print(prompt(), end="", file=stdout, flush=True)
        line = stdin.readline()
        if not line or line.strip() in (":quit", ":q"):
            print("", file=stdout)
            return 0
        show(coach.handle(to_event(line.rstrip("\n"), user_id, user, buttons)))
