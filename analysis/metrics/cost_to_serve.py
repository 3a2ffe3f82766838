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


TABLE_COLUMNS = ("contact_type", "segment", "channel", "contacts", "minutes", "cost")
# Rows are plain tuples until the end: a replication's table is a few dozen rows, where pandas' per-call cost
# (concat, groupby, merge) was most of a short run's time after the simulation.
Row = tuple[str, str, str, float, float, float]


def cost_to_serve(usage: pd.DataFrame, offered: pd.DataFrame, costs: RunCosts, scenario: Scenario) -> pd.DataFrame:
    """Cost per contact type, segment and channel of one run.

    ``usage``: rows of :data:`USAGE_COLUMNS`, ``channel`` ``inhouse`` (handler:
    the group), ``vendor`` (the vendor) or ``ai``, with contacts handled (AI:
    sessions) and seconds (talk plus after-call work; AI: session time).
    ``offered``: contacts offered per ``contact_type`` and ``segment``.
    Returns one row per type, segment and channel with contacts, minutes and cost.
    """
    usage_rows = list(usage[list(USAGE_COLUMNS)].itertuples(index=False, name=None))
    offered_rows = list(offered[["contact_type", "segment", "contacts"]].itertuples(index=False, name=None))
    return pd.DataFrame(_summed(_cost_rows(usage_rows, offered_rows, costs, scenario)), columns=list(TABLE_COLUMNS))


def _cost_rows(usage: list[tuple], offered: list[tuple], costs: RunCosts, scenario: Scenario) -> list[Row]:
    """Every cost as rows of :data:`TABLE_COLUMNS` (usage and offered as tuples of their columns)."""
    def of_channel(channel: str) -> list[tuple]:
        return [row for row in usage if row[2] == channel]

    return (_shared(of_channel("inhouse"), costs.group_labor, lambda handler: "seconds", "inhouse")
            + _shared(of_channel("vendor"), costs.vendors, _vendor_driver(scenario), "vendor")
            + _ai(of_channel("ai"), costs.ai, scenario)
            + _platform(offered, costs.platform or {}, scenario)
            + _fixed(usage, offered, costs.fixed, scenario))


def _summed(rows: list[Row]) -> list[Row]:
    """Rows of the same type, segment and channel added up, in order of first appearance."""
    sums: dict[tuple[str, str, str], list[float]] = {}
    for contact_type, segment, channel, contacts, minutes, cost in rows:
        total = sums.get((contact_type, segment, channel))
        if total is None:
            sums[(contact_type, segment, channel)] = [contacts, minutes, cost]
        else:
            total[0] += contacts
            total[1] += minutes
            total[2] += cost
    return [(*key, *values) for key, values in sums.items()]


def _vendor_driver(scenario: Scenario):
    models = {vendor.name: vendor.price.model for vendor in scenario.vendors}
    return lambda handler: "contacts" if models.get(handler) == "per_contact" else "seconds"


def _shared(usage: list[tuple], totals: Mapping[str, float], driver, channel: str) -> list[Row]:
    """Each handler's cost split over its types and segments in proportion to its driver."""
    rows: list[Row] = []
    for handler, cost in totals.items():
        own = [row for row in usage if row[3] == handler]
        by_contacts = driver(handler) == "contacts"
        amount = float(sum(row[4] if by_contacts else row[5] for row in own))
        if amount <= 0:
            rows.append((UNALLOCATED, UNALLOCATED, channel, 0.0, 0.0, float(cost)))
            continue
        for contact_type, segment, _, _, contacts, seconds in own:
            rows.append((contact_type, segment, channel, float(contacts), seconds / 60.0,
                         float(cost) * (contacts if by_contacts else seconds) / amount))
    return rows


def _ai(usage: list[tuple], total: float, scenario: Scenario) -> list[Row]:
    """Variable AI cost per session and minute, the rest (the platform) by sessions."""
    ai = scenario.ai
    if ai is None or total == 0:
        return []
    sessions = float(sum(row[4] for row in usage))
    variable = [row[4] * ai.cost_per_session + row[5] / 60.0 * ai.cost_per_minute for row in usage]
    platform = total - float(sum(variable))
    rows: list[Row] = [(contact_type, segment, "ai", float(contacts), seconds / 60.0,
                        cost + (platform * contacts / sessions if sessions > 0 else 0.0))
                       for (contact_type, segment, _, _, contacts, seconds), cost in zip(usage, variable)]
    if sessions <= 0:
        rows.append((UNALLOCATED, UNALLOCATED, "ai", 0.0, 0.0, platform))
    return rows


def _platform(offered: list[tuple], totals: Mapping[str, float], scenario: Scenario) -> list[Row]:
    """Each contact channel's platform cost over its types' contacts offered."""
    channel_of = dict(zip(scenario.contact_type_names(), scenario.type_channels()))
    rows: list[Row] = []
    for channel, cost in totals.items():
        own = [row for row in offered if channel_of.get(row[0]) == channel]
        amount = float(sum(row[2] for row in own))
        if cost and amount <= 0:
            rows.append((UNALLOCATED, UNALLOCATED, "platform", 0.0, 0.0, float(cost)))
        if cost and amount > 0:
            rows.extend((contact_type, segment, "platform", 0.0, 0.0, cost * contacts / amount)
                        for contact_type, segment, contacts in own)
    return rows


def _fixed(usage: list[tuple], offered: list[tuple], total: float, scenario: Scenario) -> list[Row]:
    if total == 0:
        return []
    drivers: dict[tuple[str, str], float] = {}
    if scenario.costs.fixed_cost_driver == "minutes":
        for contact_type, segment, _, _, _, seconds in usage:
            drivers[(contact_type, segment)] = drivers.get((contact_type, segment), 0.0) + seconds
    else:
        for contact_type, segment, contacts in offered:
            drivers[(contact_type, segment)] = drivers.get((contact_type, segment), 0.0) + contacts
    amount = float(sum(drivers.values()))
    if amount <= 0:
        return [(UNALLOCATED, UNALLOCATED, "fixed", 0.0, 0.0, total)]
    return [(contact_type, segment, "fixed", 0.0, 0.0, total * value / amount)
            for (contact_type, segment), value in drivers.items()]


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
    labor = labor_by_group(result, scenario)
    costs = RunCosts(group_labor={name: sum(parts.values()) for name, parts in labor.items()},
                     vendors=vendor_costs(result, scenario), ai=ai_cost(result, scenario),
                     fixed=scenario.costs.fixed_per_day * result.info.days,
                     platform=channel_platform_costs(result, scenario) if has_channel_costs(scenario) else {})
    table = _summed(_cost_rows(rows, offered, costs, scenario))
    offered_by_key = {(kind, segment): contacts for kind, segment, contacts in offered}
    channel_of = dict(zip(scenario.contact_type_names(), scenario.type_channels()))
    return pd.DataFrame([(kind, channel_of.get(kind, UNALLOCATED), segment, channel, contacts, minutes, cost,
                          float(offered_by_key.get((kind, segment), 0.0)))
                         for kind, segment, channel, contacts, minutes, cost in table],
                        columns=["contact_type", "contact_channel", "segment", "channel", "contacts", "minutes",
                                 "cost", "offered"])


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
