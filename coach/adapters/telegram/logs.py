"""Logging of the Telegram bot: one logfmt line per record, secrets masked.

:func:`configure_logging` sets up the root logger with :class:`LogfmtFormatter` and
quiets the libraries that would log request URLs (which contain the token);
:func:`install_log_masking` replaces the bot token and the webhook secret in every
log record (:class:`TokenFilter`), whichever handler or logger emits it, and the
token of a web sign-in link (``/login/<token>``, in ``/web``'s reply). What users
type is not logged at the default INFO level.
"""

from __future__ import annotations

import json
import logging
import os
import re
import traceback
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from telegram.error import InvalidToken

from coach.config import Config

SIGN_IN_LINK = re.compile(r"(/login/)[A-Za-z0-9_-]{8,}")


class TokenFilter(logging.Filter):
    """Replaces secrets (the bot token, the webhook secret) in log records."""

    def __init__(self, secrets_: Iterable[str | None]) -> None:
        super().__init__()
        self.secrets: list[str] = []
        for s in secrets_:
            if not s:
                continue
            self.secrets.append(s)
            # the part after "<bot id>:" is the real secret; mask it on its own too
            tail = s.partition(":")[2]
            if len(tail) >= 8:
                self.secrets.append(tail)
        self.secrets.sort(key=len, reverse=True)

    def mask(self, text: str) -> str:
        for s in self.secrets:
            if s in text:
                text = text.replace(s, "<token>" if ":" in s else "<secret>")
        if "/login/" in text:  # the web view's one-time sign-in links (/web's reply)
            text = SIGN_IN_LINK.sub(r"\1<token>", text)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a broken log call must not break the bot
            message = str(record.msg)
        record.msg = self.mask(message)
        record.args = None
        if record.exc_info and record.exc_info[1] is not None:
            if isinstance(record.exc_info[1], InvalidToken):
                # PTB logs the rejected token with a traceback; one line is enough
                record.exc_info = None
                record.exc_text = None
            else:
                text = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
                record.exc_text = self.mask(text)
        elif record.exc_text:
            record.exc_text = self.mask(record.exc_text)
        if record.stack_info:
            record.stack_info = self.mask(record.stack_info)
        return True


_installed_filter: TokenFilter | None = None


def install_log_masking(*secrets_: str | None) -> TokenFilter:
    """Mask the secrets in every log record, whichever handler or logger emits it."""
    global _installed_filter
    flt = TokenFilter(secrets_)
    old_factory = logging.getLogRecordFactory()
    if _installed_filter is not None:
        # replace the earlier filter's secrets instead of stacking factories
        _installed_filter.secrets = flt.secrets
        return _installed_filter

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = old_factory(*args, **kwargs)
        assert _installed_filter is not None
        _installed_filter.filter(record)
        return record

    logging.setLogRecordFactory(factory)
    for handler in logging.getLogger().handlers:
        handler.addFilter(flt)
    _installed_filter = flt
    return flt


class LogfmtFormatter(logging.Formatter):
    """One line per record, as ``key=value`` pairs (logfmt): ``time`` (ISO 8601 with
    offset), ``level``, ``logger``, ``msg``, and ``exc`` for a traceback. Values with
    spaces, quotes or line breaks are JSON strings, so every record stays on one line."""

    def format(self, record: logging.LogRecord) -> str:
        when = datetime.fromtimestamp(record.created).astimezone()
        fields = {
            "time": when.isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            fields["exc"] = record.exc_text
        if record.stack_info:
            fields["stack"] = self.formatStack(record.stack_info)
        return " ".join(f"{key}={_logfmt_value(value)}" for key, value in fields.items())


def _logfmt_value(value: str) -> str:
    if value and value.isprintable() and not any(c in value for c in ' "=\\'):
        return value
    return json.dumps(value, ensure_ascii=False)


def configure_logging(config: Config) -> None:
    level = os.environ.get("COACH_LOG_LEVEL", "INFO").upper()
    handler = logging.StreamHandler()
    handler.setFormatter(LogfmtFormatter())
    logging.basicConfig(
        level=level if level in logging.getLevelNamesMapping() else "INFO",
        handlers=[handler],
    )
    logging.captureWarnings(True)  # library warnings as log lines too, not free text
    # httpx logs every request URL, and those contain the token
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    install_log_masking(config.token, config.webhook_secret)

