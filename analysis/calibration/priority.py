"""How far ahead priority customers are moved in the queue, estimated from who overtook whom.

With a queue boost b, a priority caller who joined the queue d seconds after a
regular caller of the same type is served first exactly when d < b. So every
time a priority caller is answered while a regular caller who entered d
seconds earlier is still waiting, that is an overtake showing b >= d. Only
pairs of the same contact type count: agents with different skills serve
other types in their own order, which says nothing about the boost.

The largest leads are the informative ones, but clock noise and the odd
agent who picks a caller by hand make the very largest unreliable, so the
estimate is a high quantile (99th percentile) of the overtaking leads. It is
an estimate of b for a boost discipline; it reports the number of overtakes
so a reader can judge how much rests on it.
"""

from __future__ import annotations

import math
from collections.abc import Collection
from dataclasses import dataclass

import numpy as np
import pandas as pd

DEFAULT_PRIORITY_SEGMENTS: frozenset[str] = frozenset({"priority", "vip"})
OVERTAKE_QUANTILE = 0.99
MIN_OVERTAKES = 50
# A caller answered within a second of another's arrival or departure is a tie on these clocks.
_CLOCK_SLACK_SECONDS = 1.0


@dataclass(frozen=True)
class QueueBoostEstimate:
    """Estimated boost (None when the data cannot support one) and the evidence behind it."""

    segment: str
    seconds: float | None
    overtakes: int
    median_lead_seconds: float
    note: str


def _overtaking_leads(queued: pd.DataFrame, is_priority: np.ndarray) -> np.ndarray:
    """Leads d > 0 of every (answered priority caller, waiting earlier regular caller) pair of one day and type."""
    entry = queued["queue_entry_seconds"].to_numpy(dtype=float)
    leave = queued["queue_exit_seconds"].to_numpy(dtype=float)
    answered = (queued["outcome"] == "answered").to_numpy() & is_priority
    answer_time = leave[answered]
    still_waiting = ((entry[None, :] <= answer_time[:, None] - _CLOCK_SLACK_SECONDS)
                     & (leave[None, :] > answer_time[:, None] + _CLOCK_SLACK_SECONDS) & ~is_priority[None, :])
    lead = entry[answered][:, None] - entry[None, :]
    return lead[still_waiting & (lead > 0)]


def estimate_queue_boost(contacts: pd.DataFrame, segment: str) -> QueueBoostEstimate:
    """Queue boost of ``segment`` over the other segments from a canonical frame (see module docstring)."""
    queued = contacts.loc[contacts["queued"] & contacts["queue_exit_seconds"].notna()]
    leads: list[np.ndarray] = []
    for _, group in queued.groupby(["date", "contact_type"], sort=False):
        is_priority = (group["segment"] == segment).to_numpy()
        if is_priority.any() and not is_priority.all():
            leads.append(_overtaking_leads(group, is_priority))
    all_leads = np.concatenate(leads) if leads else np.zeros(0)
    if len(all_leads) < MIN_OVERTAKES:
        return QueueBoostEstimate(segment, None, len(all_leads), math.nan,
                                  f"only {len(all_leads)} overtakes of same-type regular callers: too few "
                                  "to estimate the boost")
    seconds = float(np.quantile(all_leads, OVERTAKE_QUANTILE))
    return QueueBoostEstimate(
        segment, seconds, len(all_leads), float(np.median(all_leads)),
        f"{len(all_leads)} times a '{segment}' caller was answered while a same-type caller who had "
        f"joined the queue earlier still waited; {OVERTAKE_QUANTILE:.0%} of those leads were under "
        f"{seconds:.0f} s")


def priority_segments_in(segments: Collection[str],
                         names: Collection[str] = DEFAULT_PRIORITY_SEGMENTS) -> list[str]:
    """The segments of a log that are priority classes (by name)."""
    return [segment for segment in segments if segment.lower() in names]
