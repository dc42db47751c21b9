"""Who is asking: the session cookie, the pre-sign-in CSRF cookie, the client's key
for the sign-in rate limit.

Each way of signing in has its own pair of cookies (:data:`LINK`, :data:`MINI_APP`):

- the one-time link (a desktop browser, the page at the top): ``SameSite=Lax``,
  ``Secure`` behind HTTPS;
- the Mini App: ``SameSite=None; Secure; Partitioned``. Telegram's web client
  (web.telegram.org) shows the Mini App in a cross-site iframe, where a browser sends
  no ``Lax`` cookie, and where one that blocks third-party cookies keeps only a
  partitioned one (CHIPS: kept for that top-level site only). Telegram's own apps show
  it at the top of a web view, where these cookies work as usual. ``Secure`` always:
  a browser refuses ``SameSite=None`` without it (the Mini App is HTTPS-only anyway;
  ``http://localhost`` counts as secure too).

Both are HttpOnly, on the web view's path. A session cookie lasts ``SESSION_HOURS``
(the session row in SQLite says the same); the pre-sign-in cookie protects the
sign-in forms (double submit: its value is also a hidden field of the form). With
``SameSite=None`` the browser sends the cookies along with another site's requests
too, so the CSRF token of every form (and the Origin check in ``app.protect``) is
what refuses a forged one.

The ``Set-Cookie`` headers are written here: Python 3.11's ``http.cookies`` (which
aiohttp's ``set_cookie`` fills) knows no ``Partitioned`` (Python 3.14 added it).
"""

from __future__ import annotations

import ipaddress
import re
import secrets
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from coach.adapters.web import keys as K
from coach.adapters.web.auth import same_token, sign, unsign
from coach.storage import web as web_store
from coach.storage.db import transaction

MAX_FAILURES = 10  # failed sign-ins per client in web_store.ATTEMPT_WINDOW
PRE_MINUTES = 15
_SAFE_VALUE = re.compile(r"[A-Za-z0-9._-]*")  # what sign() makes
_SAFE_PATH = re.compile(r"/[A-Za-z0-9._~!$&'()*+,=:@%/-]*")


@dataclass(frozen=True)
class Kind:
    """A way of signing in and its cookies."""

    session: str  # the session cookie's name
    pre: str  # the pre-sign-in cookie's name
    cross_site: bool  # SameSite=None; Secure; Partitioned (else SameSite=Lax)


LINK = Kind("biebcoach_session", "biebcoach_signin", cross_site=False)
MINI_APP = Kind("biebcoach_app_session", "biebcoach_app_signin", cross_site=True)
KINDS = (LINK, MINI_APP)
SESSION_COOKIE = LINK.session  # the one-time link's (bench/web_bench.py signs in so)


def cookie_header(name: str, value: str, *, path: str, max_age: int, cross_site: bool,
                  secure: bool) -> str:
    """One ``Set-Cookie`` value: HttpOnly always; ``SameSite=None; Secure; Partitioned``
    when ``cross_site``, else ``SameSite=Lax`` (``Secure`` when ``secure``). A
    ``max_age`` of 0 deletes the cookie (with an ``Expires`` in the past as well)."""
    if not (_SAFE_VALUE.fullmatch(name) and _SAFE_VALUE.fullmatch(value)
            and _SAFE_PATH.fullmatch(path)):
        raise ValueError("a cookie's name, value or path has characters it cannot have")
    parts = [f"{name}={value}", f"Path={path}", f"Max-Age={max_age}"]
    if max_age == 0:
        parts.append("Expires=Thu, 01 Jan 1970 00:00:00 GMT")
    if secure or cross_site:
        parts.append("Secure")
    parts.append("HttpOnly")
    parts += ["SameSite=None", "Partitioned"] if cross_site else ["SameSite=Lax"]
    return "; ".join(parts)


def _set(request: web.Request, response: web.StreamResponse, kind: Kind, name: str,
         value: str, max_age: int) -> None:
    response.headers.add("Set-Cookie", cookie_header(
        name, value, path=request.app[K.PREFIX] or "/", max_age=max_age,
        cross_site=kind.cross_site, secure=request.app[K.SECURE]))


def load_viewer(request: web.Request) -> dict[str, Any] | None:
    """The signed-in user (from a session cookie of either kind), with the session's
    CSRF token stored on the request; None when there is no live session."""
    coach = request.app[K.COACH]
    for kind in KINDS:
        sid = unsign(request.app[K.KEY], request.cookies.get(kind.session))
        if sid is None:
            continue
        session = web_store.get_session(coach.db, sid, coach.clock())
        viewer = coach.viewer(session["user_id"]) if session is not None else None
        if viewer is not None:
            request[K.VIEWER], request[K.CSRF], request[K.SID] = viewer, session["csrf"], sid
            return viewer
    return None


def start_session(request: web.Request, response: web.StreamResponse, user_id: str,
                  kind: Kind) -> None:
    coach = request.app[K.COACH]
    with transaction(coach.db):
        sid, _ = web_store.new_session(coach.db, user_id, coach.clock())
    _set(request, response, kind, kind.session, sign(request.app[K.KEY], sid),
         web_store.SESSION_HOURS * 3600)
    _set(request, response, kind, kind.pre, "", 0)


def end_session(request: web.Request, response: web.StreamResponse) -> None:
    """Sign out: end every session this browser's cookies name, delete the cookies."""
    coach = request.app[K.COACH]
    for kind in KINDS:
        sid = unsign(request.app[K.KEY], request.cookies.get(kind.session))
        if sid is not None:
            with transaction(coach.db):
                web_store.end_session(coach.db, sid)
        if kind.session in request.cookies:
            _set(request, response, kind, kind.session, "", 0)


def pre_sign_in_token(request: web.Request, kind: Kind) -> str:
    """The CSRF token of a sign-in form (the cookie's value, or a fresh one)."""
    token = unsign(request.app[K.KEY], request.cookies.get(kind.pre))
    if token is None:
        token = secrets.token_urlsafe(24)
    request[K.PRE_TOKEN] = token
    return token


def set_pre_cookie(request: web.Request, response: web.StreamResponse, kind: Kind) -> None:
    _set(request, response, kind, kind.pre, sign(request.app[K.KEY], request[K.PRE_TOKEN]),
         PRE_MINUTES * 60)


def pre_token_ok(request: web.Request, given: str | None, kind: Kind) -> bool:
    return same_token(given, unsign(request.app[K.KEY], request.cookies.get(kind.pre)))


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
