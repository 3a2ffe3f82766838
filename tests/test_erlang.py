"""Analytic queueing results: published values, limits, independent cross-checks, staffing."""

from __future__ import annotations

import functools
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.integrate import quad
from scipy.linalg import expm
from scipy.stats import poisson

from analysis.planning.erlang import (
    AbandonTarget,
    AsaTarget,
    QueueMetrics,
    ServiceLevelTarget,
    erlang_a_metrics,
    erlang_b,
    erlang_b_metrics,
    erlang_c,
    erlang_c_metrics,
    required_agents,
    requirements_per_interval,
)

# Validation scenario shared with the simulator tests: 1000 contacts/hour, AHT 300 s, 90 agents.
VALIDATION = {"arrival_rate": 1000 / 3600, "mean_handle_time": 300.0, "servers": 90, "threshold_seconds": 20.0}


def metric_tuple(metrics: QueueMetrics) -> np.ndarray:
    return np.array([metrics.prob_wait, metrics.asa_seconds, metrics.service_level, metrics.occupancy,
                     metrics.abandon_rate, metrics.mean_wait_seconds, metrics.mean_queue_length])


# ---------------------------------------------------------------- published values


def test_erlang_b_published_value():
    assert round(erlang_b(10, 10.0), 4) == 0.2146


def test_erlang_b_matches_poisson_ratio_for_many_servers():
    # B(c, a) = P(N = c) / P(N <= c) for N ~ Poisson(a): independent of the recursion.
    for servers, load in [(10, 10.0), (300, 280.5), (1000, 1020.0)]:
        expected = poisson.pmf(servers, load) / poisson.cdf(servers, load)
        assert erlang_b(servers, load) == pytest.approx(expected, rel=1e-9)


def test_erlang_c_textbook_example_100_calls_per_half_hour():
    rate, aht = 100 / 1800, 180.0
    fourteen = erlang_c_metrics(rate, aht, 14, 20.0)
    assert round(fourteen.service_level, 3) == 0.888
    assert erlang_c_metrics(rate, aht, 13, 20.0).service_level < 0.8
    assert required_agents(rate, aht, ServiceLevelTarget(0.8, 20.0)).agents == 14


def test_validation_scenario_with_abandonment():
    metrics = erlang_a_metrics(mean_patience=180.0, **VALIDATION)
    assert round(metrics.abandon_rate, 5) == 0.01863
    assert round(metrics.asa_seconds, 3) == 3.170
    assert round(metrics.service_level, 4) == 0.9222
    assert round(metrics.occupancy, 4) == 0.9087


def test_validation_scenario_without_abandonment():
    metrics = erlang_c_metrics(**VALIDATION)
    assert round(metrics.asa_seconds, 2) == 16.53
    assert round(metrics.service_level, 4) == 0.7645
    assert metrics.asa_seconds == metrics.mean_wait_seconds
    assert metrics.abandon_rate == 0.0


# ---------------------------------------------------------------- Erlang C details


def test_erlang_c_unstable_returns_infinite_waits():
    metrics = erlang_c_metrics(1.0, 10.0, 10, 20.0)
    assert erlang_c(10, 10.0) == 1.0
    assert metrics.service_level == 0.0 and math.isinf(metrics.asa_seconds) and math.isinf(metrics.mean_queue_length)


def test_erlang_c_load_equal_to_servers_up_to_rounding_does_not_divide_by_zero():
    aht = 435.75  # (1 / aht) * aht rounds to just below 1 Erlang
    metrics = erlang_c_metrics(1 / aht, aht, 1, 20.0)
    assert 0.0 <= metrics.service_level <= 1.0
    assert required_agents(1 / aht, aht, AbandonTarget(1.0)).agents >= 1


def test_erlang_c_is_consistent_with_littles_law():
    metrics = erlang_c_metrics(0.5, 18.0, 12, 30.0)
    assert metrics.mean_queue_length == pytest.approx(0.5 * metrics.mean_wait_seconds)
    assert metrics.occupancy == pytest.approx(9.0 / 12)


def test_zero_arrivals_are_idle():
    for metrics in (erlang_c_metrics(0.0, 300.0, 3, 20.0), erlang_a_metrics(0.0, 300.0, 60.0, 3, 20.0)):
        assert metrics.service_level == 1.0 and metrics.occupancy == 0.0 and metrics.abandon_rate == 0.0


@pytest.mark.parametrize("call", [
    lambda: erlang_b(-1, 1.0),
    lambda: erlang_b(3, -0.5),
    lambda: erlang_c(2.5, 1.0),  # type: ignore[arg-type]
    lambda: erlang_c_metrics(1.0, 0.0, 3, 20.0),
    lambda: erlang_a_metrics(1.0, 10.0, -1.0, 3, 20.0),
    lambda: erlang_a_metrics(1.0, 10.0, 5.0, 3, -1.0),
])
def test_invalid_inputs_raise(call):
    with pytest.raises(ValueError):
        call()


