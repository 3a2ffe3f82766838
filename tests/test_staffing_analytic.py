"""Analytic staffing from a scenario: targets, workload (AI, routing), units, Erlang requirements, written scenarios."""

from __future__ import annotations

import copy
import math

import numpy as np
import pytest

from analysis.planning.erlang import ServiceLevelTarget, requirements_per_interval
from analysis.planning.staffing import (
    ALL_GROUPS,
    StaffingError,
    TargetError,
    analytic_agents,
    analytic_requirements,
    headcount_for_agents,
    parse_target,
    parse_targets,
    select_unit,
    with_headcount,
    write_headcount_scenario,
)
from sim.config import apply_overrides, load_scenario, parse_scenario

from .conftest import SCENARIOS


def constant_scenario(volume: float = 100.0, handle_seconds: float = 180.0, patience_seconds: float | None = None,
                      **group) -> dict:
    """A center open 08:00-10:00 on 30-minute intervals with the same demand in every interval (every contact
    resolved: no repeat contacts, the queue Erlang describes)."""
    contact = {"name": "calls", "handle_time": {"dist": "exponential", "mean": handle_seconds, "unit": "s"}}
    if patience_seconds is not None:
        contact["patience"] = {"dist": "exponential", "mean": patience_seconds, "unit": "s"}
    return {"name": "constant", "horizon": {"days": 1, "interval_minutes": 30, "open": "08:00", "close": "10:00"},
            "demand": {"volume": [volume] * 4}, "contact_types": [contact],
            "agent_groups": [{"name": "agents", "skills": ["calls"], "headcount": [1] * 4,
                              "first_contact_resolution": 1.0, **group}]}


# --- targets -------------------------------------------------------------------------------------

def test_targets_parse_to_their_erlang_equivalents():
    level, abandon, asa = parse_targets("sl:0.8/20, abandon:0.05,asa:30")
    assert level.erlang_target() == ServiceLevelTarget(0.8, 20.0) and level.label == "sl:0.8/20"
    assert (abandon.kind, abandon.value, asa.kind, asa.value) == ("abandon", 0.05, "asa", 30.0)
    assert level.is_met(0.8) and not level.is_met(0.79) and abandon.is_met(0.04) and not asa.is_met(31)


@pytest.mark.parametrize("text", ["sl:80/20", "sl:0.8", "sl:0.8/-5", "abandon:1.5", "asa:0", "speed:3", "sl:x/20",
                                  "", "sl:0.8/20,sl:0.8/20"])
def test_bad_targets_are_refused_with_the_syntax(text):
    with pytest.raises(TargetError):
        parse_targets(text)


# --- analytic requirements -----------------------------------------------------------------------

def test_published_example_100_contacts_180_seconds_80_in_20_needs_14_agents():
    scenario = parse_scenario(constant_scenario())
    unit = select_unit(scenario)
    table = analytic_requirements(unit.workload(scenario), unit, [parse_target("sl:0.8/20")], "erlang-c")
    open_rows = table[table["volume"] > 0]
    assert len(open_rows) == 4 and (open_rows["agents"] == 14).all()
    assert open_rows["service_level"].iloc[0] == pytest.approx(0.888, abs=5e-4)
    assert open_rows["offered_load"].iloc[0] == pytest.approx(10.0)
    assert (table.loc[table["volume"] == 0, "agents"] == 0).all()


@pytest.mark.parametrize("patience", [None, 120.0])
def test_constant_demand_agrees_with_analysis_erlang(patience):
    scenario = parse_scenario(constant_scenario(140.0, 240.0, patience, shrinkage=0.2))
    unit = select_unit(scenario)
    target = parse_target("sl:0.85/15")
    method = "erlang-c" if patience is None else "erlang-a"
    table = analytic_requirements(unit.workload(scenario), unit, [target], method)
    direct = requirements_per_interval([140.0], 1800, 240.0, target.erlang_target(), mean_patience=patience,
                                       shrinkage=0.2)
    row = table[table["volume"] > 0].iloc[0]
    assert row["agents"] == direct["agents"].iloc[0]
    assert row["service_level"] == pytest.approx(direct["service_level"].iloc[0], rel=1e-12)
    assert row["headcount_exact"] == pytest.approx(direct["scheduled_agents_exact"].iloc[0])
    # Planners round agents / (1 - shrinkage) up; the simulator then has at least that many available.
    assert row["headcount"] == math.ceil(row["agents"] / 0.8 - 1e-9)
    assert unit.available(int(row["headcount"])) >= row["agents"]
    # "nearest": the smallest headcount the simulator's half-up rounding turns into enough agents.
    nearest = select_unit(scenario, rounding="nearest")
    headcount = nearest.headcount_for(int(row["agents"]))
    assert nearest.available(headcount) >= row["agents"] > nearest.available(headcount - 1)
    assert headcount <= row["headcount"]


