"""Share of agents on duty who are talking, by how many callers wait: the signature of availability.

With a fixed headcount cut (shrinkage) the share talking is capped at the
available share whatever the queue; when agents step away and come back
sooner while callers wait, it keeps rising with the queue. The curve is
time-weighted and exact: for every stretch of time with q callers waiting
for a pool's types, agents talking x seconds / agents on duty x seconds,
summed over pools (:mod:`~analysis.calibration.agent_activity` gives both
counts). The back-test applies the same function to the log and to each
simulated replication's log, so estimator biases (agents unseen before
their first call) fall on both sides alike.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .agent_activity import AgentActivity
from .timelines import merged_segments

TOP_QUEUE = 10  # the last row pools queues of this length and more


def talking_by_queue(activity: AgentActivity) -> pd.DataFrame:
    """queue (0..TOP_QUEUE, the last meaning 'or more'), seconds, on_duty_seconds, talking_seconds (additive)."""
    seconds = np.zeros(TOP_QUEUE + 1)
    on_duty = np.zeros(TOP_QUEUE + 1)
    talking = np.zeros(TOP_QUEUE + 1)
    for pool in activity.pools:
        duty, talk = activity.on_duty(pool), activity.talking(pool)
        if len(duty.times) == 0:
            continue
        widths, (queue, present, busy) = merged_segments([activity.queues[pool], duty, talk],
                                                         float(duty.times[0]), float(duty.times[-1]))
        level = np.minimum(queue, TOP_QUEUE).astype(int)
        weight = widths * (present > 0)
        seconds += np.bincount(level, weights=weight, minlength=TOP_QUEUE + 1)
        on_duty += np.bincount(level, weights=weight * present, minlength=TOP_QUEUE + 1)
        talking += np.bincount(level, weights=weight * np.minimum(busy, present), minlength=TOP_QUEUE + 1)
    return pd.DataFrame({"queue": np.arange(TOP_QUEUE + 1), "seconds": seconds, "on_duty_seconds": on_duty,
                         "talking_seconds": talking})


def share_talking(table: pd.DataFrame) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return (table["talking_seconds"] / table["on_duty_seconds"]).to_numpy(dtype=float)


def queue_label(queue: int) -> str:
    return f"{queue}+" if queue == TOP_QUEUE else str(queue)
