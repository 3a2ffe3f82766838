"""Each period's typical week, what it requires (Erlang A) and what a given staffing achieves.

The period's week is the scenario with demand scaled by the period's factor
(``demand.day_factors``) and the AI containment the plan ramps. Staffing is
planned per unit as ``ccsim staff`` does (:mod:`analysis.planning.staffing`):
the shared in-house groups together (split by their share of the workload)
and every dedicated group on its own. Per interval, the fewest agents on the
phones meeting the targets by Erlang A, turned into headcount through the
group's shrinkage; a group's weekly requirement in FTE is

    required FTE = scheduled hours a week / (hours_per_fte_week x roster_efficiency)

``roster_efficiency`` (at most 1) allows for shifts that cannot follow the
interval requirement exactly. Given the FTE a plan makes available, each
unit's interval requirement is scaled by available / required (rounded) and
Erlang A gives the service level and abandonment that staffing achieves.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from analysis.planning.erlang import erlang_a_metrics, erlang_c_metrics, required_agents
from analysis.planning.staffing import StaffedUnit, StaffingTarget, Workload, headcount_for_agents
from analysis.planning.staffing.units import StaffingError, select_unit
from sim.config import Scenario, apply_overrides

from .spec import PlanSpec


@dataclass(frozen=True)
class UnitWeek:
    """One staffed unit in one period's week: its workload and Erlang A requirement per interval."""

    unit: StaffedUnit
    workload: Workload
    agents: np.ndarray          # agents on the phones per (day, interval)
    group_hours: dict[str, float]  # scheduled hours a week per group


@dataclass(frozen=True)
class PeriodWeek:
    """A period's typical week: the scenario run for it and the units' requirements."""

    scenario: Scenario
    units: tuple[UnitWeek, ...]
    notes: tuple[str, ...] = ()

    def required_hours(self) -> dict[str, float]:
        return {name: hours for unit in self.units for name, hours in unit.group_hours.items()}


@dataclass
class ServiceCache:
    """Erlang metrics memoised across periods and plans (the same cells recur)."""

    threshold_seconds: float
    _memo: dict = field(default_factory=dict)

    def metrics(self, rate: float, handle: float, patience: float, servers: int):
        key = (round(rate, 12), round(handle, 9), patience, servers)
        if key not in self._memo:
            if math.isinf(patience):
                found = erlang_c_metrics(rate, handle, servers, self.threshold_seconds) if servers > rate * handle \
                    else None
            else:
                found = erlang_a_metrics(rate, handle, patience, servers, self.threshold_seconds)
            self._memo[key] = found
        return self._memo[key]


def period_scenario(scenario: Scenario, factor: float, containment: Mapping[str, float]) -> Scenario:
    """The scenario's week with demand x ``factor`` and the given AI containment per contact type."""
    days = scenario.horizon.days
    existing = scenario.demand.day_factors or [1.0]
    overrides: dict[str, object] = {
        "demand.day_factors": [existing[day % len(existing)] * factor for day in range(days)]}
    for name, value in containment.items():
        outcome = scenario.ai.contact_types[name]
        overrides[f"ai.contact_types.{name}.containment"] = value
        overrides[f"ai.contact_types.{name}.escalation"] = max(1.0 - value - outcome.give_up_probability, 0.0)
        overrides[f"ai.contact_types.{name}.containment_start"] = None
    return apply_overrides(scenario, overrides)


def planning_units(scenario: Scenario) -> list[StaffedUnit]:
    """The shared in-house groups as one unit (if any), then each dedicated group."""
    units = []
    if any(not group.dedicated for group in scenario.agent_groups):
        units.append(select_unit(scenario))
    units += [select_unit(scenario, group.name) for group in scenario.agent_groups if group.dedicated]
    return units