def test_erlang_a_needs_fewer_agents_than_erlang_c_when_customers_abandon():
    scenario = parse_scenario(constant_scenario(90.0, 240.0, 60.0))
    unit = select_unit(scenario)
    workload = unit.workload(scenario)
    erlang_c, _ = analytic_agents(workload, [parse_target("sl:0.8/20")], "erlang-c")
    erlang_a, _ = analytic_agents(workload, [parse_target("sl:0.8/20")], "erlang-a")
    assert erlang_a.sum() < erlang_c.sum()


def test_fractional_and_zero_loads():
    scenario = parse_scenario({**constant_scenario(), "demand": {"volume": [0.3, 0.0, 2.5, 0.0]}})
    unit = select_unit(scenario)
    table = analytic_requirements(unit.workload(scenario), unit, [parse_target("sl:0.8/20")], "erlang-a")
    open_rows = table.iloc[16:20]
    assert list(open_rows["agents"]) == [1, 0, 2, 0]


def test_targets_out_of_reach_are_a_staffing_error():
    scenario = parse_scenario(constant_scenario())
    unit = select_unit(scenario)
    with pytest.raises(StaffingError, match="day 1 08:00: targets not met even with max_agents=12"):
        analytic_agents(unit.workload(scenario), [parse_target("sl:0.8/20")], "erlang-c", max_agents=12)


# --- workload: weekdays, AI, routing ---------------------------------------------------------------

def test_repeat_contacts_come_back_after_the_delay_and_at_the_next_opening():
    data = constant_scenario(first_contact_resolution=0.8)
    data["horizon"]["days"] = 2
    data["repeat_contacts"] = {"max_repeats": 1, "delay": {"dist": "deterministic", "value": 30, "unit": "min"},
                               "opening_spread_minutes": 0}
    workload = select_unit(parse_scenario(data)).workload(parse_scenario(data))
    day1, day2 = workload.volume[0, 16:20], workload.volume[1, 16:20]
    # 20% unresolved come back one interval later; the last interval's come back at the next opening.
    assert list(day1) == pytest.approx([100, 120, 120, 120])
    assert list(day2) == pytest.approx([120, 120, 120, 120])
    assert workload.volume[:, :16].sum() == 0 and workload.volume[:, 20:].sum() == 0


def test_overnight_repeat_contacts_spread_over_the_first_open_minutes():
    data = constant_scenario(first_contact_resolution=0.8)
    data["horizon"]["days"] = 2
    data["repeat_contacts"] = {"max_repeats": 1, "delay": {"dist": "deterministic", "value": 30, "unit": "min"},
                               "opening_spread_minutes": 45}
    workload = select_unit(parse_scenario(data)).workload(parse_scenario(data))
    # Day 1's last 20 repeats come back over 45 minutes of 30-minute intervals: 2/3, then 1/3.
    assert list(workload.volume[1, 16:20]) == pytest.approx([100 + 20 * 2 / 3, 120 + 20 / 3, 120, 120])
    assert workload.volume.sum() == pytest.approx(2 * 4 * 100 + 7 * 20)


def test_weekday_factors_give_a_profile_per_day():
    data = constant_scenario()
    data["horizon"]["days"] = 2
    data["demand"]["weekday_factors"] = {"tuesday": 1.5}
    scenario = parse_scenario(data)
    workload = select_unit(scenario).workload(scenario)
    assert workload.weekdays == ("monday", "tuesday")
    assert workload.volume[1, 16] == pytest.approx(1.5 * workload.volume[0, 16])


def test_handle_time_profile_and_after_contact_absences_enter_the_requirements():
    data = constant_scenario()
    data["contact_types"][0]["handle_time_by_time_of_day"] = {"08:30": 1.5, "09:00": 1.0}
    data["agent_groups"][0]["availability"] = {"step_away_after_contact": [0.2, 0.1],
                                              "away_time": {"dist": "deterministic", "value": 90, "unit": "s"}}
    scenario = parse_scenario(data)
    unit = select_unit(scenario)
    workload = unit.workload(scenario)
    np.testing.assert_allclose(workload.handle_seconds[0, 16:20], [180.0, 270.0, 180.0, 180.0])
    # Mean busy per contact over the day weighs the longer half hour in; with it, 20% of contacts followed by
    # 90 s away leave a busy agent mean busy / (mean busy + 18 s) of the time on the phones.
    assert unit.mean_busy_seconds == pytest.approx(202.5)
    assert scenario.agent_groups[0].effective_shrinkage(unit.mean_busy_seconds) == pytest.approx(18.0 / 220.5)
    assert unit.available(100) == round(100 * 202.5 / 220.5)


def ai_scenario(capacity: int = 1000, session_minutes: float = 10.0) -> dict:
    data = constant_scenario(100.0, 300.0, 200.0)
    data["ai"] = {"capacity": capacity, "session_time": {"dist": "exponential", "mean": session_minutes, "unit": "min"},
                  "escalation_handle_time_multiplier": 1.5,
                  "contact_types": {"calls": {"containment": 0.3, "escalation": 0.6}}}
    return data


