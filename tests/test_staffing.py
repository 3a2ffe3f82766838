"""Staffing plans: step functions from headcount and shifts, shrinkage and paid hours."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim.agent_plans import StepFunction, group_plan
from sim.calendar import Calendar
from sim.config import parse_scenario

from .conftest import small_data


def plan_for(group, **horizon):
    data = small_data()
    data["horizon"] = {"days": 1, "interval_minutes": 60, **horizon}
    data["demand"] = {"volume": [1] * 24}
    data["agent_groups"] = [group | {"name": "g", "skills": ["billing", "tech"]}]
    scenario = parse_scenario(data)
    return group_plan(scenario.agent_groups[0], scenario, Calendar.from_scenario(scenario))


def value_at(step: StepFunction, time: float) -> float:
    return float(step.values[np.searchsorted(step.times, time, side="right") - 1])


def test_headcount_with_shrinkage_rounds_to_nearest():
    plan = plan_for({"headcount": [10] * 12 + [11] * 12, "shrinkage": 0.3})
    assert value_at(plan.available, 3600) == 7      # 10 x 0.7
    assert value_at(plan.available, 13 * 3600) == 8  # 11 x 0.7 = 7.7
    assert value_at(plan.scheduled, 13 * 3600) == 11
    assert plan.paid.integral(np.array([0.0, 86_400.0]))[0] / 3600 == pytest.approx(10 * 12 + 11 * 12)


def test_shift_with_breaks_and_midnight_crossing():
    shifts = [{"start": "22:00", "length_hours": 8, "count": 2,
               "breaks": [{"start": "02:00", "minutes": 30}, {"start": "04:00", "minutes": 15, "paid": True}]}]
    plan = plan_for({"shifts": shifts})
    # Yesterday's night shift is on duty at 01:00 of day 1, away at 02:10 and 04:05, gone at 06:00.
    assert value_at(plan.available, 3600) == 2
    assert value_at(plan.available, 2 * 3600 + 600) == 0
    assert value_at(plan.available, 4 * 3600 + 300) == 0
    assert value_at(plan.paid, 4 * 3600 + 300) == 2   # a paid break is paid
    assert value_at(plan.paid, 2 * 3600 + 600) == 0   # an unpaid one is not
    assert value_at(plan.available, 7 * 3600) == 0
    assert value_at(plan.available, 23 * 3600) == 2
    # Paid inside day 1: 00:00-06:00 minus 30 min unpaid, and 22:00-24:00, for two agents.
    paid_hours = plan.paid.integral(np.array([0.0, 86_400.0]))[0] / 3600
    assert paid_hours == pytest.approx(2 * (5.5 + 2))
    assert plan.agent_days == 2  # only shifts starting inside the horizon count


def test_weekday_restricted_shifts():
    shifts = [{"start": "08:00", "length_hours": 8, "count": 3, "weekdays": ["tuesday"]}]
    plan = plan_for({"shifts": shifts}, days=2, start_weekday="monday")
    assert value_at(plan.available, 9 * 3600) == 0
    assert value_at(plan.available, 86_400 + 9 * 3600) == 3


@given(st.lists(st.tuples(st.floats(0, 100), st.integers(-3, 3)), min_size=1, max_size=20),
       st.lists(st.floats(0, 120), min_size=2, max_size=10))
def test_step_function_integral_matches_brute_force(changes, edge_values):
    times = np.array([c[0] for c in changes])
    deltas = np.array([c[1] for c in changes], dtype=float)
    edges = np.sort(np.round(np.array(edge_values)))
    # Brute force on a fine grid of midpoints: exact when change times and edges sit on the grid.
    times = np.round(times * 4) / 4
    step = StepFunction.from_deltas(times, deltas, 0.0)
    midpoints = np.arange(0, 120, 0.25) + 0.125
    level = (deltas[None, :] * (times[None, :] <= midpoints[:, None])).sum(axis=1)
    expected = [0.25 * level[(midpoints > lo) & (midpoints < hi)].sum() for lo, hi in zip(edges[:-1], edges[1:])]
    assert step.integral(edges) == pytest.approx(expected, abs=1e-9)
