"""The one HTML checker of the tests: Telegram's HTML rules, as the Bot API applies them.

:func:`parse_html` returns the text a user sees, or raises :class:`HtmlError` where
Telegram would refuse the message. The fake Bot API server validates with it, and
``check_reply`` checks every reply of the coach with it.
"""

from __future__ import annotations

import re

ALLOWED_TAGS = {
    "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre",
    "tg-spoiler", "span", "blockquote", "tg-emoji",
}  # fmt: skip
NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}


class HtmlError(ValueError):
    pass


_TAG_RE = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[^<>]*?)?)\s*(/?)>")
_ATTR_RE = re.compile(r"""\s*([a-zA-Z_-]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?""")
_ENTITY_RE = re.compile(r"&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z]+);")


def _decode_entities(text: str, pos_base: int) -> str:
    out = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "&":
            m = _ENTITY_RE.match(text, i)
            if not m:
                raise HtmlError(
                    f"Can't find end of the entity starting at byte offset {pos_base + i}"
                )
            name = m.group(1)
            if name.startswith("#"):
                code = int(name[2:], 16) if name[1] in "xX" else int(name[1:])
                if code > 0x10FFFF:
                    raise HtmlError(f"Invalid numeric entity at byte offset {pos_base + i}")
                out.append(chr(code))
            elif name in NAMED_ENTITIES:
                out.append(NAMED_ENTITIES[name])
            else:
                raise HtmlError(f'Unsupported entity "{name}" at byte offset {pos_base + i}')
            i = m.end()
        elif ch == ">":
            # Telegram tolerates a bare '>' in text.
            out.append(ch)
            i += 1
        else:
            out.append(ch)
            i += 1
    return "".join(out)


ENTITY_TYPES = {
    "b": "bold", "strong": "bold", "i": "italic", "em": "italic", "u": "underline",
    "ins": "underline", "s": "strikethrough", "strike": "strikethrough",
    "del": "strikethrough", "a": "text_link", "code": "code", "pre": "pre",
    "tg-spoiler": "spoiler", "span": "spoiler", "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}  # fmt: skip


def parse_html(text: str) -> str:
    """Return the plain text of Telegram HTML, or raise HtmlError like Telegram would.

    Mirrors the Bot API rules: only the supported tags, every tag closed in order,
    ``<`` always starts a tag, ``&`` always starts one of the supported entities.
    """
    return parse_html_entities(text)[0]


def parse_html_entities(text: str) -> tuple[str, list[dict]]:
    """The plain text and the message entities (offsets in UTF-16 code units) of
    Telegram HTML, as Telegram sends a message back; raises HtmlError like
    :func:`parse_html`."""
    out: list[str] = []
    stack: list[str] = []
    opened: list[tuple[int, dict]] = []  # (offset, attributes) per open tag
    entities: list[dict] = []
    i = 0
    n = len(text)
    while i < n:
        lt = text.find("<", i)
        amp_chunk_end = n if lt == -1 else lt
        out.append(_decode_entities(text[i:amp_chunk_end], i))
        if lt == -1:
            break
        m = _TAG_RE.match(text, lt)
        if not m:
            raise HtmlError(f"Unsupported start tag at byte offset {lt}")
        closing, name, attrs, selfclose = m.group(1), m.group(2).lower(), m.group(3), m.group(4)
        if name not in ALLOWED_TAGS:
            raise HtmlError(f'Unsupported start tag "{name}" at byte offset {lt}')
        if selfclose:
            raise HtmlError(f'Unsupported self-closing tag "{name}" at byte offset {lt}')
        if closing:
            if attrs.strip():
                raise HtmlError(f"Unexpected end tag attributes at byte offset {lt}")
            if not stack:
                raise HtmlError(f"Unexpected end tag at byte offset {lt}")
            if stack[-1] != name:
                raise HtmlError(f'Can\'t find end tag corresponding to start tag "{stack[-1]}"')
            stack.pop()
            start, attributes = opened.pop()
            length = utf16_len("".join(out)) - start
            if length > 0:
                entity = {"type": ENTITY_TYPES[name], "offset": start, "length": length}
                if name == "a":
                    entity["url"] = attributes["href"]
                entities.append(entity)
        else:
            parsed = {}
            for am in _ATTR_RE.finditer(attrs):
                if not am.group(0).strip():
                    continue
                val = am.group(2) if am.group(2) is not None else am.group(3)
                if val is None:
                    val = am.group(4) or ""
                parsed[am.group(1).lower()] = _decode_entities(val, lt)
            if name == "a" and not parsed.get("href"):
                raise HtmlError(f"Can't find href attribute of the tag at byte offset {lt}")
            if name == "span" and parsed.get("class") != "tg-spoiler":
                raise HtmlError(f'Tag "span" must have class "tg-spoiler" at byte offset {lt}')
            if name == "tg-emoji" and not parsed.get("emoji-id"):
                raise HtmlError(f"Can't find emoji-id attribute at byte offset {lt}")
            stack.append(name)
            opened.append((utf16_len("".join(out)), parsed))
        i = m.end()
    if stack:
        raise HtmlError(f'Can\'t find end tag corresponding to start tag "{stack[-1]}"')
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), entities


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def tags(text: str) -> set[str]:
    """Every tag in ``text`` as written between ``<`` and ``>``, without a closing slash:
    ``{"b", 'a href="https://t.me"', "a"}`` for ``<b>…</b> <a href="https://t.me">…</a>``."""
    return {(m.group(2).lower() + m.group(3).rstrip()) for m in _TAG_RE.finditer(text)}