def test_ai_escalations_reduce_and_delay_human_demand():
    scenario = parse_scenario(ai_scenario())
    workload = select_unit(scenario).workload(scenario)
    volume = workload.volume[0]
    # 60% escalated, arriving 10 minutes (a third of an interval) after entering the AI.
    expected = np.zeros(48)
    expected[16:20] += 60.0 * 2 / 3
    expected[17:21] += 60.0 / 3
    np.testing.assert_allclose(volume, expected, atol=1e-9)
    np.testing.assert_allclose(workload.handle_seconds[0, 16:21], 450.0)  # 300 s x 1.5 for escalations


def test_ai_full_sends_the_blocked_share_straight_to_humans():
    from analysis.planning.erlang import erlang_b
    scenario = parse_scenario(ai_scenario(capacity=3, session_minutes=10.0))
    volume = select_unit(scenario).workload(scenario).volume[0]
    blocked = erlang_b(3, 100 * 600 / 1800)  # AI load: 100 contacts x 10 min per 30 min
    assert volume[16] == pytest.approx(100 * blocked + 100 * (1 - blocked) * 0.6 * 2 / 3)


def test_static_vendor_split_and_dynamic_overflow():
    # First contacts only: the split applies to new contacts, and repeats come back however they were split.
    no_repeats = {"repeat_contacts.max_repeats": 0}
    baseline = apply_overrides(load_scenario(SCENARIOS / "baseline.toml"), no_repeats)
    split = apply_overrides(load_scenario(SCENARIOS / "split_30_vendor.toml"), no_repeats)
    overflow = apply_overrides(load_scenario(SCENARIOS / "outsourced_overflow.toml"), no_repeats)
    base_volume = select_unit(baseline).workload(baseline).volume
    split_workload = select_unit(split).workload(split)
    np.testing.assert_allclose(split_workload.volume, 0.7 * base_volume)
    overflow_workload = select_unit(overflow).workload(overflow)
    np.testing.assert_allclose(overflow_workload.volume, base_volume)  # queue-dependent: left out...
    assert any("overflow" in note for note in overflow_workload.notes)  # ...and said so


# --- units ---------------------------------------------------------------------------------------

def test_units_single_group_all_groups_and_dedicated():
    baseline = load_scenario(SCENARIOS / "baseline.toml")
    everyone = select_unit(baseline)
    assert everyone.label == ALL_GROUPS and everyone.group_names == ("generalists", "tech_specialists")
    assert sum(everyone.shares) == pytest.approx(1.0)
    generalists = select_unit(baseline, "generalists")
    assert generalists.type_weights == {"billing": 1.0, "sales": 1.0}  # where generalists come first
    vip = select_unit(load_scenario(SCENARIOS / "vip_tiering.toml"), "vip_desk")
    assert vip.destination == "vip_desk"
    with pytest.raises(StaffingError, match="no agent group named 'nobody'"):
        select_unit(baseline, "nobody")


def test_splitting_headcount_between_groups_never_takes_an_agent_away():
    unit = select_unit(load_scenario(SCENARIOS / "baseline.toml"))
    previous = (0, 0)
    for headcount in range(1, 200):
        counts = unit.split(headcount)
        assert sum(counts) == headcount and all(a >= b for a, b in zip(counts, previous))
        previous = counts
        assert unit.available(unit.headcount_for(headcount)) >= headcount
        assert unit.exact_available(unit.headcount_for(headcount)) >= headcount - 1e-9


# --- written scenarios ---------------------------------------------------------------------------

def test_written_scenario_uses_the_headcount_and_loads(tmp_path):
    scenario = apply_overrides(load_scenario(SCENARIOS / "baseline.toml"), {"horizon.days": 2})
    unit = select_unit(scenario)
    agents, _ = analytic_agents(unit.workload(scenario), [parse_target("sl:0.8/20")], "erlang-a")
    headcount = headcount_for_agents(unit, agents)
    written = write_headcount_scenario(tmp_path / "staffed.toml", scenario, unit, headcount)
    # Monday is busier than Tuesday, so days differ: a headcount file per group, by relative path.
    assert sorted(p.name for p in tmp_path.glob("*.csv")) == ["staffed_generalists_headcount.csv",
                                                             "staffed_tech_specialists_headcount.csv"]
    assert "headcount_file" in (tmp_path / "staffed.toml").read_text()
    assert written == with_headcount(scenario, unit, headcount).model_copy(update={"name": written.name})
    for group, matrix in zip(written.agent_groups, unit.split_matrix(headcount)):
        rows = {(row.day, row.interval): row.headcount for row in group.headcount_rows if row.day}
        assert rows[(2, "10:00")] == matrix[1, 20]


def test_copy_of_data_is_not_changed_by_writing(tmp_path):
    scenario = parse_scenario(constant_scenario())
    before = copy.deepcopy(scenario.model_dump())
    unit = select_unit(scenario)
    write_headcount_scenario(tmp_path / "s.toml", scenario, unit, np.full((1, 48), 3))
    assert scenario.model_dump() == before
    assert load_scenario(tmp_path / "s.toml").agent_groups[0].headcount == [3] * 48
    assert math.isfinite(unit.labor_cost(np.full((1, 48), 3), 0.5))
