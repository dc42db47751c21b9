"""The coaching engine end to end at the core: whole walks, teams, resuming."""

from __future__ import annotations

import json

import pytest

from coach.flow.library import library_answers
from coach.flow.model import load_flow
from coach.storage import items
from coach.wiring import open_coach
from tests.support.walk import TYPED, walk

FLOW = load_flow()


def current_answers(db, library_id):
    return list(
        db.query(
            "select * from answers where library_id = ? and superseded_at is null",
            [library_id],
        )
    )


def test_one_user_walks_all_seven_steps_and_every_answer_is_stored(chat, db):
    anna = chat("Anna")
    anna.create_library()
    asked = walk(anna)
    # every question asked, in flow order, foreach questions once per item
    assert [q for q in FLOW.order if q in asked] == list(FLOW.order)
    assert asked.count("kpis.per_goal") == 2  # two social-media goals
    assert asked.count("kpis.target") == 2  # two distinct KPIs
    assert asked.count("measure.per_tactic") == 2  # two tactics
    library_id = anna.user()["library_id"]
    rows = current_answers(db, library_id)
    assert len(rows) == len(asked)
    assert all(r["author_id"] == "test:anna" and r["status"] == "answered" for r in rows)
    texts = items.texts(db, library_id)  # the stable item keys, by their text
    stored = {(r["question_id"], texts.get(r["item_key"], r["item_key"])): json.loads(r["value"])
              for r in rows}
    assert stored[("goals.offline", "")] == ["Meer kinderen lid maken", "Taalcafé elke week vol"]
    assert stored[("audience.media", "")] == ["instagram", "facebook", "whatsapp"]
    assert stored[("measure.rhythm", "")] == "monthly"
    assert stored[("goals.focus", "")] == "Meer kinderen lid maken"  # goal 1, typed "1"
    assert stored[("kpis.target", "Nieuwe leden")]["value"] == 1200
    assert anna.templates()[-1] == "all_done"


@pytest.mark.parametrize(
    ("lang", "question", "header"),
    [("nl", "kpis.per_goal", "vraag 1 van 5 (doel 2 van 2)"),
     ("nl", "measure.per_tactic", "vraag 1 van 3 (tactiek 2 van 2)"),
     ("en", "kpis.target", "question 3 of 5 (KPI 2 of 2)")],
)
def test_a_question_asked_per_item_says_which_item_it_is_at(chat, lang, question, header):
    user = chat("Anna", lang_hint=lang)
    user.create_library()
    walk(user, until=question, answers={"measure.rhythm": "monthly"})
    user.say(TYPED[question])  # the first item's answer
    assert user.user()["question_id"] == question
    assert header in user.last


def test_each_step_ends_with_a_summary_and_an_offer_to_stop(chat):
    anna = chat("Anna")
    anna.create_library()
    for qid in ("goals.offline", "goals.online"):
        assert anna.user()["question_id"] == qid
        anna.say(TYPED[qid])
    anna.say(TYPED["goals.focus"])
    anna.say(TYPED["goals.hours"])
    assert anna.user()["mode"] == "step_done"
    assert "Stap 1 (Online en offline doelen) is klaar" in anna.last
    assert "Taalcafé elke week vol" in anna.last
    assert "genoeg voor vandaag" in anna.last
    anna.press("Genoeg voor vandaag")
    assert anna.user()["mode"] == "paused"
    anna.cmd("verder")
    assert "Stap 2 van 7" in anna.replies[0].text
    assert anna.user()["question_id"] == "audience.groups"


