"""Hour-of-day profiles estimated from a log: ratios to the mean, shrunk by their sampling error.

Some quantities keep their shape over the day but not their level: talk time
is shorter at the edges of the day (in the Anonymous Bank log PS calls last
143 s at 7:00 and about 200 s at mid-day, in both months), and agents are
away more around lunch. :func:`hourly_ratios` estimates, per hour of day, the
mean of a per-event value over its overall mean, and shrinks each ratio
towards 1 by how much of its spread sampling error explains (empirical
Bayes: weight tau^2 / (tau^2 + se_h^2), with tau^2 the between-hour variance
left after sampling error), so that thin hours do not make up a profile.
:func:`hourly_spec` writes such a profile in the scenario format
(``{"HH:MM": factor}``, each holding until the next time listed).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.config import format_time_of_day

MIN_PER_HOUR = 2  # an hour needs this many events for a variance


def hourly_ratios(values: np.ndarray, hours: np.ndarray) -> dict[int, float]:
    """Per hour of day with events: shrunk mean(values in the hour) / mean(values) (see module docstring)."""
    values, hours = np.asarray(values, dtype=float), np.asarray(hours, dtype=int)
    overall = values.mean() if len(values) else np.nan
    if not overall > 0:
        return {}
    table = (pd.DataFrame({"hour": hours, "ratio": values / overall})
             .groupby("hour")["ratio"].agg(["mean", "var", "size"]))
    table = table.loc[table["size"] >= MIN_PER_HOUR]
    if table.empty:
        return {}
    error = table["var"] / table["size"]
    # Between-hour variance beyond sampling error (weighted by events, so rare hours do not dominate).
    spread = max(float(np.average((table["mean"] - 1.0) ** 2 - error, weights=table["size"])), 0.0)
    weight = spread / (spread + error.clip(lower=1e-12))
    return {int(hour): float(1.0 + (row["mean"] - 1.0) * w) for (hour, row), w in zip(table.iterrows(), weight)}


def hourly_spec(factors: dict[int, float], digits: int = 4) -> dict[str, float]:
    """``{"HH:MM": factor}`` for every hour from the first to the last one given (1 for hours in between
    without a factor, and from the hour after the last); empty when every factor rounds to 1."""
    if not factors or all(round(value, digits) == 1.0 for value in factors.values()):
        return {}
    first, last = min(factors), max(factors)
    spec = {format_time_of_day(hour * 3600): round(factors.get(hour, 1.0), digits) for hour in range(first, last + 1)}
    if last < 23:
        spec[format_time_of_day((last + 1) * 3600)] = 1.0
    return spec


def handle_time_profiles(contacts: pd.DataFrame, types: list[str]) -> dict[str, dict[int, float]]:
    """Per contact type: talk time by hour of arrival over the type's mean (answered calls, shrunk)."""
    answered = contacts.loc[(contacts["outcome"] == "answered") & (contacts["handle_seconds"] > 0)]
    profiles = {}
    for name in types:
        rows = answered.loc[answered["contact_type"] == name]
        hours = (rows["arrival_seconds"].to_numpy(dtype=float) // 3600).clip(0, 23).astype(int)
        profiles[name] = hourly_ratios(rows["handle_seconds"].to_numpy(dtype=float), hours)
    return profiles
