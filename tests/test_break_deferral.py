"""Breaks that wait while the queue is long: never outside their window, paid time conserved, counts."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.metrics.kpis import compute_kpis
from sim.config import ScenarioError, parse_scenario
from sim.run import simulate

from .test_engine import INF, run_with, scenario_with

HOUR = 3600.0


def team(breaks: list[dict], count: int = 1, rule: dict | None = None) -> list[dict]:
    group = {"name": "team", "skills": ["calls"],
             "shifts": [{"start": "08:00", "length_hours": 4, "count": count, "breaks": breaks}]}
    if rule is not None:
        group["break_deferral"] = rule
    return [group]


def test_a_break_waits_for_the_queue_and_starts_when_it_is_short():
    # One agent, a paid break planned at 09:00 (latest 09:30): a call waits from 08:56:40 to 09:05, so the break
    # waits too; at 09:05 the agent takes that call, nothing waits any more, and the break starts (the agent
    # finishes the call in hand first, as at any break).
    breaks = [{"start": "09:00", "minutes": 15, "paid": True, "latest": "09:30"}]
    scenario = scenario_with(team(breaks, rule={"defer_while_queue_above": 0}))
    nine = 9 * HOUR
    rows = [(nine - 300, 0, 0, 600, INF), (nine - 200, 0, 0, 300, INF), (nine + 400, 0, 0, 60, INF)]
    engine, table = run_with(scenario, rows)
    rule = engine.pools[0].break_rule
    assert rule.started == [(nine, nine + 1800, nine + 300, True)]
    # The third call arrives during the break (09:05-09:20) and waits for its end.
    assert list(table["answer_time"]) == [nine - 300, nine + 300, nine + 1200]
    counts = engine.collector.by_handler[0]
    assert counts[3:] == [1.0, 1.0, 0.0]    # due, deferred, missed


def test_a_paid_break_still_deferred_at_the_end_of_its_window_is_missed_and_an_unpaid_one_taken():
    breaks = [{"start": "09:00", "minutes": 15, "paid": True},
              {"start": "10:00", "minutes": 30, "paid": False, "latest": "10:20"}]
    scenario = scenario_with(team(breaks, rule={"defer_while_queue_above": 0, "max_delay_minutes": 20}))
    # A growing queue from 08:54 on: calls of 10 minutes arriving every 4 minutes from 08:50:30.
    rows = [(8 * HOUR + 3030 + k * 240, 0, 0, 600, INF) for k in range(35)]
    engine, _ = run_with(scenario, rows)
    rule = engine.pools[0].break_rule
    ten = 10 * HOUR
    assert rule.started == [(ten, ten + 1200, ten + 1200, False)]   # the unpaid break at the end of its window
    assert engine.collector.by_handler[0][3:] == [2.0, 1.0, 1.0]


def test_bad_break_windows_are_refused_with_the_field_path():
    breaks = [{"start": "09:00", "minutes": 15, "paid": True, "latest": "11:50"}]
    with pytest.raises(ScenarioError) as error:
        scenario_with(team(breaks, rule={"defer_while_queue_above": 2}))
    problem = error.value.problems[0]
    assert problem.path == "agent_groups[0].shifts[0].breaks[0].latest"
    assert "would end after the shift ends (12:00)" in problem.message


@st.composite
def deferral_cases(draw):
    breaks, start = [], 8 * 60 + 30
    for _ in range(draw(st.integers(1, 3))):
        start += draw(st.sampled_from([0, 15, 30]))
        minutes = draw(st.sampled_from([10, 15, 30]))
        delay = draw(st.sampled_from([0, 10, 20]))
        if start + delay + minutes > 12 * 60:
            break   # the window must end inside the 08:00-12:00 shift
        breaks.append({"start": f"{start // 60:02d}:{start % 60:02d}", "minutes": minutes,
                       "paid": draw(st.booleans()),
                       "latest": f"{(start + delay) // 60:02d}:{(start + delay) % 60:02d}"})
        start += delay + minutes
    count = draw(st.integers(1, 4))
    rule = {"defer_while_queue_above": draw(st.integers(0, 3))}
    volume = draw(st.lists(st.integers(0, 60), min_size=4, max_size=4))
    return breaks, count, rule, volume, draw(st.integers(0, 1000))


def with_volume(groups, volume):
    data = scenario_with(groups).model_dump(mode="json", exclude_none=True)
    data["horizon"] = {"days": 1, "interval_minutes": 60, "open": "08:00", "close": "12:00", "drain_minutes": 60}
    data["demand"] = {"volume": volume}
    data["contact_types"][0]["handle_time"] = {"dist": "exponential", "mean": 4, "unit": "min"}
    data["contact_types"][0]["patience"] = {"dist": "exponential", "mean": 5, "unit": "min"}
    return parse_scenario(data)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(deferral_cases())
def test_deferred_breaks_stay_in_their_window_and_paid_time_is_conserved(case):
    breaks, count, rule, volume, seed = case
    deferring = with_volume(team(breaks, count, rule), volume)
    fixed = with_volume(team(breaks, count), volume)
    result = simulate(deferring, seed=seed)
    plain = simulate(fixed, seed=seed)
    kpis, plain_kpis = compute_kpis(result, deferring), compute_kpis(plain, fixed)
    # Paid time follows the plan: deferring a break moves it, never lengthens or shortens it.
    assert kpis["agents_paid_hours"] == pytest.approx(plain_kpis["agents_paid_hours"])
    assert kpis["labor_cost"] == pytest.approx(plain_kpis["labor_cost"])
    assert kpis["breaks_deferred"] + kpis["breaks_missed"] <= count * len(breaks)
    engine_rule = _engine(deferring, seed).pools[0].break_rule
    paid_of = {}
    for item in breaks:
        start = 8 * 3600 + (int(item["start"][:2]) - 8) * 3600 + int(item["start"][3:]) * 60
        paid_of[start] = item["paid"]
    for planned, latest, start, paid in engine_rule.started:
        assert planned <= start <= latest                  # never outside its window
        assert paid == paid_of[planned % 86_400]
    assert not engine_rule.pending                          # every window closed: taken or missed


def _engine(scenario, seed: int):
    from sim.agent_plans import staffing_plans
    from sim.calendar import Calendar
    from sim.demand import arrival_days
    from sim.engine import Engine
    from sim.random import RandomStreams
    calendar = Calendar.from_scenario(scenario)
    streams = RandomStreams(seed, 0)
    engine = Engine(scenario, calendar, arrival_days(scenario, calendar, streams),
                    staffing_plans(scenario, calendar), streams)
    engine.run()
    return engine


def test_every_break_starts_inside_its_window_or_is_a_missed_paid_one():
    """Engine-level check with the rule's record of started breaks, on a busy day."""
    breaks = [{"start": "09:00", "minutes": 15, "paid": True, "latest": "09:20"},
              {"start": "10:00", "minutes": 30, "paid": False, "latest": "10:30"},
              {"start": "11:00", "minutes": 10, "paid": True}]
    scenario = with_volume(team(breaks, 6, {"defer_while_queue_above": 1, "max_delay_minutes": 15}),
                           [100, 130, 130, 100])
    engine = _engine(scenario, 5)
    calendar = engine.calendar
    rule = engine.pools[0].break_rule
    assert rule.started
    for planned, latest, start, _ in rule.started:
        assert planned <= start <= latest
    due, deferred, missed = engine.collector.by_handler[0][3:]
    in_horizon = [entry for entry in rule.started if 0 <= entry[0] < calendar.horizon_seconds]
    assert due == 6 * 3 and deferred == sum(start > planned for planned, _, start, _ in in_horizon)
    assert len(in_horizon) + missed == due
    assert deferred > 0   # the queue was long at some planned break
