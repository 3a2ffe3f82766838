"""Recency weighting, hour-of-day profiles, the priority boost's applied share and anomalous hours."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from analysis.calibration.anomalies import talk_time_anomalies
from analysis.calibration.arrivals import fit_arrivals
from analysis.calibration.priority import estimate_queue_boost
from analysis.calibration.recency import choose_half_life, day_weights, handle_time_levels
from analysis.calibration.time_of_day import hourly_ratios, hourly_spec
from sim.config import parse_scenario

DATES = pd.date_range("2024-01-01", periods=28, freq="D")


def _answered(handle_by_day, calls_per_day: int = 60, seed: int = 0) -> pd.DataFrame:
    """Answered calls of one type, ``calls_per_day`` a day, lognormal talk time with the day's mean."""
    rng = np.random.default_rng(seed)
    rows = []
    for day, mean in zip(DATES, handle_by_day):
        handle = rng.lognormal(math.log(mean) - 0.32, 0.8, calls_per_day)
        arrival = rng.uniform(8 * 3600, 18 * 3600, calls_per_day)
        rows.append(pd.DataFrame({"date": day, "contact_type": "calls", "outcome": "answered",
                                  "handle_seconds": handle, "arrival_seconds": arrival}))
    return pd.concat(rows, ignore_index=True)


def test_day_weights_halve_every_half_life():
    weights = day_weights(DATES[-15:], 7.0)
    assert weights[-1] == 1.0 and weights[-8] == pytest.approx(0.5) and weights[0] == pytest.approx(0.25)
    assert (day_weights(DATES, None) == 1.0).all() and (day_weights(DATES, math.inf) == 1.0).all()


def test_a_trend_in_talk_time_is_followed_and_a_flat_log_keeps_equal_weights():
    trending = _answered(np.linspace(360, 240, len(DATES)))  # NE in the bank's January: 361 s down to 244 s
    half_life = choose_half_life(trending)
    assert half_life < 30
    level = handle_time_levels(trending, half_life)["calls"]
    assert level < 0.9  # the recent level is well under the month's mean (300 s)
    flat = _answered(np.full(len(DATES), 300.0), seed=1)
    assert choose_half_life(flat) == math.inf
    assert handle_time_levels(flat, math.inf)["calls"] == pytest.approx(1.0)


def test_recency_weighted_arrivals_are_the_weighted_mean_of_the_days():
    counts = np.arange(1, len(DATES) + 1)  # one more call each day, all at 09:10
    contacts = pd.DataFrame({"date": np.repeat(DATES, counts), "contact_type": "calls",
                             "arrival_seconds": 9 * 3600 + 600.0})
    profile = fit_arrivals(contacts, 60, half_life_days=7.0)
    monday = profile.expected.loc[(profile.expected["day_type"] == "monday")
                                  & (profile.expected["interval_start_seconds"] == 9 * 3600)]
    mondays = [index for index, day in enumerate(DATES) if day.weekday() == 0]
    weights = day_weights(DATES[mondays], 7.0, DATES[-1])
    assert monday["expected_arrivals"].iloc[0] == pytest.approx(np.average(counts[mondays], weights=weights))
    assert fit_arrivals(contacts, 60).expected.loc[monday.index, "expected_arrivals"].iloc[0] == pytest.approx(
        counts[mondays].mean())


def test_hourly_ratios_keep_a_real_profile_and_shrink_noise_to_one():
    rng = np.random.default_rng(5)
    hours = rng.integers(8, 18, 20_000)
    profile = np.where(hours < 10, 0.5, 1.2)  # a short morning, longer calls later
    ratios = hourly_ratios(rng.exponential(100.0 * profile), hours)
    assert ratios[8] == pytest.approx(0.5 / np.mean(profile), rel=0.15)
    assert ratios[15] == pytest.approx(1.2 / np.mean(profile), rel=0.1)
    noise = hourly_ratios(rng.exponential(100.0, 2_000), rng.integers(8, 18, 2_000))
    assert max(abs(value - 1.0) for value in noise.values()) < 0.1
    assert hourly_spec({8: 0.5, 10: 1.2}) == {"08:00": 0.5, "09:00": 1.0, "10:00": 1.2, "11:00": 1.0}
    assert hourly_spec({8: 1.00001}) == {}


def _queue(rows) -> pd.DataFrame:
    """Answered queued callers (entry, exit, segment), one type, one day."""
    return pd.DataFrame([{"date": DATES[0], "contact_type": "calls", "outcome": "answered", "queued": True,
                          "queue_entry_seconds": entry, "queue_exit_seconds": leave, "segment": segment}
                         for entry, leave, segment in rows])


def test_the_boost_and_the_share_of_calls_that_get_it():
    rows = []
    for index in range(200):  # a regular caller, then a priority one 30 s later; every other pair overtakes
        start = 1000.0 * index
        overtakes = index % 2 == 0
        rows += [(start, start + 120 if overtakes else start + 60, "regular"),
                 (start + 30, start + 60 if overtakes else start + 120, "priority")]
    estimate = estimate_queue_boost(_queue(rows), "priority")
    assert estimate.seconds == pytest.approx(30.0)
    assert estimate.pairs == 200 and estimate.applied_share == pytest.approx(0.5)


def test_an_hour_of_calls_far_shorter_than_the_scenario_says_is_flagged():
    scenario = parse_scenario({
        "name": "talk", "horizon": {"interval_minutes": 60}, "demand": {"volume": [1.0] * 24},
        "contact_types": [{"name": "calls", "handle_time": {"dist": "exponential", "mean": 200, "unit": "s"},
                           "handle_time_by_time_of_day": {"12:00": 0.5, "13:00": 1.0}}],
        "agent_groups": [{"name": "agents", "skills": ["calls"], "headcount": [1] * 24}]})
    rng = np.random.default_rng(2)
    hours = np.repeat(np.arange(8, 18), 60)
    handle = rng.exponential(np.where(hours == 12, 100.0, 200.0))
    handle[hours == 15] = rng.exponential(40.0, 60)  # a burst of calls a fifth of their usual length
    contacts = pd.DataFrame({"date": DATES[0], "contact_type": "calls", "outcome": "answered",
                             "handle_seconds": handle, "arrival_seconds": hours * 3600 + 60.0})
    flagged = talk_time_anomalies(contacts, scenario)
    assert flagged["hour"].tolist() == [15]  # 12:00 is short too, but the scenario says so
    assert flagged["z"].iloc[0] < -5