# ---------------------------------------------------------------- Erlang A limits


def test_infinite_patience_is_exactly_erlang_c():
    assert erlang_a_metrics(mean_patience=math.inf, **VALIDATION) == erlang_c_metrics(**VALIDATION)


def test_huge_patience_tends_to_erlang_c():
    near = metric_tuple(erlang_a_metrics(mean_patience=1e9, **VALIDATION))
    exact = metric_tuple(erlang_c_metrics(**VALIDATION))
    np.testing.assert_allclose(near[[0, 1, 2, 3, 5, 6]], exact[[0, 1, 2, 3, 5, 6]], rtol=1e-5)


def test_zero_patience_is_exactly_erlang_b():
    metrics = erlang_a_metrics(mean_patience=0.0, **VALIDATION)
    assert metrics == erlang_b_metrics(**VALIDATION)
    assert metrics.abandon_rate == erlang_b(90, VALIDATION["arrival_rate"] * VALIDATION["mean_handle_time"])


def test_tiny_patience_tends_to_erlang_b():
    metrics = erlang_a_metrics(mean_patience=1e-6, **VALIDATION)
    blocking = erlang_b(90, 1000 / 12)
    assert metrics.abandon_rate == pytest.approx(blocking, rel=1e-5)
    assert metrics.service_level == pytest.approx(1 - blocking, rel=1e-6)
    assert metrics.asa_seconds < 1e-6


def test_no_agents_means_everybody_abandons():
    metrics = erlang_a_metrics(0.1, 300.0, 60.0, 0, 20.0)
    assert metrics.abandon_rate == pytest.approx(1.0)
    assert metrics.service_level == 0.0 and math.isnan(metrics.asa_seconds)
    assert metrics.mean_wait_seconds == pytest.approx(60.0)


def test_long_patience_in_heavy_overload_is_refused_not_hung():
    with pytest.raises(ValueError, match="MAX_QUEUE_STATES"):
        erlang_a_metrics(1000 / 3600, 300.0, 1e9, 80, 20.0)


def test_large_center_does_not_overflow():
    metrics = erlang_a_metrics(10.0, 180.0, 120.0, 1800, 60.0)
    assert all(math.isfinite(v) for v in metric_tuple(metrics))
    assert 0.0 < metrics.abandon_rate < 0.05


# ---------------------------------------------------------------- Erlang A independent cross-checks

SMALL_CASES = [  # (lambda, mu, theta, c): light, overloaded, patience longer and shorter than service
    (1.0, 0.25, 0.5, 3),
    (1.0, 0.25, 0.05, 2),
    (0.3, 0.1, 0.02, 4),
]


@functools.cache  # dense solves are the slow part of this file; cases repeat
def generator_solution(lam: float, mu: float, theta: float, servers: int, states: int = 250) -> np.ndarray:
    """Stationary distribution from the dense truncated generator: solve pi Q = 0, sum(pi) = 1."""
    n = np.arange(states)
    deaths = np.minimum(n, servers) * mu + np.maximum(n - servers, 0) * theta
    q = np.diag(np.full(states - 1, lam), 1) + np.diag(deaths[1:], -1)
    q -= np.diag(q.sum(axis=1))
    system = np.vstack([q.T, np.ones(states)])
    rhs = np.zeros(states + 1)
    rhs[-1] = 1.0
    return np.linalg.lstsq(system, rhs, rcond=None)[0]


@pytest.mark.parametrize("lam,mu,theta,servers", SMALL_CASES)
def test_erlang_a_matches_generator_matrix(lam, mu, theta, servers):
    pi = generator_solution(lam, mu, theta, servers)
    queue_length = float(np.maximum(np.arange(len(pi)) - servers, 0) @ pi)
    metrics = erlang_a_metrics(lam, 1 / mu, 1 / theta, servers, 10.0)
    assert metrics.mean_queue_length == pytest.approx(queue_length, rel=1e-9)
    assert metrics.abandon_rate == pytest.approx(theta * queue_length / lam, rel=1e-9)
    assert metrics.mean_wait_seconds == pytest.approx(queue_length / lam, rel=1e-9)
    assert metrics.prob_wait == pytest.approx(pi[servers:].sum(), rel=1e-9)
    served_load = lam * (1 - metrics.abandon_rate) / (servers * mu)
    assert metrics.occupancy == pytest.approx(served_load, rel=1e-9)
    busy_agents = float(np.minimum(np.arange(len(pi)), servers) @ pi)  # occupancy from the chain itself
    assert metrics.occupancy == pytest.approx(busy_agents / servers, rel=1e-9)


