"""Configuration from environment variables (and an optional ``.env`` file)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dotenv import load_dotenv

from coach.core.calendar import DEFAULT_TZ
from coach.core.texts import cli_line

DEFAULT_DB = "./biebcoach.db"
DURABILITIES = ("full", "normal")  # COACH_DURABILITY; what each keeps: coach/storage/db.py


class ConfigError(ValueError):
    """A setting that cannot work; ``message`` names a block of prompts/*/cli.j2."""

    def __init__(self, message: str, **ctx: object):
        super().__init__(message)
        self.message, self.ctx = message, ctx


def _port(value: str | None, name: str, default: int) -> int:
    try:
        port = int(value) if value else default
    except ValueError:
        port = 0
    if not 1 <= port <= 65535:
        raise ConfigError("bad_setting", name=name, value=value, hint=cli_line("hint_port"))
    return port


def _tz(value: str | None) -> str:
    tz = value or DEFAULT_TZ
    try:
        ZoneInfo(tz)
    except (ValueError, ZoneInfoNotFoundError):
        raise ConfigError("bad_setting", name="COACH_TZ", value=value,
                          hint=cli_line("hint_tz")) from None
    return tz


def _durability(value: str | None) -> str | None:
    if not (value or "").strip():
        return None  # the storage's default (coach.storage.db.DEFAULT_DURABILITY)
    wanted = value.strip().lower()
    if wanted not in DURABILITIES:
        raise ConfigError("bad_setting", name="COACH_DURABILITY", value=value,
                          hint=cli_line("hint_durability"))
    return wanted


def _web_url(value: str | None) -> str | None:
    """WEB_URL: the web view's public base URL, HTTPS (plain HTTP only on this machine)."""
    if not value or not value.strip():
        return None
    url = value.strip().rstrip("/")
    parts = urlsplit(url)
    local = parts.scheme == "http" and (parts.hostname or "") in ("127.0.0.1", "localhost",
                                                                  "::1")
    if (parts.scheme != "https" and not local) or not parts.hostname or parts.query \
            or parts.fragment:
        raise ConfigError("bad_setting", name="WEB_URL", value=value,
                          hint=cli_line("hint_web_url"))
    return url


@dataclass(frozen=True)
class Config:
    db_path: str = DEFAULT_DB
    tz: str = DEFAULT_TZ
    token: str | None = None
    api_url: str | None = None
    webhook_url: str | None = None
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = 8443
    webhook_secret: str | None = None
    durability: str | None = None  # COACH_DURABILITY (None: the storage's default)
    web_url: str | None = None
    web_listen: str = "127.0.0.1"
    web_port: int = 8080

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None, dotenv: Path | None = None) -> Config:
        """Read the configuration; a ``.env`` file fills in what the environment lacks.
        Raises ConfigError for a value that cannot work."""
        if env is None:
            load_dotenv(dotenv or Path.cwd() / ".env", override=False)
            env = dict(os.environ)
        return cls(
            db_path=env.get("COACH_DB") or DEFAULT_DB,
            tz=_tz(env.get("COACH_TZ")),
            token=(env.get("TELEGRAM_BOT_TOKEN") or "").strip() or None,
            api_url=(env.get("TELEGRAM_API_URL") or "").rstrip("/") or None,
            webhook_url=env.get("WEBHOOK_URL") or None,
            webhook_listen=env.get("WEBHOOK_LISTEN") or "127.0.0.1",
            webhook_port=_port(env.get("WEBHOOK_PORT"), "WEBHOOK_PORT", 8443),
            webhook_secret=env.get("WEBHOOK_SECRET") or None,
            durability=_durability(env.get("COACH_DURABILITY")),
            web_url=_web_url(env.get("WEB_URL")),
            web_listen=env.get("WEB_LISTEN") or "127.0.0.1",
            web_port=_port(env.get("WEB_PORT"), "WEB_PORT", 8080),
        )
