"""Kaplan-Meier with Greenwood variance, and the binned hazard, against hand computations."""

from __future__ import annotations

import math

import numpy as np
import pytest

from analysis.calibration import binned_hazard, kaplan_meier

# Eight waits; True = abandoned (event), False = answered (censored).
TIMES = np.array([1, 2, 2, 3, 4, 4, 5, 6], dtype=float)
EVENTS = np.array([True, True, False, True, True, False, False, True])

# By hand: at each event time, n at risk (time >= t) and d events.
#   t=1: n=8 d=1 -> S = 7/8
#   t=2: n=7 d=1 -> S = 7/8 * 6/7 = 3/4     (the value censored at 2 is still at risk at 2)
#   t=3: n=5 d=1 -> S = 3/4 * 4/5 = 3/5
#   t=4: n=4 d=1 -> S = 3/5 * 3/4 = 9/20
#   t=6: n=1 d=1 -> S = 0
HAND_SURVIVAL = [7 / 8, 3 / 4, 3 / 5, 9 / 20, 0.0]
HAND_AT_RISK = [8, 7, 5, 4, 1]
# Greenwood sums of d / (n (n - d)).
HAND_GREENWOOD = [1 / 56, 1 / 56 + 1 / 42, 1 / 56 + 1 / 42 + 1 / 20, 1 / 56 + 1 / 42 + 1 / 20 + 1 / 12]


def test_kaplan_meier_matches_hand_computation():
    curve = kaplan_meier(TIMES, EVENTS)
    np.testing.assert_array_equal(curve.times, [1, 2, 3, 4, 6])
    np.testing.assert_array_equal(curve.at_risk, HAND_AT_RISK)
    np.testing.assert_allclose(curve.survival, HAND_SURVIVAL)
    expected_se = [s * math.sqrt(g) for s, g in zip(HAND_SURVIVAL, HAND_GREENWOOD)]
    np.testing.assert_allclose(curve.standard_error[:4], expected_se)
    assert curve.standard_error[4] == 0.0  # S = 0: no variance left
    assert curve.total_events == 5 and curve.sample_size == 8


def test_step_function_median_and_restricted_mean():
    curve = kaplan_meier(TIMES, EVENTS)
    np.testing.assert_allclose(curve.survival_at([0.5, 1.0, 2.5, 4.9, 5.5]), [1, 7 / 8, 3 / 4, 9 / 20, 9 / 20])
    assert np.isnan(curve.survival_at(7.0))  # beyond the data
    assert curve.median() == 4.0  # first time S <= 1/2
    # Area under the steps from 0 to 5: 1 + 7/8 + 3/4 + 3/5 + 9/20.
    assert curve.restricted_mean(5.0) == pytest.approx(1 + 7 / 8 + 3 / 4 + 3 / 5 + 9 / 20)


def test_confidence_bands():
    z = 1.959963984540054
    plain = kaplan_meier(TIMES, EVENTS, method="plain")
    se_at_3 = 3 / 5 * math.sqrt(HAND_GREENWOOD[2])
    assert plain.lower[2] == pytest.approx(3 / 5 - z * se_at_3)
    assert plain.upper[2] == pytest.approx(3 / 5 + z * se_at_3)
    # log-log: S ** exp(+-z * sqrt(greenwood) / |log S|), always inside [0, 1].
    loglog = kaplan_meier(TIMES, EVENTS)
    spread = z * math.sqrt(HAND_GREENWOOD[2]) / abs(math.log(3 / 5))
    assert loglog.lower[2] == pytest.approx((3 / 5) ** math.exp(spread))
    assert loglog.upper[2] == pytest.approx((3 / 5) ** math.exp(-spread))
    assert np.all((loglog.lower >= 0) & (loglog.upper <= 1) & (loglog.lower <= loglog.survival))


def test_without_censoring_kaplan_meier_is_the_empirical_survival():
    values = np.random.default_rng(3).exponential(10.0, 200)
    curve = kaplan_meier(values, np.ones(200, dtype=bool))
    np.testing.assert_allclose(curve.survival, 1 - np.arange(1, 201) / 200, atol=1e-12)


def test_invalid_input_is_refused():
    with pytest.raises(ValueError):
        kaplan_meier(np.array([1.0, -1.0]), np.array([True, False]))
    with pytest.raises(ValueError):
        kaplan_meier(np.array([1.0]), np.array([True, False]))


def test_binned_hazard_by_hand():
    # Bins of 2 s. Exposure in [0,2): everyone contributes min(t, 2): 1+2*7 = 15;
    # [2,4): 0+0+0+1+2+2+2+2 = 9; [4,6): 0*4 + 0+0+1+2 = 3.
    table = binned_hazard(TIMES, EVENTS, bin_seconds=2.0, horizon=6.0)
    np.testing.assert_array_equal(table.bin_start, [0, 2, 4])
    np.testing.assert_array_equal(table.events, [1, 2, 1])
    np.testing.assert_allclose(table.exposure_seconds, [15, 9, 3])
    np.testing.assert_allclose(table.hazard_per_second, [1 / 15, 2 / 9, 1 / 3])