def test_two_colleagues_share_a_library_and_a_second_library_sees_nothing(coach, chat, db):
    anna = chat("Anna")
    anna.create_library("Bibliotheek Rivierenland")
    code = anna.invite_code()
    anna.say(TYPED["goals.offline"])

    bram = chat("Bram")
    bram.cmd("start", code)
    assert "Welkom bij" in bram.texts()
    assert bram.user()["role"] == "member"
    # Anna answered the first question for the library: Bram starts at the next one,
    # and his answer stands for the library until Anna decides
    assert bram.user()["question_id"] == "goals.online"
    bram.say("Meer jongeren online bereiken")
    (online,) = library_answers(db, anna.user()["library_id"], "goals.online")
    assert online["provisional"] and online["author_name"] == "Bram"
    bram.cmd("wijzig")
    bram.press_data("s:goals")
    bram.press("Offline doelen")
    assert "Meer kinderen lid maken" in bram.last and "Anna" in bram.last
    bram.say("Meer jongeren in de studiezaal")

    carla = chat("Carla")
    carla.create_library("Bibliotheek Zuidrand")
    assert "Anna" not in carla.last and "Bram" not in carla.last
    walk(carla)

    lib_a, lib_c = anna.user()["library_id"], carla.user()["library_id"]
    assert lib_a != lib_c
    team = {r["author_id"] for r in current_answers(db, lib_a)}
    assert library_answers(db, lib_a, "goals.offline")[0]["author_name"] == "Anna"
    assert team == {"test:anna", "test:bram"}
    assert {r["author_id"] for r in current_answers(db, lib_c)} == {"test:carla"}
    # both colleagues' answers to the same question are kept
    offline = [r for r in current_answers(db, lib_a) if r["question_id"] == "goals.offline"]
    assert len(offline) == 2
    # Carla's answers never show up in Anna's conversation
    anna.cmd("terug")
    assert "Carla" not in anna.texts()


def test_a_new_engine_on_the_same_database_file_resumes_at_the_same_question(tmp_path, clock):
    path = str(tmp_path / "coach.db")
    first = open_coach(path, clock=clock)
    from tests.support.chat import Chat

    anna = Chat(first, "test:anna", "Anna")
    anna.create_library()
    anna.say(TYPED["goals.offline"])
    anna.say(TYPED["goals.online"])
    asked_before = anna.last
    first.db.close()

    second = open_coach(path, clock=clock)
    anna = Chat(second, "test:anna", "Anna")
    anna.cmd("verder")
    assert anna.user()["question_id"] == "goals.focus"
    assert "Met welk doel wil je beginnen?" in anna.last
    assert "Met welk doel wil je beginnen?" in asked_before


def test_the_database_is_in_wal_mode_with_migrations_applied(tmp_path):
    coach = open_coach(str(tmp_path / "c.db"))
    assert coach.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    from coach.storage.migrations import MIGRATIONS, schema_version

    assert schema_version(coach.db) == len(MIGRATIONS)
    # opening again runs nothing twice
    again = open_coach(str(tmp_path / "c.db"))
    assert schema_version(again.db) == len(MIGRATIONS)


def test_english_speakers_get_the_whole_flow_in_english(chat):
    sam = chat("Sam", lang_hint="en-GB")
    sam.cmd("start")
    assert "I'm <b>Biebcoach</b>" in sam.last
    sam.press_data("l:new")
    sam.say("Example Library")
    assert "Step 1 of 7" in sam.texts()
    english = {**TYPED, "measure.rhythm": "monthly"}
    walk_en = []
    for _ in range(80):
        user = sam.user()
        if user["mode"] == "done":
            break
        if user["mode"] == "step_done":
            assert "enough for today" in sam.last or "carry on with step" in sam.last
            sam.press("Continue")
            continue
        if "Do you mean" in sam.last:
            sam.press("Yes")
            continue
        walk_en.append(user["question_id"])
        sam.say(english[user["question_id"]])
        assert "Stap " not in sam.last
    assert "You've worked through all seven steps" in sam.last
    # the last step's summary offers no "go on / enough for today": nothing follows
    summary, done = sam.replies[-2:]
    assert "Step 7 (Measuring) is done" in summary.text and summary.choices == []
    assert done.choices


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_every_button_press_in_a_walk_is_answered_with_valid_replies(chat, lang):
    """Walk the flow by pressing buttons wherever there are options."""
    user = chat("Dirk", lang_hint=lang)
    user.create_library()
    for _ in range(120):
        row = user.user()
        if row["mode"] == "done":
            break
        if row["mode"] == "step_done":
            user.press_data("n:continue")
            continue
        q = FLOW.question(row["question_id"])
        if q.kind == "choice":  # its own options, or the step-1 goals (options_from)
            user.press_data(next(b for b in user.buttons() if b.startswith("o:")))
        elif q.kind == "multi":
            user.press_data(f"o:{q.id}:{q.options[1].id}")
            assert user.replies[0].replace  # the keyboard is updated in place
            assert "✅" in user.replies[0].buttons()[1].label
            user.press_data(f"m:{q.id}")
        else:
            user.say(TYPED[q.id])
    assert user.user()["mode"] == "done"
