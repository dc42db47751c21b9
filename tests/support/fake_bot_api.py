"""A fake Telegram Bot API server for end-to-end tests (no internet needed).

It speaks just enough of https://core.telegram.org/bots/api for python-telegram-bot:
``/bot<token>/<method>`` over GET or POST with query, form, multipart or JSON
parameters. It validates like Telegram does where our bot could go wrong (HTML
entities, message length, callback data size, unknown tokens, editing a message
without changes) and records every call so tests can assert on what the bot did.

Tests feed it updates with the ``push_*`` helpers; the bot fetches them with
``getUpdates`` (long polling with offset confirmation, as Telegram does).

Faults: ``server.faults`` is a list of :class:`Fault`; each call goes through
:meth:`FakeBotApi._fault_for` first, which may delay it or answer 429/500/403 for a
share of matching calls, or drop the connection without an answer (``drop=True``;
with ``after=True`` the call is handled first, so only its answer is lost). Tests can
also set ``server.fault_hook`` to any ``async (method, params) -> web.Response | None``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import re
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.support.html import HtmlError, parse_html, parse_html_entities, utf16_len

TOKEN = "123456789:AAFakeTokenForTestsOnly_abcdefghijklmn"
BOT_ID = 123456789
BOT_USERNAME = "biebcoach_test_bot"

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64
# the bot's profile: field -> (Bot API method suffix, the most characters)
PROFILE = {"name": ("Name", 64), "description": ("Description", 512),
           "short_description": ("ShortDescription", 120)}
COMMAND_SCOPES = {"default", "all_private_chats", "all_group_chats",
                  "all_chat_administrators", "chat", "chat_administrators", "chat_member"}
CHAT_ACTIONS = {"typing", "upload_photo", "record_video", "upload_video", "record_voice",
                "upload_voice", "upload_document", "choose_sticker", "find_location",
                "record_video_note", "upload_video_note"}

# Fields that Telegram expects as JSON-serialised objects when sent as form fields.
JSON_FIELDS = {
    "reply_markup",
    "menu_button",
    "entities",
    "caption_entities",
    "commands",
    "scope",
    "allowed_updates",
    "link_preview_options",
    "reply_parameters",
}
INT_FIELDS = {"chat_id", "message_id", "offset", "limit", "user_id", "max_connections"}
FLOAT_FIELDS = {"timeout", "cache_time"}
BOOL_FIELDS = {
    "disable_notification",
    "protect_content",
    "show_alert",
    "drop_pending_updates",
    "disable_web_page_preview",
    "allow_sending_without_reply",
}


def scope_key(scope: Any) -> str:
    """How :attr:`FakeBotApi.commands` names a command scope: its type, and for a
    chat's scope ``chat:<id>`` (``chat_member:<id>:<user>``)."""
    scope = scope or {"type": "default"}
    kind = scope.get("type", "default") if isinstance(scope, dict) else None
    if kind not in COMMAND_SCOPES:
        raise BadRequest("Bad Request: can't parse BotCommandScope")
    if kind in ("chat", "chat_administrators", "chat_member"):
        if scope.get("chat_id") in (None, ""):
            raise BadRequest("Bad Request: chat not found")
        kind = f"{kind}:{scope['chat_id']}"
        if scope["type"] == "chat_member":
            kind += f":{scope.get('user_id')}"
    return kind


def telegram_view(msg: dict[str, Any]) -> dict[str, Any]:
    """A stored message as Telegram sends it to a bot: HTML text (or caption) as plain
    text with entities, nothing the fake keeps for itself."""
    view = {k: v for k, v in msg.items() if not k.startswith("_") and k != "parse_mode"}
    if (msg.get("parse_mode") or "").upper() == "HTML":
        for field, entities in (("text", "entities"), ("caption", "caption_entities")):
            if view.get(field):
                view[field], found = parse_html_entities(view[field])
                if found:
                    view[entities] = found
    return view


CHOSEN = re.compile(r"\n\n→ <b>[^<]*</b>$")  # what the bot adds to a closed message


def closes_pressed(call: Call) -> bool:
    """The bot closed the message of a pressed button (the choice below its text, no
    keyboard), rather than saying something new."""
    if call.method == "editMessageReplyMarkup":
        return not call.params.get("reply_markup")
    return (call.method == "editMessageText" and not call.params.get("reply_markup")
            and bool(CHOSEN.search(call.params.get("text") or "")))


def plain_text(text: str, parse_mode: str | None) -> str:
    if parse_mode and parse_mode.upper() == "HTML":
        return parse_html(text)
    return text


# --------------------------------------------------------------------------- faults


