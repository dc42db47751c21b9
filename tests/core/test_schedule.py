from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coach.core.calendar import (
    DEFAULT_TZ,
    check_in_due,
    due_this_week,
    format_time,
    iso_week,
    next_due,
    parse_time,
    parse_weekday,
    weekday_name,
)

AMS = "Europe/Amsterdam"
AMS_ZONE = ZoneInfo(AMS)
NINE_THIRTY = time(9, 30)
MON, TUE, WED, THU, FRI, SAT, SUN = range(7)


def utc(*args):
    return datetime(*args, tzinfo=UTC)


def local(moment):
    return moment.astimezone(AMS_ZONE)


def test_default_tz_is_amsterdam():
    assert DEFAULT_TZ == AMS


# --------------------------------------------------------------------------- next_due


@pytest.mark.parametrize(
    ("after", "expected"),
    [
        # winter (CET, UTC+1): Monday 09:30 local is 08:30 UTC
        (utc(2026, 1, 7, 12, 0), utc(2026, 1, 12, 8, 30)),
        # spring forward on Sunday 29 March 2026: the Monday before is CET, the next CEST
        (utc(2026, 3, 23, 8, 30), utc(2026, 3, 30, 7, 30)),
        (utc(2026, 3, 28, 12, 0), utc(2026, 3, 30, 7, 30)),
        (utc(2026, 3, 29, 1, 30), utc(2026, 3, 30, 7, 30)),
        # summer (CEST, UTC+2): 07:30 UTC
        (utc(2026, 7, 1, 0, 0), utc(2026, 7, 6, 7, 30)),
        # fall back on Sunday 25 October 2026
        (utc(2026, 10, 19, 7, 30), utc(2026, 10, 26, 8, 30)),
        (utc(2026, 10, 25, 0, 59), utc(2026, 10, 26, 8, 30)),
        (utc(2026, 10, 25, 1, 1), utc(2026, 10, 26, 8, 30)),
        # the same Monday, before the slot: today's slot
        (utc(2026, 3, 30, 7, 0), utc(2026, 3, 30, 7, 30)),
        (utc(2026, 10, 26, 8, 29), utc(2026, 10, 26, 8, 30)),
        # exactly at the slot: strictly after, so next week
        (utc(2026, 10, 26, 8, 30), utc(2026, 11, 2, 8, 30)),
        # late Sunday evening UTC is already Monday locally
        (utc(2026, 11, 29, 23, 45), utc(2026, 11, 30, 8, 30)),
    ],
)
def test_next_due_monday_0930_across_dst(after, expected):
    due = next_due(MON, NINE_THIRTY, AMS, after)
    assert due == expected
    assert due.tzinfo is not None and due.utcoffset() == timedelta(0)
    assert local(due).weekday() == MON
    assert local(due).time() == NINE_THIRTY


@pytest.mark.parametrize("weekday", range(7))
@pytest.mark.parametrize("day_offset", range(0, 366, 5))
def test_next_due_keeps_local_wall_clock_all_year(weekday, day_offset):
    after = utc(2026, 1, 1, 10, 17) + timedelta(days=day_offset)
    due = next_due(weekday, NINE_THIRTY, AMS, after)
    assert due > after
    assert due - after <= timedelta(days=7)
    assert local(due).weekday() == weekday
    assert local(due).time() == NINE_THIRTY


def test_next_due_accepts_any_aware_after():
    after = datetime(2026, 3, 23, 9, 30, tzinfo=AMS_ZONE)  # exactly a slot, in local time
    assert next_due(MON, NINE_THIRTY, AMS, after) == utc(2026, 3, 30, 7, 30)


def test_next_due_other_time_zone():
    due = next_due(MON, NINE_THIRTY, "America/New_York", utc(2026, 1, 1))
    assert due == utc(2026, 1, 5, 14, 30)


def test_nonexistent_spring_time_fires_an_hour_later_locally():
    # 02:30 does not exist on 29 March 2026 in Amsterdam: the check-in comes at 03:30
    due = next_due(SUN, time(2, 30), AMS, utc(2026, 3, 28, 12, 0))
    assert due == utc(2026, 3, 29, 1, 30)
    assert local(due).time() == time(3, 30)


