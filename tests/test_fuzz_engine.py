"""Property-based fuzzing of the engine: random texts, buttons (also forged) and commands
from several users of two libraries.

The engine never raises, every reply is valid Telegram HTML under 4096 characters with
buttons under 64 bytes, users always have a valid position, and no text typed in one
library ever reaches a member of the other.

Quick by default; ``FUZZ_EXAMPLES=2000 python -m pytest tests/test_fuzz_engine.py`` runs long.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coach.core.commands import COMMANDS
from coach.core.engine import Coach
from coach.core.events import Event
from coach.flow.model import load_flow
from coach.storage.db import open_db
from coach.storage.users import get_user
from coach.wiring import make_coach
from tests.support.chat import Clock, check_reply

FLOW = load_flow()
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "40"))
MODES = {"onboarding", "naming", "joining", "asking", "step_done", "paused", "done"}

USERS = ["fz:a1", "fz:a2", "fz:b1"]  # a1 and a2 share library A, b1 has library B
SECRET_A = "geheimA"

words = st.sampled_from(
    ["terug", "overslaan", "pauze", "verder", "help", "ja", "nee", "klaar", "insta, fb",
     "tieners", "ouders", "1.200", "12%", "-5", "twiter", "", "   ", "😀" * 50,
     "<b>x</b> & <script>", "a" * 5000, "**vet**", f"{SECRET_A}; doel"]
)
free_text = st.text(max_size=300)
commands = st.sampled_from(
    [c.nl for c in COMMANDS] + [c.en for c in COMMANDS] + ["onbekend", "START", "x" * 40]
)
forged = st.one_of(
    st.text(max_size=80),
    st.sampled_from(["n:back", "n:skip", "n:stop", "m:audience.groups", "y:goals.offline",
                     "x:audience.media", "k:goals.online", "s:goals", "e:kpis.target",
                     "r:goals", "l:new", "l:join", "g:en", "g:nl", "i:new",
                     "o:audience.groups:seniors", "o:measure.rhythm:weekly"]),
)
action = st.tuples(
    st.sampled_from(USERS),
    st.one_of(
        st.tuples(st.just("text"), st.one_of(words, free_text)),
        st.tuples(st.just("command"), commands),
        st.tuples(st.just("press_shown"), st.integers(0, 30)),
        st.tuples(st.just("choice"), forged),
        st.tuples(st.just("media"), st.sampled_from(["photo", "sticker", "voice", "edited"])),
    ),
)


def setup_team(coach: Coach) -> None:
    coach.handle(Event(user_id="fz:a1", name="A1", command="start"))
    coach.handle(Event(user_id="fz:a1", name="A1", choice="l:new"))
    coach.handle(Event(user_id="fz:a1", name="A1", text="Bieb A"))
    coach.handle(Event(user_id="fz:a1", name="A1", command="invite"))
    code = coach.db.execute("select code from invites").fetchone()[0]
    coach.handle(Event(user_id="fz:a2", name="A2", command="start", args=code))
    coach.handle(Event(user_id="fz:b1", name="B1", command="start"))
    coach.handle(Event(user_id="fz:b1", name="B1", choice="l:new"))
    coach.handle(Event(user_id="fz:b1", name="B1", text="Bieb B"))


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(action, min_size=1, max_size=25))
def test_random_conversations_never_break_the_engine(actions):
    coach = make_coach(open_db(":memory:"), clock=Clock())
    setup_team(coach)
    shown: dict[str, list[str]] = {u: [] for u in USERS}
    for user_id, (kind, payload) in actions:
        if kind == "text":
            if user_id == "fz:b1":  # only library A's members type A's secret
                payload = payload.replace(SECRET_A, "")
            event = Event(user_id=user_id, name=user_id, text=payload)
        elif kind == "command":
            event = Event(user_id=user_id, name=user_id, command=payload.lower())
        elif kind == "press_shown":
            if not shown[user_id]:
                continue
            data = shown[user_id][payload % len(shown[user_id])]
            event = Event(user_id=user_id, name=user_id, choice=data)
        elif kind == "choice":
            event = Event(user_id=user_id, name=user_id, choice=payload)
        else:
            event = Event(user_id=user_id, name=user_id, media=payload)
        replies = coach.handle(event)
        assert replies, f"no reply to {event}"
        shown[user_id] = [b.data for r in replies for b in r.buttons()] or shown[user_id]
        for reply in replies:
            check_reply(reply)
            if user_id == "fz:b1":
                assert SECRET_A not in reply.text
        user = get_user(coach.db, user_id)
        if user is None:  # the user asked to be forgotten
            continue
        assert user["mode"] in MODES | set(coach.registry.modes)  # features add modes (check-in)
        if user["mode"] == "asking":
            assert user["question_id"] in FLOW.questions
    # the two libraries stay apart
    b_lib = (get_user(coach.db, "fz:b1") or {}).get("library_id")
    for row in coach.db.query("select * from answers where library_id = ?", [b_lib]):
        assert row["author_id"] == "fz:b1"
