"""KPIs by channel, and the KPIs of backlog channels, callbacks, silent abandonment and switching.

Definitions are in :data:`analysis.metrics.kpis.KPIS`. A channel's KPIs are
named ``<channel>.<kpi>`` (``chat.service_level``) and computed from the sums
over that channel's contact types, with the same functions as the totals, so
they add up: contacts offered by channel sum to the total, costs by channel
to the total cost. They are reported only when the scenario has more than one
channel; the backlog, callback, silent-abandonment and switching KPIs only
when the scenario uses those features, so a center of calls reports what it
always did.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from sim.config import Scenario
from sim.config.omnichannel import BACKLOG_CHANNELS
from sim.records import RunCounters, SimulationResult

from .costs import channel_costs
from .rates import ratio
from .satisfaction import satisfaction_kpis

SECONDS_PER_HOUR = 3600.0
# Broken down by channel (``<channel>.<kpi>``); the backlog ones for backlog channels only.
CHANNEL_KPIS = ("contacts_offered", "answered", "abandoned", "abandon_rate", "service_level", "asa_seconds",
                "mean_wait_seconds", "csat_mean", "cost_per_contact")
BACKLOG_CHANNEL_KPIS = ("deferred_within_target", "backlog_at_end", "oldest_backlog_hours")


def feature_kpis(scenario: Scenario, counters: RunCounters, totals: Mapping[str, float]) -> dict[str, float]:
    """Backlog, callback, silent-abandonment and switching KPIs of the features the scenario uses."""
    kpis: dict[str, float] = {}
    types = scenario.contact_types
    if any(t.silent_abandonment for t in types):
        kpis["silent_abandoned"] = totals["silent_abandoned"]
    backlog_types = [t.name for t in types if t.channel in BACKLOG_CHANNELS]
    if backlog_types:
        kpis.update(backlog_kpis(counters, totals, backlog_types))
    if any(t.callback for t in types):
        kpis.update(callback_kpis(totals))
    if any(t.switch for t in types):
        kpis["channel_switches"] = totals["switched_out"]
    return kpis


def backlog_kpis(counters: RunCounters, totals: Mapping[str, float], types: Sequence[str]) -> dict[str, float]:
    """Deferred target met, backlog at the end of each day and the oldest item, over ``types``."""
    rows = [counters.type_names.index(name) for name in types]
    per_day = counters.day_end_backlog[rows].sum(axis=0)
    oldest = counters.day_end_oldest_seconds[rows]
    return {
        "deferred_within_target": ratio(totals["deferred_within"], totals["deferred_due"]),
        "backlog_end_of_day": float(per_day.mean()) if per_day.size else 0.0,
        "backlog_at_end": float(per_day[-1]) if per_day.size else 0.0,
        "oldest_backlog_hours": float(oldest.max()) / SECONDS_PER_HOUR if oldest.size else 0.0,
    }


def callback_kpis(totals: Mapping[str, float]) -> dict[str, float]:
    completed = totals["callbacks_completed"]
    return {
        "callbacks_offered": totals["callbacks_offered"],
        "callbacks_accepted": totals["callbacks_accepted"],
        "callbacks_completed": completed,
        "callback_promises_kept": ratio(totals["callback_promises_kept"], completed),
        "callback_wait_seconds": ratio(totals["callback_wait_seconds"], completed),
        "abandonment_saved": totals["abandonment_saved"],
    }


def per_channel_kpis(result: SimulationResult, scenario: Scenario, breakdown: dict[str, float]) -> dict[str, float]:
    """``<channel>.<kpi>`` for every channel present, when there is more than one."""
    from .kpis import service_kpis  # the same definitions as the totals

    counters = result.counters
    channels = counters.channel_types()
    if len(channels) < 2:
        return {}
    costs = channel_costs(result, scenario, breakdown)
    kpis: dict[str, float] = {}
    for channel, types in channels.items():
        totals = {name: float(np.sum(values)) for name, values in counters.intervals_for(types).items()}
        values = {**service_kpis(totals), **satisfaction_kpis(totals),
                  "cost_per_contact": ratio(costs[channel], totals["offered"])}
        if channel in BACKLOG_CHANNELS:
            values.update(backlog_kpis(counters, totals, types))
        names = CHANNEL_KPIS + (BACKLOG_CHANNEL_KPIS if channel in BACKLOG_CHANNELS else ())
        kpis.update({f"{channel}.{name}": values[name] for name in names})
    return kpis
