"""Budget plans: headcount flow, learning curve, requirements, fewest hires, plan files refused with paths."""

from __future__ import annotations

import datetime as dt
import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.cli import main
from analysis.planning.horizon import PlanFileError, parse_plan, periods_table, run_plan, workforce_table
from analysis.planning.horizon.hiring import fewest_hires
from analysis.planning.horizon.periods import demand_factors, plan_periods
from analysis.planning.horizon.requirements import period_week
from analysis.planning.horizon.spec import DAYS_PER_MONTH, GroupPlan, PlanSpec
from analysis.planning.horizon.workforce import cohort_table, group_flow, mean_slowdown
from analysis.planning.staffing import analytic_agents, headcount_for_agents, scenario_targets, select_unit
from sim.config import parse_scenario

from .conftest import SCENARIOS, small_data


def small_scenario():
    data = small_data()
    data["agent_groups"][0]["wage_per_hour"] = 20.0
    return parse_scenario(data)


def plan(scenario=None, **fields):
    data = {"name": "test", "scenario": "small.toml", "start": dt.date(2026, 1, 1), "periods": 6} | fields
    return parse_plan(data, scenario=scenario or small_scenario())


def weekly_spec(periods: int, **group) -> tuple[PlanSpec, GroupPlan]:
    spec = PlanSpec(name="w", scenario="x", start=dt.date(2026, 1, 5), period="week", periods=periods)
    return spec, GroupPlan(name="front", **group)


# --- headcount flow --------------------------------------------------------------------------------

@settings(max_examples=60, deadline=None)
@given(periods=st.integers(1, 24), initial=st.floats(0, 300),
       regular=st.floats(0, 0.2), early=st.floats(0, 0.5), tenure=st.floats(0, 12), training=st.floats(0, 20),
       weekly=st.booleans(), hires=st.lists(st.integers(0, 40), min_size=24, max_size=24))
def test_headcount_flow_is_conserved_every_period(periods, initial, regular, early, tenure, training, weekly, hires):
    spec = PlanSpec(name="p", scenario="x", start=dt.date(2026, 1, 5 if weekly else 1),
                    period="week" if weekly else "month", periods=periods)
    group = GroupPlan(name="g", attrition_per_month=regular, early_attrition_per_month=early,
                      early_tenure_months=tenure, training_weeks=training)
    flow = group_flow(group, cohort_table(group, plan_periods(spec)), initial, np.array(hires[:periods], float))
    np.testing.assert_allclose(flow.headcount_start + flow.hires - flow.leavers, flow.headcount_end, atol=1e-9)
    np.testing.assert_allclose(flow.headcount_start[1:], flow.headcount_end[:-1], atol=1e-9)
    assert flow.headcount_start[0] == pytest.approx(initial)
    assert (flow.leavers >= 0).all() and (flow.effective <= flow.productive + 1e-9).all()
    assert (flow.productive <= flow.average + 1e-9).all()


def test_attrition_by_hand_with_the_early_tenure_rate():
    spec = PlanSpec(name="m", scenario="x", start=dt.date(2026, 1, 1), periods=3)
    group = GroupPlan(name="g", attrition_per_month=0.02, early_attrition_per_month=0.10, early_tenure_months=1.5)
    flow = group_flow(group, cohort_table(group, plan_periods(spec)), 100.0, np.array([10.0, 0.0, 0.0]))
    staff = 100 * (1 - 0.98 ** (31 / DAYS_PER_MONTH))  # January, 31 days
    hires = 10 * (1 - 0.90 ** (31 / DAYS_PER_MONTH))
    assert flow.leavers[0] == pytest.approx(staff + hires)
    # February starts 31 days after the class joined: tenure 1.02 months < 1.5, still the early rate
    left = 10 - hires
    assert flow.leavers[1] == pytest.approx((100 - staff) * (1 - 0.98 ** (28 / DAYS_PER_MONTH))
                                            + left * (1 - 0.90 ** (28 / DAYS_PER_MONTH)))
    # March starts 59 days after: 1.94 months, the regular rate
    march_class = left * 0.90 ** (28 / DAYS_PER_MONTH)
    staff_march = (100 - staff) * 0.98 ** (28 / DAYS_PER_MONTH)
    assert flow.leavers[2] == pytest.approx((staff_march + march_class) * (1 - 0.98 ** (31 / DAYS_PER_MONTH)))


def test_learning_curve_against_a_hand_calculation():
    # 40% slower when they start taking contacts, falling linearly to 0 over 12 weeks; 2 weeks of training.
    spec, group = weekly_spec(16, training_weeks=2, learning_curve={"slower": 0.4, "weeks": 12})
    flow = group_flow(group, cohort_table(group, plan_periods(spec)), 0.0, np.eye(16)[0])
    assert flow.effective[0] == flow.effective[1] == 0 and flow.in_training[0] == 1
    for week, (start, end) in {2: (0, 1), 3: (1, 2), 13: (11, 12)}.items():
        slowdown = 0.4 * (1 - (start + end) / 2 / 12)  # the mean of a linear curve over a whole week
        assert flow.slowdown[week] == pytest.approx(slowdown)
        assert flow.effective[week] == pytest.approx(1 / (1 + slowdown))
    assert flow.effective[14] == flow.effective[15] == 1.0
    assert mean_slowdown(group.learning_curve, 11.0, 13.0) == pytest.approx(0.4 * (1 / 24) / 2)


