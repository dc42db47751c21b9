"""The web view as an aiohttp application (:func:`build_web_app`).

aiohttp runs in the bot's own asyncio event loop (python-telegram-bot's), so the bot
and the pages share one process, one database connection and one thread: a page is
read between two updates, never during one. Pages are rendered on the server from
``prompts/web/`` (no front-end build step); the only scripts are ``static/app.js``
(the Mini App's sign-in) and Telegram's ``telegram-web-app.js``.

Routes live under the path of ``WEB_URL`` (``/`` without one):

- ``GET /``: the Mini App's entry; ``POST /auth/telegram``: its ``initData``
- ``GET /login/{token}`` shows a sign-in button; ``POST /login`` uses the token
- ``GET /strategy``, ``/kpis``, ``/team``; ``GET /download/{format}``, ``/document.css``
- ``POST /team/adopt``, ``/team/edit``; ``POST /logout``; ``GET /static/...``

The access log names the route, not the path (a sign-in path holds a token), and
never a query string or a form.

Every POST must come from the web view's own pages: besides its CSRF token, a POST
whose ``Origin`` header names another origin (or ``null``) is refused. The Mini App's
cookies are ``SameSite=None`` (``session.py``), so the browser does not hold back a
forged cross-site POST itself; these two checks do.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger

from coach.adapters.web import handlers
from coach.adapters.web import keys as K
from coach.adapters.web.render import FRAME_ANCESTORS, message, security_headers
from coach.storage import web as web_store

log = logging.getLogger("coach.web")
STATIC = Path(__file__).resolve().parent / "static"
MAX_BODY = 64 * 1024  # bytes of a request body
PAGES = ("strategy", "kpis", "team")


class AccessLogger(AbstractAccessLogger):
    """One line per request with the route's pattern (``/login/{token}``), never the
    path, query string, cookies or body."""

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        route = "?"
        match = getattr(request, "match_info", None)
        if match is not None and match.route.resource is not None:
            route = match.route.resource.canonical
        self.logger.info("web: %s %s %s %.1f ms", request.method, route, response.status,
                         time * 1000)


@web.middleware
async def protect(request: web.Request, handler: Any) -> web.StreamResponse:
    """Security headers on every answer; a POST from another origin refused; errors
    as a friendly page, logged without the request's details."""
    try:
        if request.method not in ("GET", "HEAD") and not same_origin(request):
            log.info("web: a %s from another origin was refused", request.method)
            raise handlers.Refused(message(request, "bad_request",
                                           handlers.browser_lang(request), 403))
        response = await handler(request)
    except handlers.Refused as exc:
        response = exc.response
    except web.HTTPException as exc:
        if 300 <= exc.status < 400:
            raise
        block = "not_found" if exc.status in (404, 405) else "bad_request"
        response = message(request, block, handlers.browser_lang(request), exc.status)
    except Exception:
        log.exception("web: error while answering %s %s", request.method,
                      request.match_info.route.resource.canonical
                      if request.match_info.route.resource else "?")
        response = message(request, "error", handlers.browser_lang(request), 500)
    for name, value in request.app[K.HEADERS].items():
        response.headers.setdefault(name, value)
    return response


def origin_of(url: str) -> str:
    """``scheme://host[:port]`` of ``url`` as a browser writes it in ``Origin``
    (lower case, no default port)."""
    parts = urlsplit(url.strip())
    scheme, host = parts.scheme.lower(), (parts.hostname or "").lower()
    if ":" in host:
        host = f"[{host}]"  # IPv6
    port = parts.port
    default = {"http": 80, "https": 443}.get(scheme)
    return f"{scheme}://{host}" + (f":{port}" if port and port != default else "")


def same_origin(request: web.Request) -> bool:
    """The request's ``Origin`` header, when it has one, is the web view's own: that of
    ``WEB_URL`` or of the address the browser asked (a proxy passes ``Host`` on). No
    header: not a browser, or one too old to send it; the CSRF token decides then."""
    given = request.headers.get("Origin")
    if given is None:
        return True
    own = {request.app[K.ORIGIN], origin_of(f"{request.scheme}://{request.host}")}
    return given.strip().lower() in own


def build_web_app(coach: Any, base_url: str, bot_token: str | None, *,
                  frame_ancestors: tuple[str, ...] = FRAME_ANCESTORS) -> web.Application:
    """The web view over ``coach``, served under ``base_url``'s path. ``bot_token``
    checks Mini App sign-ins (without it only one-time links work). Only the web view
    itself and ``frame_ancestors`` may show it in a frame (Telegram's web client)."""
    prefix = urlsplit(base_url).path.rstrip("/")
    app = web.Application(middlewares=[protect], client_max_size=MAX_BODY)
    app[K.COACH], app[K.BOT_TOKEN], app[K.PREFIX] = coach, bot_token, prefix
    app[K.SECURE] = base_url.startswith("https://")
    app[K.ORIGIN] = origin_of(base_url)
    app[K.HEADERS] = security_headers(frame_ancestors)
    app[K.KEY] = web_store.signing_key(coach.db)
    r = app.router
    r.add_get(f"{prefix}/", handlers.app_entry)
    if prefix:
        r.add_get(prefix, handlers.app_entry)
    r.add_post(f"{prefix}/auth/telegram", handlers.auth_telegram)
    r.add_get(f"{prefix}/login/{{token}}", handlers.login_form)
    r.add_post(f"{prefix}/login", handlers.login)
    r.add_post(f"{prefix}/logout", handlers.logout)
    r.add_get(f"{prefix}/{{page:{'|'.join(PAGES)}}}", handlers.show_page)
    r.add_get(f"{prefix}/download/{{format}}", handlers.download)
    r.add_get(f"{prefix}/document.css", handlers.document_css)
    r.add_post(f"{prefix}/team/{{action:adopt|edit}}", handlers.team_action)
    r.add_static(f"{prefix}/static", STATIC, append_version=False)
    return app
