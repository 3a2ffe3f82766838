"""Handle-time fitting: parameter recovery, model choice, short-call exclusion.

Tolerances: 4 standard errors of the maximum-likelihood estimate for the
sample size (lognormal: SE(mu) = sigma/sqrt(n), SE(sigma) = sigma/sqrt(2n);
gamma: from its Fisher information).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analysis.calibration import EmpiricalDistribution, fit_durations, fit_gamma, fit_handle_times

STANDARD_ERRORS = 4.0


def test_lognormal_parameters_recovered_and_chosen():
    mu, sigma, n = 5.0, 0.8, 5000
    values = np.random.default_rng(42).lognormal(mu, sigma, n)
    fit = fit_durations(values, short_threshold_seconds=0.0)
    assert fit.best_family == "lognormal" and fit.recommended is fit.best
    lognormal = fit.candidates["lognormal"]
    assert lognormal.parameters["mu"] == pytest.approx(mu, abs=STANDARD_ERRORS * sigma / math.sqrt(n))
    assert lognormal.parameters["sigma"] == pytest.approx(sigma, abs=STANDARD_ERRORS * sigma / math.sqrt(2 * n))
    assert lognormal.ks_statistic < 1.63 / math.sqrt(n)  # within sampling noise at the 1% level
    assert [candidate.family for candidate in fit.ranking()][0] == "lognormal"
    assert set(fit.candidates) == {"lognormal", "gamma", "weibull", "exponential"}
    assert lognormal.as_spec() == {"dist": "lognormal", "unit": "s", "mu": lognormal.parameters["mu"],
                                   "sigma": lognormal.parameters["sigma"]}


def test_gamma_parameters_recovered_and_match_scipy():
    shape, scale, n = 2.5, 60.0, 5000
    values = np.random.default_rng(5).gamma(shape, scale, n)
    fit = fit_gamma(values)
    assert fit.parameters["shape"] == pytest.approx(shape, abs=STANDARD_ERRORS * fit.standard_errors["shape"])
    assert fit.parameters["scale"] == pytest.approx(scale, abs=STANDARD_ERRORS * fit.standard_errors["scale"])
    scipy_shape, _, scipy_scale = stats.gamma.fit(values, floc=0)
    assert fit.parameters["shape"] == pytest.approx(scipy_shape, rel=1e-3)
    assert fit.parameters["scale"] == pytest.approx(scipy_scale, rel=1e-3)
    assert fit_durations(values, short_threshold_seconds=0.0).best_family == "gamma"


def test_short_and_non_positive_calls_are_excluded_and_counted():
    rng = np.random.default_rng(9)
    genuine = rng.lognormal(5.0, 0.6, 2000)  # P(< 10 s) is about 1e-7: none here
    artefacts = rng.integers(1, 10, 150).astype(float)  # agents hanging up within seconds
    values = np.concatenate([genuine, artefacts, np.zeros(7), [np.nan] * 3])
    fit = fit_durations(values, short_threshold_seconds=10.0)
    assert fit.excluded_short == int((genuine < 10).sum()) + 150
    assert fit.excluded_non_positive == 7
    assert fit.sample_size == int((genuine >= 10).sum())
    kept_all = fit_durations(values, short_threshold_seconds=0.0)
    assert kept_all.excluded_short == 0 and kept_all.sample_size == 2150
    # The artefacts drag a lognormal fit's mu down when kept.
    assert kept_all.candidates["lognormal"].parameters["mu"] < fit.candidates["lognormal"].parameters["mu"] - 0.1


def test_poor_fit_or_small_sample_falls_back_to_empirical():
    rng = np.random.default_rng(2)
    two_humps = np.concatenate([rng.normal(60, 5, 3000), rng.normal(600, 20, 3000)])
    fit = fit_durations(two_humps)
    assert fit.best_family is not None and isinstance(fit.recommended, EmpiricalDistribution)
    few = fit_durations(rng.lognormal(4, 1, 12), min_sample_size=30)
    assert few.candidates == {} and few.best is None and isinstance(few.recommended, EmpiricalDistribution)
    assert few.recommended.as_spec()["dist"] == "empirical"


def test_fit_per_contact_type_from_canonical_frame():
    rng = np.random.default_rng(4)
    frame = pd.DataFrame({
        "contact_type": ["a"] * 400 + ["b"] * 400 + ["a"] * 5,
        "outcome": ["answered"] * 800 + ["abandoned"] * 5,
        "handle_seconds": np.concatenate([rng.lognormal(4, 0.5, 400), rng.lognormal(6, 0.5, 400), [np.nan] * 5]),
    })
    frame.loc[0, "handle_seconds"] = np.nan  # answered without service times
    fits = fit_handle_times(frame)
    assert set(fits) == {"a", "b"}
    assert fits["a"].missing == 1 and fits["a"].sample_size == 399
    assert fits["b"].best.mean() > fits["a"].best.mean() * 5
