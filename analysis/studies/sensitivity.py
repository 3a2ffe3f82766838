"""Sensitivity of KPIs to parameters: tornado swings, Sobol' and Morris indices, break-even points.

All inputs are result tables (one row per variant and replication, as a
sweep writes them); nothing here runs simulations.

Noise. Simulated KPIs are noisy, so:

* indices use each variant's mean over its replications; replications use
  common random numbers across variants, so the noise is strongly
  correlated between variants and inflates indices little, but indices
  of factors that hardly matter stay slightly above zero;
* Sobol' and Morris confidence intervals come from SALib's bootstrap over
  the design's sample rows (seeded);
* a break-even point is not found by root-finding on raw noisy runs (which
  can cross many times) but on a low-degree polynomial fitted over a grid
  of parameter values to the mean, over replications, of the KPI gap. Its
  confidence interval is a percentile bootstrap that resamples whole
  replications (keeping each replication's common random numbers together
  across the grid) and refits.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import optimize

BOOTSTRAP_STREAM = 0xB007  # keeps bootstrap draws apart from the design's and the simulation's


def bootstrap_rng(seed: int) -> np.random.Generator:
    return np.random.default_rng([seed, BOOTSTRAP_STREAM])


def _salib_seed(seed: int) -> int:
    # SALib treats seed 0 as "unseeded": derive a positive one from our own Generator.
    return int(bootstrap_rng(seed).integers(1, 2**31 - 1))


# --- tornado ----------------------------------------------------------------------------------

def tornado(results: pd.DataFrame, kpi: str, varied: str = "varied", base_label: str = "(base)") -> pd.DataFrame:
    """Per factor of a one-at-a-time sweep: the KPI at the factor's lowest and highest value, and the swing.

    ``results`` has a ``varied`` column naming the factor each variant moves
    (``base_label`` for the base run) and one column per factor. Rows are
    sorted by swing, largest first.
    """
    means = results.groupby("variant", sort=True).agg({varied: "first", kpi: "mean"})
    factor_values = results.groupby("variant", sort=True).first()
    base_runs = means.index[means[varied] == base_label]
    if len(base_runs) != 1:
        raise ValueError("a tornado needs a one-at-a-time sweep with exactly one base run")
    base_value = float(means.at[base_runs[0], kpi])
    rows = []
    for factor in dict.fromkeys(means[varied]):
        if factor == base_label:
            continue
        variants = means.index[means[varied] == factor]
        values = factor_values.loc[variants, factor]
        low, high = _extremes(values)
        rows.append({"factor": factor, "low_value": values[low], "high_value": values[high],
                     "kpi_at_low": float(means.at[low, kpi]), "kpi_at_high": float(means.at[high, kpi]),
                     "base": base_value})
    table = pd.DataFrame(rows)
    table["swing"] = (table["kpi_at_high"] - table["kpi_at_low"]).abs()
    return table.sort_values("swing", ascending=False, kind="stable").reset_index(drop=True)


def _extremes(values: pd.Series) -> tuple:
    """Variants at the lowest and highest value; the first and last listed when values are not numbers."""
    numbers = pd.to_numeric(values, errors="coerce")
    if numbers.notna().all():
        return numbers.idxmin(), numbers.idxmax()
    return values.index[0], values.index[-1]


# --- Sobol' and Morris ------------------------------------------------------------------------

def _problem(names: list[str], bounds: list[tuple[float, float]]) -> dict:
    return {"num_vars": len(names), "names": list(names), "bounds": [list(b) for b in bounds]}


def sobol_indices(names: list[str], bounds: list[tuple[float, float]], outputs: np.ndarray,
                  second_order: bool = False, seed: int = 0, confidence: float = 0.95,
                  resamples: int = 500) -> pd.DataFrame:
    """First-order (S1) and total (ST) Sobol' indices with bootstrap CI half-widths (``*_conf``).

    ``outputs`` are the model outputs in the order of SALib's Sobol' sample
    (the sweep's variant order).
    """
    from SALib.analyze import sobol

    found = sobol.analyze(_problem(names, bounds), np.asarray(outputs, dtype=float),
                          calc_second_order=second_order, num_resamples=resamples,
                          conf_level=confidence, seed=_salib_seed(seed))
    return pd.DataFrame({"factor": names, "S1": found["S1"], "S1_conf": found["S1_conf"],
                         "ST": found["ST"], "ST_conf": found["ST_conf"]})


def morris_indices(names: list[str], bounds: list[tuple[float, float]], inputs: np.ndarray,
                   outputs: np.ndarray, levels: int = 4, seed: int = 0, confidence: float = 0.95,
                   resamples: int = 500) -> pd.DataFrame:
    """Morris elementary effects: mean (mu), mean absolute (mu_star, with bootstrap CI) and spread (sigma)."""
    from SALib.analyze import morris

    found = morris.analyze(_problem(names, bounds), np.asarray(inputs, dtype=float),
                           np.asarray(outputs, dtype=float), num_resamples=resamples,
                           conf_level=confidence, num_levels=levels, seed=_salib_seed(seed))
    return pd.DataFrame({"factor": names, "mu": found["mu"], "mu_star": found["mu_star"],
                         "mu_star_conf": found["mu_star_conf"], "sigma": found["sigma"]})


# --- break-even -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Crossing:
    """Where a KPI (or the gap between two scenarios' KPI) crosses a target, with a bootstrap CI."""

    value: float
    low: float
    high: float
    degree: int
    bootstrap_failures: int
    resamples: int
    message: str = ""

    @property
    def found(self) -> bool:
        return math.isfinite(self.value)


def find_crossing(grid: np.ndarray, outputs: np.ndarray, target: float | np.ndarray = 0.0,
                  degree: int | None = None, seed: int = 0, confidence: float = 0.95,
                  resamples: int = 1000) -> Crossing:
    """The parameter value where the mean of ``outputs - target`` crosses zero.

    ``outputs`` has one row per replication and one column per grid value;
    ``target`` is a number (a KPI target) or one value per replication (the
    same replication of a reference scenario, so the gap is paired). A
    polynomial of ``degree`` (default: 2 with at least 4 grid points, else 1)
    is fitted to the mean gap and its root inside the grid found with
    Brent's method; resampling replications gives the CI. Bootstrap samples
    whose fitted curve does not cross inside the grid are counted in
    ``bootstrap_failures`` and left out of the interval.
    """
    grid = np.asarray(grid, dtype=float)
    gaps = np.asarray(outputs, dtype=float) - np.reshape(np.asarray(target, dtype=float), (-1, 1))
    if gaps.ndim != 2 or gaps.shape[1] != len(grid) or len(grid) < 2:
        raise ValueError("outputs need one row per replication and one column per grid value (at least 2)")
    degree = degree if degree is not None else (2 if len(grid) >= 4 else 1)
    value = _fitted_root(grid, gaps.mean(axis=0), degree)
    if not math.isfinite(value):
        return Crossing(math.nan, math.nan, math.nan, degree, 0, 0,
                        f"the fitted curve does not cross the target between {grid.min():g} and {grid.max():g}")
    rng = bootstrap_rng(seed)
    replications = gaps.shape[0]
    roots = np.array([_fitted_root(grid, gaps[rng.integers(0, replications, replications)].mean(axis=0), degree)
                      for _ in range(resamples)])
    good = roots[np.isfinite(roots)]
    tail = (1.0 - confidence) / 2.0
    low, high = (np.quantile(good, [tail, 1.0 - tail]) if len(good) else (math.nan, math.nan))
    return Crossing(value, float(low), float(high), degree, int(resamples - len(good)), resamples)


def _fitted_root(grid: np.ndarray, gap: np.ndarray, degree: int) -> float:
    """Root of the least-squares polynomial through ``(grid, gap)`` inside the grid (nearest the middle)."""
    if np.any(~np.isfinite(gap)):
        return math.nan
    centre, scale = grid.mean(), (np.ptp(grid) / 2.0) or 1.0
    coefficients = np.polyfit((grid - centre) / scale, gap, degree)
    curve = np.poly1d(coefficients)
    points = np.linspace(-1.0, 1.0, 64 * len(grid))
    signs = np.sign(curve(points))
    changes = np.flatnonzero(signs[:-1] * signs[1:] <= 0)
    if len(changes) == 0:
        return math.nan
    middle = changes[np.argmin(np.abs(points[changes]))]
    a, b = points[middle], points[middle + 1]
    root = a if curve(a) == 0 else (b if curve(b) == 0 else optimize.brentq(curve, a, b))
    return float(centre + scale * root)
