"""Configuration from environment variables (and an optional ``.env`` file)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from dotenv import load_dotenv

DEFAULT_DB = "./biebcoach.db"
DEFAULT_TZ = "Europe/Amsterdam"


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

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None, dotenv: Path | None = None) -> Config:
        """Read the configuration; a ``.env`` file fills in what the environment lacks."""
        if env is None:
            load_dotenv(dotenv or Path.cwd() / ".env", override=False)
            env = dict(os.environ)
        return cls(
            db_path=env.get("COACH_DB") or DEFAULT_DB,
            tz=env.get("COACH_TZ") or DEFAULT_TZ,
            token=(env.get("TELEGRAM_BOT_TOKEN") or "").strip() or None,
            api_url=(env.get("TELEGRAM_API_URL") or "").rstrip("/") or None,
            webhook_url=env.get("WEBHOOK_URL") or None,
            webhook_listen=env.get("WEBHOOK_LISTEN") or "127.0.0.1",
            webhook_port=int(env.get("WEBHOOK_PORT") or 8443),
            webhook_secret=env.get("WEBHOOK_SECRET") or None,
        )
