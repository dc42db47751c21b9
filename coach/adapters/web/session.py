"""Who is asking: the session cookie, the pre-sign-in CSRF cookie, the client's key
for the sign-in rate limit.

Cookies are HttpOnly, SameSite=Lax, ``Secure`` behind HTTPS, on the web view's path.
The session cookie lasts ``SESSION_HOURS`` (the session row in SQLite says the same);
the pre-sign-in cookie protects the sign-in forms (double submit: its value is also
a hidden field of the form).
"""

from __future__ import annotations

import ipaddress
import secrets
from typing import Any

from aiohttp import web

from coach.adapters.web import keys as K
from coach.adapters.web.auth import same_token, sign, unsign
from coach.storage import web as web_store
from coach.storage.db import transaction

SESSION_COOKIE = "biebcoach_session"
PRE_COOKIE = "biebcoach_signin"
MAX_FAILURES = 10  # failed sign-ins per client in web_store.ATTEMPT_WINDOW


def _cookie(request: web.Request, response: web.StreamResponse, name: str, value: str,
            max_age: int) -> None:
    response.set_cookie(name, value, max_age=max_age, path=request.app[K.PREFIX] or "/",
                        httponly=True, samesite="Lax", secure=request.app[K.SECURE])


def load_viewer(request: web.Request) -> dict[str, Any] | None:
    """The signed-in user (from the session cookie), with the session's CSRF token
    stored on the request; None when there is no live session."""
    coach = request.app[K.COACH]
    sid = unsign(request.app[K.KEY], request.cookies.get(SESSION_COOKIE))
    if sid is None:
        return None
    session = web_store.get_session(coach.db, sid, coach.clock())
    if session is None:
        return None
    viewer = coach.viewer(session["user_id"])
    if viewer is None:
        return None
    request[K.VIEWER], request[K.CSRF], request[K.SID] = viewer, session["csrf"], sid
    return viewer


def start_session(request: web.Request, response: web.StreamResponse, user_id: str) -> None:
    coach = request.app[K.COACH]
    with transaction(coach.db):
        sid, _ = web_store.new_session(coach.db, user_id, coach.clock())
    _cookie(request, response, SESSION_COOKIE, sign(request.app[K.KEY], sid),
            web_store.SESSION_HOURS * 3600)
    response.del_cookie(PRE_COOKIE, path=request.app[K.PREFIX] or "/")


def end_session(request: web.Request, response: web.StreamResponse) -> None:
    if sid := request.get(K.SID):
        with transaction(request.app[K.COACH].db):
            web_store.end_session(request.app[K.COACH].db, sid)
    response.del_cookie(SESSION_COOKIE, path=request.app[K.PREFIX] or "/")


def pre_sign_in_token(request: web.Request) -> str:
    """The CSRF token of a sign-in form (the cookie's value, or a fresh one)."""
    token = unsign(request.app[K.KEY], request.cookies.get(PRE_COOKIE))
    if token is None:
        token = secrets.token_urlsafe(24)
    request[K.PRE_TOKEN] = token
    return token


def set_pre_cookie(request: web.Request, response: web.StreamResponse) -> None:
    _cookie(request, response, PRE_COOKIE, sign(request.app[K.KEY], request[K.PRE_TOKEN]),
            15 * 60)


def pre_token_ok(request: web.Request, given: str | None) -> bool:
    return same_token(given, unsign(request.app[K.KEY], request.cookies.get(PRE_COOKIE)))


def client_key(request: web.Request) -> str:
    """Whom the rate limit counts: the peer, or behind a proxy on this machine the last
    address it put in X-Forwarded-For."""
    peer = request.remote or "?"
    forwarded = request.headers.get("X-Forwarded-For", "")
    try:
        local = ipaddress.ip_address(peer).is_loopback
    except ValueError:
        local = False
    if local and forwarded:
        return forwarded.split(",")[-1].strip()[:64] or peer
    return peer


def too_many_failures(request: web.Request) -> bool:
    coach = request.app[K.COACH]
    return web_store.failed_attempts(coach.db, client_key(request), coach.clock()) >= MAX_FAILURES


def record_failure(request: web.Request) -> None:
    coach = request.app[K.COACH]
    with transaction(coach.db):
        web_store.record_failed_attempt(coach.db, client_key(request), coach.clock())
