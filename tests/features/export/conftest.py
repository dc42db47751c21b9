"""A full strategy of a team of two, as the export tests read it in every format."""

from __future__ import annotations

import pytest

from coach.features.export.feature import render_document
from coach.storage import measurements
from tests.support.answers import give
from tests.support.walk import kpi_key, walk

FORMATS = ("md", "docx", "html")
STRONG = {
    "sm_goals.list": ("50 aanmeldingen VoorleesExpress via Instagram vóór 1 juni;"
                      " 200 bezoekers taalcafé via Facebook dit jaar"),
    "tactics.channels": "instagram, facebook",
    "tactics.list": ("Elke vrijdag een boekentip-reel op Instagram;"
                     " Elke maand een Facebook-evenement voor het taalcafé"),
    "tactics.listening": "Elke maandag 20 minuten de vermeldingen in OBI4wan bekijken",
    "tactics.webcare": ("Sanne van communicatie, op werkdagen binnen vier uur tussen 9 en 17;"
                        " Bram is backup"),
    "measure.per_tactic": "Tellen hoeveel mensen reageren",  # no source: kept anyway
    "measure.owner": "Fatima van marketing; Kim is backup",
}
KPIS = ("Aanmeldingen", "Bezoekers taalcafé")


def say_keeping(user, text: str) -> None:
    user.say(text)
    if keep := [b for b in user.buttons() if b.startswith("f:keep:")]:
        user.press_data(keep[0])


def build_strategy(chat, db, clock):
    """Anna walks the whole flow with strong answers (skipping "In gesprek"), one KPI
    per goal, a measurement method kept despite the feedback; Bram answers the offline
    goals afterwards (his answer is the library's, Anna's goes to the appendix); Anna's
    mission changes once (history); each KPI has measurements."""
    anna = chat("Anna")
    anna.create_library("Bibliotheek Rivierenland")
    code = anna.invite_code()
    walk(anna, until="kpis.per_goal", answers=STRONG)
    for text in KPIS:  # one KPI per goal
        say_keeping(anna, text)
    walk(anna, until="kpis.target", answers=STRONG)  # the values now: 0
    for text in ("50", "200"):
        say_keeping(anna, text)
    walk(anna, until="tactics.conversation", answers=STRONG)
    anna.cmd("overslaan")
    walk(anna, answers=STRONG)
    library_id = anna.user()["library_id"]
    bram = chat("Bram")
    bram.cmd("start", code)
    bram.cmd("wijzig")
    bram.press_data("s:goals")
    bram.press("Offline doelen")
    bram.say("Meer kinderen lid maken; Meer bezoekers in het taalcafé")
    anna.cmd("beslissen")  # Bram's offline goals become the library's
    anna.press("Neem over van Bram")
    clock.advance(days=2)
    author = {"id": anna.user_id, "name": "Anna", "role": "coordinator"}
    give(db, library_id, author, [("mission.statement", "", "Wij helpen inwoners van"
                                   " Rivierenland verhalen en kennis te vinden.")], clock())
    for kpi, start in zip(KPIS, (10, 40), strict=True):
        key = kpi_key(db, library_id, kpi)
        for week in range(40, 48):
            measurements.record(db, library_id=library_id, kpi=key, week=f"2026-W{week}",
                                value=start + 2 * (week - 40), percent=False, author=author,
                                now=clock())
    return anna, bram, library_id


@pytest.fixture
def strategy(chat, db, clock):
    return build_strategy(chat, db, clock)


@pytest.fixture
def render(db, clock):
    def make(library_id: int, fmt: str, lang: str = "nl") -> bytes:
        return render_document(db, library_id, lang, clock(), fmt)

    return make
