"""What each period of a plan costs, by component.

Per group and period (``w`` weeks, people on payroll from :mod:`.workforce`):

* ``wages`` = average headcount x ``hours_per_fte_week`` x w x wage (trainees are paid);
* ``on_costs`` = wages x the group's on-cost rates;
* ``recruiting`` = hires x ``recruiting_cost_per_hire``;
* ``new_hire_training`` = hires x ``training_cost_per_hire``;
* ``ongoing_training`` = the group's ``training_cost_per_agent_day`` x average
  headcount x ``days_per_fte_week`` x w.

For the center, from the period's typical week (x w):

* ``ai`` = expected AI sessions x cost per session + session minutes x cost per
  minute + platform cost per day x the week's days;
* ``vendors`` = per vendor, expected usage under its price model (contacts the
  routing sends it statically, their minutes, or contracted seat hours), at
  least its monthly minimum prorated over the period's days (30-day month);
  overflow rules that depend on the queue are left out of this estimate
  (``--simulate`` counts them);
* ``fixed`` = ``fixed_per_day`` x the week's days.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from analysis.planning.staffing.routing import AI, RoutingView
from analysis.planning.staffing.workload import destination_demand
from sim.agent_plans import vendor_plan
from sim.calendar import Calendar
from sim.config import AgentGroup, Scenario
from sim.demand import expected_volume

from .periods import Periods
from .spec import GroupPlan, PlanSpec
from .workforce import GroupFlow

GROUP_COMPONENTS = ("wages", "on_costs", "recruiting", "new_hire_training", "ongoing_training")
CENTER_COMPONENTS = ("ai", "vendors", "fixed")
COMPONENTS = GROUP_COMPONENTS + CENTER_COMPONENTS
DAYS_PER_VENDOR_MONTH = 30.0


@dataclass(frozen=True)
class WeeklyChannelCosts:
    """The center's non-labor costs of one typical week; vendor usage before monthly minimums
    (or, from a simulation, the vendors' cost of the simulated days, minimums prorated)."""

    ai: float
    vendor_usage: dict[str, float]
    fixed: float
    vendors_simulated: float | None = None


def group_costs(group: AgentGroup, plan: GroupPlan, flow: GroupFlow, periods: Periods,
                spec: PlanSpec) -> dict[str, np.ndarray]:
    """Cost components of one group per period."""
    weeks = periods.weeks
    wages = flow.average * spec.hours_per_fte_week * weeks * group.wage_per_hour
    return {
        "wages": wages,
        "on_costs": wages * sum(group.on_costs.values()),
        "recruiting": flow.hires * plan.recruiting_cost_per_hire,
        "new_hire_training": flow.hires * plan.training_cost_per_hire,
        "ongoing_training": flow.average * spec.days_per_fte_week * weeks * group.training_cost_per_agent_day,
    }


def weekly_channel_costs(scenario: Scenario) -> WeeklyChannelCosts:
    """Expected AI, vendor usage and fixed cost of a scenario's week (the analytic estimate)."""
    days = scenario.horizon.days
    ai_cost = 0.0
    if scenario.ai is not None:
        sessions, minutes = expected_ai_sessions(scenario)
        ai_cost = (sessions * scenario.ai.cost_per_session + minutes * scenario.ai.cost_per_minute
                   + scenario.ai.fixed_cost_per_day * days)
    return WeeklyChannelCosts(ai_cost, expected_vendor_usage(scenario), scenario.costs.fixed_per_day * days)


def expected_ai_sessions(scenario: Scenario) -> tuple[float, float]:
    """Expected AI sessions of new contacts over the scenario's days, and their minutes."""
    ai = scenario.ai
    calendar = Calendar.from_scenario(scenario)
    routing = RoutingView(scenario)
    sessions = minutes = 0.0
    for day in range(calendar.days):
        volume = expected_volume(scenario, calendar, day).sum(axis=0)
        for index, name in enumerate(scenario.contact_type_names()):
            outcome = ai.contact_types.get(name)
            if outcome is None:
                continue
            session = (outcome.session_time or ai.session_time).mean_seconds() / 60.0
            for segment in scenario.segments:
                share = segment.share / sum(item.share for item in scenario.segments)
                routed = volume[index] * share * routing.segment_split(name, segment.name, "new", True).get(AI, 0.0)
                sessions += routed
                minutes += routed * session
    return sessions, minutes


def expected_vendor_usage(scenario: Scenario) -> dict[str, float]:
    """Per vendor, what its price model charges for the contacts routing sends it statically."""
    calendar = Calendar.from_scenario(scenario)
    escalation = scenario.ai.escalation_handle_time_multiplier if scenario.ai is not None else 1.0
    usage = {}
    for vendor in scenario.vendors:
        price = vendor.price
        if price.model == "per_seat_hour":
            edges = np.array([0.0, calendar.horizon_seconds])
            seat_hours = float(vendor_plan(vendor, scenario, calendar).paid.integral(edges).sum()) / 3600.0
            usage[vendor.name] = seat_hours * price.rate
            continue
        demand, _ = destination_demand(scenario, vendor.name)
        direct = demand.direct.sum(axis=(0, 1, 3))
        escalated = demand.escalated.sum(axis=(0, 1, 3))
        if price.model == "per_contact":
            usage[vendor.name] = float((direct + escalated).sum()) * price.rate
            continue
        handle = np.array([contact_type.handle_time.mean_seconds() * vendor.handle_time_multiplier
                           for contact_type in scenario.contact_types])
        wrap = np.array([contact_type.after_call_work.mean_seconds() if contact_type.after_call_work else 0.0
                         for contact_type in scenario.contact_types])
        seconds = direct @ (handle + wrap) + escalated @ (handle * escalation + wrap)
        usage[vendor.name] = float(seconds) / 60.0 * price.rate
    return usage


def center_costs(scenario: Scenario, weekly: list[WeeklyChannelCosts], periods: Periods) -> dict[str, np.ndarray]:
    """AI, vendor and fixed cost per period from each period's weekly costs."""
    weeks = periods.weeks
    vendors = np.zeros(len(periods))
    for vendor in scenario.vendors:
        usage = np.array([week.vendor_usage.get(vendor.name, 0.0) for week in weekly]) * weeks
        minimum = vendor.price.monthly_minimum * periods.days / DAYS_PER_VENDOR_MONTH
        vendors += np.maximum(usage, minimum)
    simulated = np.array([np.nan if week.vendors_simulated is None else week.vendors_simulated for week in weekly])
    vendors = np.where(np.isnan(simulated), vendors, simulated * weeks)
    return {
        "ai": np.array([week.ai for week in weekly]) * weeks,
        "vendors": vendors,
        "fixed": np.array([week.fixed for week in weekly]) * weeks,
    }
