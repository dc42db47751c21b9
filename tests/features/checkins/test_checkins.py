"""Weekly check-ins at the core: schedules, exactly once per week, the conversation,
the next small step, /voortgang and the /settings section. Injected clock, real code."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from coach.core.engine import Coach
from coach.features.checkins.conversation import start_checkin
from coach.features.checkins.due import due_checkins
from coach.features.checkins.kpis import library_kpis
from coach.features.checkins.preferences import parse_date, parse_day_and_time
from coach.flow.agreement import contributed
from coach.flow.model import load_flow
from coach.storage import measurements
from coach.storage.answers import current_answers, save_answer
from coach.storage.libraries import create_library
from coach.storage.users import update_user
from coach.wiring import open_coach
from tests.support.chat import Chat, Clock, check_reply
from tests.support.walk import kpi_key, walk, with_kpis

SUNDAY = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)  # week 48 starts the next day
MONDAY_SLOT = datetime(2026, 11, 23, 8, 30, tzinfo=UTC)  # 09:30 CET


def colleague(anna: Chat, name: str) -> Chat:
    code = anna.invite_code()
    other = Chat(anna.coach, f"test:{name.lower()}", name)
    other.cmd("start", code)
    return other


def measured(db, library_id: int) -> dict[str, tuple[str, float, int, str]]:
    """KPI name → (week, value, percent, author) of the current measurements."""
    names = {k.key: k.name for k in library_kpis(db, library_id)}
    return {names.get(r["kpi"], r["kpi"]): (r["iso_week"], r["value"], r["percent"],
                                            r["author_name"])
            for r in db.query("select * from measurements where superseded_at is null"
                              " and library_id = ?", [library_id])}


def start(coach: Coach, chat: Chat, now: datetime) -> list:
    chat.replies = start_checkin(coach, chat.user_id, now)
    for reply in chat.replies:
        check_reply(reply)
    return chat.replies


# --------------------------------------------------------------------------- schedule


@pytest.mark.parametrize(
    "monday_before,monday_after",
    [
        # autumn: CEST (+2) to CET (+1) on Sunday 25 October 2026
        (datetime(2026, 10, 19, 7, 30, tzinfo=UTC), datetime(2026, 10, 26, 8, 30, tzinfo=UTC)),
        # spring: CET (+1) to CEST (+2) on Sunday 29 March 2026
        (datetime(2026, 3, 23, 8, 30, tzinfo=UTC), datetime(2026, 3, 30, 7, 30, tzinfo=UTC)),
    ],
)
def test_the_weekly_slot_keeps_0930_local_across_daylight_saving(
    coach, clock, chat, monday_before, monday_after
):
    clock.now = monday_before - timedelta(days=3)
    anna = chat("Anna")
    anna.create_library()
    minute = timedelta(minutes=1)
    assert due_checkins(coach, monday_before - minute) == []
    assert due_checkins(coach, monday_before) == ["test:anna"]
    assert start(coach, anna, monday_before)
    assert due_checkins(coach, monday_before + timedelta(hours=5)) == []  # once a week
    # a week later the UTC time differs by an hour, the local time is 09:30 again
    shifted = monday_before + timedelta(days=7)
    assert shifted != monday_after
    assert due_checkins(coach, min(shifted, monday_after) - minute) == []
    assert due_checkins(coach, monday_after - minute) == []
    assert due_checkins(coach, monday_after) == ["test:anna"]


def test_a_restart_catches_up_a_missed_checkin_once(tmp_path):
    path = str(tmp_path / "coach.db")
    clock = Clock(SUNDAY)
    first = open_coach(path, clock=clock)
    anna = Chat(first, "test:anna", "Anna")
    anna.create_library()
    first.db.close()  # the bot goes down before Monday 09:30 ...

    clock.now = datetime(2026, 11, 25, 14, 0, tzinfo=UTC)  # ... and is back on Wednesday
    second = open_coach(path, clock=clock)
    assert due_checkins(second, clock.now) == ["test:anna"]
    assert start_checkin(second, "test:anna", clock.now)
    second.db.close()

    third = open_coach(path, clock=clock)  # another restart the same week: nothing again
    assert due_checkins(third, clock.now) == []
    assert start_checkin(third, "test:anna", clock.now) == []
    # down for two weeks: one check-in for the current week, none for the missed ones
    clock.now += timedelta(days=15)
    assert due_checkins(third, clock.now) == ["test:anna"]
    assert start_checkin(third, "test:anna", clock.now)
    assert due_checkins(third, clock.now) == []
    weeks = [r["iso_week"] for r in third.db.query("select iso_week from checkins")]
    assert weeks == ["2026-W48", "2026-W50"]


def test_a_kill_in_the_middle_of_a_batch_never_sends_anyone_two(tmp_path):
    path = str(tmp_path / "coach.db")
    clock = Clock(SUNDAY)
    coach = open_coach(path, clock=clock)
    anna = Chat(coach, "test:anna", "Anna")
    anna.create_library()
    code = anna.invite_code()
    for name in ("Bram", "Carla", "Dirk", "Eva"):
        Chat(coach, f"test:{name.lower()}", name).cmd("start", code)
    clock.now = MONDAY_SLOT + timedelta(minutes=1)
    batch = due_checkins(coach, clock.now)
    assert len(batch) == 5
    sent = [u for u in batch[:2] if start_checkin(coach, u, clock.now)]
    # killed here: the third member was claimed, but the process died before sending
    coach.db.execute("insert into checkins (user_id, library_id, iso_week, source, claimed_at)"
                     " values (?, 1, '2026-W48', 'schedule', 'x')", [batch[2]])
    coach.db.conn.commit()
    del coach

    restarted = open_coach(path, clock=clock)
    rest = due_checkins(restarted, clock.now)
    assert rest == batch[3:]  # not the two sent, not the claimed one (at most once)
    sent += [u for u in rest if start_checkin(restarted, u, clock.now)]
    for user_id in batch:
        assert start_checkin(restarted, user_id, clock.now) == []
    assert sorted(sent) == sorted(batch[:2] + batch[3:])
    counts = restarted.db.execute(
        "select user_id, count(*) from checkins group by user_id").fetchall()
    assert len(counts) == 5 and all(n == 1 for _, n in counts)


def test_pause_stop_and_own_day(coach, clock, chat):
    clock.now = SUNDAY
    anna = chat("Anna")
    anna.create_library()
    bram = colleague(anna, "Bram")
    bram.cmd("settings")
    assert "maandag om 09:30" in bram.texts() and "cs:library" not in bram.buttons()
    bram.press_data("cs:pause")
    bram.say("morgen misschien")
    assert "Die datum lees ik niet" in bram.last
    bram.say("1-1-2020")
    assert "na vandaag" in bram.last
    bram.say("2 weken")  # check-ins come again on Sunday 6 December
    assert "Gepauzeerd tot 6-12-2026" in bram.last
    anna.cmd("settings")
    anna.press_data("cs:stop")
    assert "staan uit" in anna.last
    clock.now = MONDAY_SLOT + timedelta(hours=1)
    assert due_checkins(coach, clock.now) == []
    # a paused member can still check in by hand, and hears about the pause
    bram.cmd("checkin")
    assert "op pauze tot 6-12-2026" in bram.replies[0].text
    clock.now += timedelta(days=14)  # Monday 7 December: the pause is over
    assert due_checkins(coach, clock.now) == ["test:bram"]
    anna.press_data("cs:start")
    assert due_checkins(coach, clock.now) == ["test:anna", "test:bram"]
    # an own day chosen on Monday afternoon does not fire for the passed Monday slot
    anna.press_data("cs:own")
    anna.say("dinsdag 10u")
    assert "dinsdag om 10:00 (je eigen keuze)" in anna.last
    assert due_checkins(coach, clock.now) == ["test:bram"]
    assert due_checkins(coach, clock.now + timedelta(hours=24)) == ["test:anna", "test:bram"]
    anna.press_data("cs:reset")
    assert "maandag om 09:30 (zoals de bibliotheek)" in anna.last
    assert due_checkins(coach, clock.now) == ["test:bram"]  # back to Monday: next week
    assert due_checkins(coach, clock.now + timedelta(days=7)) == ["test:anna", "test:bram"]


def test_the_coordinator_sets_the_library_schedule(coach, clock, chat):
    clock.now = SUNDAY
    anna = chat("Anna")
    anna.create_library()
    bram = colleague(anna, "Bram")
    bram.press_data("cs:library")
    assert "coördinator" in bram.last
    anna.cmd("settings")
    anna.press_data("cs:library")
    anna.say("woensdag")  # only a day: the time stays 09:30
    assert "Bibliotheek: woensdag om 09:30" in anna.last
    assert due_checkins(coach, MONDAY_SLOT + timedelta(days=1)) == []
    wednesday = datetime(2026, 11, 25, 8, 30, tzinfo=UTC)
    assert due_checkins(coach, wednesday) == ["test:anna", "test:bram"]


def test_a_blocked_user_is_not_retried_until_they_write_again(coach, clock, chat):
    clock.now = SUNDAY
    anna = chat("Anna")
    anna.create_library()
    clock.now = MONDAY_SLOT
    assert start_checkin(coach, "test:anna", clock.now)
    coach.mark_unreachable("test:anna")  # Telegram said Forbidden
    clock.now += timedelta(days=7)
    assert due_checkins(coach, clock.now) == []
    clock.advance(minutes=5)
    anna.cmd("help")  # wrote to the bot again (unblocked): any message counts
    assert due_checkins(coach, clock.now) == ["test:anna"]


@pytest.mark.parametrize("typed,expected", [
    ("dinsdag 10:00", (1, "10:00")), ("elke vrijdag om 9u", (4, "09:00")),
    ("Monday 2pm", (0, "14:00")), ("14.30", (None, "14:30")), ("zo", (6, None)),
    ("morgen", None), ("dinsdag 25:00", None),
])
def test_typed_day_and_time(typed, expected):
    found = parse_day_and_time(typed)
    if expected is None:
        assert found is None
    else:
        assert (found[0], found[1].strftime("%H:%M") if found[1] else None) == expected


@pytest.mark.parametrize("typed,expected", [
    ("2027-01-05", date(2027, 1, 5)), ("5-1", date(2027, 1, 5)), ("5/1/2027", date(2027, 1, 5)),
    ("5 januari", date(2027, 1, 5)), ("5 Jan 2027", date(2027, 1, 5)),
    ("30 november", date(2026, 11, 30)), ("3 weken", date(2026, 12, 14)),
    ("10 days", date(2026, 12, 3)), ("31-2", None), ("volgende week", None),
])
def test_typed_pause_dates(typed, expected):
    assert parse_date(typed, date(2026, 11, 23)) == expected


# --------------------------------------------------------------------------- conversation


@pytest.mark.parametrize("typed,value,percent", [
    ("1.200", 1200, 0), ("1,200", 1200, 0), ("1,5", 1.5, 0), ("12%", 12, 1),
    ("12,5 procent", 12.5, 1), ("1200 views", 1200, 0), ("ca. 300", 300, 0), ("2K", 2000, 0),
    ("nul", 0, 0), ("1 200", 1200, 0),
])
def test_each_number_format_is_stored(chat, db, typed, value, percent):
    anna = with_kpis(chat("Anna"))
    anna.cmd("checkin")
    assert "KPI 1 van 3: Aanmeldingen" in anna.last and "Doel: 50" in anna.last
    anna.say(typed)
    assert "KPI 2 van 3: Bereik" in anna.last
    assert measured(db, anna.user()["library_id"]) == {
        "Aanmeldingen": ("2026-W48", value, percent, "Anna")}


@pytest.mark.parametrize("typed,message", [
    ("veel", "lees ik niet als een getal"), ("12-15", "meer dan één getal"),
    ("300 en 400", "meer dan één getal"), ("🎉", "lees ik niet als een getal"),
    ("12abc", "lees ik niet als een getal"), ("9" * 70, "te groot"),
])
def test_text_where_a_number_is_expected_is_asked_again_with_an_example(
    chat, db, typed, message
):
    anna = with_kpis(chat("Anna"))
    anna.cmd("checkin")
    anna.say(typed)
    assert message in anna.last
    assert "bijvoorbeeld 1.200" in anna.last and "KPI 1 van 3: Aanmeldingen" in anna.last
    assert measured(db, anna.user()["library_id"]) == {}
    anna.say("")  # empty: the question again
    assert "KPI 1 van 3" in anna.last


@pytest.mark.parametrize("skip_first,typed,warning", [
    (0, "-5", "negatief"), (0, "5001", "meer dan 100 keer het doel (50)"),
    (2, "150%", "meer dan 100%"), (2, "150", "meer dan 100%"),
])
def test_negative_or_absurd_values_get_a_warning_and_a_chance_to_correct(
    chat, db, skip_first, typed, warning
):
    anna = with_kpis(chat("Anna"))
    anna.cmd("checkin")
    for _ in range(skip_first):
        anna.press("Overslaan")
    anna.say(typed)
    assert warning in anna.last
    library_id = anna.user()["library_id"]
    assert measured(db, library_id) == {}
    anna.press("Verbeteren")
    assert "typ de waarde nog eens" in anna.last
    assert measured(db, library_id) == {}
    anna.say(typed)
    anna.say("40")  # a corrected value instead of confirming
    names = {k.key: k.name for k in library_kpis(db, anna.user()["library_id"])}
    kpi = [(names[key], value) for key, value in
           anna.coach.db.execute("select kpi, value from measurements").fetchall()]
    assert kpi == [("Reacties" if skip_first else "Aanmeldingen", 40)]
    if not skip_first:
        anna.say("-5")  # Bereik
        anna.press("Klopt")  # really: stored as typed
        assert measured(db, library_id)["Bereik"][1] == -5


def test_a_kpi_can_be_skipped_and_the_checkin_can_be_stopped(chat, db):
    anna = with_kpis(chat("Anna"))
    anna.cmd("checkin")
    anna.press("Overslaan")
    anna.say("overslaan")
    assert "KPI 3 van 3: Reacties" in anna.last
    anna.say("stop")
    assert anna.templates()[-1] == "checkins.stopped"
    assert anna.user()["mode"] == "step_done"  # back where she was
    assert measured(db, anna.user()["library_id"]) == {}


def test_two_colleagues_report_the_same_week(coach, chat, db, clock):
    anna = with_kpis(chat("Anna"))
    bram = colleague(anna, "Bram")
    library_id = anna.user()["library_id"]
    anna.cmd("checkin")
    bram.cmd("checkin")  # both see Aanmeldingen first
    anna.say("30")
    anna.say("1.000")
    bram.say("35")  # the week has Anna's value now: replace it? (hers stays in history)
    assert "Anna gaf voor week 48 al 30 door voor Aanmeldingen. Vervangen door 35?" in bram.last
    bram.press("Vervangen")
    assert "Anna gaf Bereik net al door" not in bram.last and "KPI 2 van 3: Bereik" in bram.last
    bram.press("Overslaan")  # Anna's 1.000 stays
    assert "KPI 3 van 3: Reacties" in bram.last
    bram.say("10%")
    now = measured(db, library_id)
    assert now["Aanmeldingen"] == ("2026-W48", 35, 0, "Bram")
    assert now["Bereik"][3] == "Anna" and now["Reacties"][3] == "Bram"
    history = [r["value"] for r in db.query(
        "select value from measurements where kpi = ? order by id",
        [kpi_key(db, library_id, "Aanmeldingen")])]
    assert history == [30, 35]
    # Carla joins later: the check-in says what colleagues reported and asks nothing
    carla = colleague(anna, "Carla")
    carla.cmd("checkin")
    assert "Je collega's gaven al door" in carla.texts()
    assert "Aanmeldingen: 35 (Bram)" in carla.texts()
    assert "Je volgende kleine stap" in carla.last and carla.user()["mode"] != "checkin"


def test_colleagues_reported_some_kpis_so_only_the_rest_is_asked(chat, db):
    anna = with_kpis(chat("Anna"))
    bram = colleague(anna, "Bram")
    anna.cmd("checkin")
    anna.say("30")
    anna.say("stop")
    bram.cmd("checkin")
    assert "Aanmeldingen: 30 (Anna)" in bram.last
    assert "KPI 1 van 2: Bereik" in bram.last


def test_a_checkin_answered_a_week_late_goes_to_its_own_week(chat, db, clock):
    anna = with_kpis(chat("Anna"))
    anna.cmd("checkin")
    clock.advance(days=8)  # week 49 now
    anna.say("30")
    assert "voor <b>week 48</b>" in anna.last  # the next question says which week
    assert measured(db, anna.user()["library_id"])["Aanmeldingen"][0] == "2026-W48"


def test_a_kpi_deleted_after_the_checkin_was_sent_is_skipped(chat, db, clock):
    anna = with_kpis(chat("Anna"))
    library_id = anna.user()["library_id"]
    anna.cmd("checkin")
    for row in current_answers(db, library_id, "kpis.per_goal"):  # a colleague edits
        value = [v for v in row["value"] if v != "Aanmeldingen"] or ["Bereik"]
        answer_id = save_answer(db, library_id=library_id, question_id="kpis.per_goal",
                                item_key=row["item_key"], author=anna.user(),
                                status="answered", value=value, now=clock())
        contributed(db, load_flow(), library_id, anna.user(), answer_id, clock())
    anna.say("30")
    assert "„Aanmeldingen” bestaat niet meer" in anna.last
    assert "KPI 2 van 3: Bereik" in anna.last
    assert measured(db, library_id) == {}


@pytest.mark.parametrize("elsewhere", [False, True])
def test_a_member_who_left_the_library_stores_nothing(coach, chat, db, clock, elsewhere):
    anna = with_kpis(chat("Anna"))
    bram = colleague(anna, "Bram")
    bram.cmd("checkin")
    other = create_library(db, "Bieb Elders", "test:zed", clock()) if elsewhere else None
    update_user(db, "test:bram", clock(), library_id=other, role=None)
    bram.say("30")
    assert measured(db, anna.user()["library_id"]) == {}
    if elsewhere:
        assert "niet meer bij hoort" in bram.texts()
        assert bram.user()["mode"] != "checkin"
    else:
        assert "Nieuwe bibliotheek" in " ".join(b.label for r in bram.replies
                                                for b in r.buttons())
    bram.press_data("ci:skip:3")
    assert db["measurements"].count == 0


def test_stale_and_forged_buttons(chat, db):
    anna = with_kpis(chat("Anna"))
    anna.cmd("checkin")
    anna.say("30")
    before = anna.user()
    anna.press_data("ci:skip:3")  # the skip button of the first question
    # only a notice (Telegram shows it on the button); the open question stays open
    assert [r.notice for r in anna.replies] == [True]
    assert "eerdere vraag" in anna.replies[0].text
    assert {k: v for k, v in anna.user().items() if k != "updated_at"} == {
        k: v for k, v in before.items() if k != "updated_at"}
    anna.press_data("ci:ok:2")  # nothing to confirm
    assert "KPI 2 van 3" in anna.last or anna.replies[0].notice
    anna.press_data("ci:nonsense")
    anna.press_data("cs:nonsense")
    assert db["measurements"].count == 1


# --------------------------------------------------------------------------- next step


def test_unfinished_strategy_first_and_continue_returns_to_the_question(chat, db):
    anna = with_kpis(chat("Anna"))
    anna.press("Verder")  # on to step 6, which listens first
    assert anna.user()["question_id"] == "tactics.listening"
    anna.cmd("checkin")
    for _ in range(3):
        anna.press("Overslaan")
    assert "Je volgende kleine stap" in anna.last and "Beantwoord deze vraag" in anna.last
    row = db.execute("select step_id, kind from suggestions").fetchone()
    assert row == ("tactics.listening", "strategy")
    anna.press("Verder")
    assert anna.user()["mode"] == "asking" and anna.user()["question_id"] == "tactics.listening"
    assert "Stap 6 van 7" in anna.last


def test_no_kpis_yet_gives_a_short_nudge_with_the_next_strategy_step(chat, db):
    anna = chat("Anna")
    anna.create_library()
    anna.say("Meer jeugdleden")
    anna.cmd("checkin")
    assert len(anna.replies) == 1
    assert "Nog geen KPI's" in anna.last and "Beantwoord deze vraag" in anna.last
    assert anna.user()["mode"] == "asking"  # nothing to ask: no check-in conversation
    anna.press("Verder")
    assert anna.user()["question_id"] == "goals.online"
    anna.cmd("voortgang")
    assert "nog geen KPI's" in anna.last and anna.replies[0].draw_photo() is None


def finished_library(chat, kpi: str = "Reacties") -> Chat:
    anna = chat("Anna")
    anna.create_library()
    walk(anna, answers={"kpis.per_goal": kpi})
    return anna


def test_falling_engagement_suggests_an_engagement_action(chat, db, clock):
    anna = finished_library(chat, "Reacties")
    library_id = anna.user()["library_id"]
    for week, value in (("2026-W44", 80), ("2026-W45", 60), ("2026-W46", 40)):
        measurements.record(
            db, library_id=library_id, kpi=kpi_key(db, library_id, "Reacties"),
            week=week, value=value,
                            percent=False, author=anna.user(), now=clock())
    anna.cmd("checkin")
    assert "Vorige waarde: 40 (week 46)" in anna.last and "dalend" in anna.last
    anna.say("20")
    step = db.execute("select step_id, kind from suggestions").fetchone()
    assert step == ("engagement_reel_booktips", "action")  # Instagram is a chosen channel
    assert "Je volgende kleine stap" in anna.last


def test_a_done_step_is_never_suggested_again(chat, db, clock):
    anna = finished_library(chat, "Bereik")
    anna.cmd("checkin")
    anna.say("1.000")
    first = db.execute("select step_id from suggestions").fetchone()[0]
    clock.advance(days=7)
    anna.cmd("checkin")
    assert "Is dat gelukt?" in anna.last
    anna.say("nee")  # not done: it may come again
    anna.say("1.000")
    clock.advance(days=7)
    anna.cmd("checkin")
    anna.press_data("ci:yes")
    assert "goed bezig" in anna.last
    anna.say("1.000")
    for _ in range(4):
        clock.advance(days=7)
        anna.cmd("checkin")
        anna.say("ja")
        anna.say("1.000")
    rows = db.execute("select step_id, done from suggestions order by id").fetchall()
    assert rows[0] == (first, 0) and rows[1][1] == 1 and len(rows) == 7
    for i, (step_id, _) in enumerate(rows):
        assert step_id not in {s for s, done in rows[:i] if done == 1}, rows
    assert len({s for s, _ in rows[1:]}) == 6  # each week something new, none repeated


# --------------------------------------------------------------------------- progress


def test_progress_shows_a_chart_and_a_text_table(chat, db, clock):
    anna = with_kpis(chat("Anna"))
    library_id = anna.user()["library_id"]
    anna.cmd("voortgang")
    assert "Nog geen metingen" in anna.last and anna.replies[0].draw_photo() is None
    for week, value in (("2026-W46", 900), ("2026-W47", 1000), ("2026-W48", 1250)):
        measurements.record(
            db, library_id=library_id, kpi=kpi_key(db, library_id, "Bereik"),
            week=week, value=value,
                            percent=False, author=anna.user(), now=clock())
    anna.cmd("progress")
    reply = anna.replies[0]
    png = reply.draw_photo()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 5000
    assert "<b>Bereik</b>, doel 1.200 per week vóór 23-5-2027, 📈 stijgend" in reply.text
    assert "week 48: 1.250" in reply.text and "nog geen metingen" in reply.text
    anna.cmd("overview")  # the old alias "progress" is /voortgang now; overview stays
    assert "jullie strategie tot nu toe" in anna.last


def test_the_checkin_speaks_english_too(chat, db):
    ann = chat("Ann", lang_hint="en")
    ann.create_library()
    walk(ann, until="kpis.per_goal")
    for text in ("Sign-ups", "Reach", "f:keep:kpis.per_goal~1", "0", "0", "50", "1,200",
                 "per week", "per week", "in half a year", "in half a year"):
        ann.press_data(text) if text.startswith("f:") else ann.say(text)  # reach: kept
    ann.cmd("checkin")
    assert "Weekly check-in · week 48" in ann.last and "KPI 1 of 2: Sign-ups" in ann.last
    ann.say("1,200.5")  # English notation: one thousand two hundred and a half
    assert "Sign-ups: 1,200.5 saved" in ann.last
    ann.say("lots")
    assert "can't read that as a number" in ann.last
    ann.press("Skip")
    assert "Your next small step" in ann.last and "Skipped: Reach" in ann.last
    ann.cmd("progress")
    assert "Progress per KPI" in ann.last and ann.replies[0].draw_photo()
    ann.cmd("settings")
    assert "Your check-in: Monday at 09:30" in ann.texts()
