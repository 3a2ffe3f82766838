"""Non-parametric survival estimates for right-censored durations.

:func:`kaplan_meier` is the product-limit estimator with Greenwood's variance;
:func:`binned_hazard` is a life-table hazard (events per second at risk in
fixed bins), which shows features a smooth family cannot, such as the jump
in abandonment when a queue announcement replays.

Convention for ties: a value censored at time t is still at risk at t
(it was seen to survive up to t), as in every standard implementation.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy import stats

ConfidenceMethod = Literal["log-log", "plain"]


@dataclass(frozen=True)
class KaplanMeierCurve:
    """Kaplan-Meier survival at each distinct event time (a right-continuous step function).

    ``survival[i]`` is S(t) for ``times[i] <= t < times[i + 1]``; S = 1 before
    the first event. ``standard_error`` is Greenwood's; ``lower``/``upper``
    the pointwise ``confidence_level`` band (log-log transform by default, so
    it stays inside [0, 1]).
    """

    times: np.ndarray
    at_risk: np.ndarray
    events: np.ndarray
    survival: np.ndarray
    standard_error: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    confidence_level: float
    sample_size: int
    max_time: float  # largest time observed, event or censored: the curve says nothing beyond

    @property
    def total_events(self) -> int:
        return int(self.events.sum())

    def _step(self, values: np.ndarray, t: np.ndarray | float, before_first: float) -> np.ndarray:
        index = np.searchsorted(self.times, np.asarray(t, dtype=float), side="right") - 1
        padded = np.concatenate([[before_first], values])
        return padded[index + 1]

    def survival_at(self, t: np.ndarray | float) -> np.ndarray:
        """S(t) (NaN beyond the largest observed time, where the estimate is undefined)."""
        t = np.asarray(t, dtype=float)
        return np.where(t > self.max_time, np.nan, self._step(self.survival, t, 1.0))

    def standard_error_at(self, t: np.ndarray | float) -> np.ndarray:
        return self._step(self.standard_error, t, 0.0)

    def median(self) -> float:
        """Smallest time with S(t) <= 0.5; NaN when the curve never gets there."""
        below = np.nonzero(self.survival <= 0.5)[0]
        return float(self.times[below[0]]) if len(below) else math.nan

    def restricted_mean(self, horizon: float) -> float:
        """Area under S from 0 to ``horizon``: the mean of min(duration, horizon)."""
        knots = np.concatenate([[0.0], self.times[self.times < horizon], [horizon]])
        heights = np.concatenate([[1.0], self.survival[self.times < horizon]])
        return float(np.sum(np.diff(knots) * heights))


def _greenwood_sum(at_risk: np.ndarray, events: np.ndarray) -> np.ndarray:
    """Cumulative sum of d / (n (n - d)); infinite once everyone at risk has had the event."""
    with np.errstate(divide="ignore"):
        terms = np.where(at_risk > events, events / (at_risk * (at_risk - events).astype(float)), np.inf)
    return np.cumsum(terms)


def _confidence_band(survival: np.ndarray, greenwood: np.ndarray, standard_error: np.ndarray, z: float,
                     method: ConfidenceMethod) -> tuple[np.ndarray, np.ndarray]:
    if method == "plain":
        return np.clip(survival - z * standard_error, 0, 1), np.clip(survival + z * standard_error, 0, 1)
    if method != "log-log":
        raise ValueError(f"confidence method must be 'log-log' or 'plain', not {method!r}")
    lower, upper = np.zeros_like(survival), np.zeros_like(survival)
    inside = (survival > 0) & (survival < 1)
    log_survival = np.log(survival[inside])
    # Delta method on log(-log S): se = sqrt(greenwood sum) / |log S|.
    spread = z * np.sqrt(greenwood[inside]) / np.abs(log_survival)
    lower[inside] = survival[inside] ** np.exp(spread)
    upper[inside] = survival[inside] ** np.exp(-spread)
    lower[survival >= 1], upper[survival >= 1] = 1.0, 1.0
    return lower, upper


def kaplan_meier(times: np.ndarray, observed: np.ndarray, confidence_level: float = 0.95,
                 method: ConfidenceMethod = "log-log") -> KaplanMeierCurve:
    """Product-limit estimate S(t) = prod over event times u <= t of (1 - d_u / n_u).

    ``observed`` is True for an event (e.g. an abandonment) and False for a
    right-censored value (e.g. an answered contact's wait). Greenwood:
    Var S(t) = S(t)^2 * sum d_u / (n_u (n_u - d_u)).
    """
    times = np.asarray(times, dtype=float)
    observed = np.asarray(observed, dtype=bool)
    if times.shape != observed.shape:
        raise ValueError("times and observed must have the same length")
    if len(times) and (np.isnan(times).any() or (times < 0).any()):
        raise ValueError("times must be non-negative numbers")
    sorted_times = np.sort(times)
    event_times, events = np.unique(times[observed], return_counts=True)
    at_risk = len(times) - np.searchsorted(sorted_times, event_times, side="left")
    survival = np.cumprod(1.0 - events / at_risk)
    greenwood = _greenwood_sum(at_risk, events)
    with np.errstate(invalid="ignore"):
        standard_error = np.where(survival > 0, survival * np.sqrt(greenwood), 0.0)
    z = float(stats.norm.ppf(0.5 + confidence_level / 2))
    lower, upper = _confidence_band(survival, greenwood, standard_error, z, method)
    return KaplanMeierCurve(times=event_times, at_risk=at_risk, events=events, survival=survival,
                            standard_error=standard_error, lower=lower, upper=upper,
                            confidence_level=confidence_level, sample_size=len(times),
                            max_time=float(times.max()) if len(times) else 0.0)


@dataclass(frozen=True)
class HazardTable:
    """Events and time at risk per bin [start, start + width); hazard = events / exposure."""

    bin_start: np.ndarray
    bin_seconds: float
    events: np.ndarray
    exposure_seconds: np.ndarray

    @property
    def hazard_per_second(self) -> np.ndarray:
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(self.exposure_seconds > 0, self.events / self.exposure_seconds, np.nan)

    @property
    def standard_error(self) -> np.ndarray:
        """Poisson approximation: sqrt(events) / exposure."""
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(self.exposure_seconds > 0, np.sqrt(self.events) / self.exposure_seconds, np.nan)


def binned_hazard(times: np.ndarray, observed: np.ndarray, bin_seconds: float = 5.0,
                  horizon: float | None = None) -> HazardTable:
    """Life-table hazard in bins of ``bin_seconds`` up to ``horizon`` (default: 99th percentile)."""
    times = np.asarray(times, dtype=float)
    observed = np.asarray(observed, dtype=bool)
    if horizon is None:
        horizon = float(np.quantile(times, 0.99)) if len(times) else bin_seconds
    bins = max(int(math.ceil(horizon / bin_seconds)), 1)
    starts = np.arange(bins) * bin_seconds
    which = np.floor(times / bin_seconds).astype(int)
    inside = which < bins
    events = np.bincount(which[inside & observed], minlength=bins)[:bins]
    # Exposure: a whole bin for everyone still present at its end, plus the part
    # lived in the bin where each value ends.
    sorted_times = np.sort(times)
    beyond = len(times) - np.searchsorted(sorted_times, starts + bin_seconds, side="left")
    partial = np.bincount(which[inside], weights=times[inside] - starts[which[inside]], minlength=bins)[:bins]
    exposure = beyond * bin_seconds + partial
    return HazardTable(bin_start=starts, bin_seconds=bin_seconds, events=events, exposure_seconds=exposure)
