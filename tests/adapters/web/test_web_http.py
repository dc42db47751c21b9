"""The web view over plain HTTP: signing in, who sees what, forms and their tokens,
the security headers and limits (the browser tests check the same pages rendered)."""

from __future__ import annotations

import html
import logging

import pytest
from aiohttp import CookieJar
from aiohttp.test_utils import TestClient, TestServer

from coach.flow.library import library_value
from coach.storage import answers
from tests.adapters.web.conftest import BASE, CSRF, sign_in
from tests.support.web import sign_in_link


async def other_browser(web: TestClient) -> TestClient:
    client = TestClient(web.server, cookie_jar=CookieJar(unsafe=True))
    await client.start_server()
    return client


async def test_a_one_time_link_signs_in_once_and_shows_the_three_pages(web, lib):
    link = sign_in_link(lib.anna)
    csrf = await sign_in(web, lib.anna, link)
    for path, words in (("/strategy", ["Socialemediastrategie van Bibliotheek Rivierenland",
                                       "1. Online en offline doelen"]),
                        ("/kpis", ["Aanmeldingen", "<svg"]),
                        ("/team", ["Anna", "Bram", "Nog te beslissen"])):
        page = await web.get(path)
        text = await page.text()
        assert page.status == 200, path
        for word in words:
            assert word in text, (path, word)
    assert csrf
    # the same link again, in another browser: used already
    other = await other_browser(web)
    try:
        form = await other.get(link.removeprefix(BASE))
        pre = CSRF.search(await form.text()).group(1)
        used = await other.post("/login", data={"csrf": pre, "token": link.rsplit("/", 1)[1]})
        assert used.status == 403 and "al gebruikt" in await used.text()
        assert (await other.get("/strategy")).status == 401
    finally:
        await other.close()


async def test_a_link_older_than_15_minutes_does_not_work(web, lib, clock):
    link = sign_in_link(lib.anna)
    clock.advance(minutes=15, seconds=1)
    form = await web.get(link.removeprefix(BASE))
    pre = CSRF.search(await form.text()).group(1)
    answer = await web.post("/login", data={"csrf": pre, "token": link.rsplit("/", 1)[1]})
    assert answer.status == 403


async def test_the_session_lasts_8_hours(web, lib, clock):
    await sign_in(web, lib.anna)
    clock.advance(hours=7, minutes=59)
    assert (await web.get("/kpis")).status == 200
    clock.advance(minutes=2)
    page = await web.get("/kpis")
    assert page.status == 401 and "/web" in await page.text()


async def test_opening_the_link_changes_nothing_until_the_form_is_posted(web, lib):
    link = sign_in_link(lib.anna)
    for _ in range(3):  # a link preview, a reload: GET never uses the token
        assert (await web.get(link.removeprefix(BASE))).status == 200
    await sign_in(web, lib.anna)


async def test_the_cookie_is_signed_httponly_and_samesite(web, lib):
    link = sign_in_link(lib.anna)
    form = await web.get(link.removeprefix(BASE))
    pre = CSRF.search(await form.text()).group(1)
    answer = await web.post("/login", data={"csrf": pre, "token": link.rsplit("/", 1)[1]},
                            allow_redirects=False)
    cookie = answer.headers.getall("Set-Cookie")
    session = next(c for c in cookie if c.startswith("biebcoach_session="))
    assert "HttpOnly" in session and "SameSite=Lax" in session and "Max-Age=28800" in session
    value = session.split(";")[0].split("=", 1)[1]
    forged = TestClient(web.server, cookie_jar=CookieJar(unsafe=True))
    await forged.start_server()
    try:
        forged.session.cookie_jar.update_cookies({"biebcoach_session": value[:-2] + "xx"})
        assert (await forged.get("/strategy")).status == 401
    finally:
        await forged.close()


async def test_a_colleague_cannot_open_the_team_page_nor_decide(web, lib):
    csrf = await sign_in(web, lib.bram)
    page = await web.get("/team")
    assert page.status == 403 and "coördinatoren" in await page.text()
    assert "/team" not in await (await web.get("/strategy")).text()  # no link to it
    answer = await web.post("/team/adopt", data={"csrf": csrf, "question_id": "mission.statement",
                                                 "item_key": "", "answer_id": "1"})
    assert answer.status == 403
    assert (await web.get("/kpis")).status == 200  # the library's KPIs are for everyone


