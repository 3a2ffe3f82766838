"""Confidence intervals across independent replications (Student t)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats


@dataclass(frozen=True)
class Estimate:
    """Mean of replications with a two-sided t confidence interval (NaN bounds with < 2 values)."""

    mean: float
    low: float
    high: float
    count: int

    @property
    def half_width(self) -> float:
        return (self.high - self.low) / 2.0

    def contains(self, value: float) -> bool:
        return self.low <= value <= self.high


def estimate(values, confidence: float = 0.95) -> Estimate:
    """t-interval of the mean of ``values``; NaN values (undefined KPIs) are left out."""
    data = np.asarray(values, dtype=float)
    data = data[~np.isnan(data)]
    count = len(data)
    if count == 0:
        return Estimate(math.nan, math.nan, math.nan, 0)
    mean = float(data.mean())
    if count < 2:
        return Estimate(mean, math.nan, math.nan, count)
    standard_error = float(data.std(ddof=1)) / math.sqrt(count)
    half = float(stats.t.ppf(0.5 + confidence / 2.0, count - 1)) * standard_error
    return Estimate(mean, mean - half, mean + half, count)
