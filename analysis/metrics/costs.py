"""Cost model: what staffing, the AI, vendors and fixed costs come to.

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
* channels = contacts offered x the platform or carrier cost per contact of
  their channel (``[channels.<name>] cost_per_contact``; a component only
  when some channel has one);
* total = labor + ai + vendors + fixed + channels; cost per contact = total / contacts offered.

Cost per contact by channel (:func:`channel_costs`) is activity-based: labor
in proportion to in-house agent time on the channel's contacts (a chat's
share of the agent while the agent holds several), AI cost to the AI
sessions (per session, per minute, the daily fee by sessions), vendor cost in
proportion to vendor handle time, the channel's own platform cost, and fixed
cost in proportion to contacts offered.

Usage (sessions, handled contacts and minutes) comes from the run's counters.
"""

from __future__ import annotations

from sim.config import Scenario
from sim.records import SimulationResult

DAYS_PER_MONTH = 30.0


LABOR_COMPONENTS = ("wages", "overtime", "on_costs", "training")


def labor_by_group(result: SimulationResult, scenario: Scenario) -> dict[str, dict[str, float]]:
    """Wages, overtime, on-costs and training of each in-house group over the measured horizon."""
    paid_hours = result.paid_hours
    agent_days = dict(zip(result.info.groups, result.info.agent_days))
    overtime_hours = overtime_hours_by_group(result)
    labor = {}
    for group in scenario.agent_groups:
        wages = float(paid_hours.get(group.name, 0.0)) * group.wage_per_hour
        premium = group.overtime.premium if group.overtime else 0.0
        overtime = overtime_hours.get(group.name, 0.0) * group.wage_per_hour * (1.0 + premium)
        labor[group.name] = {
            "wages": wages,
            "overtime": overtime,
            "on_costs": (wages + overtime) * sum(group.on_costs.values()),
            "training": group.training_cost_per_agent_day * float(agent_days.get(group.name, 0.0)),
        }
    return labor


def cost_breakdown(result: SimulationResult, scenario: Scenario) -> dict[str, float]:
    """Money by component (currency of the scenario) over the measured horizon."""
    labor = labor_by_group(result, scenario).values()
    breakdown = {
        **{component: sum(group[component] for group in labor) for component in LABOR_COMPONENTS},
        "ai": ai_cost(result, scenario),
        "vendors": sum(vendor_costs(result, scenario).values()),
        "fixed": scenario.costs.fixed_per_day * result.info.days,
    }
    if has_channel_costs(scenario):
        breakdown["channels"] = sum(channel_platform_costs(result, scenario).values())
    return breakdown


def has_channel_costs(scenario: Scenario) -> bool:
    return any(settings.cost_per_contact > 0 for settings in scenario.channels.values())


def channel_platform_costs(result: SimulationResult, scenario: Scenario) -> dict[str, float]:
    """Per channel present: contacts offered x its platform cost per contact."""
    by_type = result.counters.by_type_segment()
    costs: dict[str, float] = {}
    for channel, types in result.counters.channel_types().items():
        offered = sum(values["offered"] for (name, _), values in by_type.items() if name in types)
        costs[channel] = offered * scenario.channel_settings(channel).cost_per_contact
    return costs


def channel_costs(result: SimulationResult, scenario: Scenario, breakdown: dict[str, float]) -> dict[str, float]:
    """Total cost attributed to each channel present (activity-based, see the module docstring)."""
    counters = result.counters
    by_type = counters.by_type_segment()
    channels = counters.channel_types()

    def per_channel(column: str) -> dict[str, float]:
        return {channel: sum(values[column] for (name, _), values in by_type.items() if name in types)
                for channel, types in channels.items()}

    offered = per_channel("offered")
    labor = breakdown["wages"] + breakdown["overtime"] + breakdown["on_costs"] + breakdown["training"]
    costs = dict.fromkeys(channels, 0.0)
    for total, driver in ((labor, per_channel("inhouse_handle_seconds")), (breakdown["vendors"],
                          per_channel("vendor_handle_seconds")), (breakdown["fixed"], offered)):
        _allocate(costs, total, driver, offered)
    ai = scenario.ai
    if ai is not None:
        sessions, seconds = per_channel("ai_sessions"), per_channel("ai_session_seconds")
        daily = ai.fixed_cost_per_day * result.info.days
        for channel in costs:
            costs[channel] += sessions[channel] * ai.cost_per_session + seconds[channel] / 60.0 * ai.cost_per_minute
        _allocate(costs, daily, sessions, offered)
    if "channels" in breakdown:
        for channel, cost in channel_platform_costs(result, scenario).items():
            costs[channel] += cost
    return costs


def _allocate(costs: dict[str, float], total: float, driver: dict[str, float], fallback: dict[str, float]) -> None:
    """Add ``total`` to ``costs`` in proportion to ``driver`` (or to ``fallback`` when the driver is all zero)."""
    weights = driver if sum(driver.values()) > 0 else fallback
    whole = sum(weights.values())
    if whole <= 0:
        return
    for channel, weight in weights.items():
        costs[channel] += total * weight / whole


def overtime_hours_by_group(result: SimulationResult) -> dict[str, float]:
    """Overtime hours per group inside the measured horizon."""
    handlers = result.counters.by_handler
    return {name: handlers[name]["overtime_seconds"] / 3600.0 for name in result.info.groups}


def ai_cost(result: SimulationResult, scenario: Scenario) -> float:
    ai = scenario.ai
    if ai is None:
        return 0.0
    counters = result.counters
    sessions = counters.total("ai_sessions")
    return (sessions * ai.cost_per_session + counters.total("ai_session_seconds") / 60.0 * ai.cost_per_minute
            + ai.fixed_cost_per_day * result.info.days)


def vendor_costs(result: SimulationResult, scenario: Scenario) -> dict[str, float]:
    """Cost of each vendor under its price model, with the prorated monthly minimum."""
    costs = {}
    days = result.info.days
    for vendor in scenario.vendors:
        handled = result.counters.by_handler[vendor.name]
        price = vendor.price
        if price.model == "per_contact":
            usage = handled["answered"] * price.rate
        elif price.model == "per_minute":
            usage = handled["handle_seconds"] / 60.0 * price.rate
        else:
            usage = result.paid_hours[vendor.name] * price.rate
        costs[vendor.name] = max(float(usage), price.monthly_minimum * days / DAYS_PER_MONTH)
    return costs


def cost_kpis(result: SimulationResult, scenario: Scenario, contacts_offered: float,
              breakdown: dict[str, float] | None = None) -> dict[str, float]:
    """Paid and overtime hours and the cost KPIs (``breakdown``: :func:`cost_breakdown`, if already made)."""
    breakdown = cost_breakdown(result, scenario) if breakdown is None else breakdown
    labor = breakdown["wages"] + breakdown["overtime"] + breakdown["on_costs"] + breakdown["training"]
    total = labor + breakdown["ai"] + breakdown["vendors"] + breakdown["fixed"] + breakdown.get("channels", 0.0)
    kpis = {
        "agents_paid_hours": float(sum(result.paid_hours[name] for name in result.info.groups)),
        "overtime_hours": float(sum(overtime_hours_by_group(result).values())),
        "labor_cost": labor,
        "ai_cost": breakdown["ai"],
        "outsourcing_cost": breakdown["vendors"],
        "fixed_cost": breakdown["fixed"],
        "total_cost": total,
        "cost_per_contact": total / contacts_offered if contacts_offered else float("nan"),
    }
    if "channels" in breakdown:
        kpis["channel_cost"] = breakdown["channels"]
    return kpis