async def test_a_member_of_another_library_sees_nothing_of_this_one(web, lib, coach):
    await sign_in(web, lib.carla)
    seen = ""
    for path in ("/strategy", "/kpis", "/team", "/download/md"):
        page = await web.get(path)
        assert page.status == 200, path
        seen += await page.text()
    assert "Bibliotheek Anderland" in seen
    for secret in ("Rivierenland", "Aanmeldingen", "Anna", "Bram", "VoorleesExpress",
                   "Taalcafé"):
        assert secret not in seen
    # and she cannot decide for it, even naming one of its answers
    anna_answer = answers.current_answers(coach.db, lib.library_id, "mission.statement")[0]
    page = await web.get("/team")
    csrf = CSRF.search(await page.text()).group(1)
    before = library_value(coach.db, lib.library_id, "mission.statement")
    await web.post("/team/adopt", data={"csrf": csrf, "question_id": "mission.statement",
                                        "item_key": "", "answer_id": str(anna_answer["id"])})
    assert library_value(coach.db, lib.library_id, "mission.statement") == before


async def test_a_removed_member_sees_the_library_no_more(web, lib, coach):
    link = sign_in_link(lib.bram)
    await sign_in(web, lib.bram, link)
    lib.anna.cmd("team")
    lib.anna.press("Bram")
    lib.anna.press_data(next(b for b in lib.anna.buttons() if b.startswith("t:rm:")))
    lib.anna.press_data(next(b for b in lib.anna.buttons() if b.startswith("t:rmy:")))
    assert lib.bram.user()["library_id"] is None
    for path in ("/strategy", "/kpis", "/download/md"):
        page = await web.get(path)
        assert page.status == 403 and "Rivierenland" not in await page.text()
    lib.bram.cmd("web")
    assert "/login/" not in lib.bram.texts()  # no library: no link either


@pytest.mark.parametrize("path", ["/team/adopt", "/team/edit", "/logout"])
async def test_every_form_needs_the_sessions_csrf_token(web, lib, path):
    await sign_in(web, lib.anna)
    for data in ({}, {"csrf": ""}, {"csrf": "forged"}):
        answer = await web.post(path, data={**data, "question_id": "mission.statement"})
        assert answer.status == 400, (path, data)
    assert (await web.get("/team")).status == 200  # still signed in


async def test_sign_in_forms_need_their_own_token(web, lib):
    link = sign_in_link(lib.anna)
    answer = await web.post("/login", data={"token": link.rsplit("/", 1)[1]})
    assert answer.status == 400
    answer = await web.post("/auth/telegram", data={"init_data": "x"})
    assert answer.status == 400


async def test_no_state_change_on_get(web, lib):
    await sign_in(web, lib.anna)
    for path in ("/team/adopt", "/team/edit", "/logout", "/login", "/auth/telegram"):
        assert (await web.get(path)).status in (404, 405), path
    assert (await web.get("/team")).status == 200


async def test_sign_in_attempts_are_rate_limited(web, lib):
    form = await web.get("/login/whatever")
    pre = CSRF.search(await form.text()).group(1)
    statuses = [(await web.post("/login", data={"csrf": pre, "token": f"guess{i}"})).status
                for i in range(12)]
    assert statuses[:10] == [403] * 10 and statuses[10:] == [429, 429]
    link = sign_in_link(lib.anna)  # a good link is refused too while the limit holds
    answer = await web.post("/login", data={"csrf": pre, "token": link.rsplit("/", 1)[1]})
    assert answer.status == 429 and "kwartier" in await answer.text()


async def test_a_huge_body_is_refused(web, lib):
    csrf = await sign_in(web, lib.anna)
    answer = await web.post("/team/edit", data={"csrf": csrf, "value": "x" * 100_000})
    assert answer.status == 413
    assert (await web.get("/team")).status == 200


async def test_every_answer_has_the_security_headers(web, lib):
    for path in ("/", "/login/abc", "/strategy", "/nope", "/static/web.css"):
        answer = await web.get(path)
        csp = answer.headers["Content-Security-Policy"]
        assert "script-src 'self' https://telegram.org/js/telegram-web-app.js" in csp
        assert "'unsafe-inline'" not in csp and "default-src 'none'" in csp
        assert answer.headers["X-Content-Type-Options"] == "nosniff"
        assert answer.headers["Referrer-Policy"] == "same-origin"  # no Referer elsewhere
        assert "frame-ancestors 'self' https://web.telegram.org" in csp


async def test_pages_have_no_inline_script_and_escape_user_text(web, lib, coach):
    hostile = '<script>alert(1)</script> <img src=x onerror=alert(2)> "&amp;'
    lib.anna.cmd("wijzig")
    answers.save_answer(coach.db, library_id=lib.library_id, question_id="mission.statement",
                        item_key="", author={"id": "test:anna", "name": "Anna <b>"},
                        status="answered", value=hostile, now=coach.clock())
    await sign_in(web, lib.anna)
    for path in ("/", "/strategy", "/kpis", "/team"):
        text = await (await web.get(path)).text()
        assert "<script>alert" not in text and "onerror=alert(2)>" not in text
        for tag in text.split("<script")[1:]:
            assert tag.lstrip().startswith("src="), path  # no inline script anywhere
    assert "&lt;script&gt;alert(1)" in await (await web.get("/strategy")).text()


