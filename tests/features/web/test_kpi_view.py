"""The KPI page's numbers: the projection against a hand computation and what the
chart draws (its data, not pixels)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from coach.features.checkins.chart import HEIGHT, LEFT, TOP, WIDTH, kpi_chart, nice_step
from coach.features.web.projection import project

MONDAYS = [date(2026, 9, 7) + timedelta(weeks=i) for i in range(10)]


def test_a_steady_rise_reaches_the_target_when_the_line_says():
    # 10, 12, 14, 16: least squares gives 2 a week, 16 now; 30 is 7 weeks further
    days, values = MONDAYS[:4], [10.0, 12.0, 14.0, 16.0]
    p = project(days, values, 30.0, None)
    assert p.enough and not p.reached and p.reach == days[-1] + timedelta(weeks=7)
    assert p.on_track is None and p.end == (p.reach, 30.0)
    assert project(days, values, 30.0, days[-1] + timedelta(weeks=7)).on_track is True
    assert project(days, values, 30.0, days[-1] + timedelta(weeks=6)).on_track is False


def test_the_line_uses_the_last_eight_values_only():
    values = [0.0, 100.0] + [float(v) for v in range(10, 18)]  # then 1 a week from 10
    p = project(MONDAYS, values, 27.0, None)
    assert p.reach == MONDAYS[-1] + timedelta(weeks=10)


def test_scattered_values_are_fitted_by_least_squares():
    # x = 0..3, y = 1, 3, 2, 4: slope = 0.8, line at x = 3 is 3.7; 7.7 is 5 weeks on
    p = project(MONDAYS[:4], [1.0, 3.0, 2.0, 4.0], 7.7, None)
    assert p.reach == MONDAYS[3] + timedelta(weeks=5)


@pytest.mark.parametrize("values", [[], [5.0], [5.0, 6.0]])
def test_fewer_than_three_values_give_no_projection(values):
    assert not project(MONDAYS[: len(values)], values, 30.0, None).enough


def test_a_falling_kpi_does_not_reach_a_higher_target():
    deadline = MONDAYS[3] + timedelta(weeks=10)
    p = project(MONDAYS[:4], [16.0, 14.0, 12.0, 10.0], 30.0, deadline)
    assert p.reach is None and p.on_track is False and p.end[0] == deadline


def test_a_target_reached_already_says_so():
    assert project(MONDAYS[:2], [40.0, 55.0], 50.0, None).reached
    # a target to go down to (waiting time from 20 to 5 days), from the baseline
    assert project(MONDAYS[:3], [12.0, 9.0, 4.0], 5.0, None, baseline=20.0).reached
    assert not project(MONDAYS[:3], [12.0, 9.0, 8.0], 5.0, None, baseline=20.0).reached


def test_the_chart_draws_values_baseline_target_and_deadline_where_they_belong():
    weeks = ["2026-W37", "2026-W38", "2026-W40"]  # a week without a value
    deadline = date(2026, 10, 26)  # five weeks after the last value
    chart = kpi_chart(weeks, [10.0, 20.0, 30.0], baseline=5.0, target=40.0,
                      deadline=deadline)
    xs = [x for x, _ in chart.points]
    assert xs[0] == LEFT and chart.deadline == WIDTH - 16  # time runs to the deadline
    assert (xs[1] - xs[0]) * 2 == pytest.approx(xs[2] - xs[1])  # the gap is a gap
    ys = {v: y for (_, y), v in zip(chart.points, (10, 20, 30), strict=True)}
    assert chart.target < ys[30] < ys[20] < ys[10] < chart.baseline  # higher is up
    assert chart.target >= TOP and chart.baseline <= HEIGHT - 28
    assert [label for _, label in chart.y_ticks] == ["0", "10", "20", "30", "40"]
    assert chart.x_ticks[0][1] == "2026-W37" and chart.x_ticks[-1][1] == "2026-W40"


def test_a_chart_without_target_or_values_still_draws():
    assert kpi_chart([], []).points == []
    chart = kpi_chart(["2026-W01"], [3.0])
    assert chart.target is None and chart.deadline is None and len(chart.points) == 1


@pytest.mark.parametrize("span,step", [(40, 10), (146, 50), (1296, 500), (0.9, 0.25), (7, 2)])
def test_round_tick_steps(span, step):
    assert nice_step(span) == step