def offered_wait_density(lam: float, mu: float, theta: float, servers: int):
    """Density of the wait an arrival would have if infinitely patient (Palm; Baccelli-Hebuterne).

    v(t) = pi_c c mu exp(lambda (1 - e^{-theta t}) / theta - c mu t) for t > 0; the arrival is
    served within T iff that wait is <= T and below its own exponential patience.
    """
    pi = generator_solution(lam, mu, theta, servers)
    at_full = pi[servers] * servers * mu
    immediate = pi[:servers].sum()

    def served_density(t: float) -> float:
        return at_full * math.exp(lam * (1 - math.exp(-theta * t)) / theta - (servers * mu + theta) * t)

    return immediate, served_density


@pytest.mark.parametrize("lam,mu,theta,servers", SMALL_CASES)
@pytest.mark.parametrize("threshold", [0.0, 0.5, 5.0, 60.0])
def test_erlang_a_service_level_matches_numerical_integration(lam, mu, theta, servers, threshold):
    immediate, served_density = offered_wait_density(lam, mu, theta, servers)
    expected = immediate + quad(served_density, 0, threshold, epsabs=1e-13, epsrel=1e-12)[0]
    metrics = erlang_a_metrics(lam, 1 / mu, 1 / theta, servers, threshold)
    assert metrics.service_level == pytest.approx(expected, abs=1e-10)


@pytest.mark.parametrize("lam,mu,theta,servers", SMALL_CASES)
def test_erlang_a_asa_matches_numerical_integration(lam, mu, theta, servers):
    immediate, served_density = offered_wait_density(lam, mu, theta, servers)
    served = immediate + quad(served_density, 0, np.inf, epsabs=1e-13)[0]
    wait_of_served = quad(lambda t: t * served_density(t), 0, np.inf, epsabs=1e-13)[0]
    metrics = erlang_a_metrics(lam, 1 / mu, 1 / theta, servers, 10.0)
    assert 1 - metrics.abandon_rate == pytest.approx(served, rel=1e-9)
    assert metrics.asa_seconds == pytest.approx(wait_of_served / served, rel=1e-9)


def test_erlang_a_service_level_matches_dense_phase_type_expm():
    # Tagged-customer chain on states 0 (served), 1 .. K (K-1 ahead), absorbed with scipy.linalg.expm.
    lam, mu, theta, servers, threshold = 1.0, 0.25, 0.05, 2, 7.0
    pi = generator_solution(lam, mu, theta, servers)
    ahead = len(pi) - servers
    generator = np.zeros((ahead + 1, ahead + 1))
    for state in range(1, ahead + 1):
        speed = servers * mu + (state - 1) * theta
        generator[state, state - 1] = speed
        generator[state, state] = -(speed + theta)
    start = np.concatenate(([pi[:servers].sum()], pi[servers:]))
    expected = (start @ expm(generator * threshold))[0]
    assert erlang_a_metrics(lam, 1 / mu, 1 / theta, servers, threshold).service_level == pytest.approx(
        expected, abs=1e-11)


def test_erlang_a_service_level_tends_to_answered_share_for_long_thresholds():
    metrics = erlang_a_metrics(mean_patience=180.0, **(VALIDATION | {"threshold_seconds": 1e5}))
    assert metrics.service_level == pytest.approx(1 - metrics.abandon_rate, abs=1e-12)


# ---------------------------------------------------------------- properties

servers_st = st.integers(min_value=0, max_value=400)
load_st = st.floats(min_value=0.0, max_value=400.0, allow_nan=False)


@given(servers_st, load_st)
def test_erlang_b_and_c_are_probabilities_decreasing_in_servers(servers, load):
    b, b_next = erlang_b(servers, load), erlang_b(servers + 1, load)
    c, c_next = erlang_c(servers, load), erlang_c(servers + 1, load)
    assert 0.0 <= b_next <= b <= 1.0
    assert 0.0 <= c_next <= c <= 1.0
    assert c >= b - 1e-15  # waiting is at least as likely as blocking