async def test_the_log_never_holds_tokens_or_init_data(web, lib, caplog):
    caplog.set_level(logging.DEBUG)
    link = sign_in_link(lib.anna)
    token = link.rsplit("/", 1)[1]
    await sign_in(web, lib.anna)
    form = await web.get("/")
    pre = CSRF.search(await form.text()).group(1)
    await web.post("/auth/telegram", data={"csrf": pre, "init_data": "user=%7B%7D&hash=SECRETX"})
    await web.post("/login", data={"csrf": pre, "token": token})
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert token not in logged and "SECRETX" not in logged and "user=%7B" not in logged
    cookies = [c.value for c in web.session.cookie_jar]
    assert cookies and not any(c in logged for c in cookies)


async def test_a_download_is_the_exported_markdown(web, lib):
    await sign_in(web, lib.anna)
    answer = await web.get("/download/md")
    assert answer.status == 200
    assert answer.headers["Content-Type"].startswith("text/markdown")
    assert "attachment" in answer.headers["Content-Disposition"]
    assert (await answer.text()).startswith("# Socialemediastrategie van Bibliotheek Rivierenland")
    assert (await web.get("/download/exe")).status == 404


async def test_signing_out_ends_the_session(web, lib):
    csrf = await sign_in(web, lib.anna)
    answer = await web.post("/logout", data={"csrf": csrf})
    assert answer.status == 200 and "uitgelogd" in await answer.text()
    web.session.cookie_jar.clear()
    assert (await web.get("/strategy")).status == 401


async def test_english_users_get_english_pages(web, lib, coach):
    lib.bram.cmd("language")
    lib.bram.press_data(next(b for b in lib.bram.buttons() if b.endswith("en")))
    await sign_in(web, lib.bram)
    text = await (await web.get("/kpis")).text()
    assert "KPIs of Bibliotheek Rivierenland" in text and 'lang="en"' in text
    assert "Strategy" in await (await web.get("/strategy")).text()


async def test_a_decision_that_is_not_open_changes_nothing(web, lib, coach):
    csrf = await sign_in(web, lib.anna)
    mine = answers.current_answers(coach.db, lib.library_id, "mission.statement")[0]
    before = library_value(coach.db, lib.library_id, "mission.statement")
    for action, extra in (("adopt", {"answer_id": str(mine["id"])}), ("adopt", {}),
                          ("edit", {"value": "Iets nieuws"}), ("edit", {"value": ""})):
        answer = await web.post(f"/team/{action}", allow_redirects=False, data={
            "csrf": csrf, "question_id": "mission.statement", "item_key": "", **extra})
        assert answer.status == 303
        assert answer.headers["Location"] == "/team?done=stale#decisions"
    page = await web.get("/team?done=stale")
    assert "Er is niets gewijzigd" in await page.text()
    assert library_value(coach.db, lib.library_id, "mission.statement") == before
    assert "<script" not in await (await web.get("/team?done=<script>")).text()


async def test_a_changed_answer_shows_at_once_though_pages_are_cached(web, lib, coach):
    await sign_in(web, lib.anna)
    assert "Tweede versie" not in await (await web.get("/strategy")).text()
    answers.save_answer(coach.db, library_id=lib.library_id, question_id="mission.statement",
                        item_key="", author={"id": "test:anna", "name": "Anna"},
                        status="answered", value="Tweede versie van de missie",
                        now=coach.clock())
    assert "Tweede versie van de missie" in await (await web.get("/strategy")).text()
    assert "Tweede versie van de missie" in await (await web.get("/download/md")).text()
    assert "Bram" in await (await web.get("/team")).text()
    lib.bram.cmd("vergeet")
    lib.bram.press("Ja, vergeet me")
    assert "Bram" not in await (await web.get("/team")).text()


@pytest.mark.parametrize("name", [
    '<script>alert("x")</script> Bieb', "Bibliotheek 📚 مكتبة " + "x" * 40,
    "Bieb & Co \"quotes\" 'single' {{ 7*7 }}",
])
async def test_a_hostile_library_name_stays_text_on_every_page(coach, chat, name):
    from coach.adapters.web.app import build_web_app
    from tests.adapters.web.conftest import BOT_TOKEN

    coach.web_url = BASE
    olga = chat("Olga")
    olga.create_library(name)
    client = TestClient(TestServer(build_web_app(coach, BASE, BOT_TOKEN)))
    await client.start_server()
    try:
        await sign_in(client, olga)
        for path in ("/strategy", "/kpis", "/team"):
            text = await (await client.get(path)).text()
            assert "<script>alert" not in text  # escaped, never markup
            assert name in html.unescape(text)  # shown as typed ({{ 7*7 }} stays as is)
    finally:
        await client.close()
