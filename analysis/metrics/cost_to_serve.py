"""Cost to serve: activity-based costing of a run per contact type, customer segment and channel.

Every cost of the run is assigned to the contacts that caused it, so the
rows add up to ``total_cost``:

* in-house agents: each group's labor cost (wages, overtime, on-costs,
  training) over its busy minutes is its loaded rate per handled minute
  (idle time included); a type and segment gets its handled minutes x that
  rate (talk plus after-call work);
* vendors: each vendor's cost (price model and minimum) by its handled
  contacts (``per_contact``) or handled minutes (``per_minute``,
  ``per_seat_hour``);
* AI: sessions x cost per session + session minutes x cost per minute, and
  the platform's cost per day by sessions;
* channel platform cost (chat, messaging, ... per contact offered): by
  contacts offered of the channel's types;
* fixed cost: by the scenario's ``costs.fixed_cost_driver``, ``contacts``
  (contacts offered, the default) or ``minutes`` (minutes handled by people
  and the AI).

Each row also names the contact type's own channel (``voice``, ``chat``, ...).

Cost that no contact caused (a group or vendor with nothing handled, the AI
platform without sessions) stays in rows of type and segment ``unallocated``.
With a ``[value]`` section each segment's revenue over the simulated days
(customers x yearly revenue x days / ``days_per_year``) set against its cost
to serve gives its profit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from sim.config import Scenario
from sim.records import SimulationResult

from .costs import ai_cost, channel_platform_costs, has_channel_costs, labor_by_group, vendor_costs

UNALLOCATED = "unallocated"
USAGE_COLUMNS = ("contact_type", "segment", "channel", "handler", "contacts", "seconds")
CHANNELS = ("inhouse", "vendor", "ai", "platform", "fixed")


@dataclass(frozen=True)
class RunCosts:
    """What one run cost, by who caused it: labor per in-house group, cost per vendor, AI, fixed."""

    group_labor: Mapping[str, float]
    vendors: Mapping[str, float]
    ai: float
    fixed: float
    platform: Mapping[str, float] | None = None  # per contact channel (voice, chat, ...): its platform cost


def cost_to_serve(usage: pd.DataFrame, offered: pd.DataFrame, costs: RunCosts, scenario: Scenario) -> pd.DataFrame:
    """Cost per contact type, segment and channel of one run.

    ``usage``: rows of :data:`USAGE_COLUMNS`, ``channel`` ``inhouse`` (handler:
    the group), ``vendor`` (the vendor) or ``ai``, with contacts handled (AI:
    sessions) and seconds (talk plus after-call work; AI: session time).
    ``offered``: contacts offered per ``contact_type`` and ``segment``.
    Returns one row per type, segment and channel with contacts, minutes and cost.
    """
    parts = [_shared(usage[usage["channel"] == "inhouse"], costs.group_labor, lambda handler: "seconds"),
             _shared(usage[usage["channel"] == "vendor"], costs.vendors, _vendor_driver(scenario)),
             _ai(usage[usage["channel"] == "ai"], costs.ai, scenario),
             _platform(offered, costs.platform or {}, scenario),
             _fixed(usage, offered, costs.fixed, scenario)]
    table = pd.concat([part for part in parts if not part.empty], ignore_index=True)
    return (table.groupby(["contact_type", "segment", "channel"], sort=False, as_index=False)
            [["contacts", "minutes", "cost"]].sum())


def _vendor_driver(scenario: Scenario):
    models = {vendor.name: vendor.price.model for vendor in scenario.vendors}
    return lambda handler: "contacts" if models.get(handler) == "per_contact" else "seconds"


def _shared(usage: pd.DataFrame, totals: Mapping[str, float], driver) -> pd.DataFrame:
    """Each handler's cost split over its types and segments in proportion to its driver."""
    rows = []
    channel = usage["channel"].iloc[0] if not usage.empty else None
    for handler, cost in totals.items():
        own = usage[usage["handler"] == handler]
        column = driver(handler)
        amount = float(own[column].sum())
        if amount <= 0:
            rows.append((UNALLOCATED, UNALLOCATED, channel or "inhouse", 0.0, 0.0, float(cost)))
            continue
        for row in own.itertuples():
            rows.append((row.contact_type, row.segment, row.channel, float(row.contacts), row.seconds / 60.0,
                         float(cost) * getattr(row, column) / amount))
    return pd.DataFrame(rows, columns=["contact_type", "segment", "channel", "contacts", "minutes", "cost"])


def _ai(usage: pd.DataFrame, total: float, scenario: Scenario) -> pd.DataFrame:
    """Variable AI cost per session and minute, the rest (the platform) by sessions."""
    ai = scenario.ai
    if ai is None or total == 0:
        return pd.DataFrame()
    sessions = float(usage["contacts"].sum())
    variable = usage["contacts"] * ai.cost_per_session + usage["seconds"] / 60.0 * ai.cost_per_minute
    platform = total - float(variable.sum())
    frame = pd.DataFrame({"contact_type": usage["contact_type"], "segment": usage["segment"], "channel": "ai",
                          "contacts": usage["contacts"].astype(float), "minutes": usage["seconds"] / 60.0,
                          "cost": variable + (platform * usage["contacts"] / sessions if sessions > 0 else 0.0)})
    if sessions <= 0:
        frame = pd.concat([frame, pd.DataFrame([(UNALLOCATED, UNALLOCATED, "ai", 0.0, 0.0, platform)],
                                               columns=frame.columns)], ignore_index=True)
    return frame