def test_training_weeks_split_a_month():
    spec = PlanSpec(name="m", scenario="x", start=dt.date(2026, 4, 1), periods=2)  # April: 30 days
    group = GroupPlan(name="g", training_weeks=3)
    flow = group_flow(group, cohort_table(group, plan_periods(spec)), 0.0, np.array([1.0, 0.0]))
    assert flow.productive[0] == pytest.approx(9 / 30) and flow.in_training[0] == pytest.approx(21 / 30)
    assert flow.productive[1] == 1.0


# --- periods and requirements -----------------------------------------------------------------------

def test_demand_factor_by_hand():
    spec, scenario, _ = plan(demand={"growth_per_year": 0.1, "seasonality": [1.2] + [1.0] * 11,
                                     "factors": [1, 1, 1, 1, 1, 2]})
    periods = plan_periods(spec)
    factors = demand_factors(spec, periods)
    assert list(periods.labels) == ["2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06"]
    assert factors[0] == pytest.approx(1.1 ** (15.5 / 365.25) * 1.2)
    assert factors[5] == pytest.approx(1.1 ** ((151 + 15) / 365.25) * 2)


def test_ai_ramp_raises_containment_and_lowers_the_requirement():
    data = small_data(ai={"capacity": 50, "session_time": {"dist": "exponential", "mean": 2, "unit": "min"},
                          "contact_types": {"billing": {"containment": 0.1, "escalation": 0.8}}})
    spec, scenario, targets = plan(scenario=parse_scenario(data), periods=4,
                                   ai={"first_period": 2, "last_period": 4,
                                       "containment": {"billing": {"start": 0.2, "end": 0.6}}})
    result = run_plan(spec, scenario, targets)
    contained = [week.scenario.ai.contact_types["billing"] for week in result.weeks]
    assert [outcome.containment for outcome in contained] == pytest.approx([0.2, 0.2, 0.4, 0.6])
    assert [outcome.give_up_probability for outcome in contained] == pytest.approx([0.1] * 4)  # kept
    required = sum(result.erlang_required.values())
    assert required[3] < required[2] < required[1]


def test_requirement_of_an_unchanged_week_is_the_erlang_requirement():
    spec, scenario, targets = plan(hours_per_fte_week=4.0, roster_efficiency=0.8)
    result = run_plan(spec, scenario, targets)
    unit = select_unit(scenario)
    agents, _ = analytic_agents(unit.workload(scenario), scenario_targets(scenario), "erlang-a")
    hours = [matrix.sum() for matrix in unit.split_matrix(headcount_for_agents(unit, agents))]  # 60-minute intervals
    expected = {group.name: hours[index] / (4.0 * 0.8) for index, group in enumerate(unit.groups)}
    for name, value in expected.items():
        assert result.erlang_required[name][0] == pytest.approx(value)
    assert period_week(scenario, targets).required_hours() == pytest.approx(dict(zip(expected, hours)))


def test_fewest_hires_meet_every_reachable_period_and_no_fewer_can():
    spec, group = weekly_spec(10, attrition_per_month=0.1, training_weeks=2)
    table = cohort_table(group, plan_periods(spec))
    required = np.array([5, 5, 5, 8, 8, 8, 8, 12, 12, 12], float)
    plan_found = fewest_hires(group, table, 5.0, required, np.arange(10, 0, -1.0))
    flow = group_flow(group, table, 5.0, plan_found.hires)
    reachable = np.arange(10) >= 2  # nobody hired can be on the phones in the first two weeks
    assert (flow.effective[reachable] >= required[reachable] - 1e-6).all()
    for period in np.flatnonzero(plan_found.hires):
        fewer = plan_found.hires.copy()
        fewer[period] -= 1
        short = group_flow(group, table, 5.0, fewer).effective[reachable] < required[reachable] - 1e-6
        assert short.any(), "removing any hire must leave some reachable period short"


def test_capped_classes_leave_a_reported_shortfall():
    spec, group = weekly_spec(6, max_class_size=2)
    table = cohort_table(group, plan_periods(spec))
    found = fewest_hires(group, table, 0.0, np.full(6, 5.0), np.ones(6))
    assert found.hires.tolist() == [2, 2, 1, 0, 0, 0]  # as many as allowed while short, then what is left
    np.testing.assert_allclose(found.shortfall, [3, 1, 0, 0, 0, 0], atol=1e-9)


