"""KPIs, costs and statistics as pure functions of records (no SimPy involved)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from analysis.metrics.costs import cost_breakdown, cost_kpis
from analysis.metrics.kpis import compute_kpis, service_kpis
from analysis.metrics.stats import estimate
from analysis.metrics.timeline import time_in_intervals
from sim.config import parse_scenario
from sim.run import simulate

from .conftest import small_data
from .test_engine import INF, run_with, scenario_with


def test_service_kpis_by_hand():
    # Six contacts offered to the queue: waits 0, 15, 40 (answered), 10, 90 (abandoned), 5 (unfinished).
    counts = {"offered": 6, "offered_to_queue": 6, "answered": 3, "abandoned": 2, "in_system": 1,
              "answered_within_threshold": 2, "wait_seconds_answered": 55, "wait_seconds_queued": 160}
    kpis = service_kpis(counts)
    assert kpis["contacts_offered"] == 6 and kpis["offered_to_queue"] == 6
    assert kpis["answered"] == 3 and kpis["abandoned"] == 2 and kpis["in_system"] == 1
    assert kpis["abandon_rate"] == pytest.approx(2 / 6)
    assert kpis["service_level"] == pytest.approx(2 / 6)  # early abandoners still count against it
    assert kpis["asa_seconds"] == pytest.approx(55 / 3)
    assert kpis["mean_wait_seconds"] == pytest.approx(160 / 6)


def test_the_engine_counts_contacts_as_they_end():
    scenario = scenario_with([{"name": "solo", "skills": ["calls"], "headcount": [1] * 24}])
    # Served at 0 (no wait) for 30 s; served at 30 (waited 29 s); abandons at 12 after 10 s; served at 4000
    # (no wait) for longer than the run; unfinished, waiting behind it.
    engine, _ = run_with(scenario, [(0, 0, 0, 30, INF), (1, 0, 0, 10, INF), (2, 0, 0, 10, 10),
                                    (4000, 0, 0, 100_000, INF), (4001, 0, 0, 10, INF)])
    counters = engine.collector.counters([pool.kind for pool in engine.pools])
    kpis = service_kpis({name: values.sum() for name, values in counters.intervals.items()})
    assert kpis["contacts_offered"] == 5 and kpis["answered"] == 3 and kpis["abandoned"] == 1
    assert kpis["in_system"] == 1
    assert kpis["service_level"] == pytest.approx(2 / 5)  # the two served at once; the abandoner counts against
    assert kpis["asa_seconds"] == pytest.approx((0 + 29 + 0) / 3)
    end = engine.end_time
    assert kpis["mean_wait_seconds"] == pytest.approx((0 + 29 + 10 + 0 + (end - 4001)) / 5)
    assert counters.contacts_ended == 5
    assert counters.answered_waits[0] == 2 and counters.answered_waits[30] == 1
    assert counters.abandoned_waits[11] == 1  # bin k holds waits in [k - 1, k) seconds


def test_empty_period_gives_undefined_ratios_not_errors():
    counts = dict.fromkeys(["offered", "offered_to_queue", "answered", "abandoned", "in_system",
                            "answered_within_threshold", "wait_seconds_answered", "wait_seconds_queued"], 0.0)
    kpis = service_kpis(counts)
    assert kpis["contacts_offered"] == 0
    assert math.isnan(kpis["service_level"]) and math.isnan(kpis["asa_seconds"])


@given(st.lists(st.tuples(st.floats(0, 50), st.floats(0, 50)), max_size=15),
       st.lists(st.floats(0, 60), min_size=2, max_size=6, unique=True))
def test_time_in_intervals_matches_direct_overlap(spans, edge_values):
    starts = np.array([min(a, b) for a, b in spans])
    ends = np.array([max(a, b) for a, b in spans])
    edges = np.sort(np.array(edge_values))
    direct = [sum(max(0.0, min(e, hi) - max(s, lo)) for s, e in zip(starts, ends))
              for lo, hi in zip(edges[:-1], edges[1:])]
    assert time_in_intervals(starts, ends, edges) == pytest.approx(direct, abs=1e-7)


def test_costs_add_up_by_hand():
    data = small_data(costs={"fixed_per_day": 1000})
    data["agent_groups"][0] |= {"wage_per_hour": 20, "on_costs": {"social_insurance": 0.2, "pension": 0.05},
                                "training_cost_per_agent_day": 10}
    data["agent_groups"][1] |= {"wage_per_hour": 30}
    scenario = parse_scenario(data)
    result = simulate(scenario, seed=1)
    breakdown = cost_breakdown(result, scenario)
    # front: 2+3+3+2 = 10 agent hours, peak 3 agents; back: 1+1+2+1 = 5 agent hours.
    assert breakdown["wages"] == pytest.approx(10 * 20 + 5 * 30)
    assert breakdown["on_costs"] == pytest.approx(10 * 20 * 0.25)
    assert breakdown["training"] == pytest.approx(3 * 10)
    assert breakdown["fixed"] == 1000
    kpis = cost_kpis(result, scenario, contacts_offered=100)
    assert kpis["agents_paid_hours"] == pytest.approx(15)
    assert kpis["labor_cost"] == pytest.approx(350 + 50 + 30)
    assert kpis["total_cost"] == pytest.approx(kpis["labor_cost"] + kpis["fixed_cost"])
    assert kpis["cost_per_contact"] == pytest.approx(kpis["total_cost"] / 100)


def test_occupancy_is_busy_over_on_duty_time():
    scenario = parse_scenario(small_data())
    result = simulate(scenario, seed=3)
    kpis = compute_kpis(result, scenario)
    served = result.contacts.dropna(subset=["answer_time"])
    horizon = result.info.horizon_seconds
    busy = (served["end_time"].fillna(result.info.end_time).clip(upper=horizon)
            - served["answer_time"].clip(upper=horizon)).sum()
    duty = (result.agent_duty["end"].clip(upper=horizon) - result.agent_duty["start"].clip(lower=0)).clip(lower=0).sum()
    assert kpis["occupancy"] == pytest.approx(busy / duty)
    assert 0 < kpis["occupancy"] <= 1


def test_estimate_uses_student_t():
    values = [1.0, 2.0, 3.0, 4.0]
    result = estimate(values)
    assert result.mean == 2.5
    assert result.half_width == pytest.approx(3.182446 * np.std(values, ddof=1) / 2, rel=1e-6)
    single = estimate([5.0])
    assert single.mean == 5.0 and math.isnan(single.low)
    assert estimate([float("nan"), 1.0, 3.0]).count == 2


def test_overtime_is_paid_with_premium_and_on_costs():
    data = small_data(demand={"volume": [60, 80, 80, 60]})
    data["agent_groups"][0] = {"name": "front", "skills": {"billing": 1, "tech": 2}, "wage_per_hour": 20,
                               "on_costs": {"social_insurance": 0.2},
                               "overtime": {"queue_above": 0, "max_minutes": 45, "premium": 0.5},
                               "shifts": [{"start": "08:00", "length_hours": 2, "count": 3},
                                          {"start": "10:00", "length_hours": 2, "count": 3}]}
    scenario = parse_scenario(data)
    result = simulate(scenario, seed=2)
    spells = result.overtime
    assert len(spells) > 0
    # No new contact is taken after the 45-minute limit (the one in hand is finished).
    contacts = result.contacts
    for spell in spells.itertuples():
        taken = contacts[(contacts["agent_id"] == spell.agent_id) & (contacts["answer_time"] >= spell.start)]
        assert (taken["answer_time"] <= spell.start + 45 * 60 + 1e-9).all()
        assert spell.end == pytest.approx(taken["end_time"].max())
    hours = float((spells["end"] - spells["start"]).sum() / 3600)
    breakdown = cost_breakdown(result, scenario)
    assert breakdown["overtime"] == pytest.approx(hours * 20 * 1.5)
    assert breakdown["on_costs"] == pytest.approx((breakdown["wages"] - 5 * 20 + breakdown["overtime"]) * 0.2)
    assert cost_kpis(result, scenario, 1)["overtime_hours"] == pytest.approx(hours)
