"""Shift plans from a scenario's requirement, rosters, written scenarios, and rules compared by simulation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.planning.scheduling import InfeasibleScheduleError, RuleError, parse_templates
from analysis.planning.scheduling.roster_plans import plan_rosters, write_shift_plan
from analysis.planning.scheduling.rules_compare import compare_rule_options
from analysis.planning.scheduling.shift_plans import (
    OvertimeSettings,
    RequirementFileError,
    parse_rule_options,
    read_requirement,
)
from analysis.planning.staffing import SearchSettings, analytic_agents, headcount_for_agents, parse_targets, select_unit
from sim.config import apply_overrides, parse_scenario
from sim.run import simulate

CENTER = {
    "name": "small_center", "horizon": {"days": 1, "interval_minutes": 30, "open": "08:00", "close": "12:00"},
    "demand": {"volume": [30, 50, 70, 80, 80, 70, 50, 30]},
    "contact_types": [{"name": "calls", "handle_time": {"dist": "exponential", "mean": 300, "unit": "s"},
                       "patience": {"dist": "exponential", "mean": 180, "unit": "s"}}],
    "agent_groups": [{"name": "agents", "skills": ["calls"], "headcount": [1] * 8, "shrinkage": 0.1,
                      "wage_per_hour": 20}],
}
TEMPLATES = {
    "options": {"hourly_cost": 20.0},
    "templates": [
        {"name": "morning", "start_window": {"earliest": "07:30", "latest": "09:00", "step_minutes": 30},
         "length_hours": 4, "breaks": [{"minutes": 15, "paid": True, "earliest_offset_minutes": 60,
                                        "latest_offset_minutes": 150}]},
        {"name": "late", "starts": ["09:00", "09:30", "10:00"], "length_hours": 3, "hourly_cost": 22.0},
    ],
    "rules": {"part_time_peak": {"name": "peak", "length_hours": 2,
                                 "start_window": {"earliest": "09:00", "latest": "10:30", "step_minutes": 30}}},
}
# Demand still rising at closing time, patient customers and a lean plan: queues at the shift ends.
RUSH = {**CENTER, "demand": {"volume": [30, 50, 70, 80, 90, 100, 110, 120]},
        "contact_types": [{**CENTER["contact_types"][0],
                           "patience": {"dist": "exponential", "mean": 20, "unit": "min"}}]}
TARGET = parse_targets("sl:0.8/20")


def requirement_of(scenario, target=TARGET) -> tuple:
    unit = select_unit(scenario)
    agents, _ = analytic_agents(unit.workload(scenario), target, "erlang-a")
    return unit, agents, headcount_for_agents(unit, agents)


def test_plan_from_a_scenario_covers_its_requirement_and_the_roster_runs(tmp_path):
    scenario = parse_scenario(CENTER)
    unit, agents, headcount = requirement_of(scenario)
    plan = plan_rosters(scenario, headcount, parse_templates(TEMPLATES), parse_rule_options(None)[0])
    assert plan.status == "optimal"
    assert (plan.coverage() >= headcount).all()  # every interval, on the phones for the whole interval
    written = write_shift_plan(plan, scenario, unit, tmp_path)
    assert "roster_file = \"roster_agents.csv\"" in (tmp_path / "scenario.toml").read_text()
    roster = pd.read_csv(tmp_path / "roster_agents.csv")
    monday = roster[roster["weekday"] == "monday"]
    assert monday["agent"].is_unique and len(monday) == sum(0 in tour.days() for tour in plan.tours.agents)
    assert roster.groupby("agent").size().max() == 5 and roster["agent"].nunique() == plan.agents
    assert (tmp_path / "roster_agents.png").exists()  # the Gantt chart of group "agents"
    # The simulator, after shrinkage, has at least the agents the requirement asked for in every interval.
    staffing = simulate(written, seed=1).staffing
    available = staffing["available_agents"].to_numpy()
    assert (available[16:24] >= agents[0, 16:24] - 1e-9).all()
    assert plan.labor_cost(written) == pytest.approx(sum(monday["paid_hours"]) * 20)
    assert any("'morning' (4 h, starts 07:30-09:00) kept within opening hours: monday-sunday 08:00-12:00: starts 08:00"
               in note for note in plan.notes)


def test_plans_outside_opening_hours_only_when_told_and_then_say_how_many_paid_hours_fall_outside():
    scenario = parse_scenario(CENTER)
    _, _, headcount = requirement_of(scenario)
    early = {**TEMPLATES, "templates": [{**TEMPLATES["templates"][0], "start_window": None, "starts": ["07:30"]},
                                        TEMPLATES["templates"][1]]}
    with pytest.raises(InfeasibleScheduleError, match="monday 08:00.*plan outside opening hours"):
        plan_rosters(scenario, headcount, parse_templates(early), parse_rule_options(None)[0])
    outside = plan_rosters(scenario, headcount, parse_templates(early), parse_rule_options(None)[0], bounded=False)
    early_shifts = [shift for tour in outside.tours.agents for _, shift in tour.shifts if shift.start_minutes < 480]
    total = outside.tours.paid_hours()
    expected = 0.5 * len(early_shifts)  # 07:30-08:00 of every early shift is paid before opening
    assert early_shifts and f"warning: {expected:,.1f} of {total:,.1f} paid hours" in " ".join(outside.notes)


def test_days_that_differ_get_tours_over_the_week(tmp_path):
    scenario = parse_scenario({**CENTER, "horizon": {**CENTER["horizon"], "days": 2},
                               "demand": {**CENTER["demand"], "weekday_factors": {"tuesday": 1.6}}})
    unit, _, headcount = requirement_of(scenario)
    plan = plan_rosters(scenario, headcount, parse_templates(TEMPLATES), parse_rule_options(None)[0])
    written = write_shift_plan(plan, scenario, unit, tmp_path)
    roster = pd.read_csv(tmp_path / "roster_agents.csv")
    assert roster.groupby("agent").size().max() <= 5  # five days a week by default
    assert (roster.groupby("weekday").size()["tuesday"] > roster.groupby("weekday").size()["monday"])
    scheduled = simulate(written, seed=1).staffing.groupby("day")["scheduled_agents"].sum()
    assert scheduled[1] > scheduled[0]
    assert (plan.coverage() >= headcount).all()
    assert any("wednesday like monday" in note for note in plan.notes)


def test_rules_compared_by_simulation_one_row_each_with_sensible_relations(tmp_path):
    scenario = parse_scenario(RUSH)
    unit, _, headcount = requirement_of(scenario, parse_targets("sl:0.3/20"))
    options = parse_rule_options("on_the_hour,staggered_15,staggered_breaks,fixed_breaks,part_time_peak,overtime,"
                                 "on_the_hour+staggered_15")
    comparison = compare_rule_options(scenario, unit, headcount, parse_templates(TEMPLATES), options, tmp_path,
                                      TARGET, SearchSettings(replications=4, workers=1, show_progress=False),
                                      overtime=OvertimeSettings(queue_above=0, max_minutes=20))
    table = comparison.table.set_index("option")
    assert list(table.index) == ["current"] + [option.label for option in options]
    assert table.loc["on_the_hour+staggered_15", "status"].startswith("not planned")  # conflicting rules
    planned = table.drop(index=["current", "on_the_hour+staggered_15"])
    assert (planned["status"] == "optimal").all()
    tolerance = 1e-6
    week = planned["planned_cost_per_week"]
    assert week["staggered_15"] <= week["on_the_hour"] + tolerance
    assert week["staggered_breaks"] <= week["fixed_breaks"] + tolerance
    assert week["part_time_peak"] <= week["staggered_breaks"] + tolerance
    # One cost definition: the roster's labor is what the simulator charges for it.
    no_overtime = planned[~planned["overtime"]]
    np.testing.assert_allclose(no_overtime["planned_labor_cost"], no_overtime["labor_cost"])
    # Overtime changes nothing in the plan; it pays for agents kept on when the queue is long.
    assert planned.loc["overtime", "planned_labor_cost"] == planned.loc["staggered_breaks", "planned_labor_cost"]
    assert planned.loc["overtime", "overtime_hours"] > 0 == planned.loc["staggered_breaks", "overtime_hours"]
    assert planned.loc["overtime", "total_cost"] > planned.loc["staggered_breaks", "total_cost"]
    assert table.loc["current", "intervals_with_contacts"] == planned.loc["overtime", "intervals_with_contacts"]
    assert 0 <= table.loc["current", "intervals_below_target"] <= table.loc["current", "intervals_with_contacts"]
    # Same seeds for every option: staggered_breaks is how templates are read anyway, so with the same plan
    # the simulations are identical.
    with_breaks = comparison.results["staggered_breaks"].evaluation.counts
    plain = compare_rule_options(scenario, unit, headcount, parse_templates(TEMPLATES), parse_rule_options(None),
                                 tmp_path / "plain", TARGET,
                                 SearchSettings(replications=4, workers=1, show_progress=False))
    for name, counts in plain.results["as_written"].evaluation.counts.items():
        np.testing.assert_array_equal(counts, with_breaks[name])
    for column in ("total_cost", "service_level", "abandon_rate", "occupancy"):
        assert ((planned[f"{column}_low"] <= planned[column]).all()
                and (planned[column] <= planned[f"{column}_high"]).all())
    assert (tmp_path / "rules_comparison.csv").exists() and (tmp_path / "rules_comparison.png").exists()
    assert (tmp_path / "overtime" / "scenario.toml").read_text().count("queue_above = 0") == 1


def test_requirement_files_are_read_and_checked(tmp_path):
    scenario = apply_overrides(parse_scenario(CENTER), {"horizon.days": 2})
    unit = select_unit(scenario)
    path = tmp_path / "req.csv"
    path.write_text("interval_start,agents\n08:00,4\n08:30,9\n")
    matrix = read_requirement(path, scenario, unit)
    assert matrix.shape == (2, 48) and list(matrix[1, 16:18]) == [unit.headcount_for(4), unit.headcount_for(9)]
    bad = {"interval_start,headcount\n08:10,3\n": "not the start of a 30-minute interval",
           "start,headcount\n08:00,3\n": "needs columns interval_start and headcount",
           "day,interval_start,headcount\n3,08:00,3\n": "do not fit the horizon",
           "interval_start,headcount\n08:00,-1\n": "numbers >= 0",
           "interval_start,headcount\n08:00,0\n": "zero everywhere"}
    for text, message in bad.items():
        path.write_text(text)
        with pytest.raises(RequirementFileError, match=message):
            read_requirement(path, scenario, unit)
    with pytest.raises(RequirementFileError, match="cannot read"):
        read_requirement(tmp_path / "missing.csv", scenario, unit)


def test_rule_options_are_checked():
    options = parse_rule_options("staggered_15+part_time_peak+overtime, on_the_hour")
    assert options[0].rules == ("staggered_15", "part_time_peak") and options[0].overtime
    assert options[1].label == "on_the_hour" and not options[1].overtime
    with pytest.raises(RuleError, match="unknown rule"):
        parse_rule_options("on_the_half_hour")
    with pytest.raises(RuleError, match="twice"):
        parse_rule_options("overtime,overtime")
