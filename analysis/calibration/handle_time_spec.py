"""One contact type's handle time as scenario input, with very short calls handled as chosen.

Very short calls (under the short-call threshold: hang-ups, transfers,
call-backs that reach nobody) are real agent work but no family fits them
together with the rest, so the fit leaves them out
(:mod:`~analysis.calibration.handle_time`). Choices (``short_calls``):

* ``"mixture"`` (default): the exact ``mixture`` distribution of the scenario
  format, weight = the observed share of short calls for their observed
  durations (an empirical component, each distinct duration with its count
  as weight, zeros included), the rest for the fitted family with its own
  parameters. Nothing is discretised, so the family's tail is kept exactly.
* ``"points"``: the same mixture written as equal-probability points in a CSV
  (:func:`~analysis.calibration.discretize.mixture_points`); the behaviour
  before the format had ``mixture``, kept for comparison.
* ``"exclude"``: the fitted family alone (mean too high by the short calls' share).

When no family fits, every observed duration (short ones included) is
resampled as it is, whatever the choice.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .discretize import mixture_points
from .distributions import EmpiricalDistribution, FittedDistribution
from .handle_time import DurationFit
from .options import ShortCalls


def describe_fit(fit: FittedDistribution | EmpiricalDistribution) -> str:
    if isinstance(fit, EmpiricalDistribution):
        return f"empirical ({fit.sample_size} values, mean {fit.mean():.1f} s)"
    parameters = ", ".join(f"{key} {value:.4g}" for key, value in fit.parameters.items())
    return f"{fit.family} ({parameters}; mean {fit.mean():.1f} s)"


def short_call_component(short_values: np.ndarray) -> dict:
    """The observed short durations as an empirical spec: each distinct value weighted by its count."""
    values, counts = np.unique(np.clip(np.asarray(short_values, dtype=float), 0.0, None), return_counts=True)
    return {"dist": "empirical", "values": [float(v) for v in values], "weights": [float(c) for c in counts],
            "unit": "s"}


def handle_time_mixture(short_values: np.ndarray, short_share: float, fitted: FittedDistribution) -> dict:
    """``mixture`` spec: short calls with weight ``short_share``, else ``fitted`` (exact parameters)."""
    if not 0.0 < short_share < 1.0:
        raise ValueError(f"short_share must be in (0, 1), not {short_share}")
    return {"dist": "mixture", "components": [
        {"weight": float(short_share), "distribution": short_call_component(short_values)},
        {"weight": float(1.0 - short_share), "distribution": fitted.as_spec()}]}


def mixture_mean(short_values: np.ndarray, short_share: float, fitted: FittedDistribution) -> float:
    return float(short_share * np.mean(np.clip(short_values, 0.0, None)) + (1.0 - short_share) * fitted.mean())


def handle_time_spec(name: str, fit: DurationFit, contacts: pd.DataFrame, short_calls: ShortCalls,
                     points: int, level: float = 1.0) -> tuple[dict, np.ndarray | None, list[str]]:
    """Scenario spec, equal-probability points for the CSV (or None) and comment lines for one type;
    ``level`` scales the fitted durations (recency weighting, :mod:`~analysis.calibration.recency`)."""
    recommended = fit.recommended
    short_count = fit.excluded_short + fit.excluded_non_positive
    total = fit.sample_size + short_count
    comment = [f"handle time: {fit.sample_size} calls >= {fit.short_threshold_seconds:g} s fitted, best "
               f"{describe_fit(recommended)}"]
    if level != 1.0:
        recommended = recommended.scaled(level)
        comment.append(f"recent level: durations x {level:.3f} (recency-weighted mean over the window's mean), "
                       f"{describe_fit(recommended)}")
    if short_calls == "exclude" or short_count == 0:
        if short_count:
            comment.append(f"{short_count} calls under {fit.short_threshold_seconds:g} s "
                           f"({short_count / total:.1%}) left out (short_calls = exclude)")
        return recommended.as_spec(), None, comment
    handle = contacts.loc[(contacts["contact_type"] == name) & (contacts["outcome"] == "answered"),
                          "handle_seconds"].dropna().to_numpy(dtype=float)
    short_values = np.clip(handle[handle < fit.short_threshold_seconds], 0.0, None)
    share = short_count / total
    if not isinstance(recommended, FittedDistribution):
        everything = EmpiricalDistribution.of(np.clip(handle, 0.0, None))
        comment.append(f"short calls kept: all {len(handle)} observed durations resampled "
                       f"({share:.1%} under {fit.short_threshold_seconds:g} s), mean {handle.mean():.1f} s")
        return everything.as_spec(points), None, comment
    if short_calls == "points":
        values = mixture_points(short_values, share, recommended, points)
        comment.append(f"mixture as {points} points: {share:.1%} short calls (< {fit.short_threshold_seconds:g} s, "
                       f"observed durations) + {1 - share:.1%} fitted; mean {values.mean():.1f} s vs observed "
                       f"{handle.mean():.1f} s")
        return {"dist": "empirical", "unit": "s"}, values, comment
    comment.append(f"mixture: {share:.1%} short calls (< {fit.short_threshold_seconds:g} s, their "
                   f"{len(short_values)} observed durations) + {1 - share:.1%} {recommended.family} as fitted; "
                   f"mean {mixture_mean(short_values, share, recommended):.1f} s vs observed {handle.mean():.1f} s")
    return handle_time_mixture(short_values, share, recommended), None, comment
