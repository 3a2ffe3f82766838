"""Agents who step away and come back: engine behaviour by hand, and the exact chain."""

from __future__ import annotations

import numpy as np
import pytest

from analysis.planning.erlang import erlang_a_metrics
from analysis.planning.erlang.availability import erlang_a_with_availability
from analysis.runs.experiment import run_experiment
from sim.config import ScenarioError, parse_scenario
from sim.run import simulate

from .test_engine import INF, always, run_with, scenario_with


def fixed(seconds: float) -> dict:
    return {"dist": "deterministic", "value": seconds, "unit": "s"}


def solo(availability: dict) -> list[dict]:
    return [{"name": "solo", "skills": ["calls"], "headcount": always(1), "availability": availability}]


def duty_spells(engine) -> list[tuple[float, float]]:
    return sorted((round(start, 6), round(end, 6)) for _, _, _, start, end in engine.pools[0].duty_log)


def test_an_idle_agent_steps_away_and_comes_back():
    scenario = scenario_with(solo({"available_time": fixed(100), "away_time": fixed(50)}))
    engine, _ = run_with(scenario, [])
    spells = duty_spells(engine)
    assert spells[:3] == [(0, 100), (150, 250), (300, 400)]
    # Through the day and the drain hour: a cycle of 150 s, the last spell closed at the end of the run.
    assert all(end - start == pytest.approx(100) for start, end in spells[:-1])


def test_a_busy_agent_finishes_the_contact_before_stepping_away():
    scenario = scenario_with(solo({"available_time": fixed(100), "away_time": fixed(50)}))
    engine, table = run_with(scenario, [(90, 0, 0, 30, INF), (130, 0, 0, 10, INF)])
    assert duty_spells(engine)[:2] == [(0, 120), (170, 270)]
    assert table["answer_time"].tolist() == [90, 170]


def test_recall_brings_an_away_agent_back_when_the_queue_builds():
    recall = {"queue_at_least": 1, "rate_per_minute": 6000}
    scenario = scenario_with(solo({"available_time": fixed(100), "away_time": fixed(50), "recall": recall}))
    _, table = run_with(scenario, [(110, 0, 0, 10, INF)])
    assert 110 < table["answer_time"][0] < 110.1  # back within milliseconds, not at 150


def test_recall_waits_for_its_queue_length():
    recall = {"queue_at_least": 2, "rate_per_minute": 6000}
    scenario = scenario_with(solo({"available_time": fixed(100), "away_time": fixed(50), "recall": recall}))
    _, table = run_with(scenario, [(110, 0, 0, 5, INF), (120, 0, 0, 5, INF)])
    assert 120 < table["answer_time"][0] < 120.1  # one waiting is not enough; the second one triggers it
    assert table["answer_time"][1] == pytest.approx(table["answer_time"][0] + 5)


def test_after_a_contact_the_agent_steps_away_with_the_probability_for_the_queue():
    # Always away after a contact when nothing waits, never when a contact waits.
    scenario = scenario_with(solo({"step_away_after_contact": [1.0, 0.0], "away_time": fixed(50)}))
    _, table = run_with(scenario, [(0, 0, 0, 10, INF), (5, 0, 0, 10, INF), (100, 0, 0, 10, INF)])
    # The second caller waits while the first is served, so the agent stays; then nothing waits: away 20-70.
    assert table["answer_time"].tolist() == [0, 10, 100]
    engine, table = run_with(scenario, [(0, 0, 0, 10, INF), (30, 0, 0, 10, INF)])
    assert table["answer_time"].tolist() == [0, 60]
    assert duty_spells(engine)[:2] == [(0, 10), (60, 70)]


def test_time_of_day_factors_scale_the_after_contact_probability():
    # Probability 1 scaled to 0 from 01:00: a contact ending before 01:00 sends the agent away, after it not.
    availability = {"step_away_after_contact": [1.0], "step_away_time_of_day": {"01:00": 0.0},
                    "away_time": fixed(500)}
    _, table = run_with(scenario_with(solo(availability)), [(0, 0, 0, 10, INF), (20, 0, 0, 10, INF),
                                                            (3600, 0, 0, 10, INF), (3615, 0, 0, 10, INF)])
    assert table["answer_time"].tolist() == [0, 510, 3600, 3615]


def test_away_time_stays_paid_and_occupancy_counts_time_on_the_phones():
    base = {"name": "availability_costs", "horizon": {"days": 1, "interval_minutes": 60, "open": "08:00",
                                                      "close": "16:00"},
            "demand": {"volume": [30] * 8},
            "contact_types": [{"name": "calls", "handle_time": {"dist": "exponential", "mean": 240, "unit": "s"}}],
            "agent_groups": [{"name": "team", "skills": ["calls"], "headcount": [4] * 8, "wage_per_hour": 20.0}]}
    with_model = {**base, "agent_groups": [{**base["agent_groups"][0], "availability": {
        "available_time": {"dist": "exponential", "mean": 15, "unit": "min"},
        "away_time": {"dist": "exponential", "mean": 5, "unit": "min"}}}]}
    plain = run_experiment(parse_scenario(base), replications=2, seed=3, workers=1, show_progress=False)
    stepping = run_experiment(parse_scenario(with_model), replications=2, seed=3, workers=1, show_progress=False)
    for kpi in ("agents_paid_hours", "labor_cost"):
        assert stepping.estimates()[kpi].mean == plain.estimates()[kpi].mean
    intervals = stepping.intervals()
    open_hours = intervals[intervals["scheduled_agents"] > 0]
    # About a quarter of the agents are away at any time, so fewer are on the phones than scheduled.
    assert (open_hours["agents_on_duty"] < open_hours["scheduled_agents"]).all()
    assert 0.6 < open_hours["agents_on_duty"].mean() / 4 < 0.9


