"""The cookies of the two ways of signing in, and the Origin check on every POST.

The one-time link (a desktop browser, the page at the top) gets ``SameSite=Lax``
cookies; the Mini App gets ``SameSite=None; Secure; Partitioned`` ones, because
Telegram's web client shows it in a cross-site iframe (the real browser test is in
test_web_iframe.py). Both are HttpOnly and last 8 hours (the session) or 15 minutes
(the sign-in form's token). Since a ``SameSite=None`` cookie goes along with another
site's requests, a POST is refused when its Origin is not the web view's own.
"""

from __future__ import annotations

import pytest
from aiohttp import CookieJar
from aiohttp.test_utils import TestClient, TestServer

from coach.adapters.web.app import build_web_app, origin_of
from coach.adapters.web.session import LINK, MINI_APP, cookie_header
from coach.storage import web as web_store
from tests.adapters.web.conftest import (
    BASE,
    BOT_TOKEN,
    CSRF,
    mini_app_init_data,
    sign_in,
)
from tests.support.web import sign_in_link


def set_cookies(answer) -> dict[str, list[str]]:
    """Name -> the attributes of each cookie an answer sets (value left out)."""
    found = {}
    for header in answer.headers.getall("Set-Cookie", []):
        name, _, rest = header.partition("=")
        found[name] = [part.strip() for part in rest.split(";")[1:]]
    return found


def value_of(answer, name: str) -> str:
    header = next(h for h in answer.headers.getall("Set-Cookie") if h.startswith(f"{name}="))
    return header.split(";", 1)[0].split("=", 1)[1]


async def secure_browser(web: TestClient) -> TestClient:
    """A browser that sends Secure cookies to the test server (as one does to an HTTPS
    site or to localhost)."""
    jar = CookieJar(unsafe=True, treat_as_secure_origin=str(web.make_url("/")))
    client = TestClient(web.server, cookie_jar=jar)
    await client.start_server()
    return client


async def mini_app_sign_in(client: TestClient, coach) -> object:
    entry = await client.get("/")
    assert entry.status == 200
    pre = CSRF.search(await entry.text()).group(1)
    answer = await client.post("/auth/telegram", allow_redirects=False, data={
        "csrf": pre, "init_data": mini_app_init_data(coach.clock())})
    assert answer.status == 303, await answer.text()
    return entry, answer


async def test_a_one_time_link_gives_lax_cookies(web, lib):
    form = await web.get(sign_in_link(lib.anna).removeprefix(BASE))
    pre = set_cookies(form)[LINK.pre]
    assert pre == ["Path=/", "Max-Age=900", "HttpOnly", "SameSite=Lax"]  # http: no Secure
    csrf = CSRF.search(await form.text()).group(1)
    token = form.url.path.rsplit("/", 1)[1]
    answer = await web.post("/login", data={"csrf": csrf, "token": token},
                            allow_redirects=False)
    cookies = set_cookies(answer)
    assert cookies[LINK.session] == ["Path=/", "Max-Age=28800", "HttpOnly", "SameSite=Lax"]
    assert cookies[LINK.pre][:2] == ["Path=/", "Max-Age=0"]  # the form's token is gone
    assert MINI_APP.session not in cookies
    assert (await web.get("/kpis")).status == 200


async def test_the_mini_app_gives_partitioned_cross_site_cookies(web, lib, tessa, coach):
    browser = await secure_browser(web)
    try:
        entry, answer = await mini_app_sign_in(browser, coach)
        assert set_cookies(entry)[MINI_APP.pre] == [
            "Path=/", "Max-Age=900", "Secure", "HttpOnly", "SameSite=None", "Partitioned"]
        cookies = set_cookies(answer)
        assert cookies[MINI_APP.session] == [
            "Path=/", f"Max-Age={web_store.SESSION_HOURS * 3600}", "Secure", "HttpOnly",
            "SameSite=None", "Partitioned"]
        assert cookies[MINI_APP.pre][:2] == ["Path=/", "Max-Age=0"]
        assert "Partitioned" in cookies[MINI_APP.pre]  # deleted where it was kept
        assert LINK.session not in cookies
        page = await browser.get("/kpis")
        assert page.status == 200 and "Tessa" in await page.text()
    finally:
        await browser.close()


async def test_behind_https_the_link_cookies_are_secure_too(coach, lib):
    client = TestClient(TestServer(build_web_app(coach, "https://bieb.example.org/coach",
                                                 BOT_TOKEN)))
    await client.start_server()
    try:
        link = sign_in_link(lib.anna)
        form = await client.get("/coach/login/" + link.rsplit("/", 1)[1])
        assert set_cookies(form)[LINK.pre] == [
            "Path=/coach", "Max-Age=900", "Secure", "HttpOnly", "SameSite=Lax"]
        entry = await client.get("/coach/")
        assert set_cookies(entry)[MINI_APP.pre][:3] == ["Path=/coach", "Max-Age=900", "Secure"]
    finally:
        await client.close()


