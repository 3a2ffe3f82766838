"""Patience from censored waits: unbiased where naive averaging is not.

Setup shared by the tests: each queued caller has a patience P and is offered
a wait W (independent, W exponential). If P < W the caller abandons after P
(an observed patience), otherwise is answered after W (patience known only to
exceed W: right-censored). Tolerances are in standard errors computed from
the number of observed abandonments: 4 SE leaves a false-failure chance of
about 6e-5 per check.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from analysis.calibration import estimate_patience, exponential_censored, weibull_censored

STANDARD_ERRORS = 4.0


def censored_sample(patience: np.ndarray, offered_wait_mean: float, rng: np.random.Generator):
    offered = rng.exponential(offered_wait_mean, len(patience))
    abandoned = patience < offered
    return np.where(abandoned, patience, offered), abandoned


def test_exponential_patience_mle_and_km_are_unbiased_naive_mean_is_not():
    rng = np.random.default_rng(20240601)
    true_mean = 180.0
    times, abandoned = censored_sample(rng.exponential(true_mean, 20_000), 60.0, rng)
    estimate = estimate_patience(times, abandoned)
    events = estimate.abandoned
    standard_error = true_mean / math.sqrt(events)  # of the censored-exponential MLE of the mean

    # Naive: averages min(P, W) over abandoners, about 1/(1/180 + 1/60) = 45 s.
    assert abs(estimate.naive_mean_seconds - true_mean) > 40 * standard_error
    assert estimate.naive_mean_seconds == pytest.approx(45.0, rel=0.1)

    assert estimate.exponential.parameters["mean"] == pytest.approx(true_mean, abs=STANDARD_ERRORS * standard_error)
    assert estimate.exponential.standard_errors["mean"] == pytest.approx(standard_error, rel=0.1)

    # Kaplan-Meier follows the true survival within its Greenwood error.
    curve = estimate.kaplan_meier
    for t in (15.0, 30.0, 60.0, 120.0):
        truth = math.exp(-t / true_mean)
        assert abs(float(curve.survival_at(t)) - truth) < STANDARD_ERRORS * float(curve.standard_error_at(t))
    # An exponential is a Weibull with shape 1.
    assert estimate.weibull.parameters["shape"] == pytest.approx(
        1.0, abs=STANDARD_ERRORS * estimate.weibull.standard_errors["shape"])


def test_weibull_patience_recovered_with_censoring():
    rng = np.random.default_rng(7)
    shape, scale = 1.5, 200.0
    times, abandoned = censored_sample(scale * rng.weibull(shape, 20_000), 120.0, rng)
    fit = weibull_censored(times, abandoned)
    errors = fit.standard_errors
    # Standard errors from the observed information; check they are the size asymptotics predict
    # (order scale / sqrt(events)) so the tolerance is not vacuous.
    assert errors["scale"] < 5 * scale / math.sqrt(abandoned.sum())
    assert fit.parameters["shape"] == pytest.approx(shape, abs=STANDARD_ERRORS * errors["shape"])
    assert fit.parameters["scale"] == pytest.approx(scale, abs=STANDARD_ERRORS * errors["scale"])
    naive = times[abandoned].mean()
    assert abs(naive - fit.mean()) > 20 * errors["scale"]


def test_uncensored_fits_agree_with_scipy():
    values = np.random.default_rng(11).weibull(0.8, 3000) * 50.0
    everything = np.ones(len(values), dtype=bool)
    ours = weibull_censored(values, everything)
    shape, _, scale = stats.weibull_min.fit(values, floc=0)
    assert ours.parameters["shape"] == pytest.approx(shape, rel=1e-4)
    assert ours.parameters["scale"] == pytest.approx(scale, rel=1e-4)
    assert ours.log_likelihood == pytest.approx(stats.weibull_min.logpdf(values, shape, scale=scale).sum(), rel=1e-8)
    assert exponential_censored(values, everything).parameters["mean"] == pytest.approx(values.mean())


def test_zero_wait_abandonments_and_no_abandonment():
    times = np.array([0.0, 0.0, 3.0, 10.0, 20.0, 0.0])
    abandoned = np.array([True, False, True, False, True, False])
    estimate = estimate_patience(times, abandoned)
    assert estimate.zero_wait_abandonments == 1
    assert estimate.weibull is not None and estimate.weibull.parameters["shape"] > 0
    nobody = estimate_patience(np.array([5.0, 8.0]), np.array([False, False]))
    assert nobody.exponential is None and nobody.weibull is None and nobody.best is None
    assert nobody.abandonment_share == 0.0