def test_ambiguous_autumn_time_fires_the_first_time():
    due = next_due(SUN, time(2, 30), AMS, utc(2026, 10, 24, 12, 0))
    assert due == utc(2026, 10, 25, 0, 30)  # 02:30 CEST, before the clocks go back


def test_consecutive_slots_are_a_week_apart_in_local_time():
    due = utc(2026, 1, 1)
    seen = []
    for _ in range(60):
        due = next_due(THU, time(16, 0), AMS, due)
        seen.append(due)
    for earlier, later in zip(seen, seen[1:], strict=False):
        assert local(later).date() - local(earlier).date() == timedelta(days=7)
        assert local(later).time() == time(16, 0)
    gaps = {later - earlier for earlier, later in zip(seen, seen[1:], strict=False)}
    assert gaps == {timedelta(days=7), timedelta(days=7, hours=-1), timedelta(days=7, hours=1)}


@pytest.mark.parametrize("weekday", [-1, 7, 1.5, True, "ma"])
def test_next_due_rejects_bad_weekday(weekday):
    with pytest.raises(ValueError):
        next_due(weekday, NINE_THIRTY, AMS, utc(2026, 1, 1))


def test_next_due_rejects_naive_datetime():
    with pytest.raises(ValueError):
        next_due(MON, NINE_THIRTY, AMS, datetime(2026, 1, 1, 12, 0))


@pytest.mark.parametrize("tz", ["Europe/Amsterdamm", "", "Mars/Olympus"])
def test_unknown_time_zone(tz):
    with pytest.raises(ValueError):
        next_due(MON, NINE_THIRTY, tz, utc(2026, 1, 1))


# --------------------------------------------------------------------------- iso_week


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (utc(2026, 11, 25, 12, 0), "2026-W48"),
        # Sunday 23:30 UTC is Monday 00:30 in Amsterdam: the local week counts
        (utc(2026, 11, 29, 23, 30), "2026-W49"),
        (utc(2026, 11, 29, 22, 59), "2026-W48"),
        # ISO year differs from the calendar year around New Year
        (utc(2026, 12, 31, 12, 0), "2026-W53"),
        (utc(2027, 1, 1, 12, 0), "2026-W53"),
        (utc(2027, 1, 4, 12, 0), "2027-W01"),
        (utc(2021, 1, 3, 12, 0), "2020-W53"),
        (utc(2026, 3, 2, 0, 0), "2026-W10"),
    ],
)
def test_iso_week(moment, expected):
    assert iso_week(moment, AMS) == expected


def test_iso_week_default_tz_and_naive():
    assert iso_week(utc(2026, 11, 29, 23, 30)) == "2026-W49"
    with pytest.raises(ValueError):
        iso_week(datetime(2026, 1, 1))


# -------------------------------------------------------------------- due_this_week


@pytest.mark.parametrize(
    ("weekday", "now", "expected"),
    [
        # Wednesday: Monday's slot has passed but is still this week's slot
        (MON, utc(2026, 11, 25, 12, 0), utc(2026, 11, 23, 8, 30)),
        # Wednesday: Friday's slot is later this week
        (FRI, utc(2026, 11, 25, 12, 0), utc(2026, 11, 27, 8, 30)),
        # Monday morning: Sunday's slot is the coming Sunday, not yesterday
        (SUN, utc(2026, 11, 30, 6, 0), utc(2026, 12, 6, 8, 30)),
        # the spring-forward week: Monday in CET, Sunday 29 March in CEST
        (MON, utc(2026, 3, 29, 12, 0), utc(2026, 3, 23, 8, 30)),
        (SUN, utc(2026, 3, 24, 12, 0), utc(2026, 3, 29, 7, 30)),
        # the autumn week
        (SUN, utc(2026, 10, 20, 12, 0), utc(2026, 10, 25, 8, 30)),
        (MON, utc(2026, 10, 25, 12, 0), utc(2026, 10, 19, 7, 30)),
    ],
)
def test_due_this_week(weekday, now, expected):
    slot = due_this_week(weekday, NINE_THIRTY, AMS, now)
    assert slot == expected
    assert iso_week(slot, AMS) == iso_week(now, AMS)
    assert local(slot).time() == NINE_THIRTY


# --------------------------------------------------------------------- catch-up rule

