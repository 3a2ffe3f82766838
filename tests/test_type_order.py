"""Which type an agent serving several takes first (a contact type's ``queue_boost_seconds``): the engine
against Cobham's non-preemptive priority formula, the scenario checks, and the estimator on choices drawn from
its own model, on the simulator's log and on the bank's January."""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.calibration.sim_log import simulated_contacts
from analysis.calibration.type_order import Choices, choice_events, fit_type_order
from sim.config import ScenarioError, parse_scenario
from sim.engine.destinations import build_destinations
from sim.engine.queues import FifoQueue, PriorityQueue
from sim.random import RandomStreams
from sim.run import simulate

START = date(2024, 1, 1)
JANUARY = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "anonymous-bank" / "1999-01.tsv"
MEAN_SERVICE = 60.0


def _center(boost_first: float, per_hour: float = 18.0, days: int = 3, agents: int = 1) -> dict:
    def kind(name: str, boost: float) -> dict:
        entry = {"name": name, "share": 0.5, "handle_time": {"dist": "exponential", "mean": MEAN_SERVICE, "unit": "s"}}
        if boost:
            entry["queue_boost_seconds"] = boost
        return entry
    return {"name": "type-order", "horizon": {"days": days, "interval_minutes": 60, "open": "00:00", "close": "24:00",
                                              "start_weekday": "monday"},
            "demand": {"volume": [2 * per_hour] * 24},
            "contact_types": [kind("first", boost_first), kind("second", 0.0)],
            "agent_groups": [{"name": "agents", "skills": ["first", "second"], "headcount": [agents] * 24,
                              "first_contact_resolution": 1.0}]}


def _waits(data: dict, seed: int = 3) -> dict[str, np.ndarray]:
    contacts = simulate(parse_scenario(data), seed=seed).contacts
    contacts = contacts.loc[~contacts["warmup"] & (contacts["outcome"] == "answered")]
    return {name: group["wait_seconds"].to_numpy(dtype=float) for name, group in contacts.groupby("contact_type")}


def _batch_tolerance(waits: np.ndarray, batches: int = 20) -> float:
    """Four standard errors of the mean from batch means (waits in a queue are correlated)."""
    means = [batch.mean() for batch in np.array_split(waits, batches)]
    return 4.0 * float(np.std(means, ddof=1)) / math.sqrt(batches)


def test_a_boost_beyond_any_wait_gives_cobhams_non_preemptive_priority():
    # One agent, two Poisson types at 18 per hour each, exponential service of 60 s (rho = 0.6). Strict
    # non-preemptive priority (M/G/1, Cobham): W1 = W0 / (1 - rho1), W2 = W0 / ((1 - rho1)(1 - rho)), with
    # W0 = sum lambda E[S^2] / 2 = 36 s; first come, first served gives both W0 / (1 - rho) = 90 s.
    rate = 18.0 / 3600.0
    residual = 2 * rate * 2 * MEAN_SERVICE ** 2 / 2
    rho1, rho = rate * MEAN_SERVICE, 2 * rate * MEAN_SERVICE
    boosted = _waits(_center(86_400.0, days=30))  # the largest allowed: beyond any wait here
    for name, expected in (("first", residual / (1 - rho1)), ("second", residual / ((1 - rho1) * (1 - rho)))):
        assert boosted[name].mean() == pytest.approx(expected, abs=_batch_tolerance(boosted[name])), name
    fifo = _waits(_center(0.0, days=30))
    for name in ("first", "second"):
        assert fifo[name].mean() == pytest.approx(residual / (1 - rho), abs=_batch_tolerance(fifo[name])), name


def test_queues_stay_first_come_first_served_without_boosts_and_order_by_type_with_them():
    streams = RandomStreams(0)
    inhouse, _ = build_destinations(parse_scenario(_center(0.0)), streams)
    assert all(type(queue) is FifoQueue for queue in inhouse.queues)
    inhouse, _ = build_destinations(parse_scenario(_center(45.0)), streams)
    assert [type(queue) for queue in inhouse.queues] == [PriorityQueue, PriorityQueue]
    assert [queue.type_boost for queue in inhouse.queues] == [45.0, 0.0]


