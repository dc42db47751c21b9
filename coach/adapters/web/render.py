"""The pages' HTML: Jinja2 templates in ``prompts/web/`` with autoescaping on, their
texts from ``prompts/<lang>/web.j2`` (the chat's own templates, so they are checked
for both languages like every other sentence), and the security headers."""

from __future__ import annotations

from functools import cache
from typing import Any

from aiohttp import web
from jinja2 import Environment
from markupsafe import Markup

from coach.adapters.web import keys as K
from coach.core.texts import PROMPTS_DIR, lang_or_default, make_environment, render

TELEGRAM_JS = "https://telegram.org/js/telegram-web-app.js"
# who may show the web view in a frame: itself and Telegram's web client (the Mini App
# runs in an iframe of web.telegram.org there)
FRAME_ANCESTORS = ("https://web.telegram.org",)
HEADERS = {
    "X-Content-Type-Options": "nosniff",
    # a sign-in link's token never leaves in a Referer to another site; our own forms
    # keep a true Origin header (under "no-referrer" a browser posts "Origin: null")
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def security_headers(frame_ancestors: tuple[str, ...] = FRAME_ANCESTORS) -> dict[str, str]:
    """The headers of every answer: no inline script anywhere, scripts only from here
    and Telegram's Mini App script, framed only by ``frame_ancestors``."""
    csp = "; ".join((
        "default-src 'none'",
        f"script-src 'self' {TELEGRAM_JS}",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "form-action 'self'",
        "base-uri 'none'",
        "frame-ancestors " + " ".join(("'self'", *frame_ancestors)),
    ))
    return {"Content-Security-Policy": csp, **HEADERS}


@cache
def environment() -> Environment:
    env = make_environment(PROMPTS_DIR, html=True)
    env.autoescape = True
    return env


def page(request: web.Request, template: str, lang: str | None, *, status: int = 200,
         **ctx: Any) -> web.Response:
    """Render ``prompts/web/<template>.html`` in ``lang``."""
    lang = lang_or_default(lang)

    def t(name: str, /, **more: Any) -> Markup:
        return Markup(render(lang, f"web.{name}", **more))

    base = request.app[K.PREFIX]
    ctx.setdefault("current", "")
    html = environment().get_template(f"web/{template}.html").render(
        lang=lang, t=t, url=lambda path="": f"{base}/{path.lstrip('/')}",
        viewer=request.get(K.VIEWER), csrf=request.get(K.CSRF, ""), **ctx)
    return web.Response(text=html, status=status, content_type="text/html", charset="utf-8")


def message(request: web.Request, block: str, lang: str | None, status: int,
            **ctx: Any) -> web.Response:
    """A page with one message (a refusal, an expired link, an error)."""
    return page(request, "message", lang, status=status, block=block, ctx=ctx)
