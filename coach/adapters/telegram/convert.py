"""Telegram updates as the coach's events, and Telegram ids as the coach's user ids.

A Telegram user is the coach user ``tg:<telegram user id>`` (:func:`user_key`); in a
private chat the chat id is the user id, so :func:`chat_id` finds where to send a user
the coach starts a conversation with. :func:`to_event` makes the
:class:`~coach.core.events.Event` of an update; :func:`command_fields` and
:func:`media_kind` read what a message holds.
"""

from __future__ import annotations

from typing import Any

from telegram import Bot, Message, Update

from coach.core.events import Event

USER_PREFIX = "tg:"  # before the Telegram user id in the coach's user ids

# Message attributes that identify a non-text message, checked in this order
# (an animation also carries a document; a venue also carries a location).
MEDIA_KINDS = (
    ("photo", "photo"),
    ("sticker", "sticker"),
    ("animation", "animation"),
    ("video_note", "video_note"),
    ("video", "video"),
    ("voice", "voice"),
    ("audio", "audio"),
    ("document", "document"),
    ("venue", "location"),
    ("location", "location"),
    ("contact", "contact"),
    ("poll", "poll"),
    ("dice", "other"),
    ("game", "other"),
    ("story", "other"),
    ("invoice", "other"),
)


def user_key(telegram_id: int) -> str:
    """The coach's user id of a Telegram user."""
    return f"{USER_PREFIX}{telegram_id}"


def chat_id(key: str) -> int | None:
    """The private chat of the coach user ``key`` (``tg:<id>``); None when the part
    after the prefix is not a number."""
    try:
        return int(key[len(USER_PREFIX):])
    except ValueError:
        return None


def to_event(update: Update, **fields: Any) -> Event:
    """The event of an update from a user; ``fields`` say what it holds (text, ...)."""
    user = update.effective_user
    assert user is not None
    message = update.message  # a forwarded message carries where it came from
    return Event(
        user_id=user_key(user.id),
        name=user.full_name,
        lang_hint=user.language_code,
        event_id=f"tg:{update.update_id}",
        forwarded=message is not None and message.forward_origin is not None,
        **fields,
    )


def command_fields(message: Message, bot: Bot) -> dict[str, str] | None:
    """``command`` and ``args`` of a /command message; None when it names another bot
    (``/start@other_bot``)."""
    assert message.text is not None and message.entities
    entity = message.entities[0]
    word = message.parse_entity(entity)[1:]
    name, _, target = word.partition("@")
    if target and bot.username and target.lower() != bot.username.lower():
        return None  # meant for another bot
    args = message.text[len(word) + 1 :].strip() if message.text.startswith("/") else ""
    return {"command": name.lower(), "args": args}


def media_kind(message: Message) -> str | None:
    """What a non-text message holds (``photo``, ``location``, ...); None for none."""
    for attribute, kind in MEDIA_KINDS:
        if getattr(message, attribute, None):
            return kind
    return None
