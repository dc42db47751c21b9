"""Sending the coach's replies over the Bot API.

:func:`send_reply` sends one :class:`~coach.core.events.Reply`: long texts split below
Telegram's limit (``split.py``), buttons as inline keyboards, ``replace`` as an edit of
the pressed message, documents and photos as files (with the text as their caption
when it fits). Every call goes through ``call_with_retry`` (``retry.py``).
:func:`send_replies` sends a list in order; :func:`deliver` does the same and stops
quietly when the user blocked the bot.
"""

from __future__ import annotations

import asyncio
import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Message, WebAppInfo
from telegram.error import BadRequest, ChatMigrated, Forbidden
from telegram.ext import Application

from coach.adapters.telegram.retry import call_with_retry
from coach.adapters.telegram.split import split_message, tg_len
from coach.core.events import Choice, Reply

log = logging.getLogger("coach.telegram")

MAX_CAPTION_LENGTH = 1024


def _button(choice: Choice) -> InlineKeyboardButton:
    if choice.web_app:  # opens the web view as a Mini App
        return InlineKeyboardButton(choice.label, web_app=WebAppInfo(choice.web_app))
    return InlineKeyboardButton(choice.label, callback_data=choice.data)


def _markup(reply: Reply) -> InlineKeyboardMarkup | None:
    if not reply.choices:
        return None
    return InlineKeyboardMarkup(
        [[_button(choice) for choice in row] for row in reply.choices if row]
    )


def _not_modified(exc: BadRequest) -> bool:
    return "not modified" in str(exc).lower()


async def send_reply(
    app: Application, chat_id: int, reply: Reply, pressed: Message | None = None
) -> None:
    """Send one reply. ``pressed`` is the message whose button was pressed, if any."""
    bot = app.bot
    markup = _markup(reply)
    text = reply.text or ""

    if reply.document is not None or reply.photo is not None:
        caption = ""
        own = reply.document.caption if reply.document is not None else ""
        if own and tg_len(own) <= MAX_CAPTION_LENGTH:
            caption = own
        elif own:  # too long for a caption: it goes out as a message of its own
            text = f"{own}\n\n{text}".strip()
        elif text and tg_len(text) <= MAX_CAPTION_LENGTH:
            caption, text = text, ""
        file_markup = markup if not text else None
        if reply.document is not None:
            send_file, what = bot.send_document, "sendDocument"
            content, filename = reply.document.content, reply.document.filename
        else:
            send_file, what = bot.send_photo, "sendPhoto"
            # drawing a chart takes a while: off the event loop
            content, filename = await asyncio.to_thread(reply.draw_photo), "chart.png"
        await call_with_retry(
            lambda: send_file(
                chat_id,
                InputFile(content, filename=filename),
                caption=caption or None,
                reply_markup=file_markup,
            ),
            what,
        )
        if not text:
            return

    parts = split_message(text)
    if not parts:
        if markup is not None:
            log.warning("reply with buttons but without text for chat %s", chat_id)
        return

    if reply.replace and pressed is not None and len(parts) == 1:
        try:
            await call_with_retry(
                lambda: bot.edit_message_text(
                    parts[0],
                    chat_id=chat_id,
                    message_id=pressed.message_id,
                    reply_markup=markup,
                ),
                "editMessageText",
            )
            return
        except BadRequest as exc:
            if _not_modified(exc):
                return
            # too old, deleted, not ours: send it as a new message instead
            log.info("could not edit message %s: %s", pressed.message_id, exc)

    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        await call_with_retry(
            lambda part=part, last=last: bot.send_message(
                chat_id, part, reply_markup=markup if last else None
            ),
            "sendMessage",
        )


async def send_replies(
    app: Application, chat_id: int, replies: list[Reply], pressed: Message | None = None
) -> None:
    """Send the replies in order; what sending raises (a blocked bot, ...) is raised."""
    for reply in replies:
        await send_reply(app, chat_id, reply, pressed)


async def deliver(
    app: Application, chat_id: int, replies: list[Reply], pressed: Message | None = None
) -> None:
    """Send the replies in order; stop quietly when the user blocked the bot."""
    try:
        await send_replies(app, chat_id, replies, pressed)
    except Forbidden as exc:
        log.info("chat %s cannot be reached (%s); skipping its replies", chat_id, exc)
    except ChatMigrated as exc:
        log.info("chat %s moved to %s; skipping its replies", chat_id, exc.new_chat_id)