def test_plan_tables_and_the_fewest_hires_plan():
    spec, scenario, targets = plan(hours_per_fte_week=4.0, demand={"growth_per_year": 0.5},
                                   groups=[{"name": "front", "headcount": 3, "attrition_per_month": 0.05,
                                            "hires": [{"period": 2, "count": 1}]}])
    result = run_plan(spec, scenario, targets)
    periods = periods_table(result)
    assert set(periods["plan"]) == {"given", "fewest_hires"} and len(periods) == 12
    components = ["wages", "on_costs", "recruiting", "new_hire_training", "ongoing_training", "ai", "vendors", "fixed"]
    np.testing.assert_allclose(periods[components].sum(axis=1), periods["total_cost"])
    workforce = workforce_table(result)
    given = workforce[(workforce["plan"] == "given") & (workforce["group"] == "front")]
    assert given["hires"].tolist() == [0, 1, 0, 0, 0, 0]
    assert given["wages"].iloc[0] == pytest.approx(given["average_headcount"].iloc[0] * 4.0 * 31 / 7 * 20.0)
    fewest = periods[periods["plan"] == "fewest_hires"]
    assert (fewest["available_fte"] >= fewest["required_fte"] - 1e-6).all()
    assert (fewest["service_level"] >= 0.8 - 1e-9).all()


# --- plan files ---------------------------------------------------------------------------------------

def test_bad_plan_files_are_refused_with_the_field_path():
    with pytest.raises(PlanFileError) as caught:
        plan(periods=6, start=dt.date(2026, 1, 15), target="sl:2/20",
             demand={"seasonality": [1.0] * 11, "factors": [1.0]},
             ai={"containment": {"billing": {"start": 0, "end": 0.5}}},
             groups=[{"name": "nobody"}, {"name": "front", "hires": [{"period": 7, "count": 2}],
                                          "attrition_per_month": 1.5, "learning_curve": {"slower": -1}}])
    messages = [str(problem) for problem in caught.value.problems]
    assert any(m.startswith("groups[1].attrition_per_month: 1.5 is not allowed") for m in messages)
    assert any(m.startswith("groups[1].learning_curve.slower: -1 is not allowed") for m in messages)
    with pytest.raises(PlanFileError) as caught:
        plan(periods=6, start=dt.date(2026, 1, 15), target="sl:2/20",
             demand={"seasonality": [1.0] * 11, "factors": [1.0]},
             ai={"containment": {"billing": {"start": 0, "end": 0.5}}},
             groups=[{"name": "nobody"}, {"name": "front", "hires": [{"period": 7, "count": 2}]}])
    messages = [str(problem) for problem in caught.value.problems]
    for expected in ("start: '2026-01-15' is not the first day of a month",
                     "demand.seasonality: has 11 entries; give 12",
                     "demand.factors: has 1 entries; give one per period (6)",
                     "ai: the scenario has no [ai] section",
                     "groups[0].name: 'nobody' is not an agent group of the scenario",
                     "groups[1].hires[0].period: 7 is beyond the 6 periods",
                     "target: 'sl:2/20'"):
        assert any(message.startswith(expected.replace("'2026-01-15'", "2026-01-15")) for message in messages), \
            (expected, messages)


def test_ccsim_plan_writes_tables_and_refuses_bad_files(tmp_path, capsys):
    scenario = tmp_path / "week.toml"
    scenario.write_text((SCENARIOS / "baseline.toml").read_text().replace("days = 5", "days = 1"))
    good = tmp_path / "good.toml"
    good.write_text('scenario = "week.toml"\nperiods = 3\nstart = 2026-01-01\n'
                    '[[groups]]\nname = "generalists"\nhires = [{ period = 2, count = 4 }]\n')
    out = tmp_path / "out"
    assert main(["plan", str(good), "--out", str(out), "--quiet"]) == 0
    summary = json.loads((out / "summary.json").read_text())
    assert summary["totals"]["given"]["hires"] == 4 and summary["method"] == "erlang-a"
    for name in ("periods.csv", "workforce.csv", "hiring_plan.csv", "plan.png"):
        assert (out / name).stat().st_size > 0
    bad = tmp_path / "bad.toml"
    bad.write_text('scenario = "week.toml"\nperiods = 0\nstart = 2026-01-01\nunknown = 1\n')
    assert main(["plan", str(bad), "--out", str(tmp_path / "bad_out")]) == 2
    error = capsys.readouterr().err
    assert "periods: 0 is not allowed" in error and "unknown: unknown key" in error
    assert not (tmp_path / "bad_out").exists()


def test_simulated_requirement_scales_the_erlang_requirement():
    from analysis.planning.horizon.simulation import SimulationSettings
    from analysis.runs.execution import ExecutionPlan

    spec, scenario, targets = plan(periods=2, hours_per_fte_week=4.0)
    result = run_plan(spec, scenario, targets, SimulationSettings(2, 1, ExecutionPlan(workers=1), False))
    scales = np.array(result.simulation["scale_required"])
    for name, values in result.required.items():
        np.testing.assert_allclose(values, result.erlang_required[name] * scales)
    periods = periods_table(result)
    assert result.method == "simulation" and periods["service_level_low"].notna().all()
    assert not math.isnan(periods["service_level"].iloc[0])
