"""The simulator against exact queueing theory on the bundled validation scenarios.

Each scenario is run for independent replications; the exact value must lie
inside the simulation's own 99% confidence interval (Student t over
replications), and that interval must be narrow enough for the check to
mean something. Seeds are fixed, so the outcome is deterministic.
"""

from __future__ import annotations

import pytest

from analysis.planning.erlang import erlang_a_metrics, erlang_b_metrics, erlang_c_metrics
from analysis.runs.experiment import run_experiment
from sim.config import load_scenario

from .conftest import SCENARIOS

pytestmark = pytest.mark.slow  # 30 replications of long runs each: the full suite, not the fast loop

RATE = 1000 / 3600  # contacts per second
REPLICATIONS = 30


def simulated(name: str, replications: int = REPLICATIONS):
    scenario = load_scenario(SCENARIOS / "validation" / f"{name}.toml")
    result = run_experiment(scenario, replications=replications, seed=2026, show_progress=False,
                            keep_contacts=False)
    return result.estimates(confidence=0.99)


def check(estimates, kpi: str, exact: float, max_half_width: float) -> None:
    estimate = estimates[kpi]
    assert estimate.half_width < max_half_width, f"{kpi}: CI too wide to test ({estimate})"
    assert estimate.contains(exact), (f"{kpi}: exact {exact:.5g} outside 99% CI "
                                      f"[{estimate.low:.5g}, {estimate.high:.5g}]")


def test_erlang_a_scenario_matches_birth_death_chain():
    exact = erlang_a_metrics(RATE, 300.0, 180.0, 90, 20.0)
    assert exact.abandon_rate == pytest.approx(0.01863, abs=5e-6)
    assert exact.asa_seconds == pytest.approx(3.170, abs=5e-4)
    assert exact.service_level == pytest.approx(0.9222, abs=5e-5)
    assert exact.occupancy == pytest.approx(0.9087, abs=5e-5)
    estimates = simulated("erlang_a")
    check(estimates, "abandon_rate", exact.abandon_rate, 0.003)
    check(estimates, "asa_seconds", exact.asa_seconds, 0.6)
    check(estimates, "service_level", exact.service_level, 0.015)
    check(estimates, "occupancy", exact.occupancy, 0.008)
    check(estimates, "mean_wait_seconds", exact.mean_wait_seconds, 0.6)


def test_erlang_c_scenario_matches_erlang_c():
    exact = erlang_c_metrics(RATE, 300.0, 90, 20.0)
    assert exact.asa_seconds == pytest.approx(16.53, abs=5e-3)
    assert exact.service_level == pytest.approx(0.7645, abs=5e-5)
    estimates = simulated("erlang_c")
    check(estimates, "asa_seconds", exact.asa_seconds, 5.0)
    check(estimates, "service_level", exact.service_level, 0.04)
    check(estimates, "occupancy", exact.occupancy, 0.008)
    assert estimates["abandon_rate"].mean == 0


def test_erlang_b_scenario_blocking_equals_abandonment():
    exact = erlang_b_metrics(120 / 3600, 300.0, 10, 20.0)
    assert exact.abandon_rate == pytest.approx(0.2146, abs=5e-5)
    estimates = simulated("erlang_b")
    check(estimates, "abandon_rate", exact.abandon_rate, 0.012)
    check(estimates, "occupancy", exact.occupancy, 0.008)
    assert estimates["asa_seconds"].mean == 0  # nobody waits in a loss system
