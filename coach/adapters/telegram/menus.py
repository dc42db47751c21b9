"""The bot's command menus and profile at Telegram.

Menus by scope (Telegram shows a chat the first non-empty list of: that chat's own,
all private chats', the default):

- the default scope is empty, so group chats get no menu (there the bot only says
  "message me privately");
- private chats get :data:`PRIVATE_MENU`, the handful of commands people use, per
  language (the default one in Dutch); every command stays in /help and works typed;
- a chat has a menu of its own (:data:`BotCommandScopeChat`) when the others would show
  the wrong one (:func:`wanted`): a coordinator's, :data:`COORDINATOR_MENU`, in their
  language; anyone else's, :data:`PRIVATE_MENU` in their language, when that is not the
  language their Telegram app shows them (they chose another with /taal, or changed the
  app's). It follows role and language changes (a handover, a removal, /forget, a
  deleted library, /taal) whichever feature made them: triggers in the database mark
  the users whose role or language changed (``coach/storage/chats.py``), and
  :func:`sync_changed_menus` brings their menus, and the menu of the user whose update
  it was (their app's language comes with it), up to date after each update and at the
  start. What a chat was given is recorded (``chat_menus``): a menu is set only when it
  differs. A menu that could not be set keeps its mark and is tried again.

Name, description and short description (``prompts/<lang>/bot_profile.j2``) and the
menus are read from Telegram first and set only where they differ, at the start.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any

from markupsafe import Markup
from telegram import (
    Bot,
    BotCommand,
    BotCommandScope,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    BotCommandScopeDefault,
)
from telegram.constants import BotDescriptionLimit, BotNameLimit
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import Application

from coach.adapters.telegram.convert import chat_id
from coach.adapters.telegram.retry import call_with_retry
from coach.core.texts import DEFAULT_LANG, lang_from_hint, lang_or_default
from coach.storage import chats
from coach.storage.db import transaction

if TYPE_CHECKING:
    from coach.core.engine import Coach

log = logging.getLogger("coach.telegram")

# command ids; a menu lists them in the order of /help (coach/core/commands.py)
PRIVATE_MENU = ("continue", "overview", "checkin", "progress", "edit", "help")
COORDINATOR_MENU = ("continue", "overview", "checkin", "progress", "edit",
                    "invite", "export", "team", "help")
# None: users whose Telegram language has no list of its own (in Dutch)
MENU_LANGS: tuple[str | None, ...] = (None, "nl", "en")
MENU_SYNC_BATCH = 20  # menus brought up to date after one update (the rest: the next)

PROFILE_LIMITS = {
    "name": BotNameLimit.MAX_NAME_LENGTH,
    "description": BotDescriptionLimit.MAX_DESCRIPTION_LENGTH,
    "short_description": BotDescriptionLimit.MAX_SHORT_DESCRIPTION_LENGTH,
}


def commands(coach: Coach, lang: str, ids: Sequence[str]) -> list[BotCommand]:
    return [BotCommand(name, text) for name, text in coach.menu(lang, ids)]


def profile_text(coach: Coach, lang: str, field: str) -> str:
    """The plain text of a profile field (``name``, ``description``, ...)."""
    text = str(Markup(coach.render(lang, f"bot_profile.{field}")).unescape())
    return text[: PROFILE_LIMITS[field]]


def _same(have: Sequence[BotCommand], want: Sequence[BotCommand]) -> bool:
    return [(c.command, c.description) for c in have] == [
        (c.command, c.description) for c in want]


async def _sync_scope(bot: Bot, scope: BotCommandScope, lang: str | None,
                      want: list[BotCommand]) -> bool:
    """Give ``scope`` (in ``lang``) the commands ``want`` unless it has them; True
    when something was set or deleted."""
    what = f"{scope.type} {lang or 'default'}"
    have = await call_with_retry(
        lambda: bot.get_my_commands(scope=scope, language_code=lang), f"getMyCommands {what}")
    if _same(have, want):
        return False
    if want:
        await call_with_retry(
            lambda: bot.set_my_commands(want, scope=scope, language_code=lang),
            f"setMyCommands {what}")
    else:
        await call_with_retry(
            lambda: bot.delete_my_commands(scope=scope, language_code=lang),
            f"deleteMyCommands {what}")
    return True


async def _sync_profile_field(bot: Bot, field: str, lang: str | None, want: str) -> bool:
    getter: Callable[..., Awaitable[Any]] = getattr(bot, f"get_my_{field}")
    setter: Callable[..., Awaitable[Any]] = getattr(bot, f"set_my_{field}")
    what = f"{field} {lang or 'default'}"
    have = await call_with_retry(lambda: getter(language_code=lang), f"get {what}")
    if getattr(have, field, None) == want:
        return False
    await call_with_retry(lambda: setter(want, language_code=lang), f"set {what}")
    return True


async def set_up(app: Application, coach: Coach) -> None:
    """At the start: the menus of the default and private-chat scopes and the profile,
    each only where Telegram has something else. Failures are logged, not raised."""
    bot = app.bot
    steps: list[tuple[str, Callable[[], Awaitable[bool]]]] = []
    for lang in MENU_LANGS:
        steps.append((f"menu of groups {lang}", lambda lang=lang: _sync_scope(
            bot, BotCommandScopeDefault(), lang, [])))
        steps.append((f"menu of private chats {lang}", lambda lang=lang: _sync_scope(
            bot, BotCommandScopeAllPrivateChats(), lang,
            commands(coach, lang or "nl", PRIVATE_MENU))))
        for field in PROFILE_LIMITS:
            steps.append((f"{field} {lang}", lambda lang=lang, field=field: (
                _sync_profile_field(bot, field, lang, profile_text(coach, lang or "nl", field))
            )))
    changed = 0
    for what, step in steps:
        try:
            changed += await step()
        except TelegramError as exc:
            log.warning("could not set the %s: %s", what, exc)
        except Exception:  # noqa: BLE001 - a broken menu must not keep the bot from running
            log.exception("could not set the %s", what)
    log.info("menus and profile checked; %d changed", changed)


class _Unknown:
    """The Telegram app's language of a user who sent no update now."""