def test_bad_availability_settings_are_refused_with_the_field_path():
    scenario = {"name": "bad", "demand": {"volume": [1] * 24},
                "contact_types": [{"name": "calls", "handle_time": fixed(60)}],
                "agent_groups": [{"name": "team", "skills": ["calls"], "headcount": [1] * 24,
                                  "availability": {"available_time": fixed(60), "away_time": fixed(60),
                                                   "recall": {"rate_per_minute": 1}}}]}
    with pytest.raises(ScenarioError, match=r"agent_groups\[0\]\.availability\.recall"):
        parse_scenario(scenario)
    for availability, path in (({"away_time": fixed(60)}, r"availability"),
                               ({"step_away_after_contact": [0.5, 1.2], "away_time": fixed(60)},
                                r"availability\.step_away_after_contact"),
                               ({"available_time": fixed(60), "away_time": fixed(60),
                                 "step_away_time_of_day": {"08:00": 1.0}}, r"availability"),
                               ({"step_away_after_contact": [0.5], "away_time": fixed(60),
                                 "step_away_time_of_day": {"25:00": 1.0}}, r"availability\.step_away_time_of_day")):
        scenario["agent_groups"][0]["availability"] = availability
        with pytest.raises(ScenarioError, match=r"agent_groups\[0\]\." + path):
            parse_scenario(scenario)


# --- against the exact chain ---------------------------------------------------------------------------

RATE = 60 / 3600
AGENTS = 6


AFTER_CONTACT = [0.4, 0.25, 0.1]


def chain_scenario(recall: dict | None, after_contact: list[float] | None = None) -> dict:
    availability = {"away_time": {"dist": "exponential", "mean": 5, "unit": "min"}}
    if after_contact:
        availability["step_away_after_contact"] = after_contact
    else:
        availability["available_time"] = {"dist": "exponential", "mean": 20, "unit": "min"}
    if recall:
        availability["recall"] = recall
    return {
        "name": "erlang_a_availability",
        "horizon": {"days": 1, "interval_minutes": 60, "warmup_minutes": 240},
        "demand": {"volume": [60] * 24},
        "contact_types": [{"name": "calls", "handle_time": {"dist": "exponential", "mean": 300, "unit": "s"},
                           "patience": {"dist": "exponential", "mean": 180, "unit": "s"}}],
        "agent_groups": [{"name": "agents", "skills": ["calls"], "headcount": [AGENTS] * 24,
                          "availability": availability, "first_contact_resolution": 1.0}],   # the chain has no repeats
    }


@pytest.mark.slow
@pytest.mark.parametrize("recall, after_contact", [(None, None), ({"queue_at_least": 2, "rate_per_minute": 1.0}, None),
                                                   (None, AFTER_CONTACT),
                                                   ({"queue_at_least": 1, "rate_per_minute": 0.5}, AFTER_CONTACT)])
def test_exponential_spells_match_the_exact_chain(recall, after_contact):
    exact = erlang_a_with_availability(RATE, 300.0, 180.0, AGENTS, None if after_contact else 1200.0, 300.0,
                                       recall_rate=recall["rate_per_minute"] / 60 if recall else 0.0,
                                       recall_queue_at_least=recall["queue_at_least"] if recall else None,
                                       step_away_after_contact=after_contact)
    plain = erlang_a_metrics(RATE, 300.0, 180.0, AGENTS, 20.0)
    # The check means something only if stepping away moves the numbers well beyond the noise.
    assert exact.abandon_rate > plain.abandon_rate + 0.03
    result = run_experiment(parse_scenario(chain_scenario(recall, after_contact)), replications=30, seed=2026,
                            show_progress=False, keep_contacts=False)
    estimates = result.estimates(confidence=0.99)
    for kpi, value, max_half_width in (("abandon_rate", exact.abandon_rate, 0.012),
                                       ("mean_wait_seconds", exact.mean_wait_seconds, 3.0),
                                       ("occupancy", exact.occupancy, 0.015)):
        estimate = estimates[kpi]
        assert estimate.half_width < max_half_width, f"{kpi}: CI too wide to test ({estimate})"
        assert estimate.contains(value), f"{kpi}: exact {value:.5g} outside 99% CI [{estimate.low:.5g}, " \
                                         f"{estimate.high:.5g}]"


@pytest.mark.slow
def test_the_share_away_in_probes_matches_the_chain():
    exact = erlang_a_with_availability(RATE, 300.0, 180.0, AGENTS, 1200.0, 300.0)
    shares = []
    for replication in range(8):
        result = simulate(parse_scenario(chain_scenario(None)), seed=5, replication=replication, probe_seconds=60)
        probes = result.snapshots[result.snapshots["kind"] == "group"]
        shares.append(float(probes["away"].mean()) / AGENTS)
    mean, spread = np.mean(shares), np.std(shares, ddof=1) / np.sqrt(len(shares))
    assert abs(mean - exact.share_away) < 3.5 * spread + 1e-3