WED_NOON = utc(2026, 11, 25, 12, 0)  # ISO week 2026-W48
MON_SLOT = utc(2026, 11, 23, 8, 30)  # Monday 09:30 local of that week


@pytest.mark.parametrize(
    ("weekday", "now", "last_sent", "since", "due"),
    [
        # missed this week's Monday slot while the bot was down: catch up
        (MON, WED_NOON, utc(2026, 11, 16, 8, 30), None, True),
        (MON, WED_NOON, None, None, True),
        # this week's check-in was already sent
        (MON, WED_NOON, MON_SLOT, None, False),
        (MON, WED_NOON, MON_SLOT + timedelta(hours=2), None, False),
        # down for two weeks: still only this week's slot counts (one check-in)
        (MON, WED_NOON, utc(2026, 11, 9, 8, 30), None, True),
        # this week's slot is still to come
        (FRI, WED_NOON, utc(2026, 11, 20, 8, 30), None, False),
        # exactly at the slot
        (MON, MON_SLOT, utc(2026, 11, 16, 8, 30), None, True),
        (MON, MON_SLOT - timedelta(seconds=1), utc(2026, 11, 16, 8, 30), None, False),
        # a slot of an earlier week is not due: Sunday's slot last week was missed,
        # but on Monday morning this week's Sunday slot has not come yet
        (SUN, utc(2026, 11, 30, 6, 0), utc(2026, 11, 22, 8, 30), None, False),
        # the schedule was chosen after this week's slot: wait for next week
        (MON, WED_NOON, None, utc(2026, 11, 24, 10, 0), False),
        (MON, WED_NOON, None, utc(2026, 11, 20, 10, 0), True),
        # across the autumn change: Monday 19 Oct 09:30 CEST was missed
        (MON, utc(2026, 10, 21, 12, 0), utc(2026, 10, 12, 7, 30), None, True),
        (MON, utc(2026, 10, 21, 12, 0), utc(2026, 10, 19, 7, 30), None, False),
    ],
)
def test_check_in_due(weekday, now, last_sent, since, due):
    assert (
        check_in_due(weekday, NINE_THIRTY, AMS, now, last_sent, scheduled_since=since) is due
    )


def test_catch_up_then_normal_schedule():
    # bot comes back on Wednesday: one catch-up now, then next Monday as usual
    assert check_in_due(MON, NINE_THIRTY, AMS, WED_NOON, None)
    sent = WED_NOON
    assert not check_in_due(MON, NINE_THIRTY, AMS, WED_NOON + timedelta(hours=1), sent)
    assert next_due(MON, NINE_THIRTY, AMS, WED_NOON) == utc(2026, 11, 30, 8, 30)


def test_check_in_due_rejects_naive_last_sent():
    with pytest.raises(ValueError):
        check_in_due(MON, NINE_THIRTY, AMS, WED_NOON, datetime(2026, 11, 20))


# --------------------------------------------------------------------- parse_weekday


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("maandag", MON), ("Maandag", MON), ("MA", MON), ("ma", MON), ("monday", MON),
        ("mon", MON), ("Mon.", MON), ("maandags", MON), ("mondays", MON),
        ("dinsdag", TUE), ("di", TUE), ("tuesday", TUE), ("tue", TUE), ("tues", TUE),
        ("woensdag", WED), ("wo", WED), ("wednesday", WED), ("wed", WED),
        ("donderdag", THU), ("do", THU), ("thursday", THU), ("thu", THU), ("thurs", THU),
        ("vrijdag", FRI), ("vr", FRI), ("friday", FRI), ("fri", FRI),
        ("zaterdag", SAT), ("za", SAT), ("saturday", SAT), ("sat", SAT),
        ("zondag", SUN), ("zo", SUN), ("sunday", SUN), ("sun", SUN),
        # typos
        ("maandg", MON), ("mandag", MON), ("maadnag", MON), ("dinsdg", TUE), ("dinsag", TUE),
        ("woensdg", WED), ("woesndag", WED), ("wensday", WED), ("wednsday", WED),
        ("donderdga", THU), ("dondedag", THU), ("thrusday", THU), ("thursdy", THU),
        ("vrydag", FRI), ("vrijdg", FRI), ("frieday", FRI), ("zaterdg", SAT),
        ("saterday", SAT), ("zondga", SUN), ("sundy", SUN),
        # with words around
        ("elke dinsdag", TUE), ("op vrijdag", FRI), ("every friday", FRI),
        ("maandagochtend", None), ("maandag ochtend", MON), ("  woensdag!  ", WED),
        ("volgende maandag", MON),
    ],
)
def test_parse_weekday(text, expected):
    assert parse_weekday(text, "nl") == expected


