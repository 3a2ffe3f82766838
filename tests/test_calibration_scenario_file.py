"""Pieces of the scenario writer: distribution points, TOML rendering, atomic validated writing."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from analysis.calibration import kaplan_meier
from analysis.calibration.discretize import bin_means, kaplan_meier_points, mixture_points
from analysis.calibration.distributions import FittedDistribution, fit_exponential
from analysis.calibration.scenario_build import CalibratedScenario
from analysis.calibration.scenario_file import write_calibrated_scenario
from sim.config import ScenarioError

LOGNORMAL = FittedDistribution("lognormal", {"mu": 5.0, "sigma": 0.9}, 1000, 0.0)


def test_bin_means_keep_the_mean_and_the_spread():
    points = bin_means(LOGNORMAL, 400)
    assert points.mean() == pytest.approx(LOGNORMAL.mean(), rel=1e-3)
    assert np.all(np.diff(points) > 0)
    assert np.median(points) == pytest.approx(math.exp(5.0), rel=0.02)


def test_mixture_points_hold_the_short_share():
    short = np.array([0.0, 0.0, 2.0, 5.0, 9.0])
    points = mixture_points(short, 0.1, LOGNORMAL, 400)
    assert len(points) == 400 and np.all((points[:40] >= 0) & (points[:40] <= 9))  # the short part
    assert points[40:].mean() == pytest.approx(LOGNORMAL.mean(), rel=1e-3)
    assert points.mean() == pytest.approx(0.1 * short.mean() + 0.9 * LOGNORMAL.mean(), rel=0.01)
    with pytest.raises(ValueError):
        mixture_points(short, 1.0, LOGNORMAL, 10)


def test_kaplan_meier_points_follow_the_curve_then_the_tail():
    rng = np.random.default_rng(5)
    patience = rng.exponential(200.0, 5000)
    offered = rng.exponential(300.0, 5000)
    times, observed = np.minimum(patience, offered), patience < offered
    curve = kaplan_meier(times, observed)
    tail = FittedDistribution("exponential", {"mean": 200.0}, 5000, 0.0)
    points = kaplan_meier_points(curve, tail, horizon=400.0, points=1000)
    # Equal-probability points of Exp(200): their share below t estimates 1 - exp(-t / 200).
    for t in (50.0, 200.0, 400.0, 800.0):
        assert (points <= t).mean() == pytest.approx(1 - math.exp(-t / 200.0), abs=0.03)
    assert stats.kstest(points, "expon", args=(0, 200.0)).statistic < 0.03


def _calibrated(handle_time: dict) -> CalibratedScenario:
    import pandas as pd
    data = {"name": "tiny", "horizon": {"days": 1, "interval_minutes": 60, "open": "08:00", "close": "10:00"},
            "demand": {"busyness_cv": 0.0},
            "contact_types": [{"name": "A", "handle_time": handle_time}],
            "agent_groups": [{"name": "agents", "skills": {"A": 1}}]}
    volume = pd.DataFrame({"interval": ["08:00", "09:00"], "volume": [5.0, 6.0], "weekday": ["monday", "monday"],
                           "contact_type": ["A", "A"]})
    headcount = pd.DataFrame({"interval": ["08:00", "09:00"], "headcount": [1, 2], "weekday": ["monday", "monday"]})
    return CalibratedScenario(data, volume, {data["agent_groups"][0]["name"]: headcount}, None, None)


def test_written_scenario_is_loaded_back(tmp_path):
    written = write_calibrated_scenario(_calibrated({"dist": "exponential", "mean": 60.0, "unit": "s"}),
                                        tmp_path / "tiny.toml", ["header"])
    assert written.scenario.name == "tiny"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["tiny.toml", "tiny_headcount.csv", "tiny_volume.csv"]


def test_invalid_scenario_leaves_nothing_behind(tmp_path):
    with pytest.raises(ScenarioError):
        write_calibrated_scenario(_calibrated({"dist": "exponential", "mean": -1.0, "unit": "s"}),
                                  tmp_path / "bad.toml")
    assert list(tmp_path.iterdir()) == []


def test_exponential_fit_helper_still_matches_scipy():
    values = np.random.default_rng(1).exponential(50.0, 2000)
    assert fit_exponential(values).parameters["mean"] == pytest.approx(values.mean())
