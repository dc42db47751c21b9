"""The web view's routes. Every GET only reads; every change is a POST with a CSRF
token (the session's, or before sign-in the pre-sign-in cookie's)."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote

from aiohttp import web

from coach.adapters.web import keys as K
from coach.adapters.web import session
from coach.adapters.web.auth import InvalidInitData, check_init_data, same_token
from coach.adapters.web.render import TELEGRAM_JS, message, page
from coach.core.engine import NotAllowed
from coach.core.events import Document
from coach.core.texts import lang_from_hint
from coach.storage import web as web_store
from coach.storage.db import transaction

log = logging.getLogger("coach.web")
RESULTS = {"adopted", "edited", "stale", "invalid"}  # what ?done= may name
USER_PREFIX = "tg:"  # the coach's ids of Telegram users (coach/adapters/telegram/convert.py)


def browser_lang(request: web.Request) -> str:
    return lang_from_hint(request.headers.get("Accept-Language", "")[:2] or None)


class Refused(Exception):
    """Stop handling a request and answer with ``response`` (a message page)."""

    def __init__(self, response: web.Response):
        super().__init__(response.status)
        self.response = response


def _go(request: web.Request, path: str) -> web.Response:
    """303 See Other to a page of the web view (after a POST, or when signed in)."""
    return web.Response(status=303, headers={"Location": f"{request.app[K.PREFIX]}/{path}"})


def _signed_in(request: web.Request) -> dict[str, Any]:
    viewer = session.load_viewer(request)
    if viewer is None:
        raise Refused(message(request, "not_signed_in", browser_lang(request), 401))
    return viewer


async def _form(request: web.Request) -> dict[str, str]:
    data = await request.post()
    return {k: v for k, v in data.items() if isinstance(v, str)}


# -- signing in -------------------------------------------------------------------------


async def app_entry(request: web.Request) -> web.StreamResponse:
    """The Mini App's page (the menu button, /web's button): its script posts initData."""
    if session.load_viewer(request) is not None:
        return _go(request, "strategy")
    token = session.pre_sign_in_token(request, session.MINI_APP)
    response = page(request, "app", browser_lang(request), pre_token=token,
                    telegram_js=TELEGRAM_JS)
    session.set_pre_cookie(request, response, session.MINI_APP)
    return response


def _refused_sign_in(request: web.Request, form: Any, lang: str,
                     kind: session.Kind) -> web.StreamResponse | None:
    """Why a sign-in form is refused before its token is read: no valid pre-sign-in
    CSRF token, or too many failed attempts from this client."""
    if not session.pre_token_ok(request, form.get("csrf"), kind):
        return message(request, "bad_request", lang, 400)
    if session.too_many_failures(request):
        return message(request, "too_many", lang, 429)
    return None


async def auth_telegram(request: web.Request) -> web.StreamResponse:
    form = await _form(request)
    lang = browser_lang(request)
    if (refused := _refused_sign_in(request, form, lang, session.MINI_APP)) is not None:
        return refused
    coach, token = request.app[K.COACH], request.app[K.BOT_TOKEN]
    try:
        if not token:
            raise InvalidInitData("no_bot_token")
        user = check_init_data(form.get("init_data", ""), token, coach.clock())
    except InvalidInitData as exc:
        session.record_failure(request)
        log.info("web: a Mini App sign-in was refused (%s)", exc.reason)
        return message(request, "app_failed", lang, 403)
    user_id = f"{USER_PREFIX}{user['id']}"
    if coach.viewer(user_id) is None:
        return message(request, "no_library", lang_from_hint(user.get("language_code")), 403)
    response = _go(request, "strategy")
    session.start_session(request, response, user_id, session.MINI_APP)
    log.info("web: signed in through the Mini App")
    return response


async def login_form(request: web.Request) -> web.StreamResponse:
    """A one-time link opens this form; only posting it uses the token (no state change
    on GET, and a link preview cannot use it up)."""
    pre = session.pre_sign_in_token(request, session.LINK)
    response = page(request, "login", browser_lang(request), token=request.match_info["token"],
                    pre_token=pre, hours=web_store.SESSION_HOURS)
    session.set_pre_cookie(request, response, session.LINK)
    return response


async def login(request: web.Request) -> web.StreamResponse:
    form = await _form(request)
    lang = browser_lang(request)
    if (refused := _refused_sign_in(request, form, lang, session.LINK)) is not None:
        return refused
    coach = request.app[K.COACH]
    token = form.get("token", "")[:100]
    with transaction(coach.db):
        user_id = web_store.use_sign_in_token(coach.db, token, coach.clock()) if token else None
    if user_id is None or coach.viewer(user_id) is None:
        session.record_failure(request)
        log.info("web: a sign-in link was refused")
        return message(request, "login_invalid", lang, 403)
    response = _go(request, "strategy")
    session.start_session(request, response, user_id, session.LINK)
    log.info("web: signed in with a one-time link")
    return response


async def logout(request: web.Request) -> web.StreamResponse:
    viewer = session.load_viewer(request)
    form = await _form(request)
    lang = viewer["lang"] if viewer else browser_lang(request)
    if viewer is not None and not same_token(form.get("csrf"), request.get(K.CSRF)):
        return message(request, "bad_request", lang, 400)
    response = message(request, "signed_out", lang, 200)
    request[K.VIEWER] = None
    session.end_session(request, response)
    return response


# -- pages ------------------------------------------------------------------------------


def _view(request: web.Request, name: str, **params: str) -> tuple[dict[str, Any], Any]:
    viewer = _signed_in(request)
    try:
        return viewer, request.app[K.COACH].page(viewer["id"], name, params)
    except NotAllowed as exc:
        block = "coordinators_only" if exc.reason == "coordinators" else "no_library"
        raise Refused(message(request, block, viewer["lang"], 403)) from None


async def show_page(request: web.Request) -> web.StreamResponse:
    name = request.match_info["page"]
    viewer, data = _view(request, name)
    done = request.query.get("done", "")
    return page(request, name, viewer["lang"], data=data,
                done=done if done in RESULTS else "", current=name)


async def download(request: web.Request) -> web.StreamResponse:
    try:
        viewer, document = _view(request, "download", format=request.match_info["format"])
    except LookupError:
        raise web.HTTPNotFound() from None
    assert isinstance(document, Document)
    name = quote(document.filename)
    return web.Response(body=document.content, headers={
        "Content-Type": f"{document.mime_type}; charset=utf-8",
        "Content-Disposition": f"attachment; filename=\"{name}\"; filename*=UTF-8''{name}",
    })


async def document_css(request: web.Request) -> web.StreamResponse:
    """The strategy document's stylesheet (the export's own, so page and file match)."""
    _viewer, document = _view(request, "document_css")
    assert isinstance(document, Document)
    return web.Response(body=document.content, headers={
        "Content-Type": f"{document.mime_type}; charset=utf-8",
        "Cache-Control": "private, max-age=3600"})


async def team_action(request: web.Request) -> web.StreamResponse:
    viewer = _signed_in(request)
    form = await _form(request)
    if not same_token(form.get("csrf"), request.get(K.CSRF)):
        return message(request, "bad_request", viewer["lang"], 400)
    try:
        result = request.app[K.COACH].act(viewer["id"], request.match_info["action"], form)
    except NotAllowed as exc:
        block = "coordinators_only" if exc.reason == "coordinators" else "no_library"
        return message(request, block, viewer["lang"], 403)
    return _go(request, f"team?done={result}#decisions")
