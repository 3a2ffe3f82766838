"""Per-interval KPIs: additive counts per replication, ratios after averaging.

Each replication yields sums (contacts, seconds waited, agent seconds) per
interval; averaging sums over replications and then taking ratios gives
pooled estimates that stay defined in quiet intervals.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.config import WEEKDAYS, format_time_of_day
from sim.records import ABANDONED, ANSWERED, SimulationResult

from .kpis import busy_and_duty_seconds

ADDITIVE_COLUMNS = ("offered", "offered_to_queue", "answered", "abandoned", "answered_within_threshold",
                    "wait_seconds_answered", "busy_seconds", "duty_seconds", "scheduled_agents",
                    "available_agents", "paid_hours")


def interval_sums(result: SimulationResult) -> pd.DataFrame:
    """Additive per-interval quantities of one replication (one row per measured interval)."""
    info = result.info
    per_day = 86_400 // info.interval_seconds
    total = info.days * per_day
    contacts = result.measured_contacts()
    index = (contacts["day"] * per_day + contacts["interval"]).to_numpy()
    queued = contacts["queue_entry_time"].notna().to_numpy()
    answered = (contacts["outcome"] == ANSWERED).to_numpy(bool) & queued
    waits = contacts["wait_seconds"].to_numpy(float)

    def count(mask: np.ndarray) -> np.ndarray:
        return np.bincount(index[mask], minlength=total).astype(float)

    edges = np.arange(total + 1, dtype=float) * info.interval_seconds
    busy, on_duty = busy_and_duty_seconds(result, edges)
    staffing = result.staffing.groupby(["day", "interval"], sort=True)[
        ["scheduled_agents", "available_agents", "paid_hours"]].sum()
    return pd.DataFrame({
        "day": np.arange(total) // per_day,
        "interval": np.arange(total) % per_day,
        "offered": count(np.ones(len(index), dtype=bool)),
        "offered_to_queue": count(queued),
        "answered": count(answered),
        "abandoned": count((contacts["outcome"] == ABANDONED).to_numpy(bool) & queued),
        "answered_within_threshold": count(answered & (waits <= info.service_level_threshold)),
        "wait_seconds_answered": np.bincount(index[answered], weights=waits[answered], minlength=total),
        "busy_seconds": busy,
        "duty_seconds": on_duty,
        "scheduled_agents": staffing["scheduled_agents"].to_numpy(),
        "available_agents": staffing["available_agents"].to_numpy(),
        "paid_hours": staffing["paid_hours"].to_numpy(),
    })


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
        })
    return table.replace([np.inf, -np.inf], np.nan)
