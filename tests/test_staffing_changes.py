"""``staffing_scale`` and ``extra_agents``: one-line headcount changes on any agent group, shift-staffed included."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.metrics.kpis import compute_kpis
from sim.config import ScenarioError, apply_overrides, load_scenario, parse_scenario
from sim.run import simulate

from .conftest import small_data

SHIFTS = [{"name": "early", "start": "08:00", "length_hours": 2, "count": 3},
          {"start": "10:00", "length_hours": 2, "count": 2}]


def _shift_scenario(**group_fields):
    data = small_data()
    data["agent_groups"][0] = {"name": "front", "skills": {"billing": 1, "tech": 2}, "shifts": SHIFTS,
                               "wage_per_hour": 20.0, **group_fields}
    return parse_scenario(data)


def _counts(scenario, group: int = 0) -> list[int]:
    return [shift.count for shift in scenario.agent_groups[group].shifts]


def _problems(**group_fields) -> list[str]:
    with pytest.raises(ScenarioError) as caught:
        _shift_scenario(**group_fields)
    return [str(problem) for problem in caught.value.problems]


def test_extra_agents_on_a_named_shift_or_a_start_time_pay_exactly_their_hours():
    base = _shift_scenario()
    more = apply_overrides(base, {"agent_groups.front.extra_agents": {"early": 4, "10:00": 1}})
    assert _counts(more) == [7, 3] and more.agent_groups[0].extra_agents is None
    paid = [compute_kpis(simulate(scenario, seed=1), scenario)["agents_paid_hours"] for scenario in (base, more)]
    assert paid[1] - paid[0] == pytest.approx(4 * 2 + 1 * 2)


def test_staffing_scale_rounds_every_count_and_applies_once():
    scaled = _shift_scenario(staffing_scale=1.5)
    assert _counts(scaled) == [5, 3]  # 4.5 and 3.0, halves rounded up
    again = parse_scenario(scaled.model_dump(mode="json"))  # the resolved scenario, as in summary.json
    assert _counts(again) == [5, 3]
    both = _shift_scenario(staffing_scale=2.0, extra_agents={"early": -1})
    assert _counts(both) == [5, 4]


def test_headcount_groups_scale_and_gain_agents_only_where_staffed():
    data = small_data()
    data["agent_groups"][0]["headcount"] = [2, 0, 3, 2]
    data["agent_groups"][0]["extra_agents"] = 2
    data["agent_groups"][1]["headcount_rows"] = [{"interval": "08:00", "headcount": 3}]
    data["agent_groups"][1].pop("headcount")
    data["agent_groups"][1]["staffing_scale"] = 0.5
    scenario = parse_scenario(data)
    assert scenario.agent_groups[0].headcount == [4, 0, 5, 4]
    assert [row.headcount for row in scenario.agent_groups[1].headcount_rows] == [2]


def test_bad_staffing_changes_name_the_group_and_what_is_allowed():
    assert _problems(extra_agents={"late": 2}) == [
        "agent_groups[0]: extra_agents: no shift named or starting at 'late' (shifts: 08:00, 10:00, early)"]
    assert _problems(extra_agents=2) == [
        'agent_groups[0]: extra_agents: the group has 2 shifts; say which get the agents, e.g. extra_agents = '
        '{ "early" = 2 }']
    assert _problems(extra_agents={"early": -5}) == [
        "agent_groups[0]: extra_agents: -5 would leave -2 agents (counts cannot go below zero)"]
    assert _problems(extra_agents=True)[0].startswith("agent_groups[0].extra_agents: True is not allowed: a whole "
                                                      "number, or shift names or start times")
    assert _problems(staffing_scale=0) == ["agent_groups[0].staffing_scale: 0 is not allowed: input should be "
                                           "greater than 0"]
    data = small_data()
    data["agent_groups"][0]["extra_agents"] = {"early": 1}
    with pytest.raises(ScenarioError, match="extra_agents by shift name needs shifts"):
        parse_scenario(data)


def test_a_roster_file_group_can_be_scaled(tmp_path):
    (tmp_path / "roster.csv").write_text("name,start,length_hours,count,unpaid_breaks,paid_breaks\n"
                                         "day,08:00,4,5,,\n")
    data = small_data()
    data["agent_groups"][0] = {"name": "front", "skills": ["billing", "tech"], "roster_file": "roster.csv",
                               "staffing_scale": 1.2}
    scenario = parse_scenario(data, base_dir=tmp_path)
    assert _counts(scenario) == [6]


@settings(max_examples=40, deadline=None)
@given(counts=st.lists(st.integers(0, 60), min_size=1, max_size=4), scale=st.floats(0.05, 5.0))
def test_scaled_counts_are_rounded_products_and_never_change_again(counts, scale):
    data = small_data()
    data["agent_groups"][0] = {"name": "front", "skills": ["billing", "tech"], "staffing_scale": scale,
                               "shifts": [{"start": f"{8 + i}:00", "length_hours": 1, "count": c}
                                          for i, c in enumerate(counts)]}
    scenario = parse_scenario(data)
    assert _counts(scenario) == [int(c * scale + 0.5) for c in counts]
    assert parse_scenario(scenario.model_dump(mode="json")) == scenario


def test_bundled_baseline_takes_a_one_line_change():
    baseline = load_scenario("scenarios/baseline.toml")
    # 11:30 is the only generalists' row starting then (the Monday evening cover).
    more = apply_overrides(baseline, {"agent_groups.generalists.extra_agents": {"11:30": 5}})
    before = {shift.start: shift.count for shift in baseline.agent_groups[0].shifts if shift.start == "11:30"}
    after = {shift.start: shift.count for shift in more.agent_groups[0].shifts if shift.start == "11:30"}
    assert after["11:30"] == before["11:30"] + 5