@dataclass
class Fault:
    """Make a share of matching calls fail or slow down.

    ``methods``: the Bot API methods affected (None: all but getUpdates).
    ``status``: 429 (with ``retry_after``), 500, 502, 403, ... or None for delay only.
    ``rate``: share of matching calls affected (0..1); ``limit``: at most this many.
    ``drop``: close the connection instead of answering (``status`` is ignored); with
    ``after`` the call is handled first (its effect happens, the answer is lost).
    """

    methods: set[str] | None = None
    status: int | None = 429
    retry_after: int = 1
    rate: float = 1.0
    limit: int | None = None
    delay: float = 0.0
    description: str | None = None
    hits: int = 0
    drop: bool = False
    after: bool = False


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    status: int = 200
    response: Any = None
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    file_types: dict[str, str] = field(default_factory=dict)  # the uploads' content types
    at: float = field(default_factory=time.monotonic)
    seq: int = 0


# --------------------------------------------------------------------------- server


def _err(status: int, description: str, **params: Any) -> web.Response:
    body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
    if params:
        body["parameters"] = params
    return web.json_response(body, status=status)


class DroppedConnection(web.Response):
    """Returned by :meth:`FakeBotApi._fault_for`: close the connection, answer nothing."""

    def __init__(self, after: bool = False) -> None:
        super().__init__(status=599)
        self.after = after


DROPPED = 599  # Call.status of a call whose connection was dropped before it was handled


class BadRequest(Exception):
    def __init__(self, description: str, status: int = 400):
        super().__init__(description)
        self.description = description
        self.status = status


