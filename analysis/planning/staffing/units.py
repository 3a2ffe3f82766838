"""The agents whose staffing is planned: one agent group, or all shared in-house groups together.

Planning works with one number per interval, the *headcount* scheduled for
the unit. For a single group that is the group's headcount; for all groups
it is split between them in fixed shares (their share of the workload), so
"all in-house agents" scale together. The simulator makes
``round(scheduled x (1 - shrinkage))`` of a group's agents available (with an
availability model, also their mean share of time on the phones: see
``AgentGroup.effective_shrinkage``, the *shrinkage* below). A requirement of
agents on the phones becomes a headcount (:meth:`StaffedUnit.headcount_for`)
by one of two rules (:data:`ROUNDING_RULES`):

* ``up`` (default, what planners do): the smallest headcount whose
  ``headcount x (1 - shrinkage)`` is at least the agents needed, i.e.
  ``agents / (1 - shrinkage)`` rounded up (122 agents at 15% shrinkage:
  143.53, so 144);
* ``nearest``: the smallest headcount that the simulator's rounding turns
  into enough agents (143 gives round(121.55) = 122): one agent fewer at
  times, with no margin for the fraction.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from functools import lru_cache

import numpy as np

from sim.config import AgentGroup, Scenario
from sim.config.errors import UserInputError
from sim.config.omnichannel import BACKLOG_CHANNELS

from .options import ALL_GROUPS, ROUNDING_RULES
from .routing import INHOUSE
from .workload import Workload, unit_workload


class StaffingError(UserInputError):
    """Staffing cannot be planned as asked (unknown group, no demand, target out of reach)."""


@dataclass(frozen=True)
class StaffedUnit:
    """One or more agent groups planned together, with the contact types they take.

    ``type_weights[t]``: the share of type ``t``'s contacts at ``destination``
    this unit takes in the analytic view; ``shares``: how the unit's
    headcount splits between its groups; ``concurrency``: sessions an agent
    holds at once per channel (the fewest among the groups);
    ``backlog_types``: the backlog (messaging, email) types among its skills.
    """

    label: str
    destination: str
    groups: tuple[AgentGroup, ...]
    shares: tuple[float, ...]
    type_weights: dict[str, float]
    type_multipliers: dict[str, float]
    rounding: str = "up"
    concurrency: dict[str, int] = field(default_factory=dict)
    backlog_types: frozenset[str] = frozenset()
    mean_busy_seconds: float | None = None  # talk and after-call work per contact (availability after contacts)
    _headcounts: dict[int, int] = field(default_factory=dict, compare=False, repr=False)

    @property
    def group_names(self) -> tuple[str, ...]:
        return tuple(group.name for group in self.groups)

    @property
    def served_types(self) -> tuple[str, ...]:
        """Contact types any of the unit's groups can serve."""
        return tuple(dict.fromkeys(name for group in self.groups for name in group.skills))

    @property
    def judged_types(self) -> tuple[str, ...]:
        """The served calls and chats, whose queue KPIs the targets are about (backlog items are
        planned by their deferred targets instead)."""
        return tuple(name for name in self.served_types if name not in self.backlog_types)

    def split(self, headcount: int) -> tuple[int, ...]:
        """Headcount per group. Agents are handed out one by one to the group furthest below its
        share, so no group ever loses an agent when the total grows."""
        return _split(self.shares, int(headcount))

    def available(self, headcount: int) -> int:
        """Agents on the phones the simulator makes of a headcount (rounding half up, per group)."""
        return sum(math.floor(count * (1.0 - group.effective_shrinkage(self.mean_busy_seconds)) + 0.5)
                   for count, group in zip(self.split(headcount), self.groups))

    def exact_available(self, headcount: int) -> float:
        """Agents on the phones of a headcount before any rounding: sum of count x (1 - shrinkage)."""
        return sum(count * (1.0 - group.effective_shrinkage(self.mean_busy_seconds))
                   for count, group in zip(self.split(headcount), self.groups))

    def headcount_for(self, agents: int) -> int:
        """Smallest headcount giving at least ``agents`` on the phones, by the unit's rounding rule."""
        agents = int(agents)
        if agents not in self._headcounts:
            enough = (lambda h: self.exact_available(h) >= agents - 1e-9) if self.rounding == "up" else \
                (lambda h: self.available(h) >= agents)
            headcount = max(agents, 0)  # shrinkage never adds agents, so at least this many
            while not enough(headcount):
                headcount += 1
            self._headcounts[agents] = headcount
        return self._headcounts[agents]

    def rounding_rule(self) -> str:
        """The rule in words, for outputs."""
        shrinkage = ", ".join(f"{group.name} {group.effective_shrinkage(self.mean_busy_seconds):.0%}"
                              for group in self.groups)
        if self.rounding == "up":
            return f"agents on the phones / (1 - shrinkage), rounded up (shrinkage {shrinkage})"
        return (f"the smallest headcount whose round(headcount x (1 - shrinkage)) gives the agents needed, "
                f"as the simulator rounds (shrinkage {shrinkage})")

    def workload(self, scenario: Scenario) -> Workload:
        return unit_workload(scenario, self.destination, self.type_weights, self.type_multipliers, self.concurrency)

    def labor_cost(self, headcount: np.ndarray, interval_hours: float) -> float:
        """Wages, on-costs and training of a headcount plan (days x intervals), as the simulator costs
        headcount profiles: paid hours = headcount x interval length; training per day's peak headcount."""
        per_group = self.split_matrix(headcount)
        cost = 0.0
        for group, counts in zip(self.groups, per_group):
            wages = counts.sum() * interval_hours * group.wage_per_hour
            cost += wages * (1.0 + sum(group.on_costs.values()))
            cost += group.training_cost_per_agent_day * counts.max(axis=1).sum()
        return float(cost)

    def split_matrix(self, headcount: np.ndarray) -> list[np.ndarray]:
        """Per group, its headcount matrix (same shape as ``headcount``)."""
        flat = np.asarray(headcount, dtype=int).ravel()
        parts = np.array([self.split(value) for value in flat]).reshape(flat.size, len(self.groups))
        return [parts[:, index].reshape(np.shape(headcount)) for index in range(len(self.groups))]


