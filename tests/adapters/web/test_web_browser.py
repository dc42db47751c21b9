"""The web view in a real browser: Debian's headless Chromium driven by Selenium (one
browser for the whole session; nothing is downloaded). Each page is opened at 390 px
(a phone) and 1280 px (a desk) and its content checked; the browser console must stay
free of errors; a colleague and a member of another library are refused; an adopt
button changes the library's answer.

Screenshots of every page land in ``screenshots/web/`` (``SCREENSHOTS``) at the top of
the checkout, named ``<who>-<page>-<width>.png``, so a person can look at them.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from coach.flow.library import library_value, open_decisions
from coach.storage import answers
from coach.wiring import open_coach
from tests.support import ROOT
from tests.support.web import WebThread, sign_in_link, team

CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
SCREENSHOTS = ROOT / "screenshots" / "web"
WIDTHS = (390, 1280)
BRAM_MISSION = "Bram: wij maken lezen en leren gewoon, voor iedereen in de wijk."

pytestmark = pytest.mark.skipif(
    not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()),
    reason="needs Debian's chromium and chromium-driver (.ci/run installs them)")


def chromium(*args: str, prefs: dict | None = None):
    """Debian's headless Chromium through Selenium, its console log kept; ``args`` and
    ``prefs`` add to the options every browser test uses. Quit it when done."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--lang=nl-NL", "--window-size=1280,900", "--disable-extensions", *args):
        options.add_argument(arg)
    if prefs:
        options.add_experimental_option("prefs", prefs)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    return driver


@pytest.fixture(scope="session")
def browser():
    driver = chromium()
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The team library in a database file, its web view served from a thread, and a
    coach of this thread on the same file (to hand out sign-in links with /web)."""
    db_path = str(tmp_path_factory.mktemp("web") / "coach.db")
    coach = open_coach(db_path)
    lib = team(coach, weeks=52)
    # a colleague's own wording of the mission, for the to-decide list
    with coach.db.atomic():
        answers.save_answer(coach.db, library_id=lib.library_id,
                            question_id="mission.statement", item_key="",
                            author={"id": "test:bram", "name": "Bram"}, status="answered",
                            value=BRAM_MISSION, now=coach.clock())
    server = WebThread(db_path).start()
    coach.web_url = server.base
    try:
        yield server, coach, lib
    finally:
        server.stop()
        coach.db.close()


def errors(driver) -> list[str]:
    return [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]


def sign_in(driver, chat) -> None:
    driver.delete_all_cookies()
    driver.get(sign_in_link(chat))
    driver.find_element("id", "sign-in").click()
    wait_for_url(driver, "/strategy")


def wait_for_url(driver, end: str) -> None:
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, 20).until(expected_conditions.url_contains(end))


def at_width(driver, width: int) -> None:
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": width, "height": 900, "deviceScaleFactor": 1, "mobile": width < 600})


def screenshot(driver, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    height = min(int(driver.execute_script("return document.documentElement.scrollHeight")),
                 8000)
    width = int(driver.execute_script("return window.innerWidth"))
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600})
    driver.save_screenshot(str(SCREENSHOTS / f"{name}.png"))
    at_width(driver, width)


def open_page(driver, site, path: str, width: int, who: str) -> str:
    server, _, _ = site
    at_width(driver, width)
    driver.get_log("browser")  # forget what came before
    driver.get(f"{server.base}/{path}")
    screenshot(driver, f"{who}-{path.replace('/', '_')}-{width}")
    assert errors(driver) == []
    overflow = driver.execute_script(
        "return document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"{path} at {width} px is {overflow} px too wide"
    return driver.find_element("tag name", "body").text


@pytest.fixture(scope="module")
def anna(browser, site):
    _, _, lib = site
    if SCREENSHOTS.exists():
        shutil.rmtree(SCREENSHOTS)
    sign_in(browser, lib.anna)
    return browser


@pytest.mark.parametrize("width", WIDTHS)
def test_the_strategy_page_shows_the_documents_headings(anna, site, width):
    _, coach, _ = site
    text = open_page(anna, site, "strategy", width, "anna")
    h1 = anna.find_element("css selector", "article h1").text
    assert h1 == "Socialemediastrategie van Bibliotheek Rivierenland"
    headings = [h.text for h in anna.find_elements("css selector", "article h2, article h3")]
    assert "Samenvatting" in headings and "Open punten" in headings
    for step in coach.flow.steps:
        assert f"Stap {step.number}. {step.title['nl']}" in headings
    assert "Downloaden:" in text and "Word (.docx)" in text and "Markdown (.md)" in text


@pytest.mark.parametrize("width", WIDTHS)
def test_the_kpi_page_has_a_chart_per_kpi_and_the_values(anna, site, width):
    _, _, lib = site
    text = open_page(anna, site, "kpis", width, "anna")
    charts = anna.find_elements("css selector", "svg.chart")
    assert [c.get_attribute("data-kpi") for c in charts] == [k.key for k in lib.kpis]
    for chart in charts:
        assert len(chart.find_elements("css selector", "circle.point")) == 52
        assert chart.find_elements("css selector", "line.target")
        assert chart.size["width"] <= width
    assert "Op dit tempo haal je" in text
    assert len(anna.find_elements("css selector", "section.kpi table tbody tr")) == 3 * 52


@pytest.mark.parametrize("width", WIDTHS)
def test_the_team_page_lists_the_members(anna, site, width):
    text = open_page(anna, site, "team", width, "anna")
    rows = [r.text for r in anna.find_elements("css selector", "#members tbody tr")]
    assert len(rows) == 2 and rows[0].startswith("Anna") and rows[1].startswith("Bram")
    assert "coördinator" in rows[0] and "Nog te beslissen" in text


def test_an_adopt_button_makes_a_contribution_the_library_answer(anna, site):
    _, coach, lib = site
    assert open_decisions(coach.db, lib.library_id)  # Bram's mission is a proposal
    open_page(anna, site, "team", 1280, "anna-decide")
    for item in anna.find_elements("css selector", ".contributions li"):
        if BRAM_MISSION in item.text:
            item.find_element("css selector", "button.adopt").click()
            wait_for_url(anna, "done=")
            break
    else:
        raise AssertionError("no contribution of Bram to adopt")
    assert "Opgeslagen" in anna.find_element("id", "result").text
    assert library_value(coach.db, lib.library_id, "mission.statement") == BRAM_MISSION


@pytest.mark.parametrize("width", WIDTHS)
def test_a_colleague_sees_the_library_but_not_the_team_page(browser, site, width):
    _, _, lib = site
    sign_in(browser, lib.bram)
    text = open_page(browser, site, "kpis", width, "bram")
    assert "Aanmeldingen" in text
    assert browser.find_elements("css selector", "nav a[href$='/team']") == []
    browser.get(f"{site[0].base}/team")
    assert "voor de coördinatoren" in browser.find_element("id", "message").text
    assert "Bram" not in browser.find_element("tag name", "main").text


@pytest.mark.parametrize("path", ["strategy", "kpis", "team"])
def test_a_member_of_another_library_sees_nothing_of_this_one(browser, site, path):
    _, _, lib = site
    sign_in(browser, lib.carla)
    text = open_page(browser, site, path, 1280, "carla")
    assert "Anderland" in text
    for word in ("Rivierenland", "Aanmeldingen", "Anna", "Bram", "Taalcafé"):
        assert word not in text