class FakeBotApi:
    def __init__(self, token: str = TOKEN, username: str = BOT_USERNAME, seed: int = 1234) -> None:
        self.token = token
        self.username = username
        self.calls: list[Call] = []
        self.updates: list[dict[str, Any]] = []
        self.next_update_id = 1000
        self.confirmed_offset = 0
        self.delivered: set[int] = set()
        self.next_message_id: dict[int, int] = {}
        # (chat_id, message_id) -> stored message dict (ours and users')
        self.messages: dict[tuple[int, int], dict[str, Any]] = {}
        # (scope_key(scope), language code or "") -> commands
        self.commands: dict[tuple[str, str], list[dict[str, str]]] = {}
        self.profile: dict[tuple[str, str], str] = {}  # (field, language code or "") -> text
        self.chat_actions: list[tuple[int, str]] = []  # (chat id, action) in order
        self.menu_buttons: dict[str, dict[str, Any]] = {}  # chat id ("" default) -> button
        self.callback_queries: dict[str, dict[str, Any]] = {}  # id -> {"answered": bool}
        self.blocked_users: set[int] = set()
        self.webhook_url = ""
        self.faults: list[Fault] = []
        self.fault_hook: Callable[[str, dict[str, Any]], Awaitable[web.Response | None]] | None
        self.fault_hook = None
        self.random = random.Random(seed)
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self.port = 0
        self._next_cq = 1
        self.closing = False

    # ----------------------------------------------------------------- lifecycle

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> FakeBotApi:
        app = web.Application(client_max_size=60 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_route("*", "/file/bot{token}/{path:.*}", self._file)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def stop(self) -> None:
        self.closing = True
        self._notify()
        await asyncio.sleep(0)
        if self._runner:
            await self._runner.cleanup()
            self._runner = None

    # ----------------------------------------------------------------- pushing updates

    def _user(self, user_id: int, **kw: Any) -> dict[str, Any]:
        user = {
            "id": user_id,
            "is_bot": False,
            "first_name": kw.get("first_name", f"User{user_id}"),
            "language_code": kw.get("language_code", "nl"),
        }
        if kw.get("last_name"):
            user["last_name"] = kw["last_name"]
        if kw.get("username"):
            user["username"] = kw["username"]
        if kw.get("language_code", "nl") is None:
            del user["language_code"]
        return user

    def _chat(self, user_id: int, chat_type: str, chat_id: int | None, **kw: Any) -> dict:
        if chat_type == "private":
            return {
                "id": user_id,
                "type": "private",
                "first_name": kw.get("first_name", f"User{user_id}"),
            }
        return {
            "id": chat_id if chat_id is not None else -1000000000000 - user_id,
            "type": chat_type,
            "title": kw.get("title", "Bieb team"),
        }

    def _new_message_id(self, chat_id: int) -> int:
        self.next_message_id[chat_id] = self.next_message_id.get(chat_id, 0) + 1
        return self.next_message_id[chat_id]

    def _user_message(
        self, user_id: int, chat_type: str = "private", chat_id: int | None = None, **kw: Any
    ) -> dict[str, Any]:
        chat = self._chat(user_id, chat_type, chat_id, **kw)
        msg = {
            "message_id": self._new_message_id(chat["id"]),
            "date": kw.get("date") or int(time.time()),  # ``date``: sent at (Unix time)
            "chat": chat,
        }
        if chat_type != "channel":
            msg["from"] = self._user(user_id, **kw)
        self.messages[(chat["id"], msg["message_id"])] = msg
        return msg

    def push_update(self, body: dict[str, Any]) -> int:
        update_id = self.next_update_id
        self.next_update_id += 1
        self.updates.append({"update_id": update_id, **body})
        self._notify()
        return update_id

    def _push_msg(self, msg: dict[str, Any], chat_type: str) -> int:
        key = "channel_post" if chat_type == "channel" else "message"
        return self.push_update({key: msg})

    def push_message(self, user_id: int, text: str, chat_type: str = "private", **kw: Any) -> int:
        msg = self._user_message(user_id, chat_type, kw.pop("chat_id", None), **kw)
        msg["text"] = text
        if text.startswith("/"):
            length = len(text.split()[0]) if text.split() else 1
            msg["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        return self._push_msg(msg, chat_type)

    def push_forwarded(self, user_id: int, text: str, sender: str = "Wijkkrant", **kw: Any) -> int:
        """A text message the user forwarded from someone else (``forward_origin``)."""
        msg = self._user_message(user_id, "private", None, **kw)
        msg["text"] = text
        msg["forward_origin"] = {"type": "hidden_user", "date": int(time.time()) - 3600,
                                 "sender_user_name": sender}
        return self._push_msg(msg, "private")

    def push_command(
        self, user_id: int, command: str, args: str = "", chat_type: str = "private", **kw: Any
    ) -> int:
        text = f"/{command.lstrip('/')}" + (f" {args}" if args else "")
        return self.push_message(user_id, text, chat_type=chat_type, **kw)

    def push_callback(
        self, user_id: int, data: str, message_id: int, chat_type: str = "private", **kw: Any
    ) -> str:
        chat = self._chat(user_id, chat_type, kw.pop("chat_id", None), **kw)
        stored = self.messages.get((chat["id"], message_id))
        message = telegram_view(stored) if stored else {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": chat,
        }
        cq_id = f"cq{self._next_cq}"
        self._next_cq += 1
        self.callback_queries[cq_id] = {"answered": False, "user_id": user_id, "data": data}
        self.push_update(
            {
                "callback_query": {
                    "id": cq_id,
                    "from": self._user(user_id, **kw),
                    "chat_instance": f"ci{chat['id']}",
                    "data": data,
                    "message": message,
                }
            }
        )
        return cq_id

    def push_my_chat_member(
        self, user_id: int, status: str, old_status: str | None = None,
        chat_type: str = "private", **kw: Any,
    ) -> int:
        """The bot's membership of a chat changed: in a private chat ``kicked`` is a
        block and ``member`` an unblock; in a group ``member`` is being added."""
        chat = self._chat(user_id, chat_type, kw.pop("chat_id", None), **kw)
        old = old_status or ("member" if status == "kicked" else "kicked")
        if chat_type == "private":
            (self.blocked_users.add if status == "kicked" else self.blocked_users.discard)(
                user_id)

        def member(state: str) -> dict[str, Any]:
            extra = {"until_date": 0} if state == "kicked" else {}
            return {"user": self._bot_user(), "status": state, **extra}

        return self.push_update({"my_chat_member": {
            "chat": chat, "from": self._user(user_id, **kw), "date": int(time.time()),
            "old_chat_member": member(old), "new_chat_member": member(status),
        }})

    def _push_media(self, user_id: int, body: dict[str, Any], **kw: Any) -> int:
        chat_type = kw.pop("chat_type", "private")
        msg = self._user_message(user_id, chat_type, kw.pop("chat_id", None), **kw)
        msg.update(body)
        return self._push_msg(msg, chat_type)

    def _file_obj(self, **extra: Any) -> dict[str, Any]:
        fid = f"F{self.random.randrange(10**9)}"
        return {"file_id": fid, "file_unique_id": "U" + fid, **extra}

    def push_photo(self, user_id: int, caption: str | None = None, **kw: Any) -> int:
        body: dict[str, Any] = {"photo": [self._file_obj(width=90, height=90, file_size=900)]}
        if caption:
            body["caption"] = caption
        return self._push_media(user_id, body, **kw)

    def push_sticker(self, user_id: int, **kw: Any) -> int:
        sticker = self._file_obj(
            width=512, height=512, is_animated=False, is_video=False, type="regular", emoji="👍"
        )
        return self._push_media(user_id, {"sticker": sticker}, **kw)

    def push_voice(self, user_id: int, **kw: Any) -> int:
        return self._push_media(
            user_id, {"voice": self._file_obj(duration=3, mime_type="audio/ogg")}, **kw
        )

    def push_location(self, user_id: int, **kw: Any) -> int:
        return self._push_media(user_id, {"location": {"latitude": 52.09, "longitude": 5.12}}, **kw)

    def push_document(self, user_id: int, file_name: str = "plan.pdf", **kw: Any) -> int:
        doc = self._file_obj(file_name=file_name, mime_type="application/pdf")
        return self._push_media(user_id, {"document": doc}, **kw)

    def push_edited_message(
        self, user_id: int, message_id: int, text: str, chat_type: str = "private", **kw: Any
    ) -> int:
        chat = self._chat(user_id, chat_type, kw.pop("chat_id", None), **kw)
        original = self.messages.get((chat["id"], message_id), {})
        msg = {
            "message_id": message_id,
            "date": original.get("date", int(time.time())),
            "edit_date": int(time.time()),
            "chat": chat,
            "from": self._user(user_id, **kw),
            "text": text,
        }
        return self.push_update({"edited_message": msg})

    # ----------------------------------------------------------------- inspecting

    def sent(self, chat_id: int | None = None, methods: tuple[str, ...] = ()) -> list[Call]:
        """Successful calls that put something in a chat (send*/edit*)."""
        methods = methods or (
            "sendMessage",
            "editMessageText",
            "sendDocument",
            "sendPhoto",
        )
        return [
            c
            for c in self.calls
            if c.method in methods
            and c.status == 200
            and (chat_id is None or c.params.get("chat_id") == chat_id)
        ]

    def bot_messages(self, chat_id: int) -> list[dict[str, Any]]:
        """Current state of the bot's messages in a chat, in order (edits applied)."""
        out = [
            m
            for (cid, _mid), m in sorted(self.messages.items(), key=lambda kv: kv[0][1])
            if cid == chat_id and m.get("from", {}).get("id") == BOT_ID
        ]
        return out

    def _record(self, call: Call) -> Call:
        call.seq = len(self.calls)
        self.calls.append(call)
        self._notify()
        return call

    def mark(self) -> int:
        """Index of the next call; pass as ``since`` to only look at later calls."""
        return len(self.calls)

    def errors(self) -> list[Call]:
        return [c for c in self.calls if c.status >= 400]

    def validation_errors(self) -> list[Call]:
        """Errors the bot caused (not injected faults or test-made blocks)."""
        return [c for c in self.calls if c.status in (400, 401) and not c.params.get("_fault")]

    def unanswered_callbacks(self) -> list[str]:
        return [k for k, v in self.callback_queries.items() if not v["answered"]]

    def pending_updates(self) -> int:
        return len(self.updates)

    async def wait_for(
        self, predicate: Callable[[], Any], timeout: float = 5.0, what: str = "condition"
    ) -> Any:
        deadline = asyncio.get_running_loop().time() + timeout
        async with self._changed:
            while True:
                result = predicate()
                if result:
                    return result
                remaining = deadline - asyncio.get_running_loop().time()
                if remaining <= 0:
                    raise TimeoutError(f"timed out waiting for {what}")
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._changed.wait(), remaining)

    async def wait_for_messages(
        self, chat_id: int, n: int, timeout: float = 5.0, since: int = 0
    ) -> list[Call]:
        """Wait until the bot made at least ``n`` sends/edits to ``chat_id`` after
        call index ``since``; returns those calls."""

        def check() -> list[Call] | None:
            got = [c for c in self.sent(chat_id) if c.seq >= since]
            return got if len(got) >= n else None

        return await self.wait_for(check, timeout, f"{n} messages to {chat_id}")

    async def wait_idle(self, quiet: float = 0.3, timeout: float = 10.0) -> None:
        """Wait until every pushed update was fetched by the bot and the bot made no call
        other than getUpdates for ``quiet`` seconds."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            last = max((c.at for c in self.calls if c.method != "getUpdates"), default=0.0)
            undelivered = [u for u in self.updates if u["update_id"] not in self.delivered]
            if not undelivered and time.monotonic() - last >= quiet:
                return
            if loop.time() > deadline:
                raise TimeoutError("bot did not become idle")
            await asyncio.sleep(0.05)

    def _notify(self) -> None:
        async def notify() -> None:
            async with self._changed:
                self._changed.notify_all()

        with contextlib.suppress(RuntimeError):
            asyncio.get_running_loop().create_task(notify())

    # ----------------------------------------------------------------- HTTP

    async def _params(self, request: web.Request) -> tuple[dict[str, Any], dict]:
        params: dict[str, Any] = dict(request.query)
        files: dict[str, tuple[str, bytes]] = {}
        ctype = request.content_type
        if request.method == "POST" and request.can_read_body:
            if ctype == "application/json":
                body = await request.json()
                if isinstance(body, dict):
                    params.update(body)
            elif ctype in ("application/x-www-form-urlencoded", "multipart/form-data"):
                form = await request.post()
                for key, value in form.items():
                    if isinstance(value, web.FileField):
                        files[key] = (value.filename or key, value.file.read())
                        params.setdefault("_file_types", {})[key] = value.content_type
                    else:
                        params[key] = value
        for key, value in list(params.items()):
            if not isinstance(value, str):
                continue
            try:
                if key in JSON_FIELDS:
                    params[key] = json.loads(value)
                elif key in INT_FIELDS:
                    params[key] = int(value)
                elif key in FLOAT_FIELDS:
                    params[key] = float(value)
                elif key in BOOL_FIELDS:
                    params[key] = value.lower() in ("true", "1")
            except ValueError as exc:
                raise BadRequest(f"Bad Request: can't parse {key}") from exc
        return params, files

    async def _fault_for(self, method: str, params: dict[str, Any]) -> web.Response | None:
        if self.fault_hook is not None:
            resp = await self.fault_hook(method, params)
            if resp is not None:
                return resp
        for fault in self.faults:
            if fault.methods is None and method == "getUpdates":
                continue
            if fault.methods is not None and method not in fault.methods:
                continue
            if fault.limit is not None and fault.hits >= fault.limit:
                continue
            if self.random.random() >= fault.rate:
                continue
            fault.hits += 1
            if fault.delay:
                await asyncio.sleep(fault.delay)
            if fault.drop:
                return DroppedConnection(after=fault.after)
            if fault.status is None:
                continue
            if fault.status == 429:
                return _err(
                    429,
                    fault.description or f"Too Many Requests: retry after {fault.retry_after}",
                    retry_after=fault.retry_after,
                )
            return _err(fault.status, fault.description or "Internal Server Error")
        return None

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        token = request.match_info["token"]
        try:
            params, files = await self._params(request)
        except BadRequest as exc:
            self._record(Call(method, {}, exc.status, exc.description))
            return _err(exc.status, exc.description)
        call = Call(method, params, files=files, file_types=params.pop("_file_types", {}))
        if token != self.token:
            call.status = 401
            self._record(call)
            return _err(401, "Unauthorized")
        self._record(call)
        fault = await self._fault_for(method, params)
        if isinstance(fault, DroppedConnection):
            return await self._drop(request, call, fault.after, files)
        if fault is not None:
            call.status = fault.status
            call.params["_fault"] = True
            self._notify()
            return fault
        handler = getattr(self, f"api_{method}", None)
        if handler is None:
            call.status = 404
            self._notify()
            return _err(404, "Not Found")
        try:
            result = await handler(params, files)
        except BadRequest as exc:
            call.status = exc.status
            call.response = exc.description
            self._notify()
            return _err(exc.status, exc.description)
        call.response = result
        self._notify()
        return web.json_response({"ok": True, "result": result})

    async def _drop(
        self, request: web.Request, call: Call, after: bool, files: dict
    ) -> web.Response:
        """Close the connection without an answer (after handling the call if ``after``)."""
        call.params["_fault"] = True
        call.status = DROPPED
        if after and (handler := getattr(self, f"api_{call.method}", None)) is not None:
            try:
                call.response = await handler(call.params, files)
                call.status = 200
            except BadRequest as exc:
                call.status, call.response = exc.status, exc.description
        if request.transport is not None:
            request.transport.abort()
        self._notify()
        raise asyncio.CancelledError  # nothing more to write on this connection

    async def _file(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return _err(401, "Unauthorized")
        return web.Response(body=b"fake file")

    # ----------------------------------------------------------------- validation

    def _check_chat(self, params: dict[str, Any]) -> int:
        chat_id = params.get("chat_id")
        if chat_id is None or chat_id == "":
            raise BadRequest("Bad Request: chat not found")
        if isinstance(chat_id, str):
            try:
                chat_id = int(chat_id)
            except ValueError as exc:
                raise BadRequest("Bad Request: chat not found") from exc
        if chat_id in self.blocked_users:
            raise BadRequest("Forbidden: bot was blocked by the user", status=403)
        return chat_id

    def _check_text(self, text: Any, parse_mode: Any, limit: int, what: str) -> str:
        if not isinstance(text, str):
            text = "" if text is None else str(text)
        try:
            plain = plain_text(text, parse_mode)
        except HtmlError as exc:
            raise BadRequest(f"Bad Request: can't parse entities: {exc}") from exc
        if what == "text" and not plain.strip():
            raise BadRequest("Bad Request: message text is empty")
        if utf16_len(plain) > limit:
            if what == "text":
                raise BadRequest("Bad Request: message is too long")
            raise BadRequest("Bad Request: message caption is too long")
        return plain

    def _check_markup(self, markup: Any) -> dict[str, Any] | None:
        if markup in (None, "", {}):
            return None
        if not isinstance(markup, dict):
            raise BadRequest("Bad Request: can't parse reply keyboard markup JSON object")
        rows = markup.get("inline_keyboard")
        if rows is None:
            return markup
        if not isinstance(rows, list):
            raise BadRequest('Bad Request: field "inline_keyboard" must be an Array')
        for row in rows:
            for button in row:
                if not str(button.get("text", "")).strip():
                    raise BadRequest(
                        "Bad Request: text buttons are unallowed in the inline keyboard"
                    )
                data = button.get("callback_data")
                if data is not None and (
                    not isinstance(data, str)
                    or not 1 <= len(data.encode("utf-8")) <= MAX_CALLBACK_DATA
                ):
                    raise BadRequest("Bad Request: BUTTON_DATA_INVALID")
                web_app = button.get("web_app")
                if web_app is not None and not str(web_app.get("url", "")).startswith(
                        "https://"):
                    raise BadRequest("Bad Request: BUTTON_TYPE_INVALID")  # Mini Apps: HTTPS
                if data is None and not button.get("url") and web_app is None:
                    raise BadRequest('Bad Request: can\'t find field "callback_data"')
        return markup

    def _bot_user(self) -> dict[str, Any]:
        return {"id": BOT_ID, "is_bot": True, "first_name": "Biebcoach", "username": self.username}

    def _store(self, chat_id: int, **fields: Any) -> dict[str, Any]:
        chat_type = "private" if chat_id > 0 else "supergroup"
        chat: dict[str, Any] = {"id": chat_id, "type": chat_type}
        if chat_type == "private":
            chat["first_name"] = f"User{chat_id}"
        else:
            chat["title"] = "Bieb team"
        msg = {
            "message_id": self._new_message_id(chat_id),
            "date": int(time.time()),
            "chat": chat,
            "from": self._bot_user(),
            **{k: v for k, v in fields.items() if v is not None},
        }
        self.messages[(chat_id, msg["message_id"])] = msg
        return msg

    # ----------------------------------------------------------------- methods

    async def api_getMe(self, params: dict, files: dict) -> dict:
        return {
            **self._bot_user(),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    async def api_getUpdates(self, params: dict, files: dict) -> list[dict]:
        if self.webhook_url:
            raise BadRequest(
                "Conflict: can't use getUpdates method while webhook is active; use "
                "deleteWebhook to delete the webhook first",
                status=409,
            )
        offset = int(params.get("offset") or 0)
        limit = int(params.get("limit") or 100)
        timeout = float(params.get("timeout") or 0)
        if offset:
            self.confirmed_offset = max(self.confirmed_offset, offset)
            self.updates = [u for u in self.updates if u["update_id"] >= offset]
        allowed = params.get("allowed_updates")

        def ready() -> list[dict]:
            out = []
            for u in self.updates:
                if offset and u["update_id"] < offset:
                    continue
                kind = next(k for k in u if k != "update_id")
                if allowed and kind not in allowed:
                    continue
                out.append(u)
            return out[:limit]

        got: list[dict] = []
        if timeout > 0:
            with contextlib.suppress(TimeoutError):
                await self.wait_for(lambda: ready() or self.closing, timeout, "updates")
                got = ready()
        else:
            got = ready()
        self.delivered.update(u["update_id"] for u in got)
        return got

    async def api_deleteWebhook(self, params: dict, files: dict) -> bool:
        self.webhook_url = ""
        if params.get("drop_pending_updates"):
            self.updates.clear()
        return True

    async def api_setWebhook(self, params: dict, files: dict) -> bool:
        url = params.get("url", "")
        if url and not url.startswith("https://") and not url.startswith("http://127."):
            raise BadRequest("Bad Request: bad webhook: An HTTPS URL must be provided for webhook")
        self.webhook_url = url
        self.webhook_secret = params.get("secret_token")
        if params.get("drop_pending_updates"):
            self.updates.clear()
        return True

    async def api_getWebhookInfo(self, params: dict, files: dict) -> dict:
        return {
            "url": self.webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self.updates),
        }

    async def api_setMyCommands(self, params: dict, files: dict) -> bool:
        commands = params.get("commands") or []
        if not isinstance(commands, list) or len(commands) > 100:
            raise BadRequest("Bad Request: commands must be an array of at most 100 commands")
        for c in commands:
            cmd = c.get("command", "")
            desc = c.get("description", "")
            if not re.fullmatch(r"[a-z0-9_]{1,32}", cmd):
                raise BadRequest("Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(desc) <= 256:
                raise BadRequest("Bad Request: command description is empty or too long")
        lang = self._lang(params)
        scope = scope_key(params.get("scope"))
        if commands:
            self.commands[(scope, lang)] = list(commands)
        else:  # an empty list is no list: the chat falls back to the next scope
            self.commands.pop((scope, lang), None)
        return True

    async def api_getMyCommands(self, params: dict, files: dict) -> list:
        return self.commands.get((scope_key(params.get("scope")), self._lang(params)), [])

    async def api_deleteMyCommands(self, params: dict, files: dict) -> bool:
        self.commands.pop((scope_key(params.get("scope")), self._lang(params)), None)
        return True

    @staticmethod
    def _lang(params: dict) -> str:
        lang = params.get("language_code") or ""
        if lang and not re.fullmatch(r"[a-z]{2}", lang):
            raise BadRequest("Bad Request: invalid language code")
        return lang

    def menu_for(self, chat_id: int, lang: str = "", chat_type: str = "private") -> list[str]:
        """The commands a chat's menu shows a user with client language ``lang``, as
        Telegram picks them: the first non-empty list of the chat's own scope, all
        private (or group) chats, the default; each in ``lang`` or else without one."""
        kinds = [f"chat:{chat_id}",
                 "all_private_chats" if chat_type == "private" else "all_group_chats",
                 "default"]
        for kind in kinds:
            for code in (lang, ""):
                if found := self.commands.get((kind, code)):
                    return [c["command"] for c in found]
        return []

    def _profile_get(self, field: str, params: dict) -> dict:
        lang = self._lang(params)
        return {field: self.profile.get((field, lang), self.profile.get((field, ""), ""))}

    def _profile_set(self, field: str, params: dict) -> bool:
        lang = self._lang(params)
        value = params.get(field) or ""
        if len(value) > PROFILE[field][1]:
            raise BadRequest(f"Bad Request: bot {field.replace('_', ' ')} is too long")
        if value:
            self.profile[(field, lang)] = value
        else:
            self.profile.pop((field, lang), None)
        return True

    async def api_getMyName(self, params: dict, files: dict) -> dict:
        return self._profile_get("name", params)

    async def api_setMyName(self, params: dict, files: dict) -> bool:
        return self._profile_set("name", params)

    async def api_getMyDescription(self, params: dict, files: dict) -> dict:
        return self._profile_get("description", params)

    async def api_setMyDescription(self, params: dict, files: dict) -> bool:
        return self._profile_set("description", params)

    async def api_getMyShortDescription(self, params: dict, files: dict) -> dict:
        return self._profile_get("short_description", params)

    async def api_setMyShortDescription(self, params: dict, files: dict) -> bool:
        return self._profile_set("short_description", params)

    async def api_setChatMenuButton(self, params: dict, files: dict) -> bool:
        button = params.get("menu_button") or {"type": "default"}
        if button.get("type") == "web_app":
            url = (button.get("web_app") or {}).get("url", "")
            if not str(url).startswith("https://") or not button.get("text"):
                raise BadRequest("Bad Request: BUTTON_URL_INVALID")
        self.menu_buttons[str(params.get("chat_id") or "")] = button
        return True

    async def api_sendMessage(self, params: dict, files: dict) -> dict:
        chat_id = self._check_chat(params)
        text = params.get("text")
        self._check_text(text, params.get("parse_mode"), MAX_TEXT, "text")
        markup = self._check_markup(params.get("reply_markup"))
        return self._store(
            chat_id, text=text, reply_markup=markup, parse_mode=params.get("parse_mode")
        )

    async def api_editMessageText(self, params: dict, files: dict) -> dict:
        chat_id = self._check_chat(params)
        message_id = params.get("message_id")
        text = params.get("text")
        self._check_text(text, params.get("parse_mode"), MAX_TEXT, "text")
        markup = self._check_markup(params.get("reply_markup"))
        msg = self.messages.get((chat_id, message_id))
        if msg is None:
            raise BadRequest("Bad Request: message to edit not found")
        if msg.get("from", {}).get("id") != BOT_ID:
            raise BadRequest("Bad Request: message can't be edited")
        if msg.get("text") == text and (msg.get("reply_markup") or None) == markup:
            raise BadRequest(
                "Bad Request: message is not modified: specified new message content and "
                "reply markup are exactly the same as a current content and reply markup "
                "of the message"
            )
        msg["text"] = text
        msg["edit_date"] = int(time.time())
        if markup is None:
            msg.pop("reply_markup", None)
        else:
            msg["reply_markup"] = markup
        return msg

    async def api_editMessageReplyMarkup(self, params: dict, files: dict) -> dict:
        chat_id = self._check_chat(params)
        msg = self.messages.get((chat_id, params.get("message_id")))
        if msg is None:
            raise BadRequest("Bad Request: message to edit not found")
        markup = self._check_markup(params.get("reply_markup"))
        if (msg.get("reply_markup") or None) == markup:
            raise BadRequest("Bad Request: message is not modified")
        if markup is None:
            msg.pop("reply_markup", None)
        else:
            msg["reply_markup"] = markup
        return msg

    async def api_answerCallbackQuery(self, params: dict, files: dict) -> bool:
        cq = self.callback_queries.get(str(params.get("callback_query_id")))
        if cq is None or cq["answered"]:
            raise BadRequest(
                "Bad Request: query is too old and response timeout expired or query ID is invalid"
            )
        if len(params.get("text") or "") > 200:
            raise BadRequest("Bad Request: MESSAGE_TOO_LONG")
        cq["answered"] = True
        return True

    async def _send_file(self, params: dict, files: dict, kind: str) -> dict:
        chat_id = self._check_chat(params)
        caption = params.get("caption")
        if caption:
            self._check_text(caption, params.get("parse_mode"), MAX_CAPTION, "caption")
        markup = self._check_markup(params.get("reply_markup"))
        if kind in files:
            filename, content = files[kind]
        elif isinstance(params.get(kind), str) and params[kind]:
            filename, content = params[kind], b""
        else:
            raise BadRequest(f"Bad Request: there is no {kind} in the request")
        if kind == "document" and not content:
            raise BadRequest("Bad Request: file must be non-empty")
        fobj = self._file_obj(file_size=len(content))
        body: dict[str, Any] = {
            "caption": caption,
            "reply_markup": markup,
            "_filename": filename,
            "_content": content,
        }
        if kind == "document":
            body["document"] = {**fobj, "file_name": filename}
        else:
            body["photo"] = [{**fobj, "width": 100, "height": 100}]
        msg = self._store(chat_id, **body)
        return {k: v for k, v in msg.items() if not k.startswith("_")}

    async def api_sendDocument(self, params: dict, files: dict) -> dict:
        return await self._send_file(params, files, "document")

    async def api_sendPhoto(self, params: dict, files: dict) -> dict:
        return await self._send_file(params, files, "photo")

    async def api_sendChatAction(self, params: dict, files: dict) -> bool:
        chat_id = self._check_chat(params)
        if params.get("action") not in CHAT_ACTIONS:
            raise BadRequest("Bad Request: wrong parameter action in request")
        self.chat_actions.append((chat_id, params["action"]))
        return True

    async def api_close(self, params: dict, files: dict) -> bool:
        return True

    async def api_logOut(self, params: dict, files: dict) -> bool:
        return True


MESSAGE_METHODS = {"sendMessage", "sendPhoto", "sendDocument", "editMessageText"}


class FloodGate:
    """A ``FakeBotApi.fault_hook``: 30 messages per rolling second, 429 beyond.

    Counts what it let through and what it refused, so the benchmark can report the
    achieved rate and the rate-limit errors.
    """

    def __init__(self, per_second: int = 30, retry_after: int = 1) -> None:
        self.per_second, self.retry_after = per_second, retry_after
        self.window: deque[float] = deque()
        self.accepted = 0
        self.refused = 0
        self.first: float | None = None
        self.last: float | None = None

    async def __call__(self, method: str, params: dict[str, Any]) -> Any:
        if method not in MESSAGE_METHODS:
            return None
        now = time.monotonic()
        while self.window and now - self.window[0] >= 1.0:
            self.window.popleft()
        if len(self.window) >= self.per_second:
            self.refused += 1
            return web.json_response(
                {"ok": False, "error_code": 429,
                 "description": f"Too Many Requests: retry after {self.retry_after}",
                 "parameters": {"retry_after": self.retry_after}},
                status=429,
            )
        self.window.append(now)
        self.accepted += 1
        self.first = self.first if self.first is not None else now
        self.last = now
        return None
