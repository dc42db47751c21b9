"""Every sentence the bot says, rendered from Jinja2 templates under ``prompts/<lang>/``.

``render(lang, "question", ...)`` renders ``prompts/<lang>/question.j2``;
``render(lang, "labels.back")`` renders the block ``back`` of ``prompts/<lang>/labels.j2``
(short texts such as button labels live together as blocks of one file).

Autoescaping is on: any value passed in (user text above all) is HTML-escaped, so the
result is safe Telegram HTML. Pass ``markupsafe.Markup`` for pieces that are already
rendered HTML.
"""

from __future__ import annotations

import html
import os
import re
from functools import cache, lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context
from jinja2.runtime import Context
from markupsafe import Markup

from coach.flow.model import LANGS, ROOT
from coach.flow.numbers import format_number
from coach.flow.text import DEFAULT_LANG, lang_from_hint

__all__ = ["DEFAULT_LANG", "PROMPTS_DIR", "cli_line", "environment", "lang_from_hint",
           "lang_or_default", "make_environment", "markup", "plural", "render",
           "template_names", "warm_up"]

PROMPTS_DIR = ROOT / "prompts"


def _shorten(text: str, limit: int = 300) -> str:
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def make_environment(
    prompts_dir: Path = PROMPTS_DIR, *, html: bool = True
) -> Environment:
    """The Jinja2 environment over ``prompts/``: chat messages escape HTML (``html``);
    the Markdown export escapes in its own filters instead."""
    return Environment(
        loader=FileSystemLoader(str(prompts_dir)),
        autoescape=html,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=not html,
        undefined=StrictUndefined,
    )


def plural(count: object, one: str, many: str, lang: str = DEFAULT_LANG, *,
           zero: str | None = None) -> str:
    """The form of a phrase for ``count``: ``one`` for exactly 1, ``zero`` (when given)
    for 0, else ``many``. A ``#`` in the form is the number, written the way ``lang``
    writes numbers ("1.200" in Dutch); without one, the number goes in front:
    ``plural(3, "vraag", "vragen")`` → "3 vragen", ``plural(1, "er staat # vraag",
    "er staan # vragen")`` → "er staat 1 vraag". Dutch and English both have just
    these forms (one, and the rest), so one rule serves both; ``zero`` is a form of its
    own ("geen vragen"), with the number only where it has a ``#``."""
    number = float(count) if isinstance(count, (int, float, str)) else 0.0
    written = format_number(number, lang)
    if zero is not None and number == 0:
        return zero.replace("#", written)  # "geen vragen": no number unless it says #
    form = one if number == 1 else many
    return form.replace("#", written) if "#" in form else f"{written} {form}"


@pass_context
def _plural(context: Context, count: object, one: str, many: str,
            zero: str | None = None) -> str:
    """``plural`` in a template, in the template's language (its ``lang``)."""
    return plural(count, one, many, context.get("lang") or DEFAULT_LANG, zero=zero)


@cache
def environment(prompts_dir: Path = PROMPTS_DIR) -> Environment:
    env = make_environment(prompts_dir)
    env.filters["number"] = format_number
    env.filters["shorten"] = _shorten
    env.globals["plural"] = _plural
    return env


def cli_line(block: str, /, lang: str | None = None, **ctx: object) -> str:
    """A one-line terminal message: ``block`` of ``prompts/<lang>/cli.j2``, in the
    terminal's language (Dutch for an nl_* locale, English otherwise)."""
    if lang is None:
        env_lang = os.environ.get("LC_ALL") or os.environ.get("LANG") or ""
        lang = lang_from_hint(env_lang, default="en")
    return " ".join(html.unescape(render(lang, f"cli.{block}", **ctx)).split())


def warm_up(prompts_dir: Path = PROMPTS_DIR) -> None:
    """Compile every template now, so that no user waits for a first compilation."""
    env = environment(prompts_dir)
    for lang in LANGS:
        for path in (prompts_dir / lang).glob("*.j2"):
            env.get_template(f"{lang}/{path.name}")


def lang_or_default(lang: str | None) -> str:
    return lang if lang in LANGS else DEFAULT_LANG


def render(lang: str | None, name: str, /, **ctx: object) -> str:
    """Render template ``name`` (or ``file.block``) in ``lang``; returns trimmed HTML."""
    lang = lang_or_default(lang)
    env = environment()
    file, _, block = name.partition(".")
    template = env.get_template(f"{lang}/{file}.j2")
    ctx.setdefault("lang", lang)
    if block:
        render_block = template.blocks[block]
        text = "".join(render_block(template.new_context(dict(ctx))))
    else:
        text = template.render(**ctx)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def markup(html: str) -> Markup:
    """Mark already rendered (escaped) HTML as safe to embed in another template."""
    return Markup(html)


def template_names(lang: str, prompts_dir: Path = PROMPTS_DIR) -> set[str]:
    """All message names available in ``lang``, blocks included (for the content tests)."""
    env = environment(prompts_dir)
    names: set[str] = set()
    for path in sorted((prompts_dir / lang).glob("*.j2")):
        template = env.get_template(f"{lang}/{path.name}")
        names.add(path.stem)
        names.update(f"{path.stem}.{block}" for block in template.blocks)
    return names


@lru_cache(maxsize=512)
def label(lang: str, name: str) -> str:
    """A button label (plain text: Telegram shows button labels as they are)."""
    return str(Markup(render(lang, f"labels.{name}")).unescape())
