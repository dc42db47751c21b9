"""A database from before KPIs had a period, a baseline and a deadline: it migrates,
and its KPIs get those asked once, gently, at their next check-in (issue 14)."""

from __future__ import annotations

from coach.features.checkins import kpis
from coach.storage import measurements
from coach.storage.migrations import MIGRATIONS, schema_version
from coach.wiring import open_coach
from tests.storage.test_migrations import drop_later_tables, undo_checkin_migrations
from tests.support.chat import Chat
from tests.support.walk import kpi_key, with_kpis

NEW = ("kpis.baseline", "kpis.period", "kpis.deadline")


def older_database(tmp_path, clock):
    """A library with three KPIs whose step 5 had only KPIs and targets, weekly values
    for Bereik and two answered suggestions, written by schema 8; reopened."""
    path = str(tmp_path / "coach.db")
    coach = open_coach(path, clock=clock)
    anna = with_kpis(Chat(coach, "test:anna", "Anna"))
    library_id = anna.user()["library_id"]
    marks = ",".join("?" * len(NEW))
    coach.db.execute(f"delete from answers where question_id in ({marks})", NEW)
    coach.db.execute(f"delete from library_answers where question_id in ({marks})", NEW)
    for week, value in (("2026-W45", 800), ("2026-W46", 900), ("2026-W47", 1000)):
        measurements.record(coach.db, library_id=library_id, week=week,
                            kpi=kpi_key(coach.db, library_id, "Bereik"),
                            value=value, percent=False, author=anna.user(), now=clock())
    for done in (1, 0):
        coach.db["suggestions"].insert({"library_id": library_id, "user_id": "test:anna",
                                        "step_id": "content_calendar", "kind": "action",
                                        "iso_week": "2026-W46", "done": done,
                                        "created_at": clock().isoformat()})
    coach.db.execute("update suggestions set answered_at = created_at")
    undo_checkin_migrations(coach.db)
    drop_later_tables(coach.db)  # what the later migrations made
    coach.db.execute("PRAGMA user_version = 8")  # before the check-ins' migrations
    coach.db.close()
    coach = open_coach(path, clock=clock)
    return coach, Chat(coach, "test:anna", "Anna"), library_id


def test_an_older_database_migrates(tmp_path, clock):
    coach, anna, library_id = older_database(tmp_path, clock)
    assert schema_version(coach.db) == len(MIGRATIONS)
    rows = measurements.values_for(coach.db, library_id, kpi_key(coach.db, library_id, "Bereik"))
    assert [(r["iso_week"], r["period"], r["value"]) for r in rows] == [
        ("2026-W45", "2026-W45", 800), ("2026-W46", "2026-W46", 900),
        ("2026-W47", "2026-W47", 1000)]
    outcomes = [r[0] for r in coach.db.execute("select outcome from suggestions order by id")]
    assert outcomes == ["done", "no_time"]
    found = kpis.library_kpis(coach.db, library_id)
    assert [(k.name, k.baseline, k.period, k.deadline) for k in found] == [
        ("Aanmeldingen", None, None, None), ("Bereik", None, None, None),
        ("Reacties", None, None, None)]


def test_missing_period_deadline_and_baseline_are_asked_once(tmp_path, clock):
    coach, anna, library_id = older_database(tmp_path, clock)
    anna.cmd("checkin")
    assert "Eerst nog iets over jullie KPI's" in anna.last
    assert "Nog één ding" in anna.last and "<b>Aanmeldingen</b> (50) per week" in anna.last
    assert [b.label for b in anna.replies[-1].buttons()] == [
        "Per week", "Per maand", "Totaal vóór een datum", "Later"]
    anna.press("Per week")
    assert "Wanneer wil je het doel voor <b>Aanmeldingen</b> gehaald hebben?" in anna.last
    anna.say("over 3 maanden")  # typed works as well as a button
    assert "Waar stond <b>Aanmeldingen</b> toen je begon" in anna.last  # no values: asked
    anna.say("veel")
    assert "lees ik niet als een getal" in anna.last
    anna.say("5")
    # Bereik has values: its first one is the baseline, without a question
    assert "Als beginwaarde van Bereik neem ik je eerste meting: 800 (week 45)." in anna.last
    assert "Nog één ding" not in anna.last  # said once
    anna.press("Per maand")
    anna.press("Eind van het jaar")
    assert "<b>Reacties</b>" in anna.last
    anna.press("Later")  # Reacties: not now, and not asked again
    found = {k.name: k for k in kpis.library_kpis(coach.db, library_id)}
    assert (found["Aanmeldingen"].period, found["Aanmeldingen"].baseline) == ("week", 5)
    assert (found["Bereik"].period, found["Bereik"].baseline) == ("month", 800)
    assert found["Reacties"].period is None
    skipped = {r[0] for r in coach.db.execute(
        "select question_id from answers where status = 'skipped' and item_key = ?",
        [found["Reacties"].key])}
    assert skipped == set(NEW)
    # then the values: all three are due in her first check-in of the month (Bereik,
    # monthly now, with October's total; Reacties at the team's rhythm: weekly, as step
    # 7 was not answered)
    assert "KPI 1 van 3: Aanmeldingen" in anna.last
    anna.say("stop")
    clock.advance(days=7)
    anna.cmd("checkin")
    assert "Nog één ding" not in anna.texts() and "Eerst nog iets" not in anna.texts()


def test_stale_setup_buttons_and_bad_input(tmp_path, clock):
    coach, anna, library_id = older_database(tmp_path, clock)
    anna.cmd("checkin")
    anna.press_data("ci:dl:m3")  # a deadline button while the period is asked
    assert "hoort bij een eerdere vraag" in anna.texts()
    anna.press_data("ci:per:forever")  # a forged option: a notice on the button
    assert "eerdere vraag" in anna.last or "Kies een van de knoppen" in anna.last
    anna.say("🎉")
    assert "Kies een van de knoppen" in anna.last
    anna.say("<b>per week</b>")
    assert "Kies een van de knoppen" in anna.last or "Wanneer" in anna.last
    assert coach.db.execute("select count(*) from kpi_asks").fetchone()[0] == 1
