"""Each KPI at its own rhythm, progress that means something and the projection, on a
simulated clock over 16 weeks (issue 14, points 1-3 and 5)."""

from __future__ import annotations

import re
from datetime import date

import pytest

from coach.features.checkins import kpis
from coach.features.checkins.chart_png import chart_drawing
from coach.features.checkins.progress import chart_series
from coach.features.checkins.projection import least_squares, project
from coach.features.checkins.rhythm import index, week_key
from coach.storage import measurements
from tests.features.checkins.test_checkins import colleague
from tests.support.walk import kpi_key, walk

ASKED = re.compile(r"KPI \d+ (?:van|of) \d+: ([^<]+)</b>")
# a weekly KPI (from 10 to 50 per week) and a monthly one (from 20 to 200 per month),
# both within half a year: the user, the KPIs' names and the buttons, per language
TWO_RHYTHMS = {
    "nl": ("Anna", ("Aanmeldingen", "Nieuwe leden"),
           ("Per week", "Per maand", "half jaar", "half jaar")),
    "en": ("Ann", ("Sign-ups", "New members"),
           ("Per week", "Per month", "half a year", "half a year")),
}


def values_of(db, library_id: int, name: str) -> list[dict]:
    """The current values of the library's KPI called ``name``."""
    return measurements.values_for(db, library_id, kpi_key(db, library_id, name))


def two_rhythms(chat, lang: str = "nl"):
    """A coordinator whose library has the KPIs of ``TWO_RHYTHMS`` (Aanmeldingen weekly,
    Nieuwe leden monthly, in Dutch)."""
    name, kpi_names, labels = TWO_RHYTHMS[lang]
    anna = chat(name, lang_hint=None if lang == "nl" else lang)
    anna.create_library()
    walk(anna, until="kpis.per_goal")
    for text in (*kpi_names, "10", "20", "50", "200"):
        anna.say(text)
    for label in labels:
        anna.press(label)
    assert anna.user()["question_id"] == "tactics.listening"
    return anna


def checked_in(anna, *values: str):
    """``anna`` after a check-in now, answered with ``values``."""
    anna.cmd("checkin")
    for value in values:
        anna.say(value)
    return anna


def weekly_checkins(anna, clock, values, monthly: str = "25") -> list[str]:
    """A check-in a week, with the weekly KPI's next value and, when it is asked, the
    monthly total ``monthly``; returns what the coach said after each weekly value."""
    said = []
    for value in values:
        anna.cmd("checkin")
        anna.say(str(value))
        said.append(anna.texts())
        if anna.user()["mode"] == "checkin":  # the monthly KPI is asked too
            anna.say(monthly)
        clock.advance(days=7)
    return said


def asked(chat) -> list[str]:
    return ASKED.findall(chat.texts())


