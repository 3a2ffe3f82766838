"""Share of the agents seen in an interval who are really on the phones: the shrinkage a log implies.

:func:`~analysis.calibration.staffing.infer_staffing` counts an agent in an
interval when they served anyone in it. That is who was *there*, not who was
*taking calls*: wrap-up after a call, breaks, e-mail or other work do not
show. The queue tells the difference. While callers are waiting, every agent
available to take a call is talking to someone, so the number of agents busy
at such moments is the number effectively available. The ratio

    availability = integral of (agents busy) over time with callers waiting
                   / integral of (agents seen in the interval) over the same time

estimates the share of seen agents who are available; 1 - availability is the
scenario's ``shrinkage`` (available = round(seen x (1 - shrinkage))), applied
to the seen headcount of every interval. Only agent talk time counts as busy
(logs have no wrap-up time), so wrap-up is part of the shrinkage, and agents
with skills that do not match the waiting callers' types count as unavailable.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.calibration.agents_seen import StaffingEstimate

from .canonical import SECONDS_PER_DAY

# Below this much total waiting (e.g. a sampled excerpt of a log, where most of the queue is
# missing) the ratio says little about availability: shrinkage is then left at 0.
MIN_WAITING_SECONDS = 3600.0
# Fewer than this share of seen agents taking calls while callers wait is no plausible center but an
# incomplete log (services missing while queue records remain): the estimate is then not used.
MIN_PLAUSIBLE_AVAILABILITY = 0.3


@dataclass(frozen=True)
class AvailabilityEstimate:
    """Share of seen agents available while callers wait, and how much waiting it rests on."""

    availability: float  # NaN when nobody ever waited
    waiting_seconds: float  # total time with at least one caller waiting
    busy_while_waiting: float  # mean agents busy at such times
    seen_while_waiting: float  # mean agents seen (inferred headcount) at such times

    @property
    def usable(self) -> bool:
        return not math.isnan(self.availability) and self.availability >= MIN_PLAUSIBLE_AVAILABILITY

    @property
    def shrinkage(self) -> float:
        """1 - availability, at least 0 (0 when the estimate is not usable)."""
        return float(max(1.0 - self.availability, 0.0)) if self.usable else 0.0

    def describe(self) -> str:
        if not math.isnan(self.availability) and not self.usable:
            return (f"only {self.availability:.0%} of seen agents busy while callers waited: implausible, the log "
                    "looks incomplete (e.g. an excerpt); shrinkage 0")
        if math.isnan(self.availability):
            return (f"callers waited {self.waiting_seconds / 60:.0f} min in all (under "
                    f"{MIN_WAITING_SECONDS / 60:.0f}): availability of seen agents not estimated, shrinkage 0")
        return (f"while callers waited ({self.waiting_seconds / 3600:.0f} h in all), {self.busy_while_waiting:.2f} "
                f"agents were busy on average of {self.seen_while_waiting:.2f} seen in the interval: "
                f"{self.availability:.1%} available, shrinkage {self.shrinkage:.3f}")


def _step_integrals(times: np.ndarray, busy_delta: np.ndarray, queue_delta: np.ndarray,
                    interval_seconds: int, intervals: int) -> tuple[np.ndarray, np.ndarray]:
    """Per interval of one date: seconds with a caller waiting, and agents busy integrated over them."""
    grid = np.arange(intervals + 1, dtype=float) * interval_seconds
    times = np.concatenate([times, grid])
    busy_delta = np.concatenate([busy_delta, np.zeros(len(grid))])
    queue_delta = np.concatenate([queue_delta, np.zeros(len(grid))])
    order = np.argsort(times, kind="stable")
    times = times[order]
    busy = np.cumsum(busy_delta[order])[:-1]
    waiting = np.cumsum(queue_delta[order])[:-1] > 0
    lengths = np.diff(times)
    index = np.clip((times[:-1] // interval_seconds).astype(int), 0, intervals - 1)
    inside = (times[:-1] >= 0) & (times[:-1] < intervals * interval_seconds)
    weights = lengths * waiting * inside
    return (np.bincount(index, weights=weights, minlength=intervals),
            np.bincount(index, weights=weights * busy, minlength=intervals))


def estimate_availability(contacts: pd.DataFrame, staffing: StaffingEstimate) -> AvailabilityEstimate:
    """Availability of the agents ``staffing`` sees, from when callers in ``contacts`` waited."""
    interval = staffing.interval_seconds
    intervals = SECONDS_PER_DAY // interval
    seen = staffing.per_day.set_index(["date", "interval_start_seconds"])["agents_on_duty"]
    waiting_total = busy_total = seen_total = 0.0
    for day, group in contacts.groupby("date", sort=True):
        served = group.loc[(group["outcome"] == "answered") & group["answer_seconds"].notna()
                           & group["end_seconds"].notna()]
        queued = group.loc[group["queued"] & group["queue_exit_seconds"].notna()]
        times = np.concatenate([served["answer_seconds"], served["end_seconds"],
                                queued["queue_entry_seconds"], queued["queue_exit_seconds"]]).astype(float)
        ones, zeros = np.ones(len(served)), np.zeros(2 * len(served))
        busy_delta = np.concatenate([ones, -ones, np.zeros(2 * len(queued))])
        queue_delta = np.concatenate([zeros, np.ones(len(queued)), -np.ones(len(queued))])
        waiting, busy = _step_integrals(times, busy_delta, queue_delta, interval, intervals)
        starts = np.arange(intervals) * interval
        seen_day = seen.reindex(pd.MultiIndex.from_arrays([np.repeat(pd.Timestamp(day), intervals), starts]),
                                fill_value=0).to_numpy(dtype=float)
        waiting_total += float(waiting.sum())
        busy_total += float(busy.sum())
        seen_total += float((waiting * seen_day).sum())
    if waiting_total < MIN_WAITING_SECONDS or seen_total <= 0:
        return AvailabilityEstimate(math.nan, waiting_total, math.nan, math.nan)
    return AvailabilityEstimate(busy_total / seen_total, waiting_total, busy_total / waiting_total,
                                seen_total / waiting_total)
