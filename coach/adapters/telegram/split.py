"""Split Telegram HTML into messages that each fit Telegram's length limit.

Splits at line boundaries; a single line that is too long is split at spaces, and a
word that is too long between two characters. Never inside a tag or an entity
(``&amp;``): tags open at a split are closed at the end of one part and opened
again, with the same attributes, at the start of the next, so every part is valid
HTML on its own.
"""

from __future__ import annotations

import re

from telegram.constants import MessageLimit

MAX_MESSAGE_LENGTH = MessageLimit.MAX_TEXT_LENGTH

_ATOM_RE = re.compile(r"<[^<>]*>|&#?[A-Za-z0-9]+;|.", re.DOTALL)
_TAG_NAME_RE = re.compile(r"</?\s*([A-Za-z][A-Za-z0-9-]*)")
_TAG_RE = re.compile(r"<[^<>]*>")
_ENTITY_RE = re.compile(r"&#?[A-Za-z0-9]+;")


def tg_len(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


def visible_text(html: str) -> str:
    """Rough plain text of an HTML part: tags removed, entities as one character."""
    return _ENTITY_RE.sub("x", _TAG_RE.sub("", html))


def _apply(stack: tuple[tuple[str, str], ...], atom: str) -> tuple[tuple[str, str], ...]:
    if not atom.startswith("<") or len(atom) < 3:
        return stack
    m = _TAG_NAME_RE.match(atom)
    if not m:
        return stack
    name = m.group(1).lower()
    if atom.startswith("</"):
        for i in range(len(stack) - 1, -1, -1):
            if stack[i][0] == name:
                return stack[:i]
        return stack
    if atom.endswith("/>"):
        return stack
    return (*stack, (name, atom))


def _closing(stack: tuple[tuple[str, str], ...]) -> str:
    return "".join(f"</{name}>" for name, _ in reversed(stack))


def _opening(stack: tuple[tuple[str, str], ...]) -> str:
    return "".join(tag for _, tag in stack)


def split_message(text: str, limit: int = MAX_MESSAGE_LENGTH) -> list[str]:
    """Parts of ``text``, each at most ``limit`` UTF-16 units, in order.

    Parts without visible text are dropped (Telegram refuses empty messages).
    """
    if tg_len(text) <= limit:
        return [text] if visible_text(text).strip() else []
    atoms = _ATOM_RE.findall(text)
    sizes = [tg_len(a) for a in atoms]
    parts: list[str] = []
    start = 0
    start_stack: tuple[tuple[str, str], ...] = ()
    while start < len(atoms):
        prefix = _opening(start_stack)
        size = tg_len(prefix)
        stack = start_stack
        at_line = at_space = at_any = None
        i = start
        while i < len(atoms):
            new_stack = _apply(stack, atoms[i])
            if size + sizes[i] + tg_len(_closing(new_stack)) > limit:
                break
            size += sizes[i]
            stack = new_stack
            i += 1
            if atoms[i - 1] == "\n":
                at_line = (i, stack)
            elif atoms[i - 1] == " ":
                at_space = (i, stack)
            at_any = (i, stack)
        if i == len(atoms):
            end, end_stack = i, stack
        else:
            best = at_line or at_space or at_any
            if best is None:  # a single tag longer than the limit: nothing sensible to do
                end, end_stack = start + 1, _apply(start_stack, atoms[start])
            else:
                end, end_stack = best
        raw = "".join(atoms[start:end])
        part = prefix + raw.strip() + _closing(end_stack) if raw.strip() else ""
        if visible_text(part).strip():
            parts.append(part)
        start, start_stack = end, end_stack
    return parts
