"""Each agent's sequence of calls: when they were on duty, and what they did between calls.

A log records talk only. Three facts about a queue turn that into presence:

* an agent who answers two calls in a row was on duty in between, even if
  idle for a whole interval, *unless* callers of their pool waited meanwhile
  for long: someone available would have answered them. So an agent's
  **duty spans** run from one call to the next and are split only at a gap of
  at least ``off_duty_gap_minutes`` during which callers of the agent's pool
  waited ``off_duty_evidence_seconds`` in all (a break or the end of a shift),
  or at a gap of at least ``max_idle_hours`` whatever the queue (the center
  closed). A span starts at the agent's first answer and ends at the end of
  the last call: agents seen only idle before or after are invisible.
* **agents on duty per interval** is the time-weighted mean of spans covering
  it: fractional, and counting agents idle for the whole interval when their
  calls before and after it bracket it.
* between two calls of a span, while callers of the pool wait, the agent is
  not available: whoever is available and free takes a waiting caller at once
  (the log's ``connect_seconds`` of call set-up aside). That is what the
  availability estimator (:mod:`~analysis.calibration.availability_fit`) reads
  from the **gaps** listed here.

Pools (:mod:`~analysis.calibration.agent_pools`) give each agent the contact
types whose queue counts for them; with none given every agent is in one
pool serving every type.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .canonical import SECONDS_PER_DAY
from .options import ActivitySettings
from .timelines import StepFunction, absolute_seconds, queue_timeline

SINGLE_POOL = "agents"


@dataclass(frozen=True)
class AgentActivity:
    """Calls, duty spans and per-pool queues of a log, on one absolute time axis from ``origin``.

    ``calls``: agent_id, pool, start, end (one row per answered call with an
    agent, sorted by agent then start). ``spans``: agent_id, pool, start, end,
    calls. ``gaps``: agent_id, pool, talk_start, talk_end, next_answer, gap
    (between consecutive calls of one span). ``queues``: callers waiting for
    each pool's contact types.
    """

    origin: pd.Timestamp
    settings: ActivitySettings
    pool_types: dict[str, tuple[str, ...]]
    calls: pd.DataFrame
    spans: pd.DataFrame
    gaps: pd.DataFrame
    queues: dict[str, StepFunction]

    @property
    def pools(self) -> list[str]:
        return list(self.pool_types)

    def on_duty(self, pool: str) -> StepFunction:
        spans = self.spans.loc[self.spans["pool"] == pool]
        return StepFunction.from_spans(spans["start"].to_numpy(), spans["end"].to_numpy())

    def talking(self, pool: str) -> StepFunction:
        calls = self.calls.loc[self.calls["pool"] == pool]
        return StepFunction.from_spans(calls["start"].to_numpy(), calls["end"].to_numpy())

    def on_duty_per_interval(self, interval_seconds: int, dates: Sequence[object]) -> pd.DataFrame:
        """Time-weighted mean agents on duty: date, pool, interval_start_seconds, agents_on_duty (float)."""
        dates = pd.DatetimeIndex(pd.to_datetime(list(dates))).normalize()
        per_day = SECONDS_PER_DAY // interval_seconds
        offsets = np.arange(per_day) * interval_seconds
        frames = []
        for pool in self.pools:
            duty = self.on_duty(pool)
            starts = ((dates - self.origin).days.to_numpy(dtype=float)[:, None] * SECONDS_PER_DAY
                      + offsets[None, :]).ravel()
            frames.append(pd.DataFrame({
                "date": np.repeat(dates, per_day), "pool": pool,
                "interval_start_seconds": np.tile(offsets, len(dates)),
                "agents_on_duty": duty.integral(starts, starts + interval_seconds) / interval_seconds}))
        return pd.concat(frames, ignore_index=True)


def _pool_queues(contacts: pd.DataFrame, pool_types: Mapping[str, Collection[str]],
                 origin: pd.Timestamp) -> dict[str, StepFunction]:
    return {pool: queue_timeline(contacts.loc[contacts["contact_type"].isin(list(types))], origin)
            for pool, types in pool_types.items()}


def _calls(contacts: pd.DataFrame, agent_pool: Mapping[str, str] | None, origin: pd.Timestamp) -> pd.DataFrame:
    served = contacts.loc[(contacts["outcome"] == "answered") & contacts["agent_id"].notna()
                          & contacts["answer_seconds"].notna() & contacts["end_seconds"].notna()]
    agents = served["agent_id"].astype(str)
    calls = pd.DataFrame({
        "agent_id": agents.to_numpy(),
        "pool": agents.map(agent_pool).to_numpy() if agent_pool is not None else SINGLE_POOL,
        "start": absolute_seconds(served, "answer_seconds", origin),
        "end": absolute_seconds(served, "end_seconds", origin)})
    calls = calls.loc[calls["pool"].notna()]
    return calls.sort_values(["agent_id", "start"], kind="stable").reset_index(drop=True)


def _split_spans(calls: pd.DataFrame, queues: dict[str, StepFunction],
                 settings: ActivitySettings) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Duty spans and the gaps inside them, from calls sorted by agent and start."""
    agent = calls["agent_id"].to_numpy()
    start, end = calls["start"].to_numpy(), calls["end"].to_numpy()
    # An agent's calls may overlap in a log (clock errors): a gap starts at the latest end so far.
    latest_end = calls.assign(end=end).groupby("agent_id", sort=False)["end"].cummax().to_numpy()
    same_agent = np.r_[agent[1:] == agent[:-1], False]
    gap_start, gap_end = latest_end, np.r_[start[1:], np.inf]
    gap = np.maximum(gap_end - gap_start, 0.0)
    evidence = np.zeros(len(calls))
    pools = calls["pool"].to_numpy()
    for pool, queue in queues.items():
        mine = same_agent & (pools == pool)
        evidence[mine] = queue.time_at_least(1, gap_start[mine], np.maximum(gap_end[mine], gap_start[mine]))
    long_gap = gap >= settings.off_duty_gap_minutes * 60.0
    split = ~same_agent | (long_gap & (evidence >= settings.off_duty_evidence_seconds)) \
        | (gap >= settings.max_idle_hours * 3600.0)
    span_id = np.r_[0, np.cumsum(split[:-1])]
    spans = (pd.DataFrame({"span": span_id, "agent_id": agent, "pool": pools, "start": start, "end": latest_end})
             .groupby("span", sort=True)
             .agg(agent_id=("agent_id", "first"), pool=("pool", "first"), start=("start", "min"),
                  end=("end", "max"), calls=("start", "size"))
             .reset_index(drop=True))
    inside = ~split
    gaps = pd.DataFrame({"agent_id": agent[inside], "pool": pools[inside], "talk_start": start[inside],
                         "talk_end": gap_start[inside], "next_answer": gap_end[inside], "gap": gap[inside]})
    return spans, gaps


def agent_activity(contacts: pd.DataFrame, agent_pool: Mapping[str, str] | None = None,
                   pool_types: Mapping[str, Collection[str]] | None = None,
                   settings: ActivitySettings | None = None) -> AgentActivity:
    """Calls, duty spans, gaps and queues of ``contacts`` (a canonical frame), per agent pool.

    ``agent_pool`` maps agent ids to pool names and ``pool_types`` pools to the
    contact types they serve; agents missing from ``agent_pool`` are left out.
    Without them every agent is in one pool serving every contact type.
    """
    settings = settings or ActivitySettings()
    if (agent_pool is None) != (pool_types is None):
        raise ValueError("give both agent_pool and pool_types, or neither")
    if pool_types is None:
        pool_types = {SINGLE_POOL: tuple(sorted(contacts["contact_type"].astype(str).unique()))}
    pool_types = {pool: tuple(types) for pool, types in pool_types.items()}
    origin = pd.Timestamp(pd.to_datetime(contacts["date"]).min()).normalize()
    calls = _calls(contacts, agent_pool, origin)
    queues = _pool_queues(contacts, pool_types, origin)
    spans, gaps = _split_spans(calls, queues, settings)
    return AgentActivity(origin, settings, pool_types, calls, spans, gaps, queues)