def test_a_weekly_and_a_monthly_kpi_over_16_weeks(chat, db, clock):
    anna = two_rhythms(chat)
    library_id = anna.user()["library_id"]
    found = {k.name: k for k in kpis.library_kpis(db, library_id)}
    assert found["Aanmeldingen"].period == "week" and found["Nieuwe leden"].period == "month"
    assert found["Aanmeldingen"].deadline == date(2027, 5, 23)
    monthly_asked, month = [], 0
    for week in range(16):
        anna.cmd("checkin")
        today = clock().date()
        names = asked(anna)
        assert names[0] == "Aanmeldingen"
        weekly_value = 10 + 2 * week
        anna.say(str(weekly_value))
        if len(values_of(db, library_id, "Aanmeldingen")) < 3:
            assert "Nog te weinig waarden voor een verwachting" in anna.texts()
        if "Nieuwe leden" in asked(anna):
            monthly_asked.append(today)
            assert "Wat was het totaal van" in anna.last
            anna.say(str(20 + 5 * month))
            month += 1
        else:
            assert "Deze week alleen: <b>Aanmeldingen</b>" in " ".join(
                r.text for r in anna.replies) or week > 0
        assert anna.user()["mode"] != "checkin"
        clock.advance(days=7)
    # asked in the first check-in of each month only: 23 Nov, 7 Dec, 4 Jan, 1 Feb, 1 Mar
    assert monthly_asked == [date(2026, 11, 23), date(2026, 12, 7), date(2027, 1, 4),
                             date(2027, 2, 1), date(2027, 3, 1)]
    # each monthly total landed in the month it is for: the month before the check-in
    months = [r["period"] for r in values_of(db, library_id, "Nieuwe leden")]
    assert months == ["2026-10", "2026-11", "2026-12", "2027-01", "2027-02"]
    weeks = [r["period"] for r in values_of(db, library_id, "Aanmeldingen")]
    assert len(weeks) == 16 and weeks[0] == "2026-W48" and weeks[-1] == "2027-W10"
    # the weekly KPI: 40 of 50, slope 2 a week: 50 in week 15 of 2027 (by 18 April), in
    # time for 23 May; the monthly one: 40 of 200 in February, 5 a month: 160 / 5 = 32
    # months later, October 2029, not by the deadline
    anna.cmd("voortgang")
    text = anna.replies[0].text
    assert "40 van 50 per week, 75% op weg vanaf 10 (week 10)." in text
    assert "✅ Op dit tempo haal je 50 rond april, op tijd voor 23-5-2027." in text
    assert "40 van 200 per maand, 11% op weg vanaf 20 (februari)." in text
    assert "⚠️ Op dit tempo haal je het niet vóór 23-5-2027 (pas rond oktober 2029)." in text


@pytest.mark.parametrize(("lang", "only", "later"), [
    ("nl", "Deze week alleen: <b>Aanmeldingen</b>.",
     "Nieuwe leden vraag ik in de eerste check-in van de maand, met het totaal van die maand."),
    ("en", "This week only: <b>Sign-ups</b>.",
     "I'll ask New members in the first check-in of the month"),
])
def test_the_week_says_which_kpis_it_asks(chat, clock, lang, only, later):
    anna = two_rhythms(chat, lang)
    anna.cmd("checkin")  # 23 November: both (October's total)
    assert only.split(":")[0] not in anna.last
    anna.say("12")
    anna.say("25")
    clock.advance(days=7)
    anna.cmd("checkin")  # 30 November: only the weekly one
    assert only in anna.last and later in anna.last
    assert asked(anna) == [TWO_RHYTHMS[lang][1][0]]


def test_a_second_entry_for_the_same_period_asks_to_replace(chat, db, clock):
    anna = checked_in(two_rhythms(chat), "12", "25")
    library_id = anna.user()["library_id"]
    anna.cmd("checkin")  # the same week again: her own values are asked again, to correct
    assert "Je gaf voor week 48 al 12 door; typ een nieuwe waarde" in anna.last
    anna.say("14")
    assert "Je gaf voor week 48 al 12 door voor Aanmeldingen. Vervangen door 14?" in anna.last
    anna.press("Vervangen")
    assert "Aanmeldingen: 14 bewaard voor week 48" in anna.last
    assert "Je gaf voor oktober al 25 door" in anna.last
    anna.say("30")
    anna.press("Laten staan")
    assert "blijft staan" in anna.last
    rows = values_of(db, library_id, "Aanmeldingen")
    assert [(r["period"], r["value"]) for r in rows] == [("2026-W48", 14)]
    assert [r["value"] for r in values_of(db, library_id, "Nieuwe leden")] == [25]
    assert db["measurements"].count == 3  # the replaced 12 stays in the history
    # typed "ja" / "nee" work as well as the buttons
    anna.cmd("checkin")
    anna.say("15")
    anna.say("ja")
    anna.say("26")
    anna.say("nee")
    assert [r["value"] for r in values_of(db, library_id, "Aanmeldingen")] == [15]


