"""Key performance indicators: their definitions, and their values from a run's counters.

This module is the one place KPIs are defined: :data:`KPIS` holds every
KPI's unit and definition (README's KPI table is generated from it, and a
test checks they agree), and the functions below compute them from the
counts and sums the engine collects as contacts end
(:class:`sim.records.RunCounters`). The same ratio functions serve a whole
run, an interval, a day or a contact type, so every consumer (run, compare,
sweep, staffing search, back-test) counts alike.

Contacts are attempts arriving within the horizon (warm-up excluded),
retrials and repeat contacts included.

With more than one channel, the KPIs of :data:`~analysis.metrics.by_channel.CHANNEL_KPIS`
are also reported per channel as ``<channel>.<kpi>`` (``chat.service_level``),
with the same definitions over that channel's contacts
(:mod:`analysis.metrics.by_channel`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sim.config import Scenario
from sim.config.omnichannel import CHANNELS
from sim.records import SimulationResult

from .by_channel import feature_kpis, per_channel_kpis
from .costs import cost_breakdown as cost_breakdown_of
from .costs import cost_kpis
from .rates import ratio
from .satisfaction import satisfaction_kpis
from .value import scored_by_segment, value_kpis


@dataclass(frozen=True)
class KPI:
    unit: str  # contacts, customers, share, seconds, score, hours, currency, ratio, breaks
    definition: str


KPIS: dict[str, KPI] = {
    "contacts_offered": KPI("contacts", "all contact attempts"),
    "offered_to_queue": KPI("contacts", "attempts that asked for a human (entered an in-house or vendor queue)"),
    "answered": KPI("contacts", "answered by a human"),
    "abandoned": KPI("contacts", "hung up in a human queue"),
    "ai_contained": KPI("contacts", "resolved (or seemingly resolved) by the AI"),
    "ai_abandoned": KPI("contacts", "gave up in the AI or waiting for it"),
    "in_system": KPI("contacts", "still in the system when the run stopped"),
    "silent_abandoned": KPI("contacts", "chat or messaging customers who left without saying so (counted in "
                                       "abandoned when they left; an agent held a slot to find out)"),
    "abandon_rate": KPI("share", "abandoned / offered to the queue"),
    "service_level": KPI("share", "answered within the threshold (default 20 s; a channel may set its own, "
                                  "backlog items use their deferred target) / offered to the queue; "
                                  "abandoned contacts count as failures whenever they hung up"),
    "asa_seconds": KPI("seconds", "mean wait of answered contacts"),
    "mean_wait_seconds": KPI("seconds", "mean wait of all contacts offered to the queue, abandoned ones up to "
                                        "when they hung up, unfinished ones up to the end of the run"),
    "occupancy": KPI("share", "in-house agent time busy (talk + after-call work, or holding at least one chat "
                              "or backlog item) / agent time on the phones, within the horizon"),
    "vendor_occupancy": KPI("share", "the same for vendor seats"),
    "automation_rate": KPI("share", "contacts resolved by the AI (contained and not falsely) / contacts offered"),
    "claimed_containment_rate": KPI("share", "contacts the AI reports resolved (contained, falsely or not) / "
                                             "contacts offered"),
    "ai_sessions": KPI("contacts", "contacts that had an AI session"),
    "escalation_rate": KPI("share", "escalated by the AI / AI sessions"),
    "repeat_contact_rate": KPI("share", "repeat contacts (after an unresolved contact) / contacts offered"),
    "outsourced_share": KPI("share", "answered by vendors / answered by humans"),
    "fcr_rate": KPI("share", "handled contacts (answered or contained) that resolved the issue / handled "
                             "contacts"),
    "csat_mean": KPI("score", "mean satisfaction score of scored contacts (every contact that ended)"),
    "loyal_share": KPI("share", "share of scored contacts with a score of at least `loyal_at_least` (85)"),
    "lost_share": KPI("share", "share of scored contacts with a score below `lost_below` (50)"),
    "complaint_rate": KPI("share", "expected complaints per contact: each ended contact's complaint chance from "
                                   "what happened to it (`[complaints]`: unresolved, falsely contained, frustrated "
                                   "escalation, long wait, abandoned, repeated), summed, / contacts offered"),
    "agents_paid_hours": KPI("hours", "scheduled paid in-house hours (shifts minus unpaid breaks)"),
    "overtime_hours": KPI("hours", "overtime hours under an overtime rule"),
    "breaks_deferred": KPI("breaks", "breaks (agent-breaks due in the horizon) started after their planned time "
                                       "under a group's `break_deferral` rule"),
    "breaks_missed": KPI("breaks", "paid breaks still deferred at the end of their window, so not taken"),
    "labor_cost": KPI("currency", "wages (paid hours x wage) + overtime (hours x wage x (1 + premium)) + "
                                  "on-costs ((wages + overtime) x on-cost rates such as social insurance) + "
                                  "training (cost per agent-day x shifts worked)"),
    "ai_cost": KPI("currency", "AI sessions x cost per session + session minutes x cost per minute + platform "
                               "cost per day x days"),
    "outsourcing_cost": KPI("currency", "per vendor, by its price model: handled contacts x rate, handled "
                                        "minutes x rate, or contracted seat hours x rate; at least the monthly "
                                        "minimum prorated over the days (30-day month)"),
    "fixed_cost": KPI("currency", "fixed cost per day (systems, facilities, overhead) x days"),
    "channel_cost": KPI("currency", "platform and carrier fees: contacts offered x cost per contact of their "
                                    "channel"),
    "total_cost": KPI("currency", "labor + AI + outsourcing + fixed + channel"),
    "cost_per_contact": KPI("currency", "total cost / contacts offered; by channel activity-based: labor by "
                                        "in-house agent time on the channel, AI by its sessions, vendors by "
                                        "their handle time, its own channel cost, fixed cost by contacts"),
    "deferred_within_target": KPI("share", "backlog items (messaging, email) answered within their deferred "
                                           "target / items due: answered, abandoned, or still waiting past "
                                           "their target when the run stopped"),
    "backlog_end_of_day": KPI("contacts", "backlog items waiting at the end of a day, mean over the days"),
    "backlog_at_end": KPI("contacts", "backlog items waiting at the end of the last day"),
    "oldest_backlog_hours": KPI("hours", "age of the oldest backlog item waiting at the end of a day, the "
                                         "largest over the days"),
    "callbacks_offered": KPI("contacts", "callers offered a callback (expected wait above the threshold)"),
    "callbacks_accepted": KPI("contacts", "callers who accepted a callback"),
    "callbacks_completed": KPI("contacts", "callbacks dialled by an agent"),
    "callback_promises_kept": KPI("share", "callbacks dialled no later than promised (plus tolerance) / "
                                           "callbacks completed"),
    "callback_wait_seconds": KPI("seconds", "mean time from accepting a callback to being dialled"),
    "abandonment_saved": KPI("contacts", "completed callbacks whose caller's own patience would have run out "
                                         "on hold before the call came"),
    "channel_switches": KPI("contacts", "customers who abandoned or gave up in the AI and came back through "
                                        "another channel"),
    "churn_from_service": KPI("customers", "with `[value]`: customers a year the center's service adds to churn "
                                           "(lost contacts x the churn increase - loyal contacts x the decrease, "
                                           "annualised); negative when service keeps customers"),
    "customers_kept": KPI("customers", "customers still there after a year: base - base churn - churn from "
                                       "service, within 0 and the base, summed over segments"),
    "value_kept": KPI("currency", "customers kept x their lifetime value (CLV with churn and discounting), a "
                                  "year; see \"Customer value\""),
}


class _KpiUnits(dict):
    """Units by KPI name; a per-channel name (``chat.service_level``) has its KPI's unit."""

    def _base(self, name):
        if isinstance(name, str) and "." in name:
            channel, base = name.split(".", 1)
            if channel in CHANNELS:
                return base
        return name

    def __contains__(self, name) -> bool:
        return super().__contains__(self._base(name))

    def __missing__(self, name):
        base = self._base(name)
        if base == name:
            raise KeyError(name)
        return self[base]

    def get(self, name, default=None):
        return self[name] if name in self else default

    def copy(self) -> "_KpiUnits":
        return _KpiUnits(self)


