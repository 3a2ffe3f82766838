"""Agents on duty per interval, inferred from who served contacts when.

Method: an agent counts as on duty in an interval when any of their services
(answer to end) overlaps it; a zero-length service counts in the interval it
falls in. Per date this gives a headcount per interval; per day type the mean
(and min / max) over the observed dates of that type.

Bias, and why it is tolerable as a first estimate:

* low - an agent on duty but idle for the whole interval, on a break, or
  doing non-call work is invisible; this matters in quiet intervals (early,
  late, weekends) and grows as intervals get shorter;
* low - services with no agent recorded (counted in ``unattributed_services``)
  or no service times cannot be attributed;
* high - a service that runs a little into the next interval, e.g. past the
  end of a shift, counts the agent in both; this grows as intervals shorten.

So the figure approximates agents *logged in and busy at least once*, which is
close to the scheduled headcount in busy intervals and below it in quiet ones.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .canonical import SECONDS_PER_DAY, weekday_names
from .day_types import DayTypes


@dataclass(frozen=True)
class StaffingEstimate:
    """Inferred agents on duty.

    ``per_day``: date, day_type, interval_start_seconds, agents_on_duty (every
    interval of every observed date, zeros included). ``by_day_type``:
    day_type, interval_start_seconds, mean_agents, min_agents, max_agents, days.
    """

    interval_seconds: int
    day_types: DayTypes
    per_day: pd.DataFrame
    by_day_type: pd.DataFrame
    attributed_services: int
    unattributed_services: int
    distinct_agents: int

    def mean_per_interval(self, day_type: str) -> np.ndarray:
        rows = self.by_day_type.loc[self.by_day_type["day_type"] == day_type]
        return rows.sort_values("interval_start_seconds")["mean_agents"].to_numpy(dtype=float)

    def headcount_rows(self) -> list[dict[str, object]]:
        """Rows for a scenario's ``headcount_rows``: interval (HH:MM), headcount, weekday.

        The headcount is the mean over the day type's dates rounded to the
        nearest whole agent, halves up.
        """
        rows: list[dict[str, object]] = []
        for record in self.by_day_type.itertuples(index=False):
            start = int(record.interval_start_seconds)
            for weekday in self.day_types.weekdays_of(record.day_type):
                rows.append({"interval": f"{start // 3600:02d}:{start % 3600 // 60:02d}",
                             "headcount": math.floor(record.mean_agents + 0.5), "weekday": weekday})
        return rows


def _busy_intervals(services: pd.DataFrame, interval_seconds: int) -> pd.DataFrame:
    """One row per (agent, date, interval) pair in which the agent was serving someone."""
    start = services["answer_seconds"].to_numpy(dtype=float)
    # A zero-length service still shows the agent present at that instant.
    end = np.maximum(services["end_seconds"].to_numpy(dtype=float), start + 1e-9)
    first = np.floor(start / interval_seconds).astype(np.int64)
    last = np.ceil(end / interval_seconds).astype(np.int64) - 1  # interval containing the last instant
    spans = last - first + 1
    row = np.repeat(np.arange(len(services)), spans)
    offset = np.arange(spans.sum()) - np.repeat(np.cumsum(spans) - spans, spans)
    absolute = first[row] + offset  # may run past midnight into the next date
    per_day = SECONDS_PER_DAY // interval_seconds
    dates = services["date"].to_numpy()[row] + (absolute // per_day).astype("timedelta64[D]")
    return pd.DataFrame({"agent_id": services["agent_id"].to_numpy()[row], "date": dates,
                         "interval": absolute % per_day}).drop_duplicates()


def infer_staffing(contacts: pd.DataFrame, interval_minutes: int = 30, day_types: DayTypes | None = None,
                   dates: Sequence[object] | None = None) -> StaffingEstimate:
    """Agents on duty per interval and date, and averaged per day type (see module docstring)."""
    day_types = day_types or DayTypes.each_weekday()
    interval_seconds = interval_minutes * 60
    per_day_count = SECONDS_PER_DAY // interval_seconds
    answered = contacts.loc[contacts["outcome"] == "answered"]
    attributable = answered["agent_id"].notna() & answered["answer_seconds"].notna() & answered[
        "end_seconds"].notna()
    services = answered.loc[attributable]
    observed_dates = pd.DatetimeIndex(sorted(pd.to_datetime(
        contacts["date"].unique() if dates is None else list(dates)).normalize().unique()))
    busy = _busy_intervals(services, interval_seconds)
    counts = busy.groupby(["date", "interval"]).size()
    grid = pd.MultiIndex.from_product([observed_dates, range(per_day_count)], names=["date", "interval"])
    # Services running past midnight of the last date land outside the grid and are left out.
    per_day = counts.reindex(grid, fill_value=0).rename("agents_on_duty").reset_index()
    per_day["interval_start_seconds"] = per_day.pop("interval") * interval_seconds
    per_day.insert(1, "day_type", weekday_names(per_day["date"]).map(day_types.of))
    by_day_type = (per_day.groupby(["day_type", "interval_start_seconds"], as_index=False)
                   .agg(mean_agents=("agents_on_duty", "mean"), min_agents=("agents_on_duty", "min"),
                        max_agents=("agents_on_duty", "max"), days=("agents_on_duty", "size")))
    return StaffingEstimate(interval_seconds=interval_seconds, day_types=day_types, per_day=per_day,
                            by_day_type=by_day_type, attributed_services=len(services),
                            unattributed_services=int((~attributable).sum()),
                            distinct_agents=int(services["agent_id"].nunique()))
