"""Per-interval KPIs: additive counts per replication, ratios after averaging.

Each replication yields sums (contacts, seconds waited, agent seconds) per
interval; averaging sums over replications and then taking ratios gives
pooled estimates that stay defined in quiet intervals. Contacts count in the
interval they arrived in; agent time in the interval it was spent in.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.config import SECONDS_PER_DAY, WEEKDAYS, format_time_of_day
from sim.records import SimulationResult

from .kpis import channel_kpis, occupancy_kpis, service_kpis
from .satisfaction import satisfaction_kpis

KEY_COLUMNS = ("day", "interval")


def interval_sums(result: SimulationResult) -> pd.DataFrame:
    """Additive per-interval quantities of one replication (one row per measured interval): the collector's
    counters plus agents scheduled, available and paid from the staffing plans."""
    info = result.info
    per_day = SECONDS_PER_DAY // info.interval_seconds
    total = info.days * per_day
    index = np.arange(total)
    return pd.DataFrame({
        "day": index // per_day,
        "interval": index % per_day,
        **result.counters.intervals,
        **_staffing_by_interval(result.staffing, per_day, total),
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
    additive = [column for column in stacked.columns if column not in KEY_COLUMNS]
    mean = stacked.groupby(list(KEY_COLUMNS), sort=True)[additive].mean().reset_index()
    service = service_kpis(mean)
    channels = channel_kpis(mean)
    occupancy = occupancy_kpis(mean)
    table = pd.DataFrame({
        "day": mean["day"] + 1,
        "weekday": [WEEKDAYS[(WEEKDAYS.index(start_weekday) + day) % 7] for day in mean["day"]],
        "interval_start": [format_time_of_day(i * interval_seconds) for i in mean["interval"]],
        "offered": mean["offered"],
        "offered_to_queue": mean["offered_to_queue"],
        "answered": mean["answered"],
        "abandoned": mean["abandoned"],
        "abandon_rate": service["abandon_rate"],
        "service_level": service["service_level"],
        "asa_seconds": service["asa_seconds"],
        "mean_wait_seconds": service["mean_wait_seconds"],
        "agents_on_duty": mean["duty_seconds"] / interval_seconds,
        "agents_away": mean["away_seconds"] / interval_seconds,
        "scheduled_agents": mean["scheduled_agents"],
        "available_agents": mean["available_agents"],
        "occupancy": occupancy["occupancy"],
        "paid_hours": mean["paid_hours"],
        "answered_inhouse": mean["answered_inhouse"],
        "answered_vendor": mean["answered_vendor"],
        "vendor_seats": mean["vendor_seats"],
        "vendor_occupancy": occupancy["vendor_occupancy"],
        "ai_sessions": mean["ai_sessions"],
        "ai_contained": mean["ai_contained"],
        "escalated": mean["escalated"],
        "repeat_contacts": mean["repeat_contacts"],
        "fcr_rate": channels["fcr_rate"],
        "csat_mean": satisfaction_kpis(mean)["csat_mean"],
    })
    return table
