"""Per-interval KPIs: additive counts per replication, ratios after averaging.

Each replication yields sums (contacts, seconds waited, agent seconds) per
interval; averaging sums over replications and then taking ratios gives
pooled estimates that stay defined in quiet intervals. Contacts count in the
interval they arrived in; agent time in the interval it was spent in.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.config import WEEKDAYS, format_time_of_day
from sim.records import ABANDONED, ANSWERED, CONTAINED, SimulationResult

from .kpis import busy_and_duty_seconds

ADDITIVE_COLUMNS = ("offered", "offered_to_queue", "answered", "abandoned", "answered_within_threshold",
                    "wait_seconds_answered", "answered_inhouse", "answered_vendor", "ai_sessions", "ai_contained",
                    "escalated", "repeat_contacts", "csat_sum", "csat_count", "busy_seconds", "duty_seconds",
                    "vendor_busy_seconds", "vendor_duty_seconds", "scheduled_agents", "available_agents",
                    "paid_hours", "vendor_seats")


def interval_sums(result: SimulationResult, scores: pd.Series) -> pd.DataFrame:
    """Additive per-interval quantities of one replication (one row per measured interval).

    ``scores``: satisfaction score of each measured contact (NaN where unscored).
    """
    info = result.info
    per_day = 86_400 // info.interval_seconds
    total = info.days * per_day
    contacts = result.measured_contacts()
    index = (contacts["day"] * per_day + contacts["interval"]).to_numpy()
    outcome = contacts["outcome"].to_numpy(str)
    queued = contacts["queue_entry_time"].notna().to_numpy()
    answered = (outcome == ANSWERED) & queued
    kind = contacts["handler_kind"].to_numpy(str)
    waits = contacts["wait_seconds"].to_numpy(float)
    csat = scores.reindex(contacts.index).to_numpy(float)

    def count(mask: np.ndarray) -> np.ndarray:
        return np.bincount(index[mask], minlength=total).astype(float)

    def total_of(values: np.ndarray, mask: np.ndarray) -> np.ndarray:
        return np.bincount(index[mask], weights=values[mask], minlength=total)

    edges = np.arange(total + 1, dtype=float) * info.interval_seconds
    busy, on_duty = busy_and_duty_seconds(result, edges, "inhouse")
    vendor_busy, vendor_duty = busy_and_duty_seconds(result, edges, "vendor")
    staffing = _staffing_by_interval(result.staffing, per_day, total)
    return pd.DataFrame({
        "day": np.arange(total) // per_day,
        "interval": np.arange(total) % per_day,
        "offered": count(np.ones(len(index), dtype=bool)),
        "offered_to_queue": count(queued),
        "answered": count(answered),
        "abandoned": count((outcome == ABANDONED) & queued),
        "answered_within_threshold": count(answered & (waits <= info.service_level_threshold)),
        "wait_seconds_answered": total_of(waits, answered),
        "answered_inhouse": count(answered & (kind == "inhouse")),
        "answered_vendor": count(answered & (kind == "vendor")),
        "ai_sessions": count(contacts["ai_session_seconds"].notna().to_numpy()),
        "ai_contained": count(outcome == CONTAINED),
        "escalated": count(contacts["escalated"].to_numpy(bool)),
        "repeat_contacts": count(contacts["origin"].to_numpy(str) == "repeat"),
        "csat_sum": total_of(np.nan_to_num(csat), ~np.isnan(csat)),
        "csat_count": count(~np.isnan(csat)),
        "busy_seconds": busy,
        "duty_seconds": on_duty,
        "vendor_busy_seconds": vendor_busy,
        "vendor_duty_seconds": vendor_duty,
        **staffing,
    })


def _staffing_by_interval(staffing: pd.DataFrame, per_day: int, total: int) -> dict[str, np.ndarray]:
    """In-house agents scheduled, available and paid, and vendor seats, summed over groups per interval."""
    position = (staffing["day"] * per_day + staffing["interval"]).to_numpy()

    def summed(column: str, kind: str) -> np.ndarray:
        mask = (staffing["kind"] == kind).to_numpy()
        return np.bincount(position[mask], weights=staffing[column].to_numpy(float)[mask], minlength=total)

    return {
        "scheduled_agents": summed("scheduled_agents", "inhouse"),
        "available_agents": summed("available_agents", "inhouse"),
        "paid_hours": summed("paid_hours", "inhouse"),
        "vendor_seats": summed("available_agents", "vendor"),
    }


def summarize_intervals(per_replication: list[pd.DataFrame], interval_seconds: int,
                        start_weekday: str = "monday") -> pd.DataFrame:
    """Average the additive sums over replications and derive the per-interval KPIs."""
    stacked = pd.concat(per_replication, ignore_index=True)
    mean = stacked.groupby(["day", "interval"], sort=True)[list(ADDITIVE_COLUMNS)].mean().reset_index()
    with np.errstate(divide="ignore", invalid="ignore"):
        table = pd.DataFrame({
            "day": mean["day"] + 1,
            "weekday": [WEEKDAYS[(WEEKDAYS.index(start_weekday) + day) % 7] for day in mean["day"]],
            "interval_start": [format_time_of_day(i * interval_seconds) for i in mean["interval"]],
            "offered": mean["offered"],
            "offered_to_queue": mean["offered_to_queue"],
            "answered": mean["answered"],
            "abandoned": mean["abandoned"],
            "abandon_rate": mean["abandoned"] / mean["offered_to_queue"],
            "service_level": mean["answered_within_threshold"] / mean["offered_to_queue"],
            "asa_seconds": mean["wait_seconds_answered"] / mean["answered"],
            "agents_on_duty": mean["duty_seconds"] / interval_seconds,
            "scheduled_agents": mean["scheduled_agents"],
            "available_agents": mean["available_agents"],
            "occupancy": mean["busy_seconds"] / mean["duty_seconds"],
            "paid_hours": mean["paid_hours"],
            "answered_inhouse": mean["answered_inhouse"],
            "answered_vendor": mean["answered_vendor"],
            "vendor_seats": mean["vendor_seats"],
            "vendor_occupancy": mean["vendor_busy_seconds"] / mean["vendor_duty_seconds"],
            "ai_sessions": mean["ai_sessions"],
            "ai_contained": mean["ai_contained"],
            "escalated": mean["escalated"],
            "repeat_contacts": mean["repeat_contacts"],
            "csat_mean": mean["csat_sum"] / mean["csat_count"],
        })
    return table.replace([np.inf, -np.inf], np.nan)
