"""Whether the log shows agents called to the phones only while the queue is long: a ``surge`` rule.

The scenario's surge rule (``AgentGroup.surge``) brings scheduled agents who
are off the phones (back-office work, coaching) to the phones while more than
``queue_above`` callers wait, up to ``max_agents`` at a time, and sends them
back once the queue is at or under that level. Such an agent leaves a
distinctive trace in a log: *every* call they answer is answered while more
than ``queue_above`` callers wait (the one answered included), whereas an
agent on the phones answers at every queue length, mostly with nobody else
waiting.

Estimator, on spells of one agent on one date:

1. for every answered call, the queue length just before the answer
   (:func:`queue_at_answer`: callers who had joined the agents' queue and
   not yet left it, the answered caller included when it queued);
2. a spell is surge-like when its smallest such queue length is at least
   :data:`MIN_SURGE_QUEUE` (so no call was taken with at most one caller waiting);
3. no rule unless at least :data:`MIN_SURGE_SPELLS` spells, and
   :data:`MIN_SURGE_SHARE` of all spells, are surge-like; one stray agent-day
   is no rule;
4. ``queue_above`` = the most common smallest queue length of the surge-like
   spells, minus one: an agent is called as soon as the queue exceeds the
   threshold, so most spells start exactly one caller above it;
5. ``max_agents`` = the most surge-like spells (with that threshold) active
   at once, a spell running from its first answer to its last call's end.

A rule with ``queue_above = 0`` is out of reach: its agents answer with one
caller waiting, as everyone on the phones does. It cannot tell *why* the
agents came (a supervisor, back office) and it sees
only agents who answered calls; absent a surge it reports none, which is what
the Anonymous Bank data shows (see :attr:`SurgeEstimate.note`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

MIN_SURGE_QUEUE = 2
MIN_SURGE_SPELLS = 20
MIN_SURGE_SHARE = 0.05


@dataclass(frozen=True)
class SurgeEstimate:
    """The estimated rule (None when the log shows none) and the evidence behind it."""

    queue_above: int | None
    max_agents: int | None
    spells: int  # agent-days with answered calls
    surge_spells: int  # of those, spells that never answered with fewer than MIN_SURGE_QUEUE waiting
    note: str

    @property
    def found(self) -> bool:
        return self.queue_above is not None and self.max_agents is not None

    def as_spec(self) -> dict | None:
        return {"queue_above": self.queue_above, "max_agents": self.max_agents} if self.found else None


def queue_at_answer(contacts: pd.DataFrame) -> pd.DataFrame:
    """Answered calls with an agent: date, agent_id, answer and end seconds, and ``queue`` at the answer.

    ``queue`` counts callers whose queue entry is at or before the answer and
    whose queue exit is not before it, so the answered caller counts when it
    queued, and a caller answered at once with nobody waiting has 0.
    """
    answered = contacts.loc[(contacts["outcome"] == "answered") & contacts["agent_id"].notna()
                            & contacts["answer_seconds"].notna()]
    parts = []
    for day, group in answered.groupby("date", sort=True):
        waited = contacts.loc[(contacts["date"] == day) & contacts["queued"] & contacts["queue_exit_seconds"].notna()]
        entries = np.sort(waited["queue_entry_seconds"].to_numpy(dtype=float))
        exits = np.sort(waited["queue_exit_seconds"].to_numpy(dtype=float))
        answer = group["answer_seconds"].to_numpy(dtype=float)
        queue = np.searchsorted(entries, answer, side="right") - np.searchsorted(exits, answer, side="left")
        parts.append(pd.DataFrame({"date": day, "agent_id": group["agent_id"].to_numpy(), "answer_seconds": answer,
                                   "end_seconds": group["end_seconds"].fillna(group["answer_seconds"]).to_numpy(),
                                   "queue": queue}))
    columns = ["date", "agent_id", "answer_seconds", "end_seconds", "queue"]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=columns)


def _most_at_once(spells: pd.DataFrame) -> int:
    """Largest number of spells of one date overlapping at any spell's start."""
    most = 0
    for _, day in spells.groupby("date", sort=False):
        starts = day["first_answer"].to_numpy(dtype=float)
        ends = day["last_end"].to_numpy(dtype=float)
        for start in starts:
            most = max(most, int(((starts <= start) & (ends > start)).sum()))
    return most


def estimate_surge(contacts: pd.DataFrame) -> SurgeEstimate:
    """A surge rule from a canonical frame, or none (see module docstring)."""
    answers = queue_at_answer(contacts)
    if answers.empty:
        return SurgeEstimate(None, None, 0, 0, "no answered calls with an agent: surge not estimable")
    spells = answers.groupby(["date", "agent_id"], as_index=False).agg(
        calls=("queue", "size"), smallest_queue=("queue", "min"),
        first_answer=("answer_seconds", "min"), last_end=("end_seconds", "max"))
    surge_like = spells.loc[spells["smallest_queue"] >= MIN_SURGE_QUEUE]
    needed = max(MIN_SURGE_SPELLS, int(np.ceil(MIN_SURGE_SHARE * len(spells))))
    evidence = (f"{len(surge_like)} of {len(spells)} agent-days answered calls only while at least "
                f"{MIN_SURGE_QUEUE} callers waited")
    if len(surge_like) < needed:
        return SurgeEstimate(None, None, len(spells), len(surge_like),
                             f"{evidence} (a rule needs {needed}): agents on the phones answer at every "
                             "queue length, none appear only when the queue is long; no surge rule")
    threshold = int(surge_like["smallest_queue"].mode().min())
    at_threshold = surge_like.loc[surge_like["smallest_queue"] >= threshold]
    queue_above = threshold - 1
    max_agents = max(1, _most_at_once(at_threshold))
    return SurgeEstimate(queue_above, max_agents, len(spells), len(surge_like),
                         f"{evidence}; most of them took their first call with {threshold} waiting, so they come "
                         f"while more than {queue_above} wait; at most {max_agents} such agents at once")