def test_own_values_are_not_shown_as_colleagues(chat, db, clock):
    anna = two_rhythms(chat)
    bram = colleague(anna, "Bram")
    checked_in(anna, "12", "stop")
    bram.cmd("checkin")
    assert "Je collega's gaven al door:\n• Aanmeldingen: 12 (Anna)" in bram.last
    bram.say("25")
    clock.advance(days=1)
    anna.cmd("checkin")  # again this week: her own value is hers, Bram's is a colleague's
    first = anna.replies[0].text
    assert "(Anna)" not in first
    assert "Je collega's gaven al door:\n• Nieuwe leden: 25 (Bram)" in first


def test_the_coordinators_first_checkin_of_the_month_sums_up_the_team(chat, db, clock):
    anna = two_rhythms(chat)
    bram = colleague(anna, "Bram")
    checked_in(anna, "12", "25")
    assert "Teamoverzicht" not in anna.texts()  # nothing to sum up yet
    for _ in range(2):  # 30 November and 7 December
        clock.advance(days=7)
        bram.cmd("checkin")
        bram.say("16")
        if "Nieuwe leden" in asked(bram):
            bram.say("30")
    clock.advance(hours=2)
    anna.cmd("checkin")  # 7 December: her first of the month
    first = anna.replies[0].text
    assert "<b>📊 Teamoverzicht van de maand</b>" in first
    assert "• Aanmeldingen: 16 van 50 (15%)" in first
    assert "• Nieuwe leden: 30 van 200 (6%)" in first
    assert "Kleine stappen de afgelopen maand:" in first and "Geen open beslissingen." in first
    bram.cmd("checkin")  # a member gets no summary
    assert "Teamoverzicht" not in bram.texts()
    clock.advance(days=7)
    anna.cmd("checkin")  # 14 December: not her first of the month
    assert "Teamoverzicht" not in anna.texts()


def test_projection_by_hand():
    # 10, 14, 15, 21 in weeks 1-4 of 2027: x = 0..3, mean 1.5 and 15; slope =
    # (-1.5*-5 + -0.5*-1 + 0.5*0 + 1.5*6) / (2.25+0.25+0.25+2.25) = 17 / 5 = 3.4, so the
    # line is 9.9 + 3.4x; it reaches 50 at x = 40.1 / 3.4 = 11.79, in week 1 + 12 = week
    # 13 of 2027, which ends on Sunday 4 April 2027
    points = [("2027-W01", 10.0), ("2027-W02", 14.0), ("2027-W03", 15.0), ("2027-W04", 21.0)]
    intercept, slope = least_squares([(i, v) for i, (_, v) in enumerate(points)])
    assert (round(intercept, 6), round(slope, 6)) == (9.9, 3.4)
    on = project(points, 50, date(2027, 6, 1), baseline=10)
    assert (on.status, on.when, on.used) == ("on_track", date(2027, 4, 4), 4)
    off = project(points, 50, date(2027, 3, 1), baseline=10)
    assert (off.status, off.when) == ("off_track", date(2027, 4, 4))
    assert project(points[:2], 50, date(2027, 6, 1)).status == "too_few"
    assert project(points, 20, None).status == "reached"
    falling = [("2027-01", 30.0), ("2027-02", 25.0), ("2027-03", 20.0)]
    assert project(falling, 100, date(2027, 12, 31), baseline=30).status == "off_track"
    # 30 - 5x reaches 10 at x = 4: May, two months after March
    assert project(falling, 10, None, baseline=30).when == date(2027, 5, 31)
    # at most the last 8 periods: an old outlier no longer counts
    long = [(f"2027-W{w:02d}", v) for w, v in zip(range(1, 11), [500] + [10 + w for w in
                                                                          range(9)], strict=True)]
    assert project(long, 30, None).when == project(long[2:], 30, None).when


