"""Equal-probability points that stand in for a fitted duration distribution in a scenario file.

The scenario format resamples ``empirical`` distributions uniformly from a
list of values, so any distribution can be written as N points, each carrying
probability 1/N. Two are needed here:

* handle time as a **mixture**: a share p of very short calls (their observed
  durations, zeros included) and, with probability 1 - p, the parametric family
  fitted to the rest. Short calls are real agent work (hang-ups, transfers,
  call-backs that reach nobody); leaving them out would overstate the mean
  handle time, and so the load, by several percent.
* patience from **Kaplan-Meier**: the estimated survival curve up to a horizon
  where it is still well supported, and the parametric fit's tail beyond it
  (Kaplan-Meier says nothing past the longest observed wait).

Each point of a parametric part is the conditional mean of its probability
bin, so the points keep the distribution's mean exactly; points of an observed
(empirical) part are quantiles at bin midpoints.
"""

from __future__ import annotations

import numpy as np

from .distributions import FittedDistribution
from .survival import KaplanMeierCurve

_SUBDIVISIONS = 64  # quantile evaluations per bin when averaging the quantile function


def bin_means(fitted: FittedDistribution, points: int) -> np.ndarray:
    """Conditional means of ``points`` equal-probability bins of ``fitted`` (their average is its mean)."""
    return _bin_means_between(fitted, 0.0, 1.0, points)


def _bin_means_between(fitted: FittedDistribution, low: float, high: float, points: int) -> np.ndarray:
    """Conditional means of equal-probability bins of ``fitted`` restricted to quantile levels [low, high]."""
    frozen = fitted.frozen()
    edges = np.linspace(low, high, points + 1)
    # Average the quantile function on a fine grid inside each bin (midpoint rule).
    offsets = (np.arange(_SUBDIVISIONS) + 0.5) / _SUBDIVISIONS
    levels = edges[:-1, None] + (edges[1:] - edges[:-1])[:, None] * offsets[None, :]
    means = frozen.ppf(levels).mean(axis=1)
    if high >= 1.0:
        # The midpoint rule misses the unbounded top of the last bin; the exact
        # partial expectation fixes it: E[X; F(X) > a] / (1 - a).
        lower_value = float(frozen.ppf(edges[-2]))
        means[-1] = float(frozen.expect(lambda x: x, lb=lower_value, conditional=True))
    return means


def mixture_points(short_values: np.ndarray, short_share: float, fitted: FittedDistribution,
                   points: int) -> np.ndarray:
    """``points`` equal-probability values of "short calls with probability ``short_share``, else ``fitted``".

    The short part takes round(points x share) values (quantiles of the
    observed short durations); the rest are bin means of the fitted family.
    """
    if not 0.0 <= short_share < 1.0:
        raise ValueError(f"short_share must be in [0, 1), not {short_share}")
    short_values = np.sort(np.asarray(short_values, dtype=float))
    short_count = int(round(points * short_share)) if len(short_values) else 0
    short_part = np.quantile(short_values, (np.arange(short_count) + 0.5) / short_count) if short_count else []
    return np.concatenate([np.asarray(short_part, dtype=float), bin_means(fitted, points - short_count)])


def kaplan_meier_points(curve: KaplanMeierCurve, tail: FittedDistribution, horizon: float,
                        points: int) -> np.ndarray:
    """Equal-probability values of Kaplan-Meier up to ``horizon``, then ``tail`` conditioned beyond it.

    S(t) = KM(t) for t <= horizon and KM(horizon) * tail.sf(t) / tail.sf(horizon)
    beyond. Values at or below the horizon are KM quantiles at bin midpoints.
    """
    levels = (np.arange(points) + 0.5) / points
    survival_at_horizon = float(curve.survival_at(horizon))
    mass_before = 1.0 - survival_at_horizon
    values = np.empty(points)
    body = levels < mass_before
    # KM quantile: the first event time where 1 - S reaches the level.
    index = np.searchsorted(1.0 - curve.survival, levels[body], side="left")
    values[body] = curve.times[np.minimum(index, len(curve.times) - 1)]
    tail_levels = levels[~body]
    if len(tail_levels):
        frozen = tail.frozen()
        remaining = (1.0 - tail_levels) / survival_at_horizon  # conditional survival beyond the horizon
        values[~body] = frozen.isf(remaining * float(frozen.sf(horizon)))
    return values
