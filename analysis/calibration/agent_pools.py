"""Groups of agents told apart by the contact types they serve: one scenario agent group per pool.

A team that serves one contact type only (a bank's internet desk "in an
adjacent room") is a pool of its own: pooling it with everyone inflates the
agents seen for the other types, and its idle time looks like everyone's
unavailability. Rule, on the answered calls with an agent:

* an agent with at least ``min_calls`` calls of which at least
  ``specialist_share`` are of one type is a **specialist** of that type;
  specialists of a type form the pool ``team_<type>``;
* everyone else (and agents with fewer calls, unless all their calls are of
  a type that has a specialist team) forms the general pool ``agents``;
* a pool's **skills** are the types making up at least ``min_skill_share``
  of its calls. Priority 1 for its own work; a general pool's skill for a
  type that has a specialist team gets priority 2 (it backs the team up),
  and so does a team's skill for types other than its own. A kept type no
  pool serves goes to the largest pool, priority 1.

With no specialists (as in the Anonymous Bank months we hold: no agent there
has more than about three quarters of their calls of one type) the result is
the single pool of before.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from .agent_activity import SINGLE_POOL

SPECIALIST_SHARE = 0.9
MIN_CALLS = 30
MIN_SKILL_SHARE = 0.005


@dataclass(frozen=True)
class AgentPools:
    """Pool of each agent, skills of each pool, and the calls behind them."""

    agent_pool: dict[str, str]
    skills: dict[str, dict[str, int]]  # pool -> {contact type: priority}
    calls_by_pool: dict[str, dict[str, int]]  # pool -> {contact type: answered calls}

    @property
    def pool_types(self) -> dict[str, tuple[str, ...]]:
        return {pool: tuple(sorted(skills)) for pool, skills in self.skills.items()}

    def describe(self) -> list[str]:
        lines = []
        for pool, skills in self.skills.items():
            agents = sorted(agent for agent, mine in self.agent_pool.items() if mine == pool)
            calls = self.calls_by_pool.get(pool, {})
            total = sum(calls.values()) or 1
            mix = ", ".join(f"{t} {n / total:.0%}" for t, n in sorted(calls.items(), key=lambda kv: -kv[1]) if n)
            lines.append(f"pool {pool}: {len(agents)} agents; calls: {mix or 'none'}; skills "
                         + ", ".join(f"{t} (priority {p})" for t, p in sorted(skills.items())))
        return lines


def detect_pools(contacts: pd.DataFrame, contact_types: Sequence[str] | None = None,
                 specialist_share: float = SPECIALIST_SHARE, min_calls: int = MIN_CALLS,
                 min_skill_share: float = MIN_SKILL_SHARE) -> AgentPools:
    """Agent pools of a canonical frame (see module docstring); ``contact_types``: the types kept."""
    served = contacts.loc[(contacts["outcome"] == "answered") & contacts["agent_id"].notna()]
    types = list(contact_types) if contact_types is not None else sorted(contacts["contact_type"].unique())
    served = served.loc[served["contact_type"].isin(types)]
    table = pd.crosstab(served["agent_id"].astype(str), served["contact_type"])
    totals = table.sum(axis=1)
    top_type, top_share = table.idxmax(axis=1), table.max(axis=1) / totals.clip(lower=1)
    specialist = (totals >= min_calls) & (top_share >= specialist_share)
    teams = {str(t) for t in top_type[specialist]}
    agent_pool = {}
    for agent in table.index:
        if specialist[agent] or (top_share[agent] >= 1.0 and str(top_type[agent]) in teams):
            agent_pool[agent] = f"team_{top_type[agent]}"
        else:
            agent_pool[agent] = SINGLE_POOL
    pools = pd.Series(agent_pool)
    calls = table.groupby(pools.reindex(table.index).to_numpy()).sum()
    skills: dict[str, dict[str, int]] = {}
    for pool, row in calls.iterrows():
        share = row / max(row.sum(), 1)
        own = pool.removeprefix("team_") if pool.startswith("team_") else None
        skills[pool] = {str(t): (1 if (t == own or (own is None and t not in teams)) else 2)
                        for t in row.index if share[t] >= min_skill_share or t == own}
    if not skills:
        skills[SINGLE_POOL] = {}
    largest = max(skills, key=lambda pool: calls.loc[pool].sum() if pool in calls.index else 0)
    for name in types:
        if not any(name in pool_skills for pool_skills in skills.values()):
            skills[largest][name] = 1
    # The general pool first, then the teams, so that scenario group order is stable.
    order = sorted(skills, key=lambda pool: (pool != SINGLE_POOL, pool))
    calls_by_pool = {pool: {str(t): int(n) for t, n in calls.loc[pool].items()} if pool in calls.index else {}
                     for pool in order}
    return AgentPools(agent_pool, {pool: skills[pool] for pool in order}, calls_by_pool)
