"""Expected arrivals per interval, day type and contact type, and day-level overdispersion.

Model (the one the simulator samples from): on a day of type t, arrivals of
type c in interval i are Poisson with mean G * lambda[t, c, i], where G is a
"busyness" factor per day, gamma-distributed with mean 1 and coefficient of
variation ``busyness_cv``, shared by every interval and contact type of the day.

* lambda is estimated by the mean count over the observed days of type t
  (the maximum-likelihood estimate under this model), or its recency-weighted
  mean when the level drifts (:mod:`~analysis.calibration.recency`).
* ``busyness_cv`` by the method of moments on daily totals N: given G, N is
  Poisson, so Var N = Lambda + cv^2 Lambda^2 with Lambda = E N. Pooling the day
  types with weights (n_t - 1),
  cv^2 = sum_t (n_t - 1)(s_t^2 - m_t) / sum_t (n_t - 1) m_t^2, floored at 0,
  where m_t and s_t^2 are the mean and sample variance of the totals.
  Anything that moves daily volume within a day type (trend, holidays,
  campaigns) counts as busyness here.

Only dates present in the log count as observed days unless ``dates`` is
given: a day that had no contacts at all (or is missing from the source, like
11-12 January in the Anonymous Bank data) is invisible in the log.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .canonical import SECONDS_PER_DAY, weekday_names
from .day_types import DayTypes
from .recency import day_weights

INTERVAL_MINUTES_ALLOWED: tuple[int, ...] = (15, 30, 60)


@dataclass(frozen=True)
class ArrivalProfile:
    """Observed counts and fitted expected arrivals on an interval grid.

    ``observed``: one row per (date, contact type, interval) including zeros,
    columns date, day_type, contact_type, interval_start_seconds, arrivals.
    ``expected``: one row per (day type, contact type, interval), columns
    day_type, contact_type, interval_start_seconds, expected_arrivals, days.
    """

    interval_seconds: int
    day_types: DayTypes
    contact_types: tuple[str, ...]
    observed: pd.DataFrame
    expected: pd.DataFrame
    days_observed: dict[str, int]
    busyness_cv: float
    busyness_cv_by_contact_type: dict[str, float]

    @property
    def intervals_per_day(self) -> int:
        return SECONDS_PER_DAY // self.interval_seconds

    def daily_totals(self, contact_type: str | None = None) -> pd.DataFrame:
        """Observed arrivals per date (all contact types unless one is named)."""
        return daily_totals(self.observed, contact_type)

    def expected_per_interval(self, day_type: str, contact_type: str | None = None) -> np.ndarray:
        """Expected arrivals in each interval of a day of ``day_type`` (summed over types if None)."""
        rows = self.expected.loc[self.expected["day_type"] == day_type]
        if contact_type is not None:
            rows = rows.loc[rows["contact_type"] == contact_type]
        totals = rows.groupby("interval_start_seconds")["expected_arrivals"].sum()
        grid = np.arange(self.intervals_per_day) * self.interval_seconds
        return totals.reindex(grid, fill_value=0.0).to_numpy(dtype=float)

    def expected_daily_total(self, day_type: str, contact_type: str | None = None) -> float:
        return float(self.expected_per_interval(day_type, contact_type).sum())

    def volume_rows(self) -> list[dict[str, object]]:
        """Rows for a scenario's ``demand.rows``: interval (HH:MM), volume, weekday, contact_type.

        Each day type is written out for each of its weekdays; zero rows are left out.
        """
        rows: list[dict[str, object]] = []
        positive = self.expected.loc[self.expected["expected_arrivals"] > 0]
        for record in positive.itertuples(index=False):
            start = int(record.interval_start_seconds)
            for weekday in self.day_types.weekdays_of(record.day_type):
                rows.append({"interval": f"{start // 3600:02d}:{start % 3600 // 60:02d}",
                             "volume": float(record.expected_arrivals), "weekday": weekday,
                             "contact_type": record.contact_type})
        return rows


def daily_totals(observed: pd.DataFrame, contact_type: str | None = None) -> pd.DataFrame:
    """Arrivals per date (columns date, day_type, arrivals) from dense observed counts."""
    rows = observed if contact_type is None else observed.loc[observed["contact_type"] == contact_type]
    return rows.groupby(["date", "day_type"], as_index=False)["arrivals"].sum()


def busyness_cv(totals_per_date: pd.DataFrame) -> float:
    """Method-of-moments CV of the gamma day factor (see module docstring); 0 when not estimable.

    ``totals_per_date`` has one row per date with columns day_type and arrivals.
    """
    numerator = denominator = 0.0
    for _, totals in totals_per_date.groupby("day_type"):
        counts = totals["arrivals"].to_numpy(dtype=float)
        if len(counts) < 2:
            continue
        mean, variance = counts.mean(), counts.var(ddof=1)
        numerator += (len(counts) - 1) * (variance - mean)
        denominator += (len(counts) - 1) * mean**2
    if denominator <= 0:
        return 0.0
    return math.sqrt(max(numerator / denominator, 0.0))


def _observed_counts(contacts: pd.DataFrame, dates: pd.DatetimeIndex, contact_types: Sequence[str],
                     interval_seconds: int, day_types: DayTypes) -> pd.DataFrame:
    """Dense counts per (date, contact type, interval), zeros included."""
    intervals = SECONDS_PER_DAY // interval_seconds
    interval_index = (contacts["arrival_seconds"] // interval_seconds).clip(0, intervals - 1).astype(int)
    counts = (contacts.assign(interval=interval_index)
              .groupby(["date", "contact_type", "interval"]).size())
    grid = pd.MultiIndex.from_product([dates, list(contact_types), range(intervals)],
                                      names=["date", "contact_type", "interval"])
    observed = counts.reindex(grid, fill_value=0).rename("arrivals").reset_index()
    observed["interval_start_seconds"] = observed.pop("interval") * interval_seconds
    observed.insert(1, "day_type", weekday_names(observed["date"]).map(day_types.of))
    return observed


def fit_arrivals(contacts: pd.DataFrame, interval_minutes: int = 30, day_types: DayTypes | None = None,
                 dates: Sequence[object] | None = None, half_life_days: float | None = None) -> ArrivalProfile:
    """Fit expected arrivals per interval for each day type and contact type of a canonical frame;
    with ``half_life_days``, lambda is the recency-weighted mean (:mod:`~analysis.calibration.recency`)."""
    if interval_minutes not in INTERVAL_MINUTES_ALLOWED:
        raise ValueError(f"interval_minutes must be one of {INTERVAL_MINUTES_ALLOWED}, not {interval_minutes}")
    day_types = day_types or DayTypes.each_weekday()
    interval_seconds = interval_minutes * 60
    observed_dates = pd.DatetimeIndex(sorted(pd.to_datetime(
        contacts["date"].unique() if dates is None else list(dates)).normalize().unique()))
    unlisted = ~contacts["date"].isin(observed_dates)
    if unlisted.any():
        raise ValueError(f"{int(unlisted.sum())} contacts arrived on dates not in `dates`")
    contact_types = tuple(sorted(contacts["contact_type"].unique()))
    observed = _observed_counts(contacts, observed_dates, contact_types, interval_seconds, day_types)
    weights = pd.Series(day_weights(observed_dates, half_life_days), index=observed_dates)
    weighted = observed.assign(weight=observed["date"].map(weights).to_numpy())
    weighted["weighted"] = weighted["arrivals"] * weighted["weight"]
    expected = (weighted.groupby(["day_type", "contact_type", "interval_start_seconds"], as_index=False)
                .agg(weighted=("weighted", "sum"), weight=("weight", "sum"), days=("arrivals", "size")))
    expected.insert(3, "expected_arrivals", expected.pop("weighted") / expected.pop("weight"))
    per_date = observed.drop_duplicates("date")
    days_observed = {label: int((per_date["day_type"] == label).sum()) for label in day_types.labels}
    by_type = {contact_type: busyness_cv(daily_totals(observed, contact_type)) for contact_type in contact_types}
    return ArrivalProfile(interval_seconds, day_types, contact_types, observed, expected, days_observed,
                          busyness_cv(daily_totals(observed)), by_type)
