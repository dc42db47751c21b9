"""The terminal adapter: chat with the coach in a console, over the same engine and DB.

Buttons are shown with a letter; type the letter to press one (numbers are answers: a
KPI value of 2 must not press button 2), type text to answer, and ``/command`` for
commands. ``:quit`` (or Ctrl-D) leaves.

Who you are: ``--as NAME``; without it, the one console user the database knows
carries on, and otherwise the console asks for a name once. The console starts the
conversation itself (as Telegram's Start button does), so a ``/start`` typed right
after it shows the open question again instead of a second welcome.

Files the coach sends are written into ``out_dir`` (the working directory): the
exported strategy under its own name, a chart as ``voortgang-<date>.png``; the
console says where. Where the standard library's ``readline`` is available and the
input is a terminal, lines can be edited and earlier lines recalled with the arrow
keys (the history lives only as long as the session: it holds answers).
"""

from __future__ import annotations

import html
import re
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TextIO

from coach.core.engine import Coach, StorageError
from coach.core.events import Choice, Event, Reply
from coach.core.texts import DEFAULT_LANG, cli_line
from coach.storage import users

TAG = re.compile(r"</?(?:b|strong|i|em|u|ins|s|strike|del|code|pre|a|tg-spoiler|span|blockquote)"
                 r"(?:\s[^>]*)?>")
PREFIX = "console:"  # before the name in a console user's id
QUIT = (":quit", ":q", ":exit", "/quit", "/exit")  # /quit: what people type first


def plain(text: str) -> str:
    """Telegram HTML → terminal text (tags dropped, entities decoded)."""
    return html.unescape(TAG.sub("", text))


def button_key(index: int) -> str:
    """a, b, ..., z, then aa, ab, ... (never a number, which would be an answer)."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    return letters[index] if index < 26 else letters[index // 26 - 1] + letters[index % 26]


class Files:
    """Where the files the coach sends end up: ``out_dir``, under a safe name."""

    def __init__(self, out_dir: Path, lang: Callable[[], str]):
        self.out_dir = out_dir
        self.lang = lang

    def save(self, name: str, content: bytes, block: str) -> str:
        path = self.out_dir / (Path(name).name or "biebcoach.out")
        try:
            path.write_bytes(content)
        except OSError as exc:
            return cli_line("console_cannot_save", self.lang(), path=path,
                            reason=exc.strerror or exc)
        return cli_line(block, self.lang(), path=path.resolve())

    def chart_name(self) -> str:
        return cli_line("console_chart_file", self.lang(), date=date.today().isoformat())


def render_reply(reply: Reply, buttons: list[Choice], files: Files | None = None) -> str:
    """The reply as terminal text; its buttons are appended to ``buttons`` and lettered.
    A document or chart is saved by ``files`` (without it, only its size is shown)."""
    lines = [plain(reply.text)]
    if reply.document:
        doc = reply.document
        lines.append(files.save(doc.filename, doc.content, "console_saved_file") if files
                     else f"[file: {doc.filename}, {len(doc.content)} bytes]")
    if reply.photo:
        png = reply.draw_photo() or b""
        lines.append(files.save(files.chart_name(), png, "console_saved_chart") if files
                     else f"[image: {len(png)} bytes]")
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


def to_event(line: str, user_id: str, name: str, buttons: list[Choice]) -> Event:
    stripped = line.strip()
    keys = {button_key(i): b for i, b in enumerate(buttons)}
    if stripped.lower() in keys:
        return Event(user_id=user_id, name=name, choice=keys[stripped.lower()].data)
    if stripped.startswith("/") and len(stripped) > 1:
        command, _, args = stripped[1:].partition(" ")
        return Event(user_id=user_id, name=name, command=command.lower(), args=args)
    return Event(user_id=user_id, name=name, text=line)


def line_reader(stdin: TextIO, stdout: TextIO, editing: bool | None) -> Callable[[str], str | None]:
    """A function that shows a prompt and reads one line (None at the end of input).
    With ``editing`` (default: when both ends are a terminal and ``readline`` exists),
    ``input()`` reads it, so that readline gives line editing and history."""
    if editing is None:
        editing = stdin is sys.stdin and stdout is sys.stdout and stdin.isatty()
    if editing:
        try:
            import readline  # noqa: F401  (importing it is what turns editing on)
        except ImportError:
            editing = False
    if editing:
        def read_edited(prompt: str) -> str | None:
            try:
                return input(prompt)
            except EOFError:
                return None
        return read_edited

    def read_plain(prompt: str) -> str | None:
        print(prompt, end="", file=stdout, flush=True)
        line = stdin.readline()
        return line.rstrip("\n") if line else None
    return read_plain


def open_question(reply: Reply) -> Reply:
    """The last reply again, a welcome without its introduction: its last paragraph
    (the question) and its buttons."""
    if reply.key != "welcome":
        return reply
    question = reply.text.rstrip().rsplit("\n\n", 1)[-1]
    return Reply(text=question, choices=reply.choices, key=reply.key)


def who(coach: Coach, user: str | None, read: Callable[[str], str | None],
        stdout: TextIO) -> str | None:
    """The name to act as: ``--as``, else the one console user there is, else asked."""
    if user and user.strip():
        return user.strip()
    known = users.users_with_prefix(coach.db, PREFIX)
    if len(known) == 1:
        name = known[0]["name"] or known[0]["id"][len(PREFIX):]
        print(cli_line("console_as_known", known[0]["lang"], name=name), file=stdout)
        return name
    while True:
        answer = read(cli_line("console_ask_name", DEFAULT_LANG) + " ")
        if answer is None or answer.strip() in QUIT:
            return None
        if answer.strip():
            return answer.strip()


def run_console(
    coach: Coach,
    user: str | None = None,
    *,
    stdin: TextIO = sys.stdin,
    stdout: TextIO = sys.stdout,
    prompt: Callable[[], str] = lambda: "> ",
    out_dir: Path | None = None,
    editing: bool | None = None,
) -> int:
    read = line_reader(stdin, stdout, editing)
    name = who(coach, user, read, stdout)
    if name is None:
        print("", file=stdout)
        return 0
    user_id = f"{PREFIX}{name.lower()}"

    def lang() -> str:
        """The user's language for the console's own lines (the coach's default
        before the user exists)."""
        row = users.get_user(coach.db, user_id)
        return row["lang"] if row else DEFAULT_LANG

    files = Files(out_dir or Path.cwd(), lang)
    buttons: list[Choice] = []
    shown: list[Reply] = []

    def show(replies: list[Reply]) -> None:
        buttons.clear()
        shown[:] = replies
        for reply in replies:
            print(render_reply(reply, buttons, files), end="\n\n", file=stdout)

    def handle(event: Event) -> bool:
        """Show the replies to ``event``; False when it could not be stored."""
        try:
            replies = coach.handle(event)
        except StorageError as exc:  # nothing of this line was stored: say so, go on
            print(render_reply(coach.fault_reply(exc, user_id), []), end="\n\n", file=stdout)
            return False  # the buttons shown before still stand
        show(replies)
        return True

    print(cli_line("console_banner", lang(), name=name), end="\n\n", file=stdout)
    handle(Event(user_id=user_id, name=name, command="start"))
    started = True  # nothing typed since the console's own /start
    while True:
        line = read(prompt())
        if line is None or line.strip() in QUIT:
            print("", file=stdout)
            return 0
        if started and line.strip().lower() == "/start" and shown:
            show([open_question(shown[-1])])  # not a second welcome
            continue
        started = False
        handle(to_event(line, user_id, name, buttons))
