"""Cost model: what staffing, the AI, vendors and fixed costs come to, and the value kept.

* wages = in-house paid hours x wage per hour (per group);
* overtime = overtime hours (agents kept on by an overtime rule) x wage x (1 + premium);
* on-costs = (wages + overtime) x the sum of the group's on-cost rates (social insurance, ...);
* training = training cost per agent-day x agent-days (one per shift worked;
  for headcount profiles, the day's peak headcount);
* labor = wages + overtime + on-costs + training;
* ai = sessions x cost per session + session minutes x cost per minute
  + platform cost per day x days;
* vendors = per vendor, by its price model: handled contacts x rate
  (per_contact), handled minutes incl. after-call work x rate (per_minute) or
  contracted seat hours x rate (per_seat_hour), and never less than the
  monthly minimum prorated over the days simulated (30-day month);
* fixed = fixed cost per day x days;
* total = labor + ai + vendors + fixed; cost per contact = total / contacts offered.
* With ``[value]``: CLV = R(1 - (1 + i)^-n) / i; value kept = (loyal contacts -
  lost contacts) x CLV; ROI = (value kept - total cost) / total cost.
"""

from __future__ import annotations

import pandas as pd

from sim.config import Scenario
from sim.records import ANSWERED, SimulationResult

DAYS_PER_MONTH = 30.0


def cost_breakdown(result: SimulationResult, scenario: Scenario) -> dict[str, float]:
    """Money by component (currency of the scenario) over the measured horizon."""
    staffing = result.staffing
    paid_hours = staffing[staffing["kind"] == "inhouse"].groupby("group", sort=False)["paid_hours"].sum()
    agent_days = dict(zip(result.info.groups, result.info.agent_days))
    overtime_hours = overtime_hours_by_group(result)
    wages = overtime = on_costs = training = 0.0
    for group in scenario.agent_groups:
        group_wages = float(paid_hours.get(group.name, 0.0)) * group.wage_per_hour
        premium = group.overtime.premium if group.overtime else 0.0
        group_overtime = overtime_hours.get(group.name, 0.0) * group.wage_per_hour * (1.0 + premium)
        wages += group_wages
        overtime += group_overtime
        on_costs += (group_wages + group_overtime) * sum(group.on_costs.values())
        training += group.training_cost_per_agent_day * float(agent_days.get(group.name, 0.0))
    contacts = result.measured_contacts()
    return {
        "wages": wages,
        "overtime": overtime,
        "on_costs": on_costs,
        "training": training,
        "ai": ai_cost(contacts, scenario, result.info.days),
        "vendors": sum(vendor_costs(contacts, staffing, scenario, result.info.days).values()),
        "fixed": scenario.costs.fixed_per_day * result.info.days,
    }


def overtime_hours_by_group(result: SimulationResult) -> dict[str, float]:
    """Overtime hours per group inside the measured horizon."""
    spells = result.overtime
    start = spells["start"].clip(lower=0.0)
    end = spells["end"].clip(upper=result.info.horizon_seconds)
    hours = ((end - start).clip(lower=0.0) / 3600.0).groupby(spells["group"]).sum()
    return {str(name): float(value) for name, value in hours.items()}


def ai_cost(contacts: pd.DataFrame, scenario: Scenario, days: int) -> float:
    ai = scenario.ai
    if ai is None:
        return 0.0
    sessions = contacts["ai_session_seconds"].dropna()
    return (len(sessions) * ai.cost_per_session + sessions.sum() / 60.0 * ai.cost_per_minute
            + ai.fixed_cost_per_day * days)


def vendor_costs(contacts: pd.DataFrame, staffing: pd.DataFrame, scenario: Scenario, days: int) -> dict[str, float]:
    """Cost of each vendor under its price model, with the prorated monthly minimum."""
    costs = {}
    for vendor in scenario.vendors:
        handled = contacts[(contacts["handler"] == vendor.name) & (contacts["outcome"] == ANSWERED)]
        price = vendor.price
        if price.model == "per_contact":
            usage = len(handled) * price.rate
        elif price.model == "per_minute":
            usage = (handled["handle_time"].sum() + handled["after_call_work"].sum()) / 60.0 * price.rate
        else:
            seats = staffing[(staffing["kind"] == "vendor") & (staffing["group"] == vendor.name)]
            usage = float(seats["paid_hours"].sum()) * price.rate
        costs[vendor.name] = max(float(usage), price.monthly_minimum * days / DAYS_PER_MONTH)
    return costs


def cost_kpis(result: SimulationResult, scenario: Scenario, contacts_offered: float) -> dict[str, float]:
    breakdown = cost_breakdown(result, scenario)
    labor = breakdown["wages"] + breakdown["overtime"] + breakdown["on_costs"] + breakdown["training"]
    total = labor + breakdown["ai"] + breakdown["vendors"] + breakdown["fixed"]
    staffing = result.staffing
    return {
        "agents_paid_hours": float(staffing.loc[staffing["kind"] == "inhouse", "paid_hours"].sum()),
        "overtime_hours": float(sum(overtime_hours_by_group(result).values())),
        "labor_cost": labor,
        "ai_cost": breakdown["ai"],
        "outsourcing_cost": breakdown["vendors"],
        "fixed_cost": breakdown["fixed"],
        "total_cost": total,
        "cost_per_contact": total / contacts_offered if contacts_offered else float("nan"),
    }


def value_kpis(scenario: Scenario, loyal_contacts: float, lost_contacts: float, total_cost: float) -> dict[str, float]:
    """Value kept and ROI; empty without a ``[value]`` section."""
    if scenario.value is None:
        return {}
    value_kept = (loyal_contacts - lost_contacts) * scenario.value.lifetime_value
    return {
        "value_kept": value_kept,
        "roi": (value_kept - total_cost) / total_cost if total_cost else float("nan"),
    }
