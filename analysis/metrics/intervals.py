"""Per-interval KPIs: additive counts per replication, ratios after averaging.

Each replication yields sums (contacts, seconds waited, agent seconds) per
interval; averaging sums over replications and then taking ratios gives
pooled estimates that stay defined in quiet intervals. Contacts count in the
interval they arrived in; agent time in the interval it was spent in.

With more than one channel, each channel also gets ``<channel>.<column>``
columns (offered, answered, abandoned, service level, ASA), and each backlog
channel ``<channel>.backlog``: items waiting at the start of the interval.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.config import SECONDS_PER_DAY, WEEKDAYS, format_time_of_day
from sim.config.omnichannel import BACKLOG_CHANNELS
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
        **_channel_sums(result, total),
    })


_CHANNEL_SUMS = ("offered", "offered_to_queue", "answered", "abandoned", "answered_within_threshold",
                 "wait_seconds_answered")


def _channel_sums(result: SimulationResult, total: int) -> dict[str, np.ndarray]:
    """Per channel (when there are several): its contacts' sums, and the backlog at each interval start."""
    channels = result.counters.channel_types()
    if len(channels) < 2:
        return {}
    sums: dict[str, np.ndarray] = {}
    for channel, types in channels.items():
        columns = result.counters.intervals_for(types)
        sums.update({f"{channel}.{name}": columns[name] for name in _CHANNEL_SUMS})
        if channel in BACKLOG_CHANNELS:
            sums[f"{channel}.backlog"] = _waiting_at_starts(result, types, total)
    return sums


def _waiting_at_starts(result: SimulationResult, types: list[str], total: int) -> np.ndarray:
    """Contacts of ``types`` waiting at each interval start (from the probes; their queues are named
    ``<destination>/<contact type>``)."""
    probes = result.snapshots
    queues = probes[(probes["kind"] == "queue") & probes["name"].str.split("/").str[-1].isin(types)]
    step = float(result.info.interval_seconds)
    at_start = queues[np.isclose(queues["time"] % step, 0.0)]
    position = (at_start["time"] // step).astype(int).to_numpy()
    keep = position < total
    return np.bincount(position[keep], weights=at_start["waiting"].to_numpy(float)[keep], minlength=total)


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
        "complaint_rate": channels["complaint_rate"],
        "csat_mean": satisfaction_kpis(mean)["csat_mean"],
    })
    return pd.concat([table, _channel_columns(mean)], axis=1)


def _channel_columns(mean: pd.DataFrame) -> pd.DataFrame:
    """``<channel>.offered``, ``.answered``, ``.abandoned``, ``.service_level``, ``.asa_seconds`` (and
    ``.backlog`` for backlog channels) from the averaged per-channel sums."""
    columns: dict[str, pd.Series] = {}
    channels = dict.fromkeys(name.split(".")[0] for name in mean.columns if name.endswith(".offered_to_queue"))
    for channel in channels:
        counts = {name: mean[f"{channel}.{name}"] for name in _CHANNEL_SUMS}
        service = service_kpis({**counts, "in_system": 0.0, "wait_seconds_queued": 0.0})
        columns[f"{channel}.offered"] = counts["offered"]
        columns[f"{channel}.answered"] = counts["answered"]
        columns[f"{channel}.abandoned"] = counts["abandoned"]
        columns[f"{channel}.service_level"] = service["service_level"]
        columns[f"{channel}.asa_seconds"] = service["asa_seconds"]
        if f"{channel}.backlog" in mean:
            columns[f"{channel}.backlog"] = mean[f"{channel}.backlog"]
    return pd.DataFrame(columns, index=mean.index)