def test_a_negative_boost_is_rejected_with_its_path():
    data = _center(0.0)
    data["contact_types"][0]["queue_boost_seconds"] = -5
    with pytest.raises(ScenarioError, match=r"contact_types\[0\]\.queue_boost_seconds|contact_types.0.queue_boost"):
        parse_scenario(data)


def _logit_choices(boosts: np.ndarray, scale: float, count: int, rng: np.random.Generator,
                   first_day: int = 0, days: int = 10) -> Choices:
    """Choices drawn from the estimator's own model: ages uniform on 0-300 s, some types not waiting."""
    ages = rng.uniform(0.0, 300.0, (count, len(boosts)))
    ages[rng.random(ages.shape) < 0.3] = np.nan
    ages[:, 0] = np.where(np.isnan(ages[:, 0]) & np.isnan(ages[:, 1]), 10.0, ages[:, 0])
    keep = np.sum(~np.isnan(ages), axis=1) >= 2
    ages = ages[keep]
    utility = np.where(np.isnan(ages), -np.inf, (np.nan_to_num(ages) + boosts) / scale)
    probability = np.exp(utility - utility.max(axis=1, keepdims=True))
    probability /= probability.sum(axis=1, keepdims=True)
    taken = (probability.cumsum(axis=1) > rng.random((len(ages), 1))).argmax(axis=1)
    dates = np.datetime64("2024-01-01") + rng.integers(first_day, first_day + days, len(ages)).astype("timedelta64[D]")
    return Choices(("a", "b", "c"), ages, taken, dates)


def _joined(first: Choices, second: Choices) -> Choices:
    return Choices(first.types, np.vstack([first.ages, second.ages]), np.concatenate([first.taken, second.taken]),
                   np.concatenate([first.dates, second.dates]))


def test_the_fit_recovers_boosts_and_the_date_the_rule_changed():
    rng = np.random.default_rng(5)
    before = _logit_choices(np.zeros(3), 30.0, 2000, rng, first_day=0)
    after = _logit_choices(np.array([0.0, 120.0, 60.0]), 30.0, 2000, rng, first_day=10)
    fit = fit_type_order(after, find_change=False)
    assert fit.significant and fit.since is None
    assert fit.boosts["a"] == 0.0
    assert fit.boosts["b"] == pytest.approx(120.0, abs=12.0)
    assert fit.boosts["c"] == pytest.approx(60.0, abs=10.0)
    assert fit.scale == pytest.approx(30.0, rel=0.15)
    joined = fit_type_order(_joined(before, after))
    assert joined.since == pd.Timestamp("2024-01-11")
    assert joined.boosts["b"] == pytest.approx(120.0, abs=12.0)
    assert max(joined.boosts_before.values()) < 15.0
    plain = fit_type_order(before)
    assert plain.since is None and not plain.significant


def test_the_fit_finds_the_engines_boost_in_the_simulators_log():
    data = _center(60.0, per_hour=28.0, days=10, agents=2)  # rho 0.93: queues with both types waiting
    result = simulate(parse_scenario(data), seed=2)
    contacts = simulated_contacts(result.contacts, START).contacts
    fit = fit_type_order(choice_events(contacts), find_change=False)
    assert fit.significant
    assert fit.boosts["second"] == 0.0
    assert fit.boosts["first"] == pytest.approx(60.0, abs=15.0)
    fifo = simulated_contacts(simulate(parse_scenario(_center(0.0, per_hour=28.0, days=10, agents=2)),
                                       seed=2).contacts, START).contacts
    assert not fit_type_order(choice_events(fifo), find_change=False).significant


@pytest.mark.skipif(not JANUARY.exists(), reason="needs ../shared/data/anonymous-bank")
def test_the_banks_january_changes_rule_on_the_13th():
    from analysis.calibration import load_anonymous_bank
    contacts, _ = load_anonymous_bank(JANUARY, on_error="skip")
    fit = fit_type_order(choice_events(contacts))
    assert fit.significant and fit.since == pd.Timestamp("1999-01-13")
    assert fit.boosts["NW"] == 0.0
    assert 100.0 < fit.boosts["PS"] < 170.0 and fit.boosts["NE"] > fit.boosts["PS"]
    assert max(fit.boosts_before.values()) < 30.0  # before the 13th: the oldest caller, whatever the type
