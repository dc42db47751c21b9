"""Telegram adapter: Telegram updates in, Coach events; Coach replies out, Bot API calls.

The Coach knows nothing about Telegram. This module turns each update into an
:class:`~coach.events.Event`, calls ``coach.handle`` and sends the returned
replies in order: long texts split below Telegram's limit, buttons as inline
keyboards, ``replace`` as an edit of the pressed message, documents and photos as
files. Group chats get one "message me privately" notice and nothing else.

Sending survives flood limits (429), network errors and timeouts by retrying; a
user who blocked the bot is logged and skipped. The token never reaches the logs.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import json
import logging
import os
import secrets
import signal
import sys
import traceback
from collections.abc import Awaitable, Callable, Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

from telegram import (
    BotCommand,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    LinkPreviewOptions,
    Message,
    Update,
)
from telegram.constants import ChatType, ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ChatMemberHandler,
    ContextTypes,
    Defaults,
    MessageHandler,
    filters,
)
from telegram.request import BaseRequest

from coach.adapters.telegram.pacing import PacedRateLimiter
from coach.adapters.telegram.split import split_message, tg_len
from coach.config import Config, ConfigError
from coach.core.events import Event, Reply
from coach.core.texts import cli_line

if TYPE_CHECKING:
    from coach.core.engine import Coach
from coach.wiring import open_coach

log = logging.getLogger("coach.telegram")

MAX_CAPTION_LENGTH = 1024
SEND_ATTEMPTS = 8  # per Bot API call, for flood limits, timeouts and network errors
RETRY_DELAY = 0.5  # first back-off after a network error; doubles up to RETRY_DELAY_MAX
RETRY_DELAY_MAX = 10.0

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

T = TypeVar("T")


# --------------------------------------------------------------------------- logging


class TokenFilter(logging.Filter):
    """Replaces secrets (the bot token, the webhook secret) in log records."""

    def __init__(self, secrets_: Iterable[str | None]) -> None:
        super().__init__()
        self.secrets: list[str] = []
        for s in secrets_:
            if not s:
                continue
            self.secrets.append(s)
            # the part after "<bot id>:" is the real secret; mask it on its own too
            tail = s.partition(":")[2]
            if len(tail) >= 8:
                self.secrets.append(tail)
        self.secrets.sort(key=len, reverse=True)

    def mask(self, text: str) -> str:
        for s in self.secrets:
            if s in text:
                text = text.replace(s, "<token>" if ":" in s else "<secret>")
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.secrets:
            return True
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a broken log call must not break the bot
            message = str(record.msg)
        record.msg = self.mask(message)
        record.args = None
        if record.exc_info and record.exc_info[1] is not None:
            if isinstance(record.exc_info[1], InvalidToken):
                # PTB logs the rejected token with a traceback; one line is enough
                record.exc_info = None
                record.exc_text = None
            else:
                text = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
                record.exc_text = self.mask(text)
        elif record.exc_text:
            record.exc_text = self.mask(record.exc_text)
        if record.stack_info:
            record.stack_info = self.mask(record.stack_info)
        return True


_installed_filter: TokenFilter | None = None


def install_log_masking(*secrets_: str | None) -> TokenFilter:
    """Mask the secrets in every log record, whichever handler or logger emits it."""
    global _installed_filter
    flt = TokenFilter(secrets_)
    old_factory = logging.getLogRecordFactory()
    if _installed_filter is not None:
        # replace the earlier filter's secrets instead of stacking factories
        _installed_filter.secrets = flt.secrets
        return _installed_filter

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = old_factory(*args, **kwargs)
        assert _installed_filter is not None
        _installed_filter.filter(record)
        return record

    logging.setLogRecordFactory(factory)
    for handler in logging.getLogger().handlers:
        handler.addFilter(flt)
    _installed_filter = flt
    return flt


class LogfmtFormatter(logging.Formatter):
    """One line per record, as ``key=value`` pairs (logfmt): ``time`` (ISO 8601 with
    offset), ``level``, ``logger``, ``msg``, and ``exc`` for a traceback. Values with
    spaces, quotes or line breaks are JSON strings, so every record stays on one line."""

    def format(self, record: logging.LogRecord) -> str:
        when = datetime.fromtimestamp(record.created).astimezone()
        fields = {
            "time": when.isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            fields["exc"] = record.exc_text
        if record.stack_info:
            fields["stack"] = self.formatStack(record.stack_info)
        return " ".join(f"{key}={_logfmt_value(value)}" for key, value in fields.items())


def _logfmt_value(value: str) -> str:
    if value and value.isprintable() and not any(c in value for c in ' "=\\'):
        return value
    return json.dumps(value, ensure_ascii=False)


def configure_logging(config: Config) -> None:
    level = os.environ.get("COACH_LOG_LEVEL", "INFO").upper()
    handler = logging.StreamHandler()
    handler.setFormatter(LogfmtFormatter())
    logging.basicConfig(
        level=level if level in logging.getLevelNamesMapping() else "INFO",
        handlers=[handler],
    )
    logging.captureWarnings(True)  # library warnings as log lines too, not free text
    # httpx logs every request URL, and those contain the token
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    install_log_masking(config.token, config.webhook_secret)


# --------------------------------------------------------------------------- sending


def _retry_seconds(exc: RetryAfter) -> float:
    value = exc.retry_after  # a timedelta (PTB_TIMEDELTA, set in coach/__init__.py)
    return float(value.total_seconds() if hasattr(value, "total_seconds") else value)


async def call_with_retry(make_call: Callable[[], Awaitable[T]], what: str) -> T:
    """Run a Bot API call, retrying flood limits, timeouts and network errors.

    Bad requests, a blocked bot and a rejected token are not retried.
    """
    delay = RETRY_DELAY
    for attempt in range(1, SEND_ATTEMPTS + 1):
        try:
            return await make_call()
        except (BadRequest, Forbidden, InvalidToken, ChatMigrated):
            raise
        except RetryAfter as exc:
            if attempt == SEND_ATTEMPTS:
                raise
            wait = _retry_seconds(exc) + 0.1
            log.warning("%s: flood limit, retrying in %.1f s", what, wait)
        except (TimedOut, NetworkError) as exc:
            if attempt == SEND_ATTEMPTS:
                raise
            wait = delay
            delay = min(delay * 2, RETRY_DELAY_MAX)
            log.warning("%s: %s, retry %d in %.1f s", what, exc, attempt, wait)
        await asyncio.sleep(wait)
    raise AssertionError("unreachable")


def _markup(reply: Reply) -> InlineKeyboardMarkup | None:
    if not reply.choices:
        return None
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(choice.label, callback_data=choice.data) for choice in row]
            for row in reply.choices
            if row
        ]
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
            doc = reply.document
            await call_with_retry(
                lambda: bot.send_document(
                    chat_id,
                    document=InputFile(doc.content, filename=doc.filename),
                    caption=caption or None,
                    reply_markup=file_markup,
                ),
                "sendDocument",
            )
        else:
            # drawing a chart takes a while: off the event loop
            photo = await asyncio.to_thread(reply.draw_photo)
            await call_with_retry(
                lambda: bot.send_photo(
                    chat_id,
                    photo=InputFile(photo, filename="chart.png"),
                    caption=caption or None,
                    reply_markup=file_markup,
                ),
                "sendPhoto",
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


async def deliver(
    app: Application, chat_id: int, replies: list[Reply], pressed: Message | None = None
) -> None:
    """Send the replies in order; stop quietly when the user blocked the bot."""
    for reply in replies:
        try:
            await send_reply(app, chat_id, reply, pressed)
        except Forbidden as exc:
            log.info("chat %s cannot be reached (%s); skipping its replies", chat_id, exc)
            return
        except ChatMigrated as exc:
            log.info("chat %s moved to %s; skipping its replies", chat_id, exc.new_chat_id)
            return


# --------------------------------------------------------------------------- updates


def _coach(context: ContextTypes.DEFAULT_TYPE) -> Coach:
    return context.application.bot_data["coach"]


def _event(update: Update, **fields: Any) -> Event:
    user = update.effective_user
    assert user is not None
    return Event(
        user_id=f"tg:{user.id}",
        name=user.full_name,
        lang_hint=user.language_code,
        event_id=f"tg:{update.update_id}",
        **fields,
    )


async def _handle(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    pressed: Message | None = None,
    **fields: Any,
) -> None:
    chat = update.effective_chat
    if update.effective_user is None or chat is None:
        return
    replies = _coach(context).handle(_event(update, **fields))
    await deliver(context.application, chat.id, replies, pressed)


def media_kind(message: Message) -> str | None:
    for attribute, kind in MEDIA_KINDS:
        if getattr(message, attribute, None):
            return kind
    return None


async def on_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    assert message is not None and message.text is not None and message.entities
    entity = message.entities[0]
    word = message.parse_entity(entity)[1:]
    name, _, target = word.partition("@")
    if target and context.bot.username and target.lower() != context.bot.username.lower():
        return  # meant for another bot
    args = message.text[len(word) + 1 :].strip() if message.text.startswith("/") else ""
    await _handle(update, context, command=name.lower(), args=args)


async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    assert message is not None
    await _handle(update, context, text=message.text or "")


async def on_media(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    assert message is not None
    kind = media_kind(message)
    if kind is None:
        return  # service messages (pins, chat photos, ...) need no answer
    await _handle(update, context, media=kind)


async def on_edited(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await _handle(update, context, media="edited")


async def on_callback(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None
    try:
        # answer first: the spinner on the button stops even if handling fails
        await call_with_retry(query.answer, "answerCallbackQuery")
    except BadRequest as exc:
        log.info("could not answer callback query: %s", exc)
    message = query.message if isinstance(query.message, Message) else None
    chat = update.effective_chat
    if chat is not None and chat.type != ChatType.PRIVATE:
        return
    if query.data is None:
        return
    await _handle(update, context, pressed=message, choice=query.data)


async def _group_notice(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    chat = update.effective_chat
    if chat is None or chat.type == ChatType.PRIVATE:
        return
    user = update.effective_user
    lang = user.language_code if user else None
    reply = _coach(context).group_notice(str(chat.id), lang)
    if reply is not None:
        await deliver(context.application, chat.id, [reply])


async def on_group(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await _group_notice(update, context)


async def on_my_chat_member(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    change = update.my_chat_member
    if change is None or change.chat.type == ChatType.PRIVATE:
        return
    if change.new_chat_member.status in ("member", "administrator"):
        await _group_notice(update, context)


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    error = context.error
    update_id = update.update_id if isinstance(update, Update) else None
    if isinstance(error, (TimedOut, NetworkError)) and update is None:
        log.warning("network problem while fetching updates: %s", error)
        return
    log.error("error while handling update %s", update_id, exc_info=error)
    if not isinstance(update, Update):
        return
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None or chat.type != ChatType.PRIVATE:
        return
    try:
        reply = _coach(context).error_reply(f"tg:{user.id}")
        await deliver(context.application, chat.id, [reply])
    except Exception:  # noqa: BLE001 - the error handler must not raise
        log.exception("could not send the error reply to chat %s", chat.id)


# --------------------------------------------------------------------------- application


PRUNE_INTERVAL = 6 * 3600  # seconds between clean-ups of remembered update ids


async def _prune(context: ContextTypes.DEFAULT_TYPE) -> None:
    try:
        _coach(context).prune()
    except Exception:  # noqa: BLE001 - housekeeping must not stop the bot
        log.exception("pruning old update ids failed")


async def _post_init(app: Application) -> None:
    coach = app.bot_data["coach"]
    if app.job_queue is not None and hasattr(coach, "prune"):
        app.job_queue.run_repeating(_prune, interval=PRUNE_INTERVAL, first=60, name="prune")
    bot = app.bot
    username = bot.username
    coach.invite_link = lambda code: f"https://t.me/{username}?start={code}"
    try:
        nl = [BotCommand(c, d) for c, d in coach.menu("nl")]
        en = [BotCommand(c, d) for c, d in coach.menu("en")]
        await call_with_retry(lambda: bot.set_my_commands(nl), "setMyCommands")
        await call_with_retry(
            lambda: bot.set_my_commands(nl, language_code="nl"), "setMyCommands nl"
        )
        await call_with_retry(
            lambda: bot.set_my_commands(en, language_code="en"), "setMyCommands en"
        )
    except TelegramError as exc:
        log.warning("could not set the command menu: %s", exc)
    except Exception:  # noqa: BLE001 - a broken menu must not keep the bot from running
        log.exception("could not build the command menu")
    log.info("Biebcoach is running as @%s", username)


def build_application(
    config: Config,
    coach: Coach,
    *,
    request: BaseRequest | None = None,
    get_updates_request: BaseRequest | None = None,
    rate_limited: bool = True,
) -> Application:
    """A python-telegram-bot Application wired to the coach (not started).

    ``request``/``get_updates_request`` replace the HTTP clients (the benchmarks answer
    Bot API calls in process); ``rate_limited=False`` leaves out the rate limiter (to
    measure the CPU cost alone).
    """
    if not config.token:
        raise ValueError("no Telegram bot token configured")
    builder = (
        ApplicationBuilder()
        .token(config.token)
        .defaults(
            Defaults(
                parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )
        )
        .concurrent_updates(False)  # one update at a time: replies stay in order
        .post_init(_post_init)
    )
    if rate_limited:
        # PTB's AIORateLimiter, with sends paced so that no second holds more than
        # Telegram's 30 messages (coach/tg_pacing.py says how and why)
        builder = builder.rate_limiter(PacedRateLimiter())
    if request is not None:
        builder = builder.request(request)
    if get_updates_request is not None:
        builder = builder.get_updates_request(get_updates_request)
    if config.api_url:
        builder = builder.base_url(f"{config.api_url}/bot").base_file_url(
            f"{config.api_url}/file/bot"
        )
    app = builder.build()
    app.bot_data["coach"] = coach
    from coach.adapters.telegram.jobs import install  # weekly check-ins: one repeating job

    install(app, coach, config)

    private = filters.ChatType.PRIVATE
    new_message = filters.UpdateType.MESSAGE
    app.add_handler(
        MessageHandler((new_message & ~private) | filters.UpdateType.CHANNEL_POST, on_group)
    )
    app.add_handler(ChatMemberHandler(on_my_chat_member, ChatMemberHandler.MY_CHAT_MEMBER))
    app.add_handler(MessageHandler(filters.UpdateType.EDITED_MESSAGE & private, on_edited))
    app.add_handler(MessageHandler(new_message & private & filters.COMMAND, on_command))
    app.add_handler(MessageHandler(new_message & private & filters.TEXT, on_text))
    app.add_handler(MessageHandler(new_message & private, on_media))
    app.add_handler(CallbackQueryHandler(on_callback))
    app.add_error_handler(on_error)
    return app


# --------------------------------------------------------------------------- CLI


POLL_TIMEOUT = 30  # seconds of long polling per getUpdates call


async def poll_updates(
    app: Application, stop: asyncio.Event, timeout: float = POLL_TIMEOUT
) -> None:
    """Fetch updates with long polling and handle them one by one until ``stop`` is set.

    Unlike PTB's Updater, an update is confirmed to Telegram (by the offset of the
    next getUpdates call) only after it was handled and its replies were sent. A
    crash or SIGKILL in between means Telegram delivers it again after the restart;
    the coach recognises the update id and repeats where the user is.
    """
    bot = app.bot
    offset: int | None = None
    delay = RETRY_DELAY
    webhook_cleared = False  # a webhook left set would make getUpdates fail
    stop_wait = asyncio.ensure_future(stop.wait())
    try:
        while not stop.is_set():
            if webhook_cleared:
                call = bot.get_updates(
                    offset=offset, timeout=int(timeout), allowed_updates=Update.ALL_TYPES
                )
            else:
                call = bot.delete_webhook(drop_pending_updates=False)
            fetch = asyncio.ensure_future(call)
            await asyncio.wait({fetch, stop_wait}, return_when=asyncio.FIRST_COMPLETED)
            if not fetch.done():
                # stopping: nothing fetched in this call was confirmed or handled
                fetch.cancel()
                with contextlib.suppress(asyncio.CancelledError, TelegramError):
                    await fetch
                break
            try:
                updates = fetch.result()
            except InvalidToken:
                raise
            except RetryAfter as exc:
                await _sleep_unless(stop, _retry_seconds(exc))
                continue
            except TelegramError as exc:  # network trouble, a webhook still set, ...
                what = "getUpdates" if webhook_cleared else "deleteWebhook"
                log.warning("%s failed: %s; retrying in %.1f s", what, exc, delay)
                await _sleep_unless(stop, delay)
                delay = min(delay * 2, RETRY_DELAY_MAX)
                continue
            delay = RETRY_DELAY
            if not webhook_cleared:
                webhook_cleared = True
                continue
            for update in updates:
                await app.process_update(update)
                offset = update.update_id + 1
        if offset is not None:
            # confirm what was handled, so a clean restart does not see it again
            with contextlib.suppress(TelegramError):
                await bot.get_updates(offset=offset, timeout=0, limit=1)
    finally:
        stop_wait.cancel()


async def _sleep_unless(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)


async def _run_until_stopped(
    app: Application, serve: Callable[[Application, asyncio.Event], Awaitable[None]]
) -> None:
    """Initialize (retrying while Telegram is unreachable), run ``serve`` until SIGINT
    or SIGTERM, then stop cleanly."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    delay = RETRY_DELAY
    while True:
        try:
            await app.initialize()
            break
        except (TimedOut, NetworkError) as exc:
            if isinstance(exc, BadRequest):
                raise
            log.warning("cannot reach Telegram (%s); retrying in %.1f s", exc, delay)
            await _sleep_unless(stop, delay)
            if stop.is_set():
                return
            delay = min(delay * 2, RETRY_DELAY_MAX)
    try:
        if app.post_init:
            await app.post_init(app)
        await app.start()
        try:
            await serve(app, stop)
        finally:
            await app.stop()
    finally:
        await app.shutdown()
    log.info("Biebcoach stopped")


