"""Walking the flow in tests: the scripted answers and the one walker.

``TYPED`` is what a user types to each question (question id -> text). :func:`walk`
answers with it, by typing, until a question is open or the flow is done;
:func:`with_kpis` sets up a library with three KPIs that way.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tests.support.chat import Chat


TYPED = {
    "goals.offline": "Meer kinderen lid maken; Taalcafé elke week vol",
    "goals.online": "Meer online aanmeldingen voor activiteiten",
    "goals.focus": "1",
    "goals.hours": "4",
    "audience.groups": "ouders, scholieren",
    "audience.ages": "30-39, tieners",
    "audience.words": "Jonge gezinnen uit de wijk die nog geen lid zijn",
    "audience.media": "insta, fb, whatsapp",
    "mission.why": "We willen laten zien dat de bibliotheek van iedereen is",
    "mission.statement": "Wij verbinden inwoners met verhalen, kennis en elkaar.",
    "sm_goals.list": ("50 aanmeldingen VoorleesExpress via Instagram vóór 1 juni;"
                      " 20% meer bereik per maand"),
    "sm_goals.link": "1",
    "kpis.per_goal": "Aanmeldingen; Nieuwe leden",
    "kpis.baseline": "0",
    "kpis.target": "1.200",
    "kpis.period": "per week",
    "kpis.deadline": "over een half jaar",
    "tactics.channels": "instagram, facebook",
    "tactics.list": "Elke vrijdag een boekentip-reel; Activiteiten in wijkgroepen",
    "tactics.listening": "Elke week Google Alerts op de naam van de bibliotheek",
    "tactics.conversation": "Vragen stellen onder elke post en op elke reactie antwoorden",
    "tactics.webcare": "Sanne van de balie, binnen 24 uur",
    "measure.per_tactic": "Instagram-statistieken in Meta Business Suite",
    "measure.rhythm": "maandelijks",
    "measure.owner": "Fatima van marketing",
}


def walk(chat: Chat, *, until: str | None = None, answers: dict[str, str] | None = None,
         on_ask: Callable[[dict], None] | None = None, limit: int = 100) -> list[str]:
    """Answer by typing (``answers`` over ``TYPED``) until question ``until`` is open, or
    until the flow is done when ``until`` is None. A step summary is continued with its
    button, an uncertain typed option ("Bedoel je ...?") is confirmed, an answer the coach
    pushes back on is kept. ``on_ask`` sees the
    user's row before each answer. Returns the ids of the questions answered, in order."""
    answers = {**TYPED, **(answers or {})}
    asked: list[str] = []
    for _ in range(limit):
        row = chat.user()
        if row["mode"] == "asking" and row["question_id"] == until:
            return asked
        if row["mode"] == "done":
            if until is None:
                return asked
            raise AssertionError(f"the flow finished before {until} was asked")
        if row["mode"] == "step_done":
            chat.press_data("n:continue")
        elif confirm := [b for b in chat.buttons() if b.startswith(("y:", "f:keep:"))]:
            chat.press_data(confirm[0])  # an uncertain option, or an answer the coach doubts
        else:
            if on_ask is not None:
                on_ask(row)
            asked.append(row["question_id"])
            chat.say(answers[row["question_id"]])
    raise AssertionError(f"never reached {until or 'the end'}; stuck at {dict(chat.user())}")


def with_kpis(user: Chat) -> Chat:
    """``user`` creates a library whose strategy has three KPIs and stops after step 5:
    Aanmeldingen (target 50), Bereik (1.200) and Reacties (12 %), all from 0, per week,
    in half a year."""
    user.create_library()
    walk(user, until="kpis.per_goal")
    for text in ("Aanmeldingen", "Bereik; Reacties", "0", "0", "0", "50", "1.200", "12%",
                 *["per week"] * 3, *["over een half jaar"] * 3):
        user.say(text)
        if keep := [b for b in user.buttons() if b.startswith("f:keep:")]:
            user.press_data(keep[0])  # reach and reactions are vanity KPIs: kept anyway
    return user


def kpi_key(db, library_id: int, name: str) -> str:
    """The stable key of the library's KPI called ``name`` (what measurements refer to)."""
    from coach.features.checkins.kpis import library_kpis

    return next(k.key for k in library_kpis(db, library_id) if k.name == name)
