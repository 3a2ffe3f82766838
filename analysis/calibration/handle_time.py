"""Handle-time distributions per contact type: candidate families, fitted and compared.

Each family (lognormal, gamma, Weibull, exponential) is fitted by maximum
likelihood; the one with the lowest AIC is ``best``. All have the same number
of observations, so AIC ranks them by likelihood with a one-parameter penalty
for the exponential. The KS distance says how well ``best`` fits in absolute
terms: with thousands of calls every family is "rejected" by a p-value, so the
recommendation uses the distance instead and falls back to the empirical
distribution when even the best family is further than ``max_ks_distance``
(or, in small samples, than sampling noise explains: :func:`tolerated_ks_distance`).

Very short calls (under ``short_threshold_seconds``, 10 s by default) are a
known artefact in call-center data (agents hanging up, transfers) and are
excluded and counted; so are non-positive durations, which no family allows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .distributions import FITTERS, PARAMETRIC_FAMILIES, EmpiricalDistribution, FittedDistribution

DEFAULT_SHORT_THRESHOLD_SECONDS = 10.0
DEFAULT_MAX_KS_DISTANCE = 0.05
DEFAULT_MIN_SAMPLE_SIZE = 30


@dataclass(frozen=True)
class DurationFit:
    """Candidate fits for one sample of durations and the recommended one.

    ``candidates`` holds each parametric family that could be fitted (none
    when fewer than ``min_sample_size`` values remain); ``best_family`` is the
    lowest-AIC one or None; ``recommended`` is that fit, or ``empirical`` when
    it fits too poorly or there are too few values for a family.
    """

    label: str
    sample_size: int
    excluded_short: int
    excluded_non_positive: int
    short_threshold_seconds: float
    candidates: dict[str, FittedDistribution]
    empirical: EmpiricalDistribution
    best_family: str | None
    recommended: FittedDistribution | EmpiricalDistribution
    missing: int = 0  # records that should have had a duration but did not

    @property
    def best(self) -> FittedDistribution | None:
        return self.candidates.get(self.best_family) if self.best_family else None

    @property
    def excluded_share(self) -> float:
        """Share of usable durations left out as too short or non-positive."""
        total = self.sample_size + self.excluded_short + self.excluded_non_positive
        return (self.excluded_short + self.excluded_non_positive) / total if total else math.nan

    def ranking(self) -> list[FittedDistribution]:
        """Candidates from lowest to highest AIC."""
        return sorted(self.candidates.values(), key=lambda fit: fit.aic)


def tolerated_ks_distance(sample_size: int, max_ks_distance: float = DEFAULT_MAX_KS_DISTANCE) -> float:
    """The larger of ``max_ks_distance`` and the KS distance sampling noise alone reaches.

    1.63 / sqrt(n) is the asymptotic 1% critical value: in small samples a
    distance below it is no evidence against the family, so it is tolerated.
    """
    return max(max_ks_distance, 1.63 / math.sqrt(sample_size)) if sample_size else max_ks_distance


def fit_durations(values: np.ndarray, label: str = "", short_threshold_seconds: float = DEFAULT_SHORT_THRESHOLD_SECONDS,
                  families: tuple[str, ...] = PARAMETRIC_FAMILIES, min_sample_size: int = DEFAULT_MIN_SAMPLE_SIZE,
                  max_ks_distance: float = DEFAULT_MAX_KS_DISTANCE, missing: int = 0) -> DurationFit:
    """Fit every family to ``values`` (seconds, NaN ignored) and choose one."""
    values = np.asarray(values, dtype=float)
    values = values[~np.isnan(values)]
    non_positive = values <= 0
    short = ~non_positive & (values < short_threshold_seconds)
    kept = values[~non_positive & ~short]
    candidates: dict[str, FittedDistribution] = {}
    if len(kept) >= min_sample_size:
        for family in families:
            try:
                candidates[family] = FITTERS[family](kept)
            except ValueError:  # e.g. a degenerate sample; the other families still stand
                continue
    best_family = min(candidates, key=lambda family: candidates[family].aic) if candidates else None
    empirical = EmpiricalDistribution.of(kept if len(kept) else values)
    recommended: FittedDistribution | EmpiricalDistribution = empirical
    if best_family is not None and candidates[best_family].ks_statistic <= tolerated_ks_distance(
            len(kept), max_ks_distance):
        recommended = candidates[best_family]
    return DurationFit(label=label, sample_size=len(kept), excluded_short=int(short.sum()),
                       excluded_non_positive=int(non_positive.sum()), short_threshold_seconds=short_threshold_seconds,
                       candidates=candidates, empirical=empirical, best_family=best_family,
                       recommended=recommended, missing=missing)


def fit_handle_times(contacts: pd.DataFrame, short_threshold_seconds: float = DEFAULT_SHORT_THRESHOLD_SECONDS,
                     min_sample_size: int = DEFAULT_MIN_SAMPLE_SIZE,
                     max_ks_distance: float = DEFAULT_MAX_KS_DISTANCE) -> dict[str, DurationFit]:
    """One :class:`DurationFit` per contact type from the answered contacts of a canonical frame."""
    answered = contacts.loc[contacts["outcome"] == "answered"]
    fits: dict[str, DurationFit] = {}
    for contact_type, group in answered.groupby("contact_type", sort=True):
        handle = group["handle_seconds"].to_numpy(dtype=float)
        fits[str(contact_type)] = fit_durations(
            handle, label=str(contact_type), short_threshold_seconds=short_threshold_seconds,
            min_sample_size=min_sample_size, max_ks_distance=max_ks_distance, missing=int(np.isnan(handle).sum()))
    return fits