@pytest.mark.parametrize("lang", ["nl", "en"])
@pytest.mark.parametrize("text", ["maandag", "monday", "ma", "mon"])
def test_parse_weekday_either_language(text, lang):
    assert parse_weekday(text, lang) == MON


@pytest.mark.parametrize(
    "text",
    ["", "   ", "xx", "dag", "week", "morgen", "tomorrow", "🙂", "12", "maandag of dinsdag",
     "ma di", "weekend", "m", "zaterdagmiddag en zondag", "banaan"],
)
def test_parse_weekday_rejects(text):
    assert parse_weekday(text, "nl") is None


def test_parse_weekday_none():
    assert parse_weekday(None, "nl") is None  # type: ignore[arg-type]


# ------------------------------------------------------------------------ parse_time


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("9:30", time(9, 30)), ("09:30", time(9, 30)), ("9.30", time(9, 30)),
        ("09.30", time(9, 30)), ("9u30", time(9, 30)), ("9 u 30", time(9, 30)),
        ("9h30", time(9, 30)), ("9:30 uur", time(9, 30)), ("14:00", time(14, 0)),
        ("14.00 uur", time(14, 0)), ("0:00", time(0, 0)), ("23:59", time(23, 59)),
        ("9", time(9, 0)), ("14", time(14, 0)), ("9 uur", time(9, 0)), ("9u", time(9, 0)),
        ("9h", time(9, 0)),
        # three or four digits: the last two are the minutes
        ("930", time(9, 30)), ("0930", time(9, 30)), ("1430", time(14, 30)),
        ("0000", time(0, 0)),
        # am / pm
        ("9am", time(9, 0)), ("9 am", time(9, 0)), ("9:30 pm", time(21, 30)),
        ("9.30 p.m.", time(21, 30)), ("12am", time(0, 0)), ("12pm", time(12, 0)),
        ("12:15 am", time(0, 15)),
        # Dutch "half tien" style with a digit
        ("half 10", time(9, 30)), ("half 1", time(0, 30)),
        # words around
        ("om 9 uur", time(9, 0)), ("om 14:00", time(14, 0)), ("at 9:30", time(9, 30)),
        ("9 uur 's ochtends", time(9, 0)), ("  10:15.  ", time(10, 15)),
    ],
)
def test_parse_time(text, expected):
    assert parse_time(text) == expected


@pytest.mark.parametrize(
    "text",
    ["", "  ", "25:00", "24:00", "2400", "9:60", "960", "9:5", "12345", "13pm", "0am",
     "abc", "ochtend", "9:30:00", "9:30 - 10:00", "-9", "🕘", "half 25", "99", "9,5"],
)
def test_parse_time_rejects(text):
    assert parse_time(text) is None


# ------------------------------------------------------------------------- labels


@pytest.mark.parametrize(
    ("weekday", "lang", "name"),
    [(MON, "nl", "maandag"), (SUN, "nl", "zondag"), (MON, "en", "Monday"),
     (WED, "en-GB", "Wednesday"), (FRI, "xx", "vrijdag")],
)
def test_weekday_name(weekday, lang, name):
    assert weekday_name(weekday, lang) == name


@pytest.mark.parametrize("weekday", range(7))
@pytest.mark.parametrize("lang", ["nl", "en"])
def test_weekday_name_round_trips(weekday, lang):
    assert parse_weekday(weekday_name(weekday, lang), lang) == weekday


def test_format_time():
    assert format_time(time(9, 5), "nl") == "09:05"
    assert parse_time(format_time(time(21, 30), "en")) == time(21, 30)


@given(st.text(max_size=30))
@settings(max_examples=300, deadline=None)
def test_parsers_never_crash(text):
    weekday = parse_weekday(text, "nl")
    assert weekday is None or 0 <= weekday <= 6
    at = parse_time(text)
    assert at is None or isinstance(at, time)
