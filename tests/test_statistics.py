"""Confidence intervals within what a KPI can be, precision warnings, and replications needed."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from analysis.metrics.stats import (
    NON_NEGATIVE,
    SHARE,
    estimate,
    kpi_estimate,
    kpi_support,
    precision_warnings,
    ratio_estimates,
    replications_needed,
)
from analysis.runs.compare import _number

shares = st.lists(st.floats(0.0, 1.0), min_size=1, max_size=6)
counts = st.lists(st.floats(0.0, 1e6), min_size=1, max_size=6)


@given(shares)
def test_share_intervals_never_leave_zero_to_one(values):
    found = estimate(values, support=SHARE)
    assert 0.0 <= found.mean <= 1.0
    if len(values) > 1:
        assert 0.0 <= found.low <= found.mean + 1e-12 and found.mean - 1e-12 <= found.high <= 1.0


@given(counts)
def test_counts_times_and_hours_stay_non_negative(values):
    found = estimate(values, support=NON_NEGATIVE)
    if len(values) > 1:
        assert 0.0 <= found.low <= found.mean + 1e-6 <= found.high + 2e-6


@settings(max_examples=50)
@given(st.lists(st.tuples(st.integers(0, 50), st.integers(0, 50)), min_size=2, max_size=6))
def test_pooled_ratio_intervals_of_shares_stay_in_range(pairs):
    numerators = np.array([[min(a, b)] for a, b in pairs], dtype=float)
    denominators = np.array([[max(a, b)] for a, b in pairs], dtype=float)
    found = ratio_estimates(numerators, denominators, support=SHARE)
    if denominators.sum() == 0:
        assert np.isnan(found.ratio[0])
    else:
        assert 0 <= found.low[0] <= found.ratio[0] <= found.high[0] <= 1


def test_far_from_the_bounds_the_interval_is_student_t():
    values = [0.84, 0.86, 0.85, 0.87, 0.83]
    found = estimate(values, support=SHARE)
    half = stats.t.ppf(0.975, 4) * np.std(values, ddof=1) / math.sqrt(5)
    assert (found.low, found.high) == pytest.approx((0.85 - half, 0.85 + half))
    assert found.t_half_width == pytest.approx(half)


def test_two_replications_no_longer_give_impossible_bounds():
    level = kpi_estimate("service_level", [0.65, 0.98])  # t interval: about [-1.45, 3.08]
    assert (level.low, level.high) == (0.0, 1.0)
    abandoned = kpi_estimate("abandoned", [100.0, 1220.0])
    assert abandoned.low == 0.0 and abandoned.high == pytest.approx(660 + stats.t.ppf(0.975, 1) * 560)
    assert kpi_estimate("churn_from_service", [-10.0, 20.0]).low < -10  # signed: not cut
    assert kpi_support("cost:wages", "") == NON_NEGATIVE
    assert kpi_support("churn_from_service", "customers")[0] == -math.inf
    assert kpi_support("customers_kept", "customers") == NON_NEGATIVE


def test_replications_needed_is_the_fewest_that_reach_the_precision():
    values = np.random.default_rng(3).normal(100.0, 20.0, 6)
    needed = replications_needed(values, 0.05)
    spread, mean = np.std(values, ddof=1), abs(values.mean())

    def half(n: int) -> float:
        return stats.t.ppf(0.975, n - 1) * spread / math.sqrt(n)

    assert half(needed) <= 0.05 * mean < half(needed - 1)
    assert replications_needed([1.0, 1.0], 0.05) == 2 and replications_needed([0.0, 0.0], 0.05) is None


def test_precision_warnings_name_wide_headline_kpis_with_the_replications_needed():
    table = {"service_level": [0.80, 0.95, 0.70], "total_cost": [1000.0, 1001.0, 999.0], "answered": [1.0, 9.0]}
    warnings = precision_warnings(table)
    assert [warning.kpi for warning in warnings] == ["service_level"]
    warning = warnings[0]
    assert warning.replications == 3 and warning.replications_needed > 3
    assert "about" in warning.text() and "replications would bring it to 5%" in warning.text()
    single = precision_warnings({"total_cost": [5.0], "service_level": [0.8]})
    assert len(single) == 1 and "one replication gives no confidence intervals" in single[0].text()


def test_differences_of_shares_are_percentage_points():
    assert _number(0.0272, "share", signed=True) == "+2.72 pp"
    assert _number(0.8856, "share") == "88.56%"