def _platform(offered: pd.DataFrame, totals: Mapping[str, float], scenario: Scenario) -> pd.DataFrame:
    """Each contact channel's platform cost over its types' contacts offered."""
    channel_of = dict(zip(scenario.contact_type_names(), scenario.type_channels()))
    rows = []
    for channel, cost in totals.items():
        own = offered[[channel_of.get(name) == channel for name in offered["contact_type"]]]
        amount = float(own["contacts"].sum())
        if cost and amount <= 0:
            rows.append((UNALLOCATED, UNALLOCATED, "platform", 0.0, 0.0, float(cost)))
        for row in own.itertuples():
            if cost and amount > 0:
                rows.append((row.contact_type, row.segment, "platform", 0.0, 0.0, cost * row.contacts / amount))
    return pd.DataFrame(rows, columns=["contact_type", "segment", "channel", "contacts", "minutes", "cost"])


def _fixed(usage: pd.DataFrame, offered: pd.DataFrame, total: float, scenario: Scenario) -> pd.DataFrame:
    if total == 0:
        return pd.DataFrame()
    if scenario.costs.fixed_cost_driver == "minutes":
        driver = usage.groupby(["contact_type", "segment"], as_index=False)["seconds"].sum().rename(
            columns={"seconds": "amount"})
    else:
        driver = offered.rename(columns={"contacts": "amount"})[["contact_type", "segment", "amount"]]
    amount = float(driver["amount"].sum())
    if amount <= 0:
        return pd.DataFrame([(UNALLOCATED, UNALLOCATED, "fixed", 0.0, 0.0, total)],
                            columns=["contact_type", "segment", "channel", "contacts", "minutes", "cost"])
    return pd.DataFrame({"contact_type": driver["contact_type"], "segment": driver["segment"], "channel": "fixed",
                         "contacts": 0.0, "minutes": 0.0, "cost": total * driver["amount"] / amount})


def segment_profit(table: pd.DataFrame, offered: pd.DataFrame, scenario: Scenario, days: float) -> pd.DataFrame:
    """Per segment: contacts offered, cost to serve, revenue over the days simulated and profit.

    Revenue needs the ``[value]`` section (NaN without it); cost left unallocated is not in any segment.
    """
    cost = table.groupby("segment")["cost"].sum()
    contacts = offered.groupby("segment")["contacts"].sum()
    rows = []
    for segment in scenario.segments:
        revenue = float("nan")
        if scenario.value is not None:
            economics = scenario.value.segment(segment.name, segment.share)
            revenue = economics.customers * economics.revenue_per_customer_year * days / scenario.value.days_per_year
        served = float(cost.get(segment.name, 0.0))
        count = float(contacts.get(segment.name, 0.0))
        rows.append({"segment": segment.name, "contacts": count, "cost_to_serve": served,
                     "cost_per_contact": served / count if count else float("nan"),
                     "revenue": revenue, "profit": revenue - served})
    return pd.DataFrame(rows)


def run_cost_to_serve(result: SimulationResult, scenario: Scenario) -> pd.DataFrame:
    """:func:`cost_to_serve` of one run from its counters, with the contacts ``offered`` of each type and segment."""
    counters = result.counters
    groups = {group.name for group in scenario.agent_groups}
    rows = []
    for h, handler in enumerate(counters.handler_names):
        channel = "inhouse" if handler in groups else "vendor"
        for t, kind in enumerate(counters.type_names):
            for s, segment in enumerate(counters.segment_names):
                contacts, seconds = counters.handled[h, t, s]
                if contacts:
                    rows.append((kind, segment, channel, handler, float(contacts), float(seconds)))
    offered = []
    for (kind, segment), columns in counters.by_type_segment().items():
        offered.append((kind, segment, columns["offered"]))
        if columns["ai_sessions"]:
            rows.append((kind, segment, "ai", "ai", columns["ai_sessions"], columns["ai_session_seconds"]))
    usage = pd.DataFrame(rows, columns=list(USAGE_COLUMNS))
    offered_table = pd.DataFrame(offered, columns=["contact_type", "segment", "contacts"])
    labor = labor_by_group(result, scenario)
    costs = RunCosts(group_labor={name: sum(parts.values()) for name, parts in labor.items()},
                     vendors=vendor_costs(result, scenario), ai=ai_cost(result, scenario),
                     fixed=scenario.costs.fixed_per_day * result.info.days,
                     platform=channel_platform_costs(result, scenario) if has_channel_costs(scenario) else {})
    table = cost_to_serve(usage, offered_table, costs, scenario)
    table = table.merge(offered_table.rename(columns={"contacts": "offered"}), how="left",
                        on=["contact_type", "segment"]).fillna({"offered": 0.0})
    channel_of = dict(zip(scenario.contact_type_names(), scenario.type_channels()))
    table.insert(1, "contact_channel", [channel_of.get(name, UNALLOCATED) for name in table["contact_type"]])
    return table


def mean_cost_to_serve(tables: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """Mean over replications of each (type, segment, channel) row (rows missing in a replication count 0)."""
    keys = [key for key in ("contact_type", "contact_channel", "segment", "channel") if key in tables[0].columns]
    stacked = pd.concat([table.assign(replication=index) for index, table in enumerate(tables)], ignore_index=True)
    sums = stacked.groupby(keys, sort=False)[["contacts", "minutes", "cost"]].sum() / len(tables)
    offered = (stacked.drop_duplicates(["replication", "contact_type", "segment"])
               .groupby(["contact_type", "segment"])["offered"].sum() / len(tables))
    sums = sums.reset_index()
    sums["offered"] = [float(offered.get((kind, segment), 0.0)) for kind, segment in
                       zip(sums["contact_type"], sums["segment"])]
    sums["cost_per_contact_offered"] = sums["cost"] / sums["offered"].where(sums["offered"] > 0)
    sums["cost_per_contact_handled"] = sums["cost"] / sums["contacts"].where(sums["contacts"] > 0)
    return sums