def period_week(scenario: Scenario, targets: Sequence[StaffingTarget],
                previous: PeriodWeek | None = None) -> PeriodWeek:
    """Erlang A requirement of every unit of a (period) scenario.

    ``previous``: the week before (same units), whose answers start the searches here.
    """
    interval_hours = scenario.horizon.interval_minutes / 60.0
    weeks, notes = [], []
    for index, unit in enumerate(planning_units(scenario)):
        workload = unit.workload(scenario)
        notes += [note for note in workload.notes if note not in notes]
        guide = previous.units[index] if previous is not None and len(previous.units) > index else None
        try:
            agents = erlang_agents(workload, targets, guide)
        except ValueError as error:
            raise StaffingError(f"{unit.label}: {error}") from None
        headcount = headcount_for_agents(unit, agents)
        hours = {group.name: float(matrix.sum()) * interval_hours
                 for group, matrix in zip(unit.groups, unit.split_matrix(headcount))}
        weeks.append(UnitWeek(unit, workload, agents, hours))
    return PeriodWeek(scenario, tuple(weeks), tuple(notes))


def erlang_agents(workload: Workload, targets: Sequence[StaffingTarget], guide: UnitWeek | None) -> np.ndarray:
    """Fewest agents per (day, interval) meeting the targets by Erlang A (as
    :func:`analysis.planning.staffing.analytic_agents`), each search starting
    from the ``guide`` week's answer moved by the change in offered load."""
    erlang_targets = tuple(target.erlang_target() for target in targets)
    threshold = next((t.threshold_seconds for t in targets if t.threshold_seconds is not None), None)
    step = workload.interval_seconds
    load = workload.offered_load()
    agents = np.zeros(workload.volume.shape, dtype=int)
    memo: dict[tuple, int] = {}
    for (day, interval), volume in np.ndenumerate(workload.volume):
        if volume <= 0:
            continue
        handle = float(workload.handle_seconds[day, interval])
        patience = float(workload.patience_seconds[day, interval])
        key = (round(float(volume), 9), round(handle, 9), patience)
        if key not in memo:
            start = None
            if guide is not None and guide.agents.shape == agents.shape and guide.agents[day, interval] > 0:
                moved = guide.agents[day, interval] + load[day, interval] - guide.workload.offered_load()[day, interval]
                start = max(int(round(moved)), 0)
            memo[key] = required_agents(volume / step, handle, erlang_targets,
                                        mean_patience=None if math.isinf(patience) else patience,
                                        threshold_seconds=threshold, start_agents=start).agents
        agents[day, interval] = memo[key]
    return agents


def required_fte(week: PeriodWeek, spec: PlanSpec) -> dict[str, float]:
    """Required FTE per group of a period's week."""
    per_fte = spec.hours_per_fte_week * spec.roster_efficiency
    return {name: hours / per_fte for name, hours in week.required_hours().items()}


@dataclass(frozen=True)
class Service:
    """Predicted weekly service of a staffing: shares of contacts offered to humans."""

    service_level: float
    abandon_rate: float
    offered: float


def staffing_scale(unit_week: UnitWeek, available: Mapping[str, float], required: Mapping[str, float]) -> float:
    """Available / required FTE of a unit's groups (1 where nothing is required)."""
    need = sum(required[group.name] for group in unit_week.unit.groups)
    have = sum(available[group.name] for group in unit_week.unit.groups)
    return have / need if need > 0 else 1.0


def predicted_service(week: PeriodWeek, scales: Sequence[float], cache: ServiceCache) -> Service:
    """Erlang A service over the week when each unit has ``scale`` x its requirement (agents rounded)."""
    offered = answered_in_time = abandoned = 0.0
    for unit_week, scale in zip(week.units, scales):
        workload = unit_week.workload
        agents = np.floor(unit_week.agents * scale + 0.5).astype(int)
        for (day, interval), volume in np.ndenumerate(workload.volume):
            if volume <= 0:
                continue
            rate = volume / workload.interval_seconds
            found = cache.metrics(rate, float(workload.handle_seconds[day, interval]),
                                  float(workload.patience_seconds[day, interval]), int(agents[day, interval]))
            offered += volume
            if found is None:  # Erlang C without enough agents: nobody is answered in time
                continue
            answered_in_time += volume * found.service_level
            abandoned += volume * found.abandon_rate
    if offered == 0:
        return Service(math.nan, math.nan, 0.0)
    return Service(answered_in_time / offered, abandoned / offered, offered)
