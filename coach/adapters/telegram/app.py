"""The Telegram bot as a python-telegram-bot ``Application`` (see :func:`build_application`).

The Coach knows nothing about Telegram. The handlers here turn each update into an
event (``convert.py``), call ``coach.handle`` and send the returned replies in order
(``send.py``); then the menus of users whose role changed are brought up to date
(``menus.py``). The tail of a long paste that Telegram split is left out
(``pastes.py``). After a button press the pressed message is closed (the choice below
its text, no keyboard) unless a reply replaces it; a stale press gets only a short
notification on the button. Group chats get one "message me privately" notice and
nothing else. A private chat's block and unblock (``my_chat_member``) are recorded.
After the start (``post_init``) the bot checks its menus and profile (and, with a web
view at an HTTPS ``WEB_URL``, sets the menu button that opens it as a Mini App) and starts a
repeating job that prunes remembered update ids; ``jobs.py`` adds the weekly check-ins.
The error handler logs and, in a private chat, gives the user the coach's error reply.
Running the application (polling or webhook, with :data:`ALLOWED_UPDATES`) is
``run.py``'s.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from markupsafe import Markup
from telegram import (
    CallbackQuery,
    LinkPreviewOptions,
    MenuButtonWebApp,
    Message,
    Update,
    WebAppInfo,
)
from telegram.constants import CallbackQueryLimit, ChatMemberStatus, ChatType, ParseMode
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
from telegram.helpers import create_deep_linked_url
from telegram.request import BaseRequest

from coach.adapters.telegram import jobs, menus, pastes
from coach.adapters.telegram.convert import command_fields, media_kind, to_event, user_key
from coach.adapters.telegram.pacing import PacedRateLimiter
from coach.adapters.telegram.retry import call_with_retry
from coach.adapters.telegram.send import close_pressed, deliver
from coach.config import Config
from coach.core.events import Reply
from coach.storage import chats
from coach.storage.db import StorageError, transaction

if TYPE_CHECKING:
    from coach.core.engine import Coach

log = logging.getLogger("coach.telegram")

PRUNE_INTERVAL = 6 * 3600  # seconds between clean-ups of remembered update ids
# the updates the handlers below handle; long polling and the webhook ask for these only
ALLOWED_UPDATES = [
    Update.MESSAGE, Update.EDITED_MESSAGE, Update.CHANNEL_POST, Update.CALLBACK_QUERY,
    Update.MY_CHAT_MEMBER,
]


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
    await _menus(update, context)


async def _menus(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The menus of users whose role or language the update changed, and the sender's
    if it is not the one their app's language asks for (menus.py)."""
    user = update.effective_user
    sender = (user_key(user.id), user.language_code) if user is not None else None
    try:
        await menus.sync_changed_menus(context.application, _coach(context), sender=sender)
    except Exception:  # noqa: BLE001 - a menu must not cost the user their reply
        log.exception("could not update the command menus")


async def on_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    assert message is not None
    fields = command_fields(message, context.bot)
    if fields is None:
        return  # meant for another bot
    await _handle(update, context, **fields)


async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    assert message is not None and update.effective_user is not None
    if pastes.is_tail(_coach(context), user_key(update.effective_user.id), message):
        return  # the rest of a long paste the coach answered already (pastes.py)
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


async def _answer(query: CallbackQuery, notice: Reply | None = None) -> None:
    """Stop the spinner on the pressed button, with the notice as a notification."""
    text = None
    if notice is not None:
        text = Markup(notice.text).striptags()[
            : CallbackQueryLimit.ANSWER_CALLBACK_QUERY_TEXT_LENGTH]
    try:
        await call_with_retry(lambda: query.answer(text), "answerCallbackQuery")
    except BadRequest as exc:
        log.info("could not answer callback query: %s", exc)


async def on_callback(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None
    message = query.message if isinstance(query.message, Message) else None
    chat = update.effective_chat
    if chat is None or chat.type != ChatType.PRIVATE or query.data is None:
        await _answer(query)
        return
    try:
        replies = _coach(context).handle(to_event(update, choice=query.data))
    except Exception:
        await _answer(query)  # the spinner stops even when handling fails
        raise
    notices = [r for r in replies if r.notice]
    replies = [r for r in replies if not r.notice]
    await _answer(query, notices[0] if notices else None)
    app = context.application
    if message is not None and not any(r.replace for r in replies):
        # the choice stays readable above what follows; a stale press shows no choice
        await close_pressed(app, chat.id, message, None if notices else query.data)
    await deliver(app, chat.id, replies, message)
    await _menus(update, context)


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
    """The bot's membership of a chat changed: in a private chat the user blocked
    (``kicked``) or unblocked it (recorded); a group that added the bot gets the notice."""
    change = update.my_chat_member
    if change is None:
        return
    status = change.new_chat_member.status
    if change.chat.type != ChatType.PRIVATE:
        if status in (ChatMemberStatus.MEMBER, ChatMemberStatus.ADMINISTRATOR):
            await on_group(update, context)
        return
    coach = _coach(context)
    user = user_key(change.from_user.id)
    with transaction(coach.db):
        if status == ChatMemberStatus.BANNED:
            recorded = chats.record_block(coach.db, user, coach.clock())
        elif status == ChatMemberStatus.MEMBER:
            recorded = chats.record_unblock(coach.db, user, coach.clock())
        else:
            return
    log.info("chat %s %s the bot%s", change.chat.id,
             "blocked" if status == ChatMemberStatus.BANNED else "unblocked",
             "" if recorded else " (unknown user: nothing recorded)")


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
    except StorageError as exc:  # disk full, locked...: the next round prunes
        log.warning("pruning old update ids waits: the database is unavailable (%s)", exc.kind)
    except Exception:  # noqa: BLE001 - housekeeping must not stop the bot
        log.exception("pruning old update ids failed")


async def _startup_menus(context: ContextTypes.DEFAULT_TYPE) -> None:
    try:
        done = await menus.sync_changed_menus(context.application, _coach(context), limit=None)
    except Exception:  # noqa: BLE001 - housekeeping must not stop the bot
        log.exception("could not update the command menus")
    else:
        if done:
            log.info("command menus of %d chats updated", done)


async def _post_init(app: Application) -> None:
    coach = app.bot_data["coach"]
    if app.job_queue is not None and hasattr(coach, "prune"):
        app.job_queue.run_repeating(_prune, interval=PRUNE_INTERVAL, first=60, name="prune")
    username = app.bot.username
    coach.invite_link = lambda code: create_deep_linked_url(username, code)
    await menus.set_up(app, coach)
    if app.job_queue is not None:  # the menus of role changes left from an earlier run
        app.job_queue.run_once(_startup_menus, when=0, name="menus")
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
        .updater(None)  # polling.py and webhook.py fetch the updates, not PTB's Updater
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
