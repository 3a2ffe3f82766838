"""The one rule for ratios of counts: undefined (NaN) over nothing."""

from __future__ import annotations

import math

import numpy as np


def ratio(numerator, denominator):
    """numerator / denominator, NaN (undefined) where the denominator is 0; numbers or arrays alike."""
    if np.ndim(numerator) == 0 and np.ndim(denominator) == 0:
        return float(numerator) / float(denominator) if denominator else math.nan
    numerator = np.asarray(numerator, dtype=float)
    denominator = np.asarray(denominator, dtype=float)
    defined = denominator != 0
    return np.where(defined, numerator / np.where(defined, denominator, 1.0), np.nan)
