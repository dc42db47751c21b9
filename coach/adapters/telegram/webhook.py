"""Webhook mode that confirms an update to Telegram only after it was handled.

PTB's own ``run_webhook`` answers Telegram's POST with 200 as soon as the update is
queued, before it is handled: a crash in between loses the message without a trace.
Here the POST is answered only after the coach handled the update and its replies were
sent (and the answer committed to SQLite). If the process dies first, Telegram gets no
200 and delivers the update again; the coach recognises a redelivered update by its id
and repeats where the user is instead of handling it twice. This mirrors
``polling.poll_updates`` for long polling.

Served with tornado (python-telegram-bot's ``webhooks`` extra) on ``WEBHOOK_LISTEN`` /
``WEBHOOK_PORT`` at the path of ``WEBHOOK_URL``; requests without the right
``X-Telegram-Bot-Api-Secret-Token`` header get 403 and are not looked at.

An update the database could not store gets 503, so Telegram posts it again later;
later updates of the same chat get 503 too until it went through, while other chats go
on (``faults.py``).
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import re
from urllib.parse import urlparse

import tornado.httpserver
import tornado.web
from telegram import Update
from telegram.ext import Application

from coach.adapters.telegram import faults
from coach.adapters.telegram.app import ALLOWED_UPDATES
from coach.adapters.telegram.retry import call_with_retry
from coach.config import Config, ConfigError

log = logging.getLogger("coach.webhook")
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


class UpdateHandler(tornado.web.RequestHandler):
    def initialize(self, app: Application, secret: str, lock: asyncio.Lock,
                   blocks: faults.ChatBlocks) -> None:
        self.app, self.secret, self.lock, self.blocks = app, secret, lock, blocks

    async def post(self) -> None:
        given = self.request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), self.secret.encode()):
            self.set_status(403)
            return
        try:
            data = json.loads(self.request.body)
            if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
                raise ValueError("not an update")
            update = Update.de_json(data, self.app.bot)
        except (ValueError, TypeError, KeyError, AttributeError):
            log.warning("webhook: a request body that is not an update was refused")
            self.set_status(400)
            return
        # one update at a time, as with polling, so a user's replies keep their order;
        # handled (replies sent, answers committed) before Telegram hears "200"
        async with self.lock:
            if self.blocks.refuses(update):  # an earlier one of this chat must go first
                self.set_status(503)
                return
            await self.app.process_update(update)
            if not faults.fault_log(self.app).took(update):
                self.blocks.failed(update)  # not stored: Telegram posts it again
                self.set_status(503)
                return
            if self.blocks.stored(update):
                faults.fault_log(self.app).recovered(faults.chat_key(update))
        self.set_status(200)

    def log_exception(self, typ, value, tb) -> None:  # type: ignore[no-untyped-def]
        # tornado's default logs the request; ours goes through the masking log filter
        if isinstance(value, tornado.web.HTTPError):
            log.info("webhook: %s %s: %s", self.request.method, self.request.path,
                     value.status_code)
        else:
            log.error("webhook: error while handling a request", exc_info=(typ, value, tb))


def _log_request(handler: tornado.web.RequestHandler) -> None:
    """tornado's access log, except that a 503 (an update the database could not store,
    faults.py logged it once) is not an error line per try of Telegram's."""
    status = handler.get_status()
    if status == 503:
        level = logging.DEBUG
    else:
        level = logging.INFO if status < 400 else logging.WARNING if status < 500 else logging.ERROR
    logging.getLogger("tornado.access").log(
        level, "%d %s %.2fms", status, handler._request_summary(),
        1000.0 * handler.request.request_time())


async def serve_webhook(app: Application, config: Config, secret: str, stop: asyncio.Event):
    """Register the webhook with Telegram and handle POSTed updates until ``stop``."""
    path = "/" + urlparse(config.webhook_url or "").path.strip("/")
    faults.install(app)
    web_app = tornado.web.Application([(
        re.escape(path.rstrip("/") or "/") + "/?",
        UpdateHandler, {"app": app, "secret": secret, "lock": asyncio.Lock(),
                        "blocks": faults.ChatBlocks()},
    )], log_function=_log_request)
    server = tornado.httpserver.HTTPServer(web_app, xheaders=True)
    # listen first, then tell Telegram: no update is posted to a port not yet open,
    # and a port that is taken fails before Telegram points at us
    try:
        server.listen(config.webhook_port, address=config.webhook_listen)
    except OSError as exc:
        raise ConfigError("cannot_listen", address=config.webhook_listen,
                          port=config.webhook_port, reason=exc.strerror or exc) from None
    log.info("webhook listening on %s:%s%s", config.webhook_listen, config.webhook_port, path)
    try:
        await call_with_retry(
            lambda: app.bot.set_webhook(
                config.webhook_url, secret_token=secret, allowed_updates=ALLOWED_UPDATES,
                drop_pending_updates=False,
            ),
            "setWebhook",
        )
        await stop.wait()
    finally:
        server.stop()  # no new requests; one being handled finishes or is redelivered
        await server.close_all_connections()
