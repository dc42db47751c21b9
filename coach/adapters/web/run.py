"""Serving the web view: beside the bot (:func:`serve_web`, when ``WEB_URL`` is set)
or alone (``python bot.py web``: :func:`run_web`, on ``WEB_LISTEN``:``WEB_PORT``,
printing a one-time sign-in link for a console user)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import AsyncIterator
from typing import Any

from aiohttp import web

from coach.adapters.web.app import AccessLogger, build_web_app
from coach.config import Config, ConfigError
from coach.core.texts import cli_line
from coach.storage import web as web_store
from coach.storage.db import transaction

log = logging.getLogger("coach.web")


async def start_web(coach: Any, config: Config, base_url: str) -> web.AppRunner:
    """Listen on ``WEB_LISTEN``:``WEB_PORT`` with the web view of ``coach``."""
    coach.web_url = base_url
    runner = web.AppRunner(build_web_app(coach, base_url, config.token),
                           access_log_class=AccessLogger,
                           access_log=logging.getLogger("coach.web.access"))
    await runner.setup()
    site = web.TCPSite(runner, config.web_listen, config.web_port)
    try:
        await site.start()
    except OSError as exc:
        await runner.cleanup()
        raise ConfigError("cannot_listen_web", address=config.web_listen,
                          port=config.web_port, reason=exc.strerror or exc) from None
    log.info("web view listening on %s:%s", config.web_listen, config.web_port)
    return runner


@contextlib.asynccontextmanager
async def serve_web(coach: Any, config: Config) -> AsyncIterator[None]:
    """The web view beside the bot while the block runs; nothing without ``WEB_URL``."""
    if not config.web_url:
        yield
        return
    runner = await start_web(coach, config, config.web_url)
    try:
        yield
    finally:
        await runner.cleanup()


def local_url(config: Config) -> str:
    return config.web_url or f"http://{config.web_listen}:{config.web_port}"


def run_web(config: Config, user: str | None) -> int:
    """``python bot.py web``: serve the web view until SIGINT/SIGTERM, after printing a
    sign-in link for the console user ``user`` (None: the console's only user)."""
    from coach.storage import users as user_store
    from coach.wiring import open_coach

    coach = open_coach(config.db_path, config.durability, tz=config.tz)
    if user is None:
        known = user_store.users_with_prefix(coach.db, "console:")
        user = known[0]["id"].split(":", 1)[1] if len(known) == 1 else "me"
    user_id, base = f"console:{user.strip().lower()}", local_url(config)
    viewer = coach.viewer(user_id)
    if viewer is None or not viewer["library_id"]:
        print(cli_line("web_no_user" if viewer is None else "web_no_library", name=user),
              file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s %(message)s")
    coach.prune()  # expired sign-in links and sessions (the bot does it every 6 hours)

    async def main() -> None:
        runner = await start_web(coach, config, base)
        with transaction(coach.db):
            token = web_store.new_sign_in_token(coach.db, user_id, coach.clock())
        print(cli_line("web_serving", url=base, name=user, link=f"{base}/login/{token}"),
              flush=True)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(sig, stop.set)
        try:
            await stop.wait()
        finally:
            await runner.cleanup()

    try:
        asyncio.run(main())
    except ConfigError as exc:
        print(cli_line(exc.message, **exc.ctx), file=sys.stderr)
        return 2
    return 0