UNKNOWN = _Unknown()
Client = str | None | _Unknown  # a user's language_code (None: their app sent none)
Menu = tuple[str, str]  # ("coordinator" or "private", language)


def shown_lang(client: str | None) -> str:
    """The language of the private-chat menu Telegram shows an app in ``client``."""
    return lang_from_hint(client) if lang_from_hint(client) in MENU_LANGS else DEFAULT_LANG


def wanted(state: dict[str, Any], client: Client) -> Menu | None:
    """The menu a chat should have of its own (``chats.menu_state``), or None when the
    scopes for everyone show the right one. Without the app's language (``UNKNOWN``),
    someone who is not a coordinator gets the short menu in their language, which is
    right whatever their app shows."""
    if not state["known"]:
        return None
    lang = lang_or_default(state["lang"])
    if state["role"] == "coordinator":
        return ("coordinator", lang)
    if not isinstance(client, _Unknown) and lang == shown_lang(client):
        return None
    return ("private", lang)


def _have(state: dict[str, Any]) -> Menu | None:
    return (state["menu"], state["menu_lang"]) if state["menu"] else None


async def sync_menu(app: Application, coach: Coach, user_ref: str,
                    client: Client = UNKNOWN) -> None:
    """Bring one user's own menu up to date and clear their mark; a network failure
    keeps the mark (tried again later)."""
    db = coach.db
    state = chats.menu_state(db, user_ref)
    want, have = wanted(state, client), _have(state)
    chat = chat_id(user_ref) if user_ref.startswith("tg:") else None
    if chat is not None and want != have:
        scope = BotCommandScopeChat(chat)
        try:
            if want is not None:
                kind, lang = want
                menu = commands(coach, lang, COORDINATOR_MENU if kind == "coordinator"
                                else PRIVATE_MENU)
                await call_with_retry(lambda: app.bot.set_my_commands(menu, scope=scope),
                                      "setMyCommands chat")
            else:
                await call_with_retry(lambda: app.bot.delete_my_commands(scope=scope),
                                      "deleteMyCommands chat")
        except (BadRequest, Forbidden) as exc:  # no such chat (any more): nothing to keep
            log.info("menu of chat %s not changed: %s", chat, exc)
            want = None
    with transaction(db):
        chats.menu_synced(db, user_ref, want)


async def sync_changed_menus(app: Application, coach: Coach,
                             limit: int | None = MENU_SYNC_BATCH,
                             sender: tuple[str, Client] | None = None) -> int:
    """The menus of the users marked as changed (at most ``limit``) and, when it is not
    the one it should be, of ``sender`` (the user whose update it was, with their app's
    language); how many were brought up to date."""
    refs = chats.menu_changes(coach.db)
    clients: dict[str, Client] = {}
    if sender is not None:
        ref, clients[ref] = sender
        if ref not in refs:
            state = chats.menu_state(coach.db, ref)
            if wanted(state, sender[1]) != _have(state):
                refs.insert(0, ref)
    for ref in refs[:limit]:
        try:
            await sync_menu(app, coach, ref, clients.get(ref, UNKNOWN))
        except TelegramError as exc:
            log.warning("could not update the menu of %s: %s; trying again later", ref, exc)
            return 0
    return len(refs[:limit])
