"""The library's KPIs from step 5, and measurements per ISO week with history."""

from __future__ import annotations

from datetime import date

from coach.features.checkins import kpis
from coach.storage import measurements
from tests.support.walk import walk


def test_kpis_come_from_step_5_with_their_goal_and_target(chat, db):
    anna = chat("Anna")
    anna.create_library()
    walk(anna, until="kpis.per_goal")
    anna.say("Aanmeldingen")
    anna.say("Bereik; Reacties")
    anna.press_data("f:keep:kpis.per_goal~1")  # vanity KPIs: the coach pushes back once
    for text in ("0", "20", "3%", "50", "1.200", "12%"):
        anna.say(text)
    anna.press("Per week")
    anna.press("Per maand")
    anna.press("Totaal")
    for label in ("3 maanden", "half jaar", "Eind van het jaar"):
        anna.press(label)
    found = kpis.library_kpis(db, anna.user()["library_id"])
    assert [(k.name, k.target, k.target_percent) for k in found] == [
        ("Aanmeldingen", 50, False), ("Bereik", 1200, False), ("Reacties", 12, True)]
    # clock: 2026-11-23; "end of the year" with more than a month left is this year's
    assert [(k.baseline, k.period, k.deadline) for k in found] == [
        (0, "week", date(2027, 2, 23)), (20, "month", date(2027, 5, 23)),
        (3, "total", date(2026, 12, 31))]
    assert found[0].goal == "50 aanmeldingen VoorleesExpress via Instagram vóór 1 juni"


def test_a_second_value_for_the_same_week_replaces_the_first_and_keeps_history(db, clock):
    anna = {"id": "t:a", "name": "Anna"}
    bram = {"id": "t:b", "name": "Bram"}
    measurements.record(db, library_id=1, kpi="Bereik", week="2026-W47", value=900, percent=False,
                        author=anna, now=clock())
    measurements.record(db, library_id=1, kpi="Bereik", week="2026-W48", value=1000, percent=False,
                        author=anna, now=clock())
    measurements.record(db, library_id=1, kpi="Bereik", week="2026-W48", value=1100, percent=False,
                        author=bram, now=clock())
    measurements.record(db, library_id=2, kpi="Bereik", week="2026-W48", value=5, percent=False,
                        author=bram, now=clock())
    assert [(r["iso_week"], r["value"]) for r in measurements.values_for(db, 1, "Bereik")] == [
        ("2026-W47", 900), ("2026-W48", 1100)]
    assert [r["value"] for r in measurements.values_for(db, 1, "Bereik", limit=1)] == [1100]
    assert db["measurements"].count == 4  # the replaced value is still there
    assert measurements.reported_in_week(db, 1, "2026-W48")["Bereik"]["author_name"] == "Bram"