KPI_UNITS: dict[str, str] = _KpiUnits({name: kpi.unit for name, kpi in KPIS.items()})


def service_kpis(counts: Mapping) -> dict:
    """Volume, waiting and abandonment KPIs from summed counts (a run, an interval, a day, a type ...).

    ``counts`` holds the collector's columns (numbers, or arrays such as a table's columns): offered,
    offered_to_queue, answered, abandoned, in_system, answered_within_threshold, wait_seconds_answered,
    wait_seconds_queued.
    """
    queued = counts["offered_to_queue"]
    return {
        "contacts_offered": counts["offered"],
        "offered_to_queue": queued,
        "answered": counts["answered"],
        "abandoned": counts["abandoned"],
        "in_system": counts["in_system"],
        "abandon_rate": ratio(counts["abandoned"], queued),
        "service_level": ratio(counts["answered_within_threshold"], queued),
        "asa_seconds": ratio(counts["wait_seconds_answered"], counts["answered"]),
        "mean_wait_seconds": ratio(counts["wait_seconds_queued"], queued),
    }


def channel_kpis(counts: Mapping) -> dict:
    """How work splits between the AI, in-house agents and vendors, and how much is resolved."""
    offered = counts["offered"]
    return {
        "ai_sessions": counts["ai_sessions"],
        "ai_contained": counts["ai_contained"],
        "ai_abandoned": counts["ai_abandoned"],
        "automation_rate": ratio(counts["ai_resolved"], offered),
        "claimed_containment_rate": ratio(counts["ai_contained"], offered),
        "escalation_rate": ratio(counts["escalated"], counts["ai_sessions"]),
        "repeat_contact_rate": ratio(counts["repeat_contacts"], offered),
        "outsourced_share": ratio(counts["answered_vendor"], counts["answered"]),
        "fcr_rate": ratio(counts["handled_resolved"], counts["handled"]),
        "complaint_rate": ratio(counts["complaints"], offered),
    }


