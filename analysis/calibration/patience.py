"""Patience (time a caller is willing to wait) from censored queue waits.

Only contacts that joined the queue say anything about patience. One who
abandoned after waiting w had patience w (an observed event); one who was
answered after w had patience of *at least* w (right-censored). Averaging the
waits of abandoners alone therefore estimates E[min(patience, wait offered)]
among the impatient, far below the mean patience; the Kaplan-Meier estimator
and the censored maximum-likelihood fits use the answered contacts properly.

Waits are recorded in whole seconds, so an abandonment logged at 0 s happened
somewhere in [0, 1 s); parametric fits (whose log-densities need t > 0) place
such events at half the resolution. Kaplan-Meier uses the data as recorded.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .distributions import FittedDistribution, exponential_censored, weibull_censored
from .survival import HazardTable, KaplanMeierCurve, binned_hazard, kaplan_meier

DEFAULT_RESOLUTION_SECONDS = 1.0
DEFAULT_HAZARD_BIN_SECONDS = 5.0
GOODNESS_OF_FIT_QUANTILE = 0.95


@dataclass(frozen=True)
class PatienceEstimate:
    """Patience of one group of contacts, three ways, plus the naive (biased) figure."""

    label: str
    queued: int
    abandoned: int
    kaplan_meier: KaplanMeierCurve
    hazard: HazardTable
    exponential: FittedDistribution | None
    weibull: FittedDistribution | None
    naive_mean_seconds: float  # mean wait of abandoners: biased low, shown for contrast only
    zero_wait_abandonments: int

    @property
    def abandonment_share(self) -> float:
        return self.abandoned / self.queued if self.queued else math.nan

    @property
    def best(self) -> FittedDistribution | None:
        """The parametric fit with the lower AIC (None when neither could be fitted)."""
        fits = [fit for fit in (self.exponential, self.weibull) if fit is not None]
        return min(fits, key=lambda fit: fit.aic) if fits else None


def censored_waits(contacts: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """(wait seconds, abandoned?) for the queued contacts of a canonical frame with a known wait."""
    queued = contacts.loc[contacts["queued"] & contacts["wait_seconds"].notna()]
    return (queued["wait_seconds"].to_numpy(dtype=float),
            (queued["outcome"] == "abandoned").to_numpy(dtype=bool))


def _distance_to_kaplan_meier(fitted: FittedDistribution, curve: KaplanMeierCurve,
                              horizon: float) -> FittedDistribution:
    """Goodness of fit for censored data: the largest gap between KM and the fitted survival.

    Only up to ``horizon`` (the 95th percentile of the waits): beyond it a
    handful of contacts remain at risk and KM is too noisy to judge a fit.
    Checked on both sides of every KM step, where the supremum can occur.
    """
    within = curve.times <= horizon
    if not within.any():
        return fitted
    fitted_survival = fitted.survival(curve.times[within])
    after = curve.survival[within]
    before = np.concatenate([[1.0], curve.survival[:-1]])[within]
    gap = max(np.abs(after - fitted_survival).max(), np.abs(before - fitted_survival).max())
    return dataclasses.replace(fitted, ks_statistic=float(gap))


def _parametric(times: np.ndarray, observed: np.ndarray, curve: KaplanMeierCurve,
                ) -> tuple[FittedDistribution | None, FittedDistribution | None]:
    if observed.sum() == 0:  # nobody abandoned: the data only bound patience from below
        return None, None
    horizon = float(np.quantile(times, GOODNESS_OF_FIT_QUANTILE))
    exponential = _distance_to_kaplan_meier(exponential_censored(times, observed), curve, horizon)
    positive = times > 0  # censored values at 0 carry no information; events at 0 were shifted
    weibull = _distance_to_kaplan_meier(weibull_censored(times[positive], observed[positive]), curve, horizon)
    return exponential, weibull


def estimate_patience(times: np.ndarray, observed: np.ndarray, label: str = "",
                      resolution_seconds: float = DEFAULT_RESOLUTION_SECONDS,
                      hazard_bin_seconds: float = DEFAULT_HAZARD_BIN_SECONDS,
                      confidence_level: float = 0.95) -> PatienceEstimate:
    """Kaplan-Meier, censored exponential and Weibull fits, and the binned hazard."""
    times = np.asarray(times, dtype=float)
    observed = np.asarray(observed, dtype=bool)
    curve = kaplan_meier(times, observed, confidence_level)
    zero_events = observed & (times <= 0)
    shifted = np.where(zero_events, resolution_seconds / 2.0, times)
    exponential, weibull = _parametric(shifted, observed, curve)
    abandon_waits = times[observed]
    return PatienceEstimate(
        label=label, queued=len(times), abandoned=int(observed.sum()), kaplan_meier=curve,
        hazard=binned_hazard(times, observed, hazard_bin_seconds), exponential=exponential, weibull=weibull,
        naive_mean_seconds=float(abandon_waits.mean()) if len(abandon_waits) else math.nan,
        zero_wait_abandonments=int(zero_events.sum()))


def fit_patience(contacts: pd.DataFrame, group_by: str = "contact_type",
                 resolution_seconds: float = DEFAULT_RESOLUTION_SECONDS,
                 hazard_bin_seconds: float = DEFAULT_HAZARD_BIN_SECONDS,
                 confidence_level: float = 0.95) -> dict[str, PatienceEstimate]:
    """One :class:`PatienceEstimate` per value of ``group_by`` (contact type by default)."""
    estimates: dict[str, PatienceEstimate] = {}
    queued = contacts.loc[contacts["queued"]]
    for key, group in queued.groupby(group_by, sort=True):
        times, observed = censored_waits(group)
        if len(times) == 0:
            continue
        estimates[str(key)] = estimate_patience(times, observed, str(key), resolution_seconds,
                                                hazard_bin_seconds, confidence_level)
    return estimates
