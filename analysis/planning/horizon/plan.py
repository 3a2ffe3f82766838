"""A plan end to end: periods, requirements, the plan's headcount flow, the fewest-hires plan, costs.

Two staffing plans are evaluated side by side: ``given`` (the hiring classes
in the plan file) and ``fewest_hires`` (:mod:`.hiring`). Requirements come
from Erlang A on each period's typical week; with simulation settings they
come from simulating that week on common random numbers (:mod:`.simulation`).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from analysis.planning.staffing import StaffingTarget
from sim.agent_plans import staffing_plans
from sim.calendar import Calendar
from sim.config import Scenario
from sim.run import staffing_frame

from .costs import COMPONENTS, WeeklyChannelCosts, center_costs, group_costs, weekly_channel_costs
from .hiring import fewest_hires
from .periods import Periods, ai_containment, demand_factors, plan_periods
from .requirements import (
    PeriodWeek,
    Service,
    ServiceCache,
    period_scenario,
    period_week,
    predicted_service,
    required_fte,
    staffing_scale,
)
from .spec import PlanSpec
from .workforce import CohortTable, GroupFlow, cohort_table, group_flow, hires_per_period

PLANS = ("given", "fewest_hires")


@dataclass
class StaffingPlanResult:
    """One staffing plan over the horizon: flows per group, service and costs per period."""

    label: str
    flows: dict[str, GroupFlow]
    service: list[Service]
    weekly_channels: list[WeeklyChannelCosts]
    service_intervals: list[tuple[float, float]] | None = None  # simulated 95% CI of service level

    def available(self, period: int) -> dict[str, float]:
        return {name: float(flow.effective[period]) for name, flow in self.flows.items()}


@dataclass
class PlanResult:
    spec: PlanSpec
    scenario: Scenario
    targets: tuple[StaffingTarget, ...]
    periods: Periods
    factors: np.ndarray
    weeks: list[PeriodWeek]
    required: dict[str, np.ndarray]          # FTE per group and period (the requirement used for hiring)
    erlang_required: dict[str, np.ndarray]   # Erlang A requirement (same as required without simulation)
    initial: dict[str, float]
    plans: dict[str, StaffingPlanResult]
    method: str = "erlang-a"
    simulation: dict = field(default_factory=dict)
    wall_seconds: float = 0.0
    implied_roster_efficiency: float = float("nan")  # Erlang hours / the scenario's paid hours, at demand x 1
    service_cache: ServiceCache | None = None  # Erlang metrics shared by both plans' evaluations

    @property
    def notes(self) -> tuple[str, ...]:
        seen: list[str] = []
        for week in self.weeks:
            seen += [note for note in week.notes if note not in seen]
        return tuple(seen)


def scenario_paid_hours(scenario: Scenario) -> dict[str, float]:
    """Paid in-house hours per group over the scenario's days (its typical week)."""
    calendar = Calendar.from_scenario(scenario)
    staffing = staffing_frame(staffing_plans(scenario, calendar), calendar)
    paid = staffing[staffing["kind"] == "inhouse"].groupby("group")["paid_hours"].sum()
    return {group.name: float(paid.get(group.name, 0.0)) for group in scenario.agent_groups}


def implied_roster_efficiency(scenario: Scenario, targets: Sequence[StaffingTarget]) -> float:
    """Erlang A hours the scenario's week needs / the hours its own staffing pays (what the plan's
    ``roster_efficiency`` would be if today's staffing were just enough)."""
    paid = sum(scenario_paid_hours(scenario).values())
    needed = sum(period_week(scenario, targets).required_hours().values())
    return needed / paid if paid > 0 else float("nan")


def starting_headcount(spec: PlanSpec, scenario: Scenario) -> dict[str, float]:
    """Employees per group at the start: as planned, else the scenario's weekly paid hours / FTE hours."""
    paid = scenario_paid_hours(scenario)
    result = {}
    for group in scenario.agent_groups:
        planned = spec.group(group.name).headcount
        result[group.name] = planned if planned is not None else paid[group.name] / spec.hours_per_fte_week
    return result


def period_weeks(spec: PlanSpec, scenario: Scenario, targets: Sequence[StaffingTarget],
                 periods: Periods) -> tuple[np.ndarray, list[PeriodWeek]]:
    factors = demand_factors(spec, periods)
    containment = ai_containment(spec, periods)
    weeks: list[PeriodWeek] = []
    for factor, ai in zip(factors, containment):
        weeks.append(period_week(period_scenario(scenario, factor, ai), targets, weeks[-1] if weeks else None))
    return factors, weeks


def cost_per_hire(spec: PlanSpec, scenario: Scenario, tables: dict[str, CohortTable],
                  periods: Periods) -> dict[str, np.ndarray]:
    """What a hire joining at the start of each period costs over the rest of the horizon (tie-break)."""
    result = {}
    for group in scenario.agent_groups:
        plan = spec.group(group.name)
        loaded = spec.hours_per_fte_week * group.wage_per_hour * (1.0 + sum(group.on_costs.values()))
        result[group.name] = (tables[group.name].average.T @ (periods.weeks * loaded)
                              + plan.recruiting_cost_per_hire + plan.training_cost_per_hire)
    return result


