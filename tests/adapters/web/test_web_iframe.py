"""The Mini App as Telegram's web client shows it: in a cross-site iframe, in a real
browser (Debian's headless Chromium, as in test_web_browser.py) that blocks
third-party cookies.

A page on one site (``http://127.0.0.1:A``, standing in for web.telegram.org) embeds
the web view of another (``http://localhost:B``; Chromium counts localhost as a
secure context, so Secure cookies work there) with the ``initData`` in the URL's
fragment, where Telegram puts it. Telegram's script cannot load here (the test maps
telegram.org to nowhere), so app.js reads the fragment itself. The Mini App's
partitioned ``SameSite=None`` cookies carry the session to the next page and to the
sign-out form; a one-time link's ``SameSite=Lax`` cookie does not work in the same
iframe, which shows the iframe really is cross-site.
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from aiohttp import web

from coach.adapters.web.session import LINK, MINI_APP
from coach.wiring import open_coach
from tests.adapters.web.conftest import BOT_TOKEN, join_as_tessa, mini_app_init_data
from tests.adapters.web.test_web_browser import CHROMEDRIVER, CHROMIUM, chromium, errors
from tests.support.web import ServerThread, free_port, sign_in_link, team

pytestmark = pytest.mark.skipif(
    not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()),
    reason="needs Debian's chromium and chromium-driver (.ci/run installs them)")

EMBED = """<!doctype html><html><head><title>Telegram Web (test)</title>
<link rel="icon" href="data:,"></head><body>
<iframe id="app" src="{src}" width="1000" height="800"></iframe></body></html>"""


class TwoSites(ServerThread):
    """In one thread and event loop: the web view at ``http://localhost:B`` (its own
    coach on ``db_path``, framed by site A) and site A's embedding pages at
    ``http://127.0.0.1:A``: ``/app`` (the Mini App with fresh initData in the
    fragment) and ``/link/{token}`` (a one-time link's form)."""

    name = "two-sites"

    def __init__(self, db_path: str):
        self.db_path, self.port_a, self.port_b = db_path, free_port(), free_port()
        self.top = f"http://127.0.0.1:{self.port_a}"
        self.base = f"http://localhost:{self.port_b}"
        super().__init__()

    async def _app_page(self, request: web.Request) -> web.Response:
        init_data = mini_app_init_data(datetime.now(UTC))
        fragment = (f"tgWebAppData={quote(init_data, safe='')}&tgWebAppVersion=8.0"
                    "&tgWebAppPlatform=weba")
        return web.Response(text=EMBED.format(src=f"{self.base}/#{fragment}"),
                            content_type="text/html")

    async def _link_page(self, request: web.Request) -> web.Response:
        src = f"{self.base}/login/{request.match_info['token']}"
        return web.Response(text=EMBED.format(src=src), content_type="text/html")

    def serve(self, loop: asyncio.AbstractEventLoop) -> tuple[Any, list[Any]]:
        from coach.adapters.web.app import build_web_app

        coach = open_coach(self.db_path)
        coach.web_url = self.base
        view = build_web_app(coach, self.base, BOT_TOKEN,
                             frame_ancestors=("https://web.telegram.org", self.top))
        embed = web.Application()
        embed.router.add_get("/app", self._app_page)
        embed.router.add_get("/link/{token}", self._link_page)
        runners = []
        for app, port in ((view, self.port_b), (embed, self.port_a)):
            runner = web.AppRunner(app)
            loop.run_until_complete(runner.setup())
            loop.run_until_complete(web.TCPSite(runner, "127.0.0.1", port).start())
            runners.append(runner)
        return coach, runners


@pytest.fixture(scope="module")
def sites(tmp_path_factory):
    db_path = str(tmp_path_factory.mktemp("iframe") / "coach.db")
    coach = open_coach(db_path)
    lib = team(coach)
    join_as_tessa(coach, lib)
    server = TwoSites(db_path).start()
    coach.web_url = server.base
    try:
        yield server, lib
    finally:
        server.stop()
        coach.db.close()


@pytest.fixture(scope="module")
def browser():
    """A Chromium of its own that blocks third-party cookies, as more and more
    browsers do (only partitioned ones are kept in a cross-site frame then)."""
    driver = chromium("--host-resolver-rules=MAP telegram.org ~NOTFOUND",
                      prefs={"profile.cookie_controls_mode": 1,
                             "profile.block_third_party_cookies": True,
                             "intl.accept_languages": "nl-NL,nl"})
    try:
        yield driver
    finally:
        driver.quit()


def in_frame(driver, script: str):
    """Run ``script`` in the Mini App's iframe (the top page's only frame)."""
    driver.switch_to.default_content()
    driver.switch_to.frame("app")
    return driver.execute_script(script)


def wait_in_frame(driver, path: str, seconds: float = 20) -> None:
    """Until the iframe shows the web view's ``path`` and has loaded it."""
    deadline = time.monotonic() + seconds
    while True:
        state = in_frame(driver, "return [location.pathname, document.readyState]")
        if state == [path, "complete"]:
            return
        if time.monotonic() > deadline:
            text = in_frame(driver, "return document.body ? document.body.innerText : ''")
            raise AssertionError(f"the iframe shows {state}, not {path}: {text[:300]}")
        time.sleep(0.1)


def frame_text(driver) -> str:
    return in_frame(driver, "return document.body.innerText")


def other_errors(driver) -> list[str]:
    """The console's errors but the one of Telegram's script, which cannot load here."""
    return [e for e in errors(driver) if "telegram.org" not in e]


def test_the_mini_app_signs_in_inside_a_cross_site_iframe_and_stays_signed_in(browser, sites):
    server, _lib = sites
    browser.delete_all_cookies()
    browser.get_log("browser")
    browser.get(f"{server.top}/app")
    wait_in_frame(browser, "/strategy")
    text = frame_text(browser)
    assert "Socialemediastrategie van Bibliotheek Rivierenland" in text
    assert "Tessa" in text  # signed in as the Telegram user of the initData
    # a second page inside the iframe: the partitioned session cookie goes along
    in_frame(browser, "document.querySelector(\"nav a[href$='/kpis']\").click()")
    wait_in_frame(browser, "/kpis")
    text = frame_text(browser)
    assert "Aanmeldingen" in text and "/web" not in text  # not the "sign in" message
    # the cookies: the Mini App's, partitioned under the top site; no link cookie
    browser.switch_to.default_content()
    cookies = browser.execute_cdp_cmd("Storage.getCookies", {})["cookies"]
    ours = {c["name"]: c for c in cookies if c["domain"] == "localhost"}
    assert set(ours) == {MINI_APP.session}, sorted(ours)
    session = ours[MINI_APP.session]
    assert session["sameSite"] == "None" and session["secure"] and session["httpOnly"]
    assert session.get("partitionKey"), session  # CHIPS: kept for 127.0.0.1 only
    assert other_errors(browser) == []
    # a form inside the iframe: signing out (a POST with the session's CSRF token)
    in_frame(browser, "document.querySelector('form.signout button').click()")
    wait_in_frame(browser, "/logout")
    assert "uitgelogd" in frame_text(browser)
    in_frame(browser, "location.href = '/strategy'")
    wait_in_frame(browser, "/strategy")
    assert "/web" in frame_text(browser)  # signed out: the page asks to sign in
    assert other_errors(browser) == []


def test_a_one_time_links_lax_cookie_does_not_work_in_the_same_iframe(browser, sites):
    """The control: the desktop link's form in that iframe is refused, because the
    browser neither keeps nor sends its SameSite=Lax cookie there."""
    server, lib = sites
    browser.delete_all_cookies()
    token = sign_in_link(lib.anna).rsplit("/", 1)[1]
    browser.get(f"{server.top}/link/{token}")
    wait_in_frame(browser, f"/login/{token}")
    in_frame(browser, "document.getElementById('sign-in').click()")
    wait_in_frame(browser, "/login")
    assert "Dit formulier is verlopen" in frame_text(browser)
    browser.switch_to.default_content()
    cookies = browser.execute_cdp_cmd("Storage.getCookies", {})["cookies"]
    assert not [c for c in cookies if c["name"] in (LINK.pre, LINK.session)]
