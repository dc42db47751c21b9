"""Sending the coach's replies over the Bot API.

:func:`send_reply` sends one :class:`~coach.core.events.Reply`: long texts split below
Telegram's limit (``split.py``), buttons as inline keyboards, ``replace`` as an edit of
the pressed message, documents and photos as files (with the text as their caption
when it fits), each after a chat action ("sending a photo...") as it can take a while.
:func:`close_pressed` closes the message of a pressed button: the choice below its
text, no keyboard. Every call goes through ``call_with_retry`` (``retry.py``).
:func:`send_replies` sends a list in order; :func:`deliver` does the same and stops
quietly when the user blocked the bot.
"""

from __future__ import annotations

import asyncio
import html
import logging

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    Message,
    WebAppInfo,
)
from telegram.constants import ChatAction, MessageLimit
from telegram.error import BadRequest, ChatMigrated, Forbidden, TelegramError
from telegram.ext import Application

from coach.adapters.telegram.retry import call_with_retry
from coach.adapters.telegram.split import split_message, tg_len
from coach.core.events import Choice, Reply

log = logging.getLogger("coach.telegram")

MAX_CAPTION_LENGTH = MessageLimit.CAPTION_LENGTH
CHOSEN = "\n\n→ <b>{}</b>"  # below a closed message's text: the pressed button's label


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
            await _chat_action(app, chat_id, ChatAction.UPLOAD_DOCUMENT)
            send_file, what = bot.send_document, "sendDocument"
            # writing a document (Word, the chart) takes a while: off the event loop
            document = reply.document
            content = await asyncio.to_thread(lambda: document.content)
            filename = document.filename
            mime_type = reply.document.mime_type
        else:
            await _chat_action(app, chat_id, ChatAction.UPLOAD_PHOTO)
            send_file, what = bot.send_photo, "sendPhoto"
            # drawing a chart takes a while: off the event loop
            content, filename = await asyncio.to_thread(reply.draw_photo), "chart.png"
            mime_type = "image/png"
        await call_with_retry(
            lambda: send_file(
                chat_id,
                _input_file(content, filename, mime_type),
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

    if reply.replace and pressed is not None and len(parts) > 1:
        await close_pressed(app, chat_id, pressed)  # the new text goes out below it
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
            await close_pressed(app, chat_id, pressed)

    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        await call_with_retry(
            lambda part=part, last=last: bot.send_message(
                chat_id, part, reply_markup=markup if last else None
            ),
            "sendMessage",
        )


async def _chat_action(app: Application, chat_id: int, action: str) -> None:
    """Show "sending a photo/file..." in the chat; a failure only costs the hint."""
    try:
        await app.bot.send_chat_action(chat_id, action)
    except (BadRequest, Forbidden, ChatMigrated):
        raise
    except TelegramError as exc:
        log.info("no chat action for chat %s: %s", chat_id, exc)


def pressed_label(message: Message, data: str) -> str | None:
    """The label of the button with callback data ``data`` in ``message``."""
    markup = message.reply_markup
    for row in markup.inline_keyboard if markup else ():
        for button in row:
            if button.callback_data == data:
                return button.text
    return None


async def close_pressed(
    app: Application, chat_id: int, pressed: Message, data: str | None = None
) -> None:
    """Take the keyboard off the pressed message; with ``data`` (the pressed button's
    callback data) its label goes below the text, to show what was chosen. A message
    that cannot be edited (deleted, too old) is left as it is."""
    if pressed.reply_markup is None or not pressed.reply_markup.inline_keyboard:
        return
    label = pressed_label(pressed, data) if data is not None else None
    text = None
    if label and pressed.text:
        text = pressed.text_html + CHOSEN.format(html.escape(label, quote=False))
        if tg_len(text) > MessageLimit.MAX_TEXT_LENGTH:
            text = None
    bot, message_id = app.bot, pressed.message_id
    try:
        if text is not None:
            await call_with_retry(lambda: bot.edit_message_text(
                text, chat_id=chat_id, message_id=message_id, reply_markup=None,
            ), "editMessageText")
        else:
            await call_with_retry(lambda: bot.edit_message_reply_markup(
                chat_id=chat_id, message_id=message_id, reply_markup=None,
            ), "editMessageReplyMarkup")
    except BadRequest as exc:
        log.info("could not close message %s: %s", message_id, exc)


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


def _input_file(content: bytes, filename: str, mime_type: str) -> InputFile:
    """The file with its own MIME type (not one guessed from the name, which depends on
    the machine's mime.types: .docx and .md are not known everywhere)."""
    upload = InputFile(content, filename=filename)
    upload.mimetype = mime_type
    return upload