def run_plan(spec: PlanSpec, scenario: Scenario, targets: Sequence[StaffingTarget], simulation=None) -> PlanResult:
    """Evaluate the plan file's hiring and the fewest-hires plan (by Erlang A, or simulation settings)."""
    started = time.perf_counter()
    periods = plan_periods(spec)
    factors, weeks = period_weeks(spec, scenario, targets, periods)
    erlang = {group.name: np.array([required_fte(week, spec).get(group.name, 0.0) for week in weeks])
              for group in scenario.agent_groups}
    initial = starting_headcount(spec, scenario)
    tables = {group.name: cohort_table(spec.group(group.name), periods) for group in scenario.agent_groups}
    given_hires = {name: hires_per_period(spec.group(name), len(periods)) for name in tables}
    result = PlanResult(spec, scenario, tuple(targets), periods, factors, weeks, dict(erlang), erlang, initial, {},
                        implied_roster_efficiency=implied_roster_efficiency(scenario, targets))
    channels = [weekly_channel_costs(week.scenario) for week in weeks]
    result.plans["given"] = evaluate_hiring(result, tables, given_hires, "given", channels)
    if simulation is not None:
        from .simulation import simulate_plan  # imported here: only --simulate pays for the simulator's runner

        simulate_plan(result, tables, given_hires, simulation)
    else:
        fewest = fewest_hires_plan(result, tables)
        result.plans["fewest_hires"] = evaluate_hiring(result, tables, fewest, "fewest_hires", channels)
    result.wall_seconds = time.perf_counter() - started
    return result


def fewest_hires_plan(result: PlanResult, tables: dict[str, CohortTable]) -> dict[str, np.ndarray]:
    """Per group, the fewest hires per period meeting ``result.required`` (:mod:`.hiring`)."""
    costs = cost_per_hire(result.spec, result.scenario, tables, result.periods)
    return {name: fewest_hires(result.spec.group(name), tables[name], result.initial[name],
                               result.required[name], costs[name]).hires for name in tables}


def evaluate_hiring(result: PlanResult, tables: dict[str, CohortTable], hires: dict[str, np.ndarray], label: str,
                    channels: list[WeeklyChannelCosts]) -> StaffingPlanResult:
    """Flows and Erlang A service of a hiring plan (hires per group and period)."""
    flows = {name: group_flow(result.spec.group(name), tables[name], result.initial[name], hires[name])
             for name in tables}
    plan = StaffingPlanResult(label, flows, [], channels)
    if result.service_cache is None:
        result.service_cache = ServiceCache(service_threshold(result.targets, result.scenario))
    cache = result.service_cache
    for index, week in enumerate(result.weeks):
        required = {name: float(values[index]) for name, values in result.erlang_required.items()}
        scales = [staffing_scale(unit, plan.available(index), required) for unit in week.units]
        plan.service.append(predicted_service(week, scales, cache))
    return plan


def service_threshold(targets: Sequence[StaffingTarget], scenario: Scenario) -> float:
    """The threshold of the first service level target, else the scenario's."""
    named = [target.threshold_seconds for target in targets if target.threshold_seconds is not None]
    return named[0] if named else scenario.service_level.threshold_seconds


# --- tables -----------------------------------------------------------------------------------

def workforce_table(result: PlanResult) -> pd.DataFrame:
    """One row per plan, period and group: headcount flow, requirement, effective FTE and group costs."""
    frames = []
    for label, plan in result.plans.items():
        for group in result.scenario.agent_groups:
            flow = plan.flows[group.name]
            costs = group_costs(group, result.spec.group(group.name), flow, result.periods, result.spec)
            frames.append(pd.DataFrame({
                "plan": label, "period": np.arange(1, len(result.periods) + 1), "label": result.periods.labels,
                "group": group.name, "headcount_start": flow.headcount_start, "hires": flow.hires,
                "leavers": flow.leavers, "headcount_end": flow.headcount_end, "average_headcount": flow.average,
                "in_training": flow.in_training, "productive_fte": flow.productive,
                "learning_slowdown": flow.slowdown, "effective_fte": flow.effective,
                "required_fte": result.required[group.name], **costs}))
    return pd.concat(frames, ignore_index=True)


def periods_table(result: PlanResult) -> pd.DataFrame:
    """One row per plan and period: demand, FTE required and available, hires, service, cost by component."""
    workforce = workforce_table(result)
    rows = []
    for label, plan in result.plans.items():
        own = workforce[workforce["plan"] == label].groupby("period", sort=True)
        sums = own[["required_fte", "effective_fte", "headcount_end", "hires", "leavers",
                    "wages", "on_costs", "recruiting", "new_hire_training", "ongoing_training"]].sum()
        center = center_costs(result.scenario, plan.weekly_channels, result.periods)
        for index in range(len(result.periods)):
            row = {"plan": label, "period": index + 1, "label": result.periods.labels[index],
                   "days": result.periods.days[index], "demand_factor": result.factors[index],
                   "offered_per_week": plan.service[index].offered,
                   "required_fte": sums["required_fte"].iloc[index], "available_fte": sums["effective_fte"].iloc[index],
                   "headcount_end": sums["headcount_end"].iloc[index], "hires": sums["hires"].iloc[index],
                   "leavers": sums["leavers"].iloc[index], "service_level": plan.service[index].service_level,
                   "abandon_rate": plan.service[index].abandon_rate}
            if plan.service_intervals is not None:
                row["service_level_low"], row["service_level_high"] = plan.service_intervals[index]
            for component in COMPONENTS:
                row[component] = (center[component][index] if component in center
                                  else sums[component].iloc[index])
            row["total_cost"] = sum(row[component] for component in COMPONENTS)
            rows.append(row)
    table = pd.DataFrame(rows)
    table.insert(table.columns.get_loc("available_fte") + 1, "gap_fte", table["available_fte"] - table["required_fte"])
    return table
