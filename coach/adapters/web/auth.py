"""Signing in: Telegram Mini App ``initData``, signed session cookies, CSRF tokens.

:func:`check_init_data` validates ``initData`` as Telegram documents it ("Validating
data received via the Mini App"): the data-check-string is every field but ``hash``,
``key=value`` sorted by key and joined with newlines; the secret key is
HMAC-SHA256 of the bot token with the key ``"WebAppData"``; the hash is the hex
HMAC-SHA256 of the data-check-string with that secret key, compared in constant time;
``auth_date`` may be at most ``MAX_AGE`` old.

A session cookie holds a random session id and its HMAC (the key is kept in the
database, ``coach.storage.web.signing_key``); the session itself (user, CSRF token,
expiry) is a row in SQLite, so a restart keeps everyone signed in and signing out
ends the session for real.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl

MAX_AGE = timedelta(hours=24)
CLOCK_SKEW = timedelta(minutes=5)  # an auth_date this far in the future still counts
MAX_INIT_DATA = 4096


class InvalidInitData(ValueError):
    """``initData`` that does not prove a Telegram user; ``reason`` says why (for tests;
    never logged with the data)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def init_data_hash(fields: dict[str, str], bot_token: str) -> str:
    """The hash Telegram puts in ``initData`` for these fields (all but ``hash``)."""
    check = "\n".join(f"{k}={v}" for k, v in sorted(fields.items()) if k != "hash")
    secret = hmac.new(b"WebAppData", bot_token.encode(), hashlib.sha256).digest()
    return hmac.new(secret, check.encode(), hashlib.sha256).hexdigest()


def check_init_data(init_data: str, bot_token: str, now: datetime) -> dict[str, Any]:
    """The Telegram user (``id``, ``first_name``, ``language_code``...) that a valid
    ``initData`` proves; raises InvalidInitData otherwise."""
    if not init_data or len(init_data) > MAX_INIT_DATA:
        raise InvalidInitData("empty_or_too_long")
    try:
        pairs = parse_qsl(init_data, keep_blank_values=True, strict_parsing=True)
    except ValueError:
        raise InvalidInitData("not_a_query_string") from None
    fields = dict(pairs)
    if len(fields) != len(pairs):
        raise InvalidInitData("repeated_field")
    given = fields.get("hash", "")
    if not given:
        raise InvalidInitData("missing_hash")
    if not hmac.compare_digest(given.encode(), init_data_hash(fields, bot_token).encode()):
        raise InvalidInitData("bad_hash")
    try:
        auth_date = int(fields.get("auth_date", ""))
    except ValueError:
        raise InvalidInitData("no_auth_date") from None
    age = now.timestamp() - auth_date
    if age > MAX_AGE.total_seconds() or age < -CLOCK_SKEW.total_seconds():
        raise InvalidInitData("expired")
    try:
        user = json.loads(fields.get("user", ""))
    except ValueError:
        raise InvalidInitData("no_user") from None
    if not isinstance(user, dict) or not isinstance(user.get("id"), int):
        raise InvalidInitData("no_user")
    return user


def _mac(key: bytes, value: str) -> str:
    digest = hmac.new(key, value.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def sign(key: bytes, value: str) -> str:
    """``value.mac`` for a cookie."""
    return f"{value}.{_mac(key, value)}"


def unsign(key: bytes, signed: str | None) -> str | None:
    """The value of a cookie made by :func:`sign`, or None when it was not."""
    if not signed or len(signed) > 200:
        return None
    value, _, mac = signed.rpartition(".")
    if not value or not hmac.compare_digest(mac.encode(), _mac(key, value).encode()):
        return None
    return value


def same_token(given: str | None, expected: str | None) -> bool:
    """A CSRF token check in constant time (False when either is missing)."""
    return bool(given and expected) and hmac.compare_digest(str(given).encode(),
                                                            str(expected).encode())
