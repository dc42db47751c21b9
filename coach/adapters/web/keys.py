"""The typed keys of what the web app and a request carry (aiohttp's AppKey/RequestKey)."""

from __future__ import annotations

from aiohttp import web

COACH = web.AppKey("coach", object)
BOT_TOKEN = web.AppKey("bot_token", object)  # str | None
PREFIX = web.AppKey("prefix", str)  # the path of WEB_URL ("" for none)
SECURE = web.AppKey("secure", bool)  # served over HTTPS: Secure cookies
KEY = web.AppKey("key", bytes)  # signs the cookies
ORIGIN = web.AppKey("origin", str)  # WEB_URL's origin ("https://bieb.example.org")
HEADERS = web.AppKey("headers", dict)  # the security headers of every answer

VIEWER = web.RequestKey("viewer", object)  # dict | None: the signed-in user
CSRF = web.RequestKey("csrf", str)  # the session's CSRF token
SID = web.RequestKey("sid", str)  # the session id
PRE_TOKEN = web.RequestKey("pre_token", str)  # the sign-in forms' CSRF token

__all__ = ["BOT_TOKEN", "COACH", "CSRF", "HEADERS", "KEY", "ORIGIN", "PREFIX", "PRE_TOKEN",
           "SECURE", "SID", "VIEWER"]