def run_cli(config: Config, main: Callable[[], Awaitable[object]]) -> int:
    """Run an async ``main`` for a command line: logging set up, a missing or rejected
    token explained in one line (exit code 2), never a traceback for those."""
    configure_logging(config)
    if not config.token:
        print(cli_line("missing_token"), file=sys.stderr)
        return 2
    try:
        asyncio.run(main())
    except InvalidToken:
        print(cli_line("invalid_token"), file=sys.stderr)
        return 2
    except ConfigError as exc:
        print(cli_line(exc.message, **exc.ctx), file=sys.stderr)
        return 2
    return 0


def run(config: Config) -> int:
    """Run the bot until stopped (SIGINT/SIGTERM); returns the process exit code."""
    if config.webhook_url and importlib.util.find_spec("tornado") is None:
        print(cli_line("no_webhooks"), file=sys.stderr)
        return 2
    webhook_secret = config.webhook_secret or secrets.token_urlsafe(32)

    async def main() -> None:

        install_log_masking(config.token, webhook_secret)
        app = build_application(config, open_coach(config.db_path, tz=config.tz))
        if config.webhook_url:
            from coach.adapters.telegram.webhook import serve_webhook

            def serve(app: Application, stop: asyncio.Event) -> Awaitable[None]:
                return serve_webhook(app, config, webhook_secret, stop)
        else:
            serve = poll_updates
        await _run_until_stopped(app, serve)

    return run_cli(config, main)