@settings(max_examples=40, deadline=None)
@given(
    load=st.floats(min_value=0.1, max_value=150.0),
    aht=st.floats(min_value=30.0, max_value=900.0),
    patience=st.one_of(st.none(), st.floats(min_value=5.0, max_value=600.0)),
    target=st.one_of(
        st.builds(ServiceLevelTarget, st.floats(0.5, 0.95), st.floats(0.0, 60.0)),
        st.builds(AbandonTarget, st.floats(0.01, 0.3)),
        st.builds(AsaTarget, st.floats(1.0, 120.0)),
    ),
)
def test_required_agents_is_the_fewest_meeting_the_target(load, aht, patience, target):
    rate = load / aht
    need = required_agents(rate, aht, target, mean_patience=patience)
    threshold = target.threshold_seconds if isinstance(target, ServiceLevelTarget) else 20.0
    model = erlang_c_metrics if patience is None else (
        lambda *args: erlang_a_metrics(args[0], args[1], patience, *args[2:]))
    assert target.is_met(model(rate, aht, need.agents, threshold))
    assert need.metrics == model(rate, aht, need.agents, threshold)
    if need.agents > 0:
        fewer = model(rate, aht, need.agents - 1, threshold)
        stable = patience is not None or need.agents - 1 > load
        assert not (stable and target.is_met(fewer))


# ---------------------------------------------------------------- staffing


def test_combined_targets_all_hold():
    rate, aht = 1000 / 3600, 300.0
    by_sl = required_agents(rate, aht, ServiceLevelTarget(0.8, 20.0), mean_patience=180.0).agents
    by_abandon = required_agents(rate, aht, AbandonTarget(0.005), mean_patience=180.0).agents
    both = required_agents(rate, aht, [ServiceLevelTarget(0.8, 20.0), AbandonTarget(0.005)], mean_patience=180.0)
    assert both.agents == max(by_sl, by_abandon)


def test_two_service_level_targets_use_their_own_thresholds():
    rate, aht = 100 / 1800, 180.0
    strict = ServiceLevelTarget(0.95, 60.0)
    both = required_agents(rate, aht, [ServiceLevelTarget(0.8, 20.0), strict])
    assert both.agents == max(required_agents(rate, aht, ServiceLevelTarget(0.8, 20.0)).agents,
                              required_agents(rate, aht, strict).agents)
    assert both.metrics == erlang_c_metrics(rate, aht, both.agents, 20.0)  # reported at the first threshold


def test_erlang_c_staffing_never_accepts_an_unstable_queue():
    need = required_agents(3.7 / 180, 180.0, AbandonTarget(0.0))  # Erlang C never abandons
    assert need.agents == 4 and need.offered_load == pytest.approx(3.7)


def test_shrinkage_and_rounding():
    need = required_agents(100 / 1800, 180.0, ServiceLevelTarget(0.8, 20.0), shrinkage=0.3)
    assert need.agents == 14
    assert need.scheduled_agents_exact == pytest.approx(20.0)
    assert need.scheduled_agents == 20  # 14 / 0.7 is 20.000000000000004 in floating point
    assert required_agents(100 / 1800, 180.0, ServiceLevelTarget(0.8, 20.0), shrinkage=0.35).scheduled_agents == 22


def test_zero_volume_needs_nobody():
    need = required_agents(0.0, 180.0, ServiceLevelTarget(0.8, 20.0))
    assert need.agents == 0 and need.scheduled_agents == 0


def test_unreachable_target_raises():
    with pytest.raises(ValueError, match="max_agents"):
        required_agents(1.0, 180.0, ServiceLevelTarget(0.8, 20.0), max_agents=100)
    with pytest.raises(ValueError):
        ServiceLevelTarget(1.5, 20.0)
    with pytest.raises(ValueError):
        required_agents(1.0, 180.0, ServiceLevelTarget(0.8, 20.0), shrinkage=1.0)


def test_requirements_per_interval_table():
    volumes = pd.Series([0, 37, 100, 100], index=pd.Index(["08:00", "08:30", "09:00", "09:30"], name="start"))
    table = requirements_per_interval(volumes, 1800, 180.0, ServiceLevelTarget(0.8, 20.0), shrinkage=0.3)
    assert list(table.columns) == ["volume", "offered_load_erlangs", "agents", "scheduled_agents",
                                   "scheduled_agents_exact", "service_level", "asa_seconds", "abandon_rate",
                                   "occupancy"]
    assert table.index.equals(volumes.index)
    assert table["offered_load_erlangs"].tolist() == pytest.approx([0.0, 3.7, 10.0, 10.0])
    assert table["agents"].tolist() == [0, 6, 14, 14]
    assert table["scheduled_agents"].tolist() == [0, 9, 20, 20]
    assert table.loc["09:00", "service_level"] == pytest.approx(0.88835, abs=1e-5)


def test_requirements_per_interval_with_abandonment_and_plain_list():
    table = requirements_per_interval([1000, 500], 3600, 300.0, AbandonTarget(0.02), mean_patience=180.0)
    assert table.index.name == "interval"
    assert (table["abandon_rate"] <= 0.02).all()
    assert table["agents"].iloc[0] == required_agents(1000 / 3600, 300.0, AbandonTarget(0.02),
                                                      mean_patience=180.0).agents
