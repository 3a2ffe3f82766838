"""Recency weighting: recent days count more in arrivals and handle times when the log drifts.

A day ``a`` days before the log's last date weighs 0.5 ** (a / half_life).
Arrivals per interval become weighted means over the day type's dates;
handle times keep the shape fitted on the whole window and take the recent
level: the fitted distribution is scaled by (weighted mean / mean) of the
type's talk times (:func:`handle_time_levels`).

The half-life can be chosen from the window itself (:func:`choose_half_life`):
for each candidate, every day's mean talk time per type is predicted from the
days before it, weighted as above; the candidate with the least squared error
(each day and type weighted by its calls over the variance of one call's talk
time) wins, provided it beats equal weights by more than twice the standard
error of the day-by-day difference, so a log without drift keeps equal
weights. Arrivals are predicted the same way, per type and day type, with
Poisson variance (:func:`choose_arrival_half_life`). In the Anonymous Bank's
January, NE calls shortened from 361 s in the first week to 244 s in the last
(February: 257-301 s); the talk-time half-life chosen is 14 days.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

HALF_LIFE_CANDIDATES = (3.5, 7.0, 14.0, 28.0, math.inf)  # days
MIN_HISTORY_DAYS = 7  # days predicted only once this many earlier days exist


def day_weights(dates: Sequence[object], half_life_days: float | None,
                reference: pd.Timestamp | None = None) -> np.ndarray:
    """0.5 ** (days before ``reference`` (default: the last date) / half-life); ones without a half-life."""
    stamps = pd.to_datetime(pd.Series(list(dates))).dt.normalize()
    if half_life_days is None or math.isinf(half_life_days) or stamps.empty:
        return np.ones(len(stamps))
    reference = stamps.max() if reference is None else reference
    age = (reference - stamps).dt.days.to_numpy(dtype=float)
    return 0.5 ** (age / half_life_days)


def handle_time_levels(contacts: pd.DataFrame, half_life_days: float | None,
                       min_seconds: float = 0.0) -> dict[str, float]:
    """Per contact type: recency-weighted mean talk time over the plain mean (answered, at least ``min_seconds``)."""
    answered = contacts.loc[(contacts["outcome"] == "answered") & (contacts["handle_seconds"] >= min_seconds)
                            & contacts["handle_seconds"].notna()]
    levels = {}
    for name, rows in answered.groupby("contact_type"):
        weights = day_weights(rows["date"], half_life_days, pd.to_datetime(contacts["date"]).max().normalize())
        handle = rows["handle_seconds"].to_numpy(dtype=float)
        levels[str(name)] = float(np.average(handle, weights=weights) / handle.mean()) if handle.mean() > 0 else 1.0
    return levels


def _prediction_errors(daily: pd.DataFrame, half_life: float) -> np.ndarray:
    """Per (series, day): squared error of the day's mean predicted from earlier days of its series, in units
    of its sampling variance (see module docstring)."""
    errors = []
    for _, rows in daily.groupby("series"):
        rows = rows.sort_values("date")
        dates, sums, counts = rows["date"].to_numpy(), rows["sum"].to_numpy(), rows["count"].to_numpy()
        variance = rows["variance"].iloc[0]
        for index in range(MIN_HISTORY_DAYS, len(rows)):
            weights = day_weights(dates[:index], half_life, pd.Timestamp(dates[index]))
            predicted = np.dot(weights, sums[:index]) / np.dot(weights, counts[:index])
            errors.append(counts[index] * (sums[index] / counts[index] - predicted) ** 2 / variance)
    return np.array(errors)


def _best(daily: pd.DataFrame, candidates: Sequence[float]) -> float:
    """The candidate with the least error among those that beat equal weights by more than twice the standard
    error of the paired difference (so that noise alone does not buy a short memory); ``inf`` otherwise."""
    daily = daily.loc[daily["variance"] > 0]
    if daily.empty:
        return math.inf
    equal = _prediction_errors(daily, math.inf)
    best, best_error = math.inf, equal.sum()
    for candidate in candidates:
        if math.isinf(candidate):
            continue
        errors = _prediction_errors(daily, candidate)
        gain = equal - errors
        if len(gain) < 2 or not gain.std(ddof=1) > 0:
            continue
        significant = gain.mean() > 2.0 * gain.std(ddof=1) / math.sqrt(len(gain))
        if significant and errors.sum() < best_error:
            best, best_error = candidate, errors.sum()
    return best


def choose_half_life(contacts: pd.DataFrame, candidates: Sequence[float] = HALF_LIFE_CANDIDATES) -> float:
    """The candidate half-life that best predicts each day's mean talk time per type from the days before it."""
    answered = contacts.loc[(contacts["outcome"] == "answered") & contacts["handle_seconds"].notna()]
    if answered.empty:
        return math.inf
    grouped = answered.groupby(["contact_type", "date"])["handle_seconds"]
    daily = pd.DataFrame({"sum": grouped.sum(), "count": grouped.size()}).reset_index()
    daily["series"] = daily["contact_type"]
    daily["variance"] = daily["contact_type"].map(answered.groupby("contact_type")["handle_seconds"].var())
    return _best(daily, candidates)


def choose_arrival_half_life(observed: pd.DataFrame, candidates: Sequence[float] = HALF_LIFE_CANDIDATES) -> float:
    """The candidate half-life that best predicts each day's arrivals per type from earlier days of its day
    type (``observed``: an :class:`~analysis.calibration.arrivals.ArrivalProfile`'s dense counts; Poisson
    variance)."""
    daily = observed.groupby(["contact_type", "day_type", "date"], as_index=False)["arrivals"].sum()
    daily = daily.rename(columns={"arrivals": "sum"}).assign(count=1.0)
    daily["series"] = daily["contact_type"] + "/" + daily["day_type"]
    daily["variance"] = daily.groupby("series")["sum"].transform("mean")
    return _best(daily, candidates)
