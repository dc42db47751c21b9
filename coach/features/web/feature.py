"""The web view in the chat: ``/web`` and the pages and actions of the web adapter.

``/web`` gives a one-time sign-in link for a desktop browser (valid
``TOKEN_MINUTES``, used once; only its hash is stored) and, when the web view has a
public HTTPS address (``WEB_URL``), a button that opens it inside Telegram as a Mini
App. Without a web view (no ``WEB_URL``) it says so.

The pages (``pages.py``) and the team page's actions (``actions.py``) are declared here
for the core (``Coach.page`` / ``Coach.act``), which checks who may see and do what.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from coach.core.commands import Command
from coach.core.events import Choice, Reply
from coach.core.feature import Action, Feature, Page
from coach.features.web import actions, pages
from coach.storage import web as web_store

if TYPE_CHECKING:
    from coach.core.turn import Turn


def sign_in_link(turn: Turn, base: str) -> str:
    token = web_store.new_sign_in_token(turn.db, turn.user["id"], turn.now)
    return f"{base}/login/{token}"


def cmd_web(turn: Turn, args: str) -> list[Reply]:
    base = turn.coach.web_url
    if not base:
        return [turn.say("web.not_served")]
    choices = []
    if base.startswith("https://"):
        label = turn.button("web.open_button", "").label
        choices = [[Choice(label, "", web_app=f"{base}/")]]
    return [Reply(text=turn.t("web.link", link=sign_in_link(turn, base),
                              minutes=web_store.TOKEN_MINUTES),
                  choices=choices, key="web.link")]


FEATURE = Feature(
    "web",
    commands={"web": cmd_web},
    names=[Command("web", "web", "web", ("webview", "dashboard"))],
    pages=[
        Page("strategy", pages.strategy_page),
        Page("download", pages.download_page),
        Page("document_css", pages.document_css),
        Page("kpis", pages.kpis_page),
        Page("team", pages.team_page, coordinators=True),
    ],
    actions=[Action("adopt", actions.adopt), Action("edit", actions.edit)],
)
