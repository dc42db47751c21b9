"""The Telegram bot as a python-telegram-bot ``Application`` (see :func:`build_application`).

The Coach knows nothing about Telegram. The handlers here turn each update into an
event (``convert.py``), call ``coach.handle`` and send the returned replies in order
(``send.py``). Group chats get one "message me privately" notice and nothing else.
After the start (``post_init``) the bot sets its command menu (and, with a web view at
an HTTPS ``WEB_URL``, the menu button that opens it as a Mini App) and a repeating job
that prunes remembered update ids; ``jobs.py`` adds the weekly check-ins. The error handler
logs and, in a private chat, gives the user the coach's error reply. Running the
application (polling or webhook) is ``run.py``'s.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from telegram import (
    BotCommand,
    LinkPreviewOptions,
    MenuButtonWebApp,
    Message,
    Update,
    WebAppInfo,
)
from telegram.constants import ChatType, ParseMode
from telegram.error import BadRequest, NetworkError, TelegramError, TimedOut
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

from coach.adapters.telegram import jobs
from coach.adapters.telegram.convert import command_fields, media_kind, to_event, user_key
from coach.adapters.telegram.pacing import PacedRateLimiter
from coach.adapters.telegram.retry import call_with_retry
from coach.adapters.telegram.send import deliver
from coach.config import Config

if TYPE_CHECKING:
    from coach.core.engine import Coach

log = logging.getLogger("coach.telegram")

PRUNE_INTERVAL = 6 * 3600  # seconds between clean-ups of remembered update ids


# --------------------------------------------------------------------------- updates


def _coach(context: ContextTypes.DEFAULT_TYPE) -> Coach:
    return context.application.bot_data["coach"]


async def _handle(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    pressed: Message | None = None,
    **fields: Any,
) -> None:
    chat = update.effective_chat
    if update.effective_user is None or chat is None:
        return
    replies = _coach(context).handle(to_event(update, **fields))
    await deliver(context.application, chat.id, replies, pressed)


async def on_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    assert message is not None
    fields = command_fields(message, context.bot)
    if fields is None:
        return  # meant for another bot
    await _handle(update, context, **fields)


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


async def on_group(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A message in a group or channel: the coach's notice to write privately."""
    chat = update.effective_chat
    if chat is None or chat.type == ChatType.PRIVATE:
        return
    user = update.effective_user
    lang = user.language_code if user else None
    reply = _coach(context).group_notice(str(chat.id), lang)
    if reply is not None:
        await deliver(context.application, chat.id, [reply])


async def on_my_chat_member(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    change = update.my_chat_member
    if change is None or change.chat.type == ChatType.PRIVATE:
        return
    if change.new_chat_member.status in ("member", "administrator"):
        await on_group(update, context)


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
        reply = _coach(context).error_reply(user_key(user.id))
        await deliver(context.application, chat.id, [reply])
    except Exception:  # noqa: BLE001 - the error handler must not raise
        log.exception("could not send the error reply to chat %s", chat.id)


# --------------------------------------------------------------------------- application


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
        # the default menu (Dutch), then one per language Telegram users may have set
        for lang, commands in ((None, nl), ("nl", nl), ("en", en)):
            await call_with_retry(
                lambda lang=lang, commands=commands: bot.set_my_commands(
                    commands, language_code=lang
                ),
                f"setMyCommands {lang}" if lang else "setMyCommands",
            )
    except TelegramError as exc:
        log.warning("could not set the command menu: %s", exc)
    except Exception:  # noqa: BLE001 - a broken menu must not keep the bot from running
        log.exception("could not build the command menu")
    await _set_menu_button(app, coach)
    log.info("Biebcoach is running as @%s", username)


async def _set_menu_button(app: Application, coach: Coach) -> None:
    """With the web view served at an HTTPS ``WEB_URL``, the chat's menu button opens it
    as a Mini App (Telegram opens Mini Apps over HTTPS only)."""
    url = getattr(coach, "web_url", None)
    if not url or not url.startswith("https://"):
        return
    button = MenuButtonWebApp(coach.render("nl", "web.menu_button"), WebAppInfo(f"{url}/"))
    try:
        await call_with_retry(lambda: app.bot.set_chat_menu_button(menu_button=button),
                              "setChatMenuButton")
    except TelegramError as exc:
        log.warning("could not set the menu button: %s", exc)


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
        # Telegram's 30 messages (pacing.py says how and why)
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
    jobs.install(app, coach, config)  # the features' jobs (the weekly check-in)

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