async def test_the_mini_app_session_lasts_8_hours_and_signing_out_ends_it(
        web, lib, tessa, coach, clock):
    browser = await secure_browser(web)
    try:
        _, answer = await mini_app_sign_in(browser, coach)
        sid_cookie = value_of(answer, MINI_APP.session)
        clock.advance(hours=7, minutes=59)
        page = await browser.get("/strategy")
        assert page.status == 200
        csrf = CSRF.search(await page.text()).group(1)
        out = await browser.post("/logout", data={"csrf": csrf})
        assert out.status == 200 and "uitgelogd" in await out.text()
        gone = set_cookies(out)[MINI_APP.session]
        assert "Max-Age=0" in gone and "Partitioned" in gone and "SameSite=None" in gone
        # the cookie, kept anyway, names a session that ended
        again = TestClient(web.server, cookie_jar=CookieJar(unsafe=True))
        await again.start_server()
        try:
            again.session.cookie_jar.update_cookies({MINI_APP.session: sid_cookie})
            assert (await again.get("/strategy")).status == 401
        finally:
            await again.close()
    finally:
        await browser.close()


async def test_a_mini_app_session_expires_after_8_hours(web, lib, tessa, coach, clock):
    browser = await secure_browser(web)
    try:
        await mini_app_sign_in(browser, coach)
        clock.advance(hours=8, minutes=1)
        assert (await browser.get("/strategy")).status == 401
    finally:
        await browser.close()


async def test_each_sign_in_form_takes_only_its_own_cookie(web, lib, tessa, coach):
    """The link's form token does not sign in through the Mini App, nor the reverse."""
    form = await web.get(sign_in_link(lib.anna).removeprefix(BASE))
    link_token = CSRF.search(await form.text()).group(1)
    answer = await web.post("/auth/telegram", data={
        "csrf": link_token, "init_data": mini_app_init_data(coach.clock())})
    assert answer.status == 400
    browser = await secure_browser(web)
    try:
        entry = await browser.get("/")
        app_token = CSRF.search(await entry.text()).group(1)
        link = sign_in_link(lib.anna)
        answer = await browser.post("/login", data={"csrf": app_token,
                                                    "token": link.rsplit("/", 1)[1]})
        assert answer.status == 400
    finally:
        await browser.close()


async def test_a_forged_session_cookie_of_either_kind_is_refused(web, lib):
    forged = TestClient(web.server, cookie_jar=CookieJar(unsafe=True))
    await forged.start_server()
    try:
        for name in (LINK.session, MINI_APP.session):
            forged.session.cookie_jar.clear()
            forged.session.cookie_jar.update_cookies({name: "abc.def"})
            assert (await forged.get("/strategy")).status == 401
    finally:
        await forged.close()


@pytest.mark.parametrize("origin", ["https://evil.example", "null", "http://127.0.0.1.evil",
                                    "https://127.0.0.1", "http://localhost"])
@pytest.mark.parametrize("path", ["/team/adopt", "/logout"])
async def test_a_post_from_another_origin_is_refused_though_its_token_is_right(
        web, lib, coach, origin, path):
    csrf = await sign_in(web, lib.anna)
    answer = await web.post(path, headers={"Origin": origin}, data={
        "csrf": csrf, "question_id": "mission.statement", "item_key": "", "answer_id": "1"})
    assert answer.status == 403
    assert (await web.get("/team")).status == 200  # still signed in: nothing happened


@pytest.mark.parametrize("origin", ["https://evil.example", "null"])
async def test_sign_in_posts_from_another_origin_are_refused(web, lib, tessa, coach, origin):
    browser = await secure_browser(web)
    try:
        entry = await browser.get("/")
        pre = CSRF.search(await entry.text()).group(1)
        answer = await browser.post("/auth/telegram", headers={"Origin": origin}, data={
            "csrf": pre, "init_data": mini_app_init_data(coach.clock())})
        assert answer.status == 403 and MINI_APP.session not in set_cookies(answer)
    finally:
        await browser.close()


async def test_a_post_from_the_web_views_own_origin_is_taken(web, lib):
    csrf = await sign_in(web, lib.anna)
    for origin in (BASE, str(web.make_url("")).rstrip("/"), BASE.upper()):
        answer = await web.post("/team/edit", headers={"Origin": origin},
                                allow_redirects=False, data={
                                    "csrf": csrf, "question_id": "nope", "value": "x"})
        assert answer.status == 303, origin  # handled (nothing to edit: "stale")


@pytest.mark.parametrize("url,origin", [
    ("https://bieb.example.org/coach", "https://bieb.example.org"),
    ("https://Bieb.Example.org:443/", "https://bieb.example.org"),
    ("http://127.0.0.1:8080", "http://127.0.0.1:8080"),
    ("http://localhost:80/x", "http://localhost"),
    ("https://bieb.example.org:8443/coach", "https://bieb.example.org:8443"),
    ("http://[::1]:8080/", "http://[::1]:8080"),
])
def test_the_origin_of_web_url(url, origin):
    assert origin_of(url) == origin


@pytest.mark.parametrize("name,value,path", [
    ("s", "a;b", "/"), ("s", "a\r\nSet-Cookie: x=1", "/"), ("s", "a b", "/"),
    ("s;", "a", "/"), ("s", "a", "/coach; Domain=evil.example"), ("s", "a", "coach"),
    ("s", "a", "/co\nach"),
])
def test_a_cookie_header_cannot_be_broken_into(name, value, path):
    with pytest.raises(ValueError):
        cookie_header(name, value, path=path, max_age=60, cross_site=True, secure=True)

