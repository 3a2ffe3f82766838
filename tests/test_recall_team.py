"""Away agents come back sooner when the team on duty is small (``recall.factor_per_agent_on_duty``): the
engine against an M/M/1 closed form, the scenario checks, and the estimator on the simulator's own log."""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pytest

from analysis.calibration.agent_activity import ActivitySettings, agent_activity
from analysis.calibration.availability_fit import fit_availability
from analysis.calibration.recall_team import recall_exposure_by_duty
from analysis.calibration.sim_log import simulated_contacts
from analysis.calibration.timelines import StepFunction
from sim.config import ScenarioError, parse_scenario
from sim.run import simulate

START = date(2024, 1, 1)


def _always_away(agents: int, factor: float, per_hour: float = 15.0) -> dict:
    """Agents step away after every call for longer than the run, so only the recall brings one back: while
    anyone waits, returns come at agents x rate x factor^(agents - 1), and each serves one caller."""
    recall = {"queue_at_least": 1, "rate_per_minute": 1.0}
    if factor != 1.0:
        recall["factor_per_agent_on_duty"] = factor
    return {"name": "recall-team", "horizon": {"days": 20, "interval_minutes": 60, "open": "00:00", "close": "24:00",
                                               "start_weekday": "monday"},
            "demand": {"volume": [per_hour] * 24},
            "contact_types": [{"name": "calls", "share": 1.0,
                               "handle_time": {"dist": "deterministic", "value": 1, "unit": "s"}}],
            "agent_groups": [{"name": "agents", "skills": ["calls"], "headcount": [agents] * 24,
                              "first_contact_resolution": 1.0,
                              "availability": {"step_away_after_contact": [1.0],
                                               "away_time": {"dist": "deterministic", "value": 1000, "unit": "h"},
                                               "recall": recall}}]}


@pytest.mark.parametrize("factor", [1.0, 0.5])
def test_recalls_serve_callers_like_an_mm1_queue_at_the_team_rate(factor):
    # Returns while callers wait form a Poisson stream of rate mu = 4 x 1/min x factor^3 that serves one caller
    # each: an M/M/1 queue whose mean time in system is 1 / (mu - lambda), lambda = 15 per hour.
    contacts = simulate(parse_scenario(_always_away(4, factor)), seed=4).contacts
    waits = contacts.loc[~contacts["warmup"] & (contacts["outcome"] == "answered"), "wait_seconds"].to_numpy()
    waits = waits[waits > 0]  # the first four callers find the agents on the phones
    mu, arrival = 4 * factor ** 3 / 60.0, 15.0 / 3600.0
    batches = [batch.mean() for batch in np.array_split(waits, 20)]
    tolerance = 4.0 * float(np.std(batches, ddof=1)) / math.sqrt(len(batches))
    assert waits.mean() == pytest.approx(1.0 / (mu - arrival), abs=tolerance)


def test_the_factor_must_be_a_share():
    for bad in (0.0, 1.5):
        data = _always_away(4, bad)
        with pytest.raises(ScenarioError, match="factor_per_agent_on_duty"):
            parse_scenario(data)


def test_recall_seconds_are_split_exactly_by_agents_on_duty():
    queue = StepFunction.from_spans(np.array([0.0, 10.0]), np.array([20.0, 40.0]))  # >= 1 waiting on [0, 40)
    # Two agents on duty on [0, 50), a third on [15, 30).
    duty = StepFunction.from_spans(np.array([0.0, 0.0, 15.0]), np.array([50.0, 50.0, 30.0]))
    seconds = recall_exposure_by_duty(queue, duty, 1, np.array([5.0, 25.0]), np.array([35.0, 45.0]))
    assert seconds.tolist() == [[0.0, 0.0, 15.0, 15.0], [0.0, 0.0, 10.0, 5.0]]


def _center(factor: float, seed: int) -> tuple:
    # Staffing from 2 to 10 agents over the day, so the team's size varies while callers wait.
    staffing = [2, 3, 4, 6, 8, 10, 10, 8, 6, 4, 3, 2]
    volume = [a * 14.0 for a in staffing]
    recall = {"queue_at_least": 1, "rate_per_minute": 1.2}
    if factor != 1.0:
        recall["factor_per_agent_on_duty"] = factor
    data = {"name": "team", "horizon": {"days": 6, "interval_minutes": 60, "open": "08:00", "close": "20:00",
                                        "start_weekday": "monday"},
            "demand": {"volume": volume},
            "contact_types": [{"name": "calls", "share": 1.0,
                               "handle_time": {"dist": "exponential", "mean": 180, "unit": "s"},
                               "patience": {"dist": "exponential", "mean": 600, "unit": "s"}}],
            "agent_groups": [{"name": "agents", "skills": ["calls"], "headcount": staffing,
                              "first_contact_resolution": 1.0,
                              "availability": {"step_away_after_contact": [0.5, 0.3, 0.2],
                                               "away_time": {"dist": "exponential", "mean": 6, "unit": "min"},
                                               "recall": recall}}]}
    contacts = simulated_contacts(simulate(parse_scenario(data), seed=seed).contacts, START).contacts
    return fit_availability(agent_activity(contacts, settings=ActivitySettings(connect_seconds=1.0)), "agents")


def test_the_estimator_finds_the_factor_in_the_simulators_log_and_none_where_there_is_none():
    fit = _center(0.75, seed=5)
    assert fit.away.team is not None and fit.away.team.significant
    assert fit.away.team.factor == pytest.approx(0.75, abs=0.1)
    assert fit.spec()["recall"]["factor_per_agent_on_duty"] == pytest.approx(0.75, abs=0.1)
    flat = _center(1.0, seed=5)
    assert flat.away.team is not None and not flat.away.team.significant
    assert "factor_per_agent_on_duty" not in flat.spec()["recall"]
