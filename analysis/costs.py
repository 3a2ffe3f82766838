"""Cost model: what the staffing and the center's fixed costs come to.

* wages = paid hours x wage per hour (per group);
* on-costs = wages x the sum of the group's on-cost rates (social insurance, ...);
* training = training cost per agent-day x agent-days (one per shift worked;
  for headcount profiles, the day's peak headcount);
* labor = wages + on-costs + training;
* fixed = fixed cost per day x days;
* total = labor + fixed; cost per contact = total / contacts offered.
"""

from __future__ import annotations

from sim.config import Scenario
from sim.records import SimulationResult


def cost_breakdown(result: SimulationResult, scenario: Scenario) -> dict[str, float]:
    """Money by component (currency of the scenario) over the measured horizon."""
    paid_hours = result.staffing.groupby("group", sort=False)["paid_hours"].sum()
    agent_days = dict(zip(result.info.groups, result.info.agent_days))
    wages = on_costs = training = 0.0
    for group in scenario.agent_groups:
        group_wages = float(paid_hours.get(group.name, 0.0)) * group.wage_per_hour
        wages += group_wages
        on_costs += group_wages * sum(group.on_costs.values())
        training += group.training_cost_per_agent_day * float(agent_days.get(group.name, 0.0))
    return {
        "wages": wages,
        "on_costs": on_costs,
        "training": training,
        "fixed": scenario.costs.fixed_per_day * result.info.days,
    }


def cost_kpis(result: SimulationResult, scenario: Scenario, contacts_offered: float) -> dict[str, float]:
    breakdown = cost_breakdown(result, scenario)
    labor = breakdown["wages"] + breakdown["on_costs"] + breakdown["training"]
    total = labor + breakdown["fixed"]
    return {
        "agents_paid_hours": float(result.staffing["paid_hours"].sum()),
        "labor_cost": labor,
        "fixed_cost": breakdown["fixed"],
        "total_cost": total,
        "cost_per_contact": total / contacts_offered if contacts_offered else float("nan"),
    }
