"""Running the Telegram bot from the command line (``bot.py``).

:func:`run` builds the application (``app.py``) and serves it until SIGINT or SIGTERM:
with long polling (``polling.py``), or with a webhook (``webhook.py``) when
``WEBHOOK_URL`` is set. :func:`run_send_due` sends the check-ins due now once and
exits (``bot.py checkins send-due``, for cron). Both go through :func:`run_cli`: logging
set up (``logs.py``), a missing or rejected token explained in one line.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import logging
import secrets
import signal
import sys
from collections.abc import Awaitable, Callable

from telegram.error import BadRequest, InvalidToken, NetworkError, TimedOut
from telegram.ext import Application

from coach.adapters.telegram import jobs
from coach.adapters.telegram.app import build_application
from coach.adapters.telegram.logs import configure_logging, install_log_masking
from coach.adapters.telegram.polling import poll_updates
from coach.adapters.telegram.retry import Backoff, sleep_unless
from coach.config import Config, ConfigError
from coach.core.texts import cli_line
from coach.storage.db import StorageError
from coach.wiring import open_coach

log = logging.getLogger("coach.telegram")


async def run_until_stopped(
    app: Application, serve: Callable[[Application, asyncio.Event], Awaitable[None]]
) -> None:
    """Initialize (retrying while Telegram is unreachable), run ``serve`` until SIGINT
    or SIGTERM, then stop cleanly."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    backoff = Backoff()
    while True:
        try:
            await app.initialize()
            break
        except (TimedOut, NetworkError) as exc:
            if isinstance(exc, BadRequest):
                raise
            wait = backoff.next()
            log.warning("cannot reach Telegram (%s); retrying in %.1f s", exc, wait)
            await sleep_unless(stop, wait)
            if stop.is_set():
                return
    try:
        if app.post_init:
            await app.post_init(app)
        await app.start()
        try:
            await serve(app, stop)
        finally:
            await app.stop()
    finally:
        await app.shutdown()
    log.info("Biebcoach stopped")


def run_cli(config: Config, main: Callable[[], Awaitable[object]]) -> int:
    """Run an async ``main`` for a command line: logging set up, a missing or rejected
    token explained in one line (exit code 2), never a traceback for those."""
    configure_logging(config)
    if not config.token:
        print(cli_line("missing_token"), file=sys.stderr)
        return 2
    try:
        asyncio.run(main())
    except InvalidToken:
        print(cli_line("invalid_token"), file=sys.stderr)
        return 2
    except ConfigError as exc:
        print(cli_line(exc.message, **exc.ctx), file=sys.stderr)
        return 2
    except StorageError as exc:  # the database cannot be opened, migrated or written
        print(cli_line(f"db_{exc.kind}", path=exc.path or config.db_path), file=sys.stderr)
        return 2
    return 0


def run(config: Config) -> int:
    """Run the bot until stopped (SIGINT/SIGTERM); returns the process exit code."""
    if config.webhook_url and importlib.util.find_spec("tornado") is None:
        print(cli_line("no_webhooks"), file=sys.stderr)
        return 2
    webhook_secret = config.webhook_secret or secrets.token_urlsafe(32)

    async def main() -> None:
        install_log_masking(config.token, webhook_secret)
        coach = open_coach(config.db_path, config.durability, tz=config.tz)
        app = build_application(config, coach)
        if config.webhook_url:
            # imported here: tornado (the `webhooks` extra) is needed for webhooks only
            from coach.adapters.telegram.webhook import serve_webhook

            def serve(app: Application, stop: asyncio.Event) -> Awaitable[None]:
                return serve_webhook(app, config, webhook_secret, stop)
        else:
            serve = poll_updates
        if not config.web_url:
            await run_until_stopped(app, serve)
            return
        # imported here: aiohttp is needed for the web view only
        from coach.adapters.web.run import serve_web

        async with serve_web(coach, config):  # the web view beside the bot
            await run_until_stopped(app, serve)

    return run_cli(config, main)


async def _send_due_once(config: Config) -> int:
    coach = open_coach(config.db_path, config.durability, tz=config.tz)
    app = build_application(config, coach)
    async with app:  # initialize and shut down the bot; no polling, no jobs
        return await jobs.send_due(app, coach)


def run_send_due(config: Config) -> int:
    """``python bot.py checkins send-due``: send what is due now and exit."""
    return run_cli(config, lambda: _send_due_once(config))