def occupancy_kpis(counts: Mapping) -> dict:
    return {"occupancy": ratio(counts["busy_seconds"], counts["duty_seconds"]),
            "vendor_occupancy": ratio(counts["vendor_busy_seconds"], counts["vendor_duty_seconds"])}


def run_totals(result: SimulationResult) -> dict[str, float]:
    """Every per-interval counter of a run summed over the horizon."""
    return {name: float(values.sum()) for name, values in result.counters.intervals.items()}


def compute_kpis(result: SimulationResult, scenario: Scenario,
                 cost_breakdown: dict[str, float] | None = None) -> dict[str, float]:
    """All KPIs of one replication (definitions in :data:`KPIS`); ``cost_breakdown``: if already made."""
    totals = run_totals(result)
    kpis = service_kpis(totals)
    kpis.update(channel_kpis(totals))
    kpis.update(occupancy_kpis(totals))
    kpis.update(satisfaction_kpis(totals))
    breakdown = cost_breakdown if cost_breakdown is not None else cost_breakdown_of(result, scenario)
    kpis.update(cost_kpis(result, scenario, kpis["contacts_offered"], breakdown))
    kpis.update(value_kpis(scenario, scored_by_segment(result.counters), result.info.days))
    kpis.update(feature_kpis(scenario, result.counters, totals))
    kpis.update(break_kpis(result))
    ordered = {name: kpis[name] for name in KPIS if name in kpis}
    ordered.update(per_channel_kpis(result, scenario, breakdown))
    return ordered


def break_kpis(result: SimulationResult) -> dict[str, float]:
    """Breaks deferred and missed under break-deferral rules, summed over the in-house groups."""
    handlers = result.counters.by_handler
    return {name: float(sum(handlers[group].get(name, 0.0) for group in result.info.groups if group in handlers))
            for name in ("breaks_deferred", "breaks_missed")}


def kpi_table_markdown() -> str:
    """README's KPI table, generated from :data:`KPIS`."""
    lines = ["| KPI | unit | definition |", "|---|---|---|"]
    lines += [f"| `{name}` | {kpi.unit} | {kpi.definition} |" for name, kpi in KPIS.items()]
    return "\n".join(lines)
