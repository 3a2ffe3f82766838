"""Confidence intervals across independent replications, kept within what a KPI can be.

Method (:data:`CI_METHOD`): the Student t interval of the mean of the
replication values, cut to the KPI's possible range: shares 0..1, scores
0..100, counts, times, hours and money at least 0 (differences, ROI and
value kept are not cut). The part cut off holds only impossible values, so
the interval covers the true mean exactly as often as the t interval does;
two replications no longer give a service level of [-4%, 136%] but
[0%, 100%], which says plainly that they cannot tell. When every
replication gives the same value the interval is that value.

Per-interval and per-day ratios (service level, abandonment, ASA) pooled
over replications use the same construction on the ratio estimator
(:func:`ratio_estimates`). :func:`replications_needed` says how many
replications would bring a CI down to a wanted half-width, from the
observed variance.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from scipy import stats

from .kpis import KPI_UNITS

CI_METHOD = ("Student t interval over replications, cut to the possible range (shares 0-100%, scores 0-100, "
             "counts, times, hours and money at least 0); the cut removes only impossible values, so coverage "
             "is that of the t interval")

Support = tuple[float, float]
UNBOUNDED: Support = (-math.inf, math.inf)
SHARE: Support = (0.0, 1.0)
NON_NEGATIVE: Support = (0.0, math.inf)
SCORE: Support = (0.0, 100.0)

UNIT_SUPPORT: dict[str, Support] = {"share": SHARE, "score": SCORE, "contacts": NON_NEGATIVE,
                                    "seconds": NON_NEGATIVE, "hours": NON_NEGATIVE, "currency": NON_NEGATIVE,
                                    "customers": NON_NEGATIVE, "breaks": NON_NEGATIVE}
# Counts that can be negative: churn from service is negative when the service keeps customers.
SIGNED_KPIS = frozenset({"churn_from_service"})

# Headline KPIs checked for precision, and the CI half-width (share of the mean) above which a warning is given.
HEADLINE_KPIS = ("service_level", "abandon_rate", "asa_seconds", "occupancy", "total_cost")
PRECISION_SHARE = 0.05


@dataclass(frozen=True)
class Estimate:
    """Mean of replications with a two-sided confidence interval (NaN bounds with < 2 values).

    ``t_half_width`` is the symmetric t half-width the interval is built from
    (before it is cut to the KPI's range), the basis of precision warnings.
    """

    mean: float
    low: float
    high: float
    count: int
    t_half_width: float = math.nan

    @property
    def half_width(self) -> float:
        return (self.high - self.low) / 2.0

    def contains(self, value: float) -> bool:
        return self.low <= value <= self.high


def kpi_support(name: str, unit: str) -> Support:
    """The range a KPI's values can take, from its unit (``cost:...`` columns are money)."""
    if name in SIGNED_KPIS:
        return UNBOUNDED
    if name.startswith("cost:"):
        return NON_NEGATIVE
    return UNIT_SUPPORT.get(unit, UNBOUNDED)


def estimate(values, confidence: float = 0.95, support: Support = UNBOUNDED) -> Estimate:
    """Mean of ``values`` and its CI within ``support``; NaN values (undefined KPIs) are left out."""
    data = np.asarray(values, dtype=float)
    data = data[~np.isnan(data)]
    count = len(data)
    if count == 0:
        return Estimate(math.nan, math.nan, math.nan, 0)
    mean = float(data.mean())
    if count < 2:
        return Estimate(mean, math.nan, math.nan, count)
    standard_error = float(data.std(ddof=1)) / math.sqrt(count)
    t = float(stats.t.ppf(0.5 + confidence / 2.0, count - 1))
    low, high = bounded_interval(np.array([mean]), np.array([standard_error]), t, support)
    return Estimate(mean, float(low[0]), float(high[0]), count, t * standard_error)


def kpi_estimate(name: str, values, confidence: float = 0.95) -> Estimate:
    """:func:`estimate` of one KPI (by name, see :data:`analysis.metrics.kpis.KPI_UNITS`) within its range."""
    return estimate(values, confidence, kpi_support(name, KPI_UNITS.get(name, "")))


def kpi_estimates(table: Mapping[str, object], units: Mapping[str, str],
                  confidence: float = 0.95) -> dict[str, Estimate]:
    """:func:`estimate` of every column of a replications table, each within its KPI's range."""
    return {name: estimate(table[name], confidence, kpi_support(name, units.get(name, ""))) for name in table}


def bounded_interval(mean: np.ndarray, standard_error: np.ndarray, t: float,
                     support: Support) -> tuple[np.ndarray, np.ndarray]:
    """``mean +- t x standard_error`` cut to ``support``, element-wise (NaN stays NaN)."""
    mean = np.asarray(mean, dtype=float)
    half = t * np.asarray(standard_error, dtype=float)
    with np.errstate(invalid="ignore"):
        low, high = np.clip(mean - half, *support), np.clip(mean + half, *support)
    undefined = np.isnan(mean) | np.isnan(half)
    return np.where(undefined, np.nan, low), np.where(undefined, np.nan, high)


@dataclass(frozen=True)
class RatioEstimates:
    """Pooled ratios (sum of numerators / sum of denominators) per column, with CIs."""

    ratio: np.ndarray
    low: np.ndarray
    high: np.ndarray


def ratio_estimates(numerators, denominators, confidence: float = 0.95,
                    support: Support = UNBOUNDED) -> RatioEstimates:
    """Ratio estimator per column (replications in rows) with a two-sided CI within ``support``.

    The standard error comes from the linearised residuals ``num - ratio x
    den`` across replications; NaN where no replication has a denominator,
    and NaN bounds with fewer than two replications.
    """
    numerators = np.atleast_2d(np.asarray(numerators, dtype=float))
    denominators = np.atleast_2d(np.asarray(denominators, dtype=float))
    replications = numerators.shape[0]
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = numerators.sum(axis=0) / denominators.sum(axis=0)
        ratio = np.where(np.isfinite(ratio), ratio, np.nan)
        if replications < 2:
            nan = np.full(ratio.shape, np.nan)
            return RatioEstimates(ratio, nan, nan.copy())
        residuals = numerators - np.nan_to_num(ratio) * denominators
        error = residuals.std(axis=0, ddof=1) / math.sqrt(replications) / denominators.mean(axis=0)
    t = float(stats.t.ppf(0.5 + confidence / 2.0, replications - 1))
    low, high = bounded_interval(ratio, np.where(np.isnan(ratio), np.nan, error), t, support)
    return RatioEstimates(ratio, low, high)


def replications_needed(values, relative_half_width: float, confidence: float = 0.95,
                        limit: int = 1_000_000) -> int | None:
    """Fewest replications whose t-interval half-width would be at most ``relative_half_width`` x |mean|,
    if the spread stays as observed; None when it cannot be said (fewer than 2 values, mean 0)."""
    data = np.asarray(values, dtype=float)
    data = data[~np.isnan(data)]
    if len(data) < 2 or data.mean() == 0:
        return None
    spread = float(data.std(ddof=1))
    wanted = relative_half_width * abs(float(data.mean()))
    if spread == 0:
        return len(data)
    guess = max(2, math.ceil((stats.norm.ppf(0.5 + confidence / 2.0) * spread / wanted) ** 2))
    count = guess
    while count > 2 and stats.t.ppf(0.5 + confidence / 2.0, count - 2) * spread / math.sqrt(count - 1) <= wanted:
        count -= 1
    while stats.t.ppf(0.5 + confidence / 2.0, count - 1) * spread / math.sqrt(count) > wanted:
        count += 1
        if count > limit:
            return None
    return count


@dataclass(frozen=True)
class PrecisionWarning:
    """A headline KPI whose CI is too wide to decide on, and the replications that would narrow it."""

    kpi: str
    mean: float
    half_width: float
    relative_half_width: float
    replications: int
    replications_needed: int | None

    def text(self) -> str:
        if self.replications < 2:
            return "one replication gives no confidence intervals; run several (e.g. --reps 10) to judge precision"
        more = (f"about {self.replications_needed} replications would bring it to {PRECISION_SHARE:.0%}"
                if self.replications_needed else "more replications are needed")
        return (f"{self.kpi}: 95% CI half-width is {self.relative_half_width:.0%} of the mean with "
                f"{self.replications} replication(s); {more}")

    def as_dict(self) -> dict:
        return {"kpi": self.kpi, "mean": self.mean, "half_width": self.half_width,
                "relative_half_width": self.relative_half_width, "replications": self.replications,
                "replications_needed": self.replications_needed, "text": self.text()}


def precision_warnings(table: Mapping[str, object], kpis: tuple[str, ...] = HEADLINE_KPIS,
                       share: float = PRECISION_SHARE, confidence: float = 0.95) -> list[PrecisionWarning]:
    """Headline KPIs of a replications table whose t half-width exceeds ``share`` of the mean (one
    warning for all when there is a single replication)."""
    present = [name for name in kpis if name in table]
    if present and len(np.asarray(table[present[0]])) == 1:
        return [PrecisionWarning("all", math.nan, math.nan, math.inf, 1, None)]
    warnings = []
    for name in present:
        values = np.asarray(table[name], dtype=float)
        found = estimate(values, confidence)
        if found.count < 2 or not found.mean or math.isnan(found.t_half_width):
            continue
        relative = found.t_half_width / abs(found.mean)
        if relative > share:
            warnings.append(PrecisionWarning(name, found.mean, found.t_half_width, relative, found.count,
                                             replications_needed(values, share, confidence)))
    return warnings