def test_a_missing_period_leaves_a_gap_in_the_line():
    with_gap = [("2027-W01", 10.0), ("2027-W02", 12.0), ("2027-W05", 18.0)]
    # x = 0, 1, 4 (weeks 3 and 4 missing): the line is 10 + 2x, 30 at x = 10: week 11,
    # which ends on Sunday 21 March 2027 (x = 0, 1, 2 would give a steeper line)
    assert project(with_gap, 30, None).when == date(2027, 3, 21)


@pytest.mark.parametrize(("period", "follow"), [
    ("2027-W01", "2027-W02"), ("2027-01", "2027-02"), ("2027-Q1", "2027-Q2"),
    ("2026-W53", "2027-W01"),  # 2026 has 53 ISO weeks
])
def test_period_numbers_are_consecutive(period, follow):
    assert index(follow) == index(period) + 1


def test_2026_ends_in_week_53():
    assert week_key(date(2026, 12, 28)) == "2026-W53"


def test_the_chart_marks_baseline_target_and_deadline(chat, db, clock):
    anna = two_rhythms(chat)
    weekly_checkins(anna, clock, (12, 15, 19))
    turn = anna.coach.turn_for(anna.user_id, clock())
    series, _ = chart_series(turn)
    drawing = chart_drawing(series, target_label="doel", title="t")
    weekly, monthly = drawing.panels[:2]
    assert weekly.points == [(weekly.x(x), weekly.y(v)) for x, v in ((0, 12), (1, 15), (2, 19))]
    assert weekly.target == weekly.y(50) and weekly.baseline == weekly.y(10)
    # 23 May 2027 is in week 20 of 2027; the first value is week 48 of 2026: 25 weeks on
    assert weekly.deadline == weekly.x(25)
    assert drawing.legends[0] == ["doel 50", "start 10", "deadline 23-5-2027"]
    # October's and November's totals; the deadline from October 2026 to May 2027
    assert [monthly.y(25)] * 2 == [y for _, y in monthly.points]
    assert monthly.deadline == monthly.x(7)


@pytest.mark.parametrize(("lang", "monthly", "too_few", "progress", "projection"), [
    ("nl", "Wat was het totaal van <b>",
     "Nog te weinig waarden voor een verwachting: 2 van de 3 die ik nodig heb.",
     "20 van 50 per week, 25% op weg vanaf 10 (week 50).",
     "✅ Op dit tempo haal je 50 rond februari, op tijd voor 23-5-2027."),
    ("en", "What was the total for <b>",
     "Not enough values yet for a projection: 2 of the 3 I need.",
     "20 of 50 per week, 25% of the way from 10 (week 50).",
     "✅ At this pace you'll reach 50 around February, in time for 2027-05-23."),
])
def test_progress_and_projection_after_three_weeks(chat, clock, lang, monthly, too_few,
                                                   progress, projection):
    anna = two_rhythms(chat, lang)
    said = weekly_checkins(anna, clock, (12, 16, 20))
    assert monthly in said[0]  # 23 November: October's total
    assert too_few in said[1]
    # 12, 16, 20 in weeks 48-50: 12 + 4x reaches 50 at x = 9.5, in week 48 + 10 = week 6
    # of 2027, which ends on 14 February
    assert progress in said[2] and projection in said[2]


def test_stale_replace_buttons_change_nothing(chat, db, clock):
    anna = two_rhythms(chat)
    anna.cmd("checkin")
    anna.say("12")
    anna.say("25")
    anna.cmd("checkin")
    anna.say("14")
    anna.press_data("ci:rep:9")  # forged count
    assert "hoort bij een eerdere vraag" in anna.texts()
    anna.press_data("ci:keep:2")
    anna.press_data("ci:rep:2")  # the question was answered: stale now
    assert "hoort bij een eerdere vraag" in anna.texts()
    library_id = anna.user()["library_id"]
    assert [r["value"] for r in values_of(db, library_id, "Aanmeldingen")] == [12]