@lru_cache(maxsize=4096)
def _split(shares: tuple[float, ...], headcount: int) -> tuple[int, ...]:
    counts = [0] * len(shares)
    for handed in range(1, headcount + 1):
        deficits = [share * handed - count for share, count in zip(shares, counts)]
        counts[int(np.argmax(deficits))] += 1
    return tuple(counts)


def select_unit(scenario: Scenario, group: str | None = None, rounding: str = "up") -> StaffedUnit:
    """The unit to plan: the named group; without a name the only shared group, or all shared groups.
    ``rounding``: how agents become headcount (:data:`ROUNDING_RULES`)."""
    if rounding not in ROUNDING_RULES:
        raise StaffingError(f"headcount rounding must be one of {', '.join(ROUNDING_RULES)}, got {rounding!r}")
    shared = [item for item in scenario.agent_groups if not item.dedicated]
    if group is not None and group != ALL_GROUPS:
        chosen = next((item for item in scenario.agent_groups if item.name == group), None)
        if chosen is None:
            known = ", ".join(item.name for item in scenario.agent_groups) or "none"
            raise StaffingError(f"no agent group named {group!r} (known: {known}, or {ALL_GROUPS})")
        unit = _single_group_unit(scenario, chosen, shared)
    elif not shared:
        raise StaffingError("the scenario has no shared in-house agent group to staff")
    elif len(shared) == 1:
        unit = _single_group_unit(scenario, shared[0], shared)
    else:
        unit = _all_groups_unit(scenario, shared)
    return _with_busy_time(scenario, replace(unit, rounding=rounding, _headcounts={}))


def _with_busy_time(scenario: Scenario, unit: StaffedUnit) -> StaffedUnit:
    """The unit with its mean busy time per contact, which agents who step away after contacts need."""
    if not any(group.availability is not None and group.availability.step_away_after_contact is not None
               for group in unit.groups):
        return unit
    workload = unit.workload(scenario)
    volume = workload.volume.sum()
    busy = float(workload.offered_load().sum() * workload.interval_seconds / volume) if volume > 0 else None
    return replace(unit, mean_busy_seconds=busy)


def _best_groups(shared: list[AgentGroup], contact_type: str) -> list[AgentGroup]:
    """Shared groups with the best (lowest) skill priority for a type: where arriving contacts go first."""
    serving = [group for group in shared if contact_type in group.skills]
    if not serving:
        return []
    best = min(group.skills[contact_type] for group in serving)
    return [group for group in serving if group.skills[contact_type] == best]


def _single_group_unit(scenario: Scenario, group: AgentGroup, shared: list[AgentGroup]) -> StaffedUnit:
    if group.dedicated:
        weights = {name: 1.0 for name in group.skills}
        destination = group.name
    else:
        weights = {}
        for name in scenario.contact_type_names():
            best = _best_groups(shared, name)
            if group in best:
                weights[name] = 1.0 / len(best)  # groups tied on priority share the type evenly
        destination = INHOUSE
    multipliers = {name: group.trained_handle_time_multiplier for name in group.skills}
    return StaffedUnit(group.name, destination, (group,), (1.0,), weights, multipliers,
                       concurrency=dict(group.concurrency), backlog_types=_backlog_types(scenario))


def _all_groups_unit(scenario: Scenario, shared: list[AgentGroup]) -> StaffedUnit:
    weights, multipliers = {}, {}
    for name in scenario.contact_type_names():
        best = _best_groups(shared, name)
        if best:
            weights[name] = 1.0
            multipliers[name] = float(np.mean([group.trained_handle_time_multiplier for group in best]))
    loads = [_single_group_unit(scenario, group, shared) for group in shared]
    erlang_hours = np.array([unit.workload(scenario).offered_load().sum() for unit in loads])
    shares = erlang_hours / erlang_hours.sum() if erlang_hours.sum() > 0 else np.full(len(shared), 1 / len(shared))
    # Sessions per agent of a channel: the fewest among the groups that take that channel.
    channel_of = dict(zip(scenario.contact_type_names(), scenario.type_channels()))
    serving = {channel: [group for group in shared if channel in {channel_of[name] for name in group.skills}]
               for group in shared for channel in group.concurrency}
    concurrency = {channel: min(group.concurrency.get(channel, 1) for group in groups)
                   for channel, groups in serving.items()}
    return StaffedUnit(ALL_GROUPS, INHOUSE, tuple(shared), tuple(float(share) for share in shares),
                       weights, multipliers, concurrency=concurrency, backlog_types=_backlog_types(scenario))


def _backlog_types(scenario: Scenario) -> frozenset[str]:
    return frozenset(t.name for t in scenario.contact_types if t.channel in BACKLOG_CHANNELS)
