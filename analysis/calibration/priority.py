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
    """Estimated boost (None when the data cannot support one) and the evidence behind it.

    ``applied_share``: of the pairs where a caller of the segment joined the queue less than the boost after
    a same-type caller still waiting (both answered), the share in which it was answered first: 1 if every
    caller of the segment gets the boost. In the bank's January 37%, in February 81%, for every lead under
    90 s alike and none beyond: the boost is right, but only some of the segment's calls get it.
    """

    segment: str
    seconds: float | None
    overtakes: int
    median_lead_seconds: float
    note: str
    applied_share: float = 1.0
    pairs: int = 0


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
    applied, pairs = _applied_share(queued, segment, seconds)
    return QueueBoostEstimate(
        segment, seconds, len(all_leads), float(np.median(all_leads)),
        f"{len(all_leads)} times a '{segment}' caller was answered while a same-type caller who had "
        f"joined the queue earlier still waited; {OVERTAKE_QUANTILE:.0%} of those leads were under "
        f"{seconds:.0f} s; of {pairs} answered pairs with a lead under that, the '{segment}' caller went first in "
        f"{applied:.0%}", applied, pairs)


def _applied_share(queued: pd.DataFrame, segment: str, boost: float) -> tuple[float, int]:
    """See :class:`QueueBoostEstimate`; (1, 0) when no pair qualifies."""
    answered = queued.loc[queued["outcome"] == "answered"]
    first = total = 0
    for _, group in answered.groupby(["date", "contact_type"], sort=False):
        mine = (group["segment"] == segment).to_numpy()
        if mine.all() or not mine.any():
            continue
        entry = group["queue_entry_seconds"].to_numpy(dtype=float)
        leave = group["queue_exit_seconds"].to_numpy(dtype=float)
        lead = entry[mine][None, :] - entry[~mine][:, None]  # (others, mine)
        ends = np.minimum(leave[~mine][:, None], leave[mine][None, :])
        both_waiting = entry[mine][None, :] < ends - _CLOCK_SLACK_SECONDS
        decided = np.abs(leave[mine][None, :] - leave[~mine][:, None]) > _CLOCK_SLACK_SECONDS
        pair = (lead > 0) & (lead <= boost) & both_waiting & decided
        total += int(pair.sum())
        first += int((pair & (leave[mine][None, :] < leave[~mine][:, None])).sum())
    return (first / total, total) if total else (1.0, 0)


def priority_segments_in(segments: Collection[str],
                         names: Collection[str] = DEFAULT_PRIORITY_SEGMENTS) -> list[str]:
    """The segments of a log that are priority classes (by name)."""
    return [segment for segment in segments if segment.lower() in names]


QUEUE_RECORD_GAP = 0.25  # a segment queued this much more often than the rest is recorded only when queued


def queue_record_shares(contacts: pd.DataFrame, segment: str) -> tuple[float, float] | None:
    """Share of answered calls with a queue record in ``segment`` and in the others (None if either is empty)."""
    answered = contacts.loc[contacts["outcome"] == "answered"]
    mine = (answered["segment"] == segment).to_numpy()
    if mine.sum() == 0 or (~mine).sum() == 0:
        return None
    queued = answered["queued"].to_numpy(dtype=bool)
    return float(queued[mine].mean()), float(queued[~mine].mean())


def segments_recorded_when_queued(contacts: pd.DataFrame) -> list[str]:
    """Segments whose answered calls have a queue record far more often than the others': in logs such as the
    Anonymous Bank's the customer, and so the segment, is identified only for callers who queued."""
    found = []
    for segment in sorted(str(name) for name in contacts["segment"].unique()):
        shares = queue_record_shares(contacts, segment)
        if shares is not None and shares[0] >= shares[1] + QUEUE_RECORD_GAP:
            found.append(segment)
    return found
