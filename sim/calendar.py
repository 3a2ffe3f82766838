"""The time grid of a run: days, intervals, weekdays and opening hours, in seconds.

Day indices run from -1 (the day before the horizon, whose tail is the
warm-up) to ``days`` (the day after it, used only while draining), so demand
and staffing rules apply unchanged to warm-up and drain.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .config import WEEKDAYS, Scenario, time_of_day_seconds
from .config.types import SECONDS_PER_DAY


@dataclass(frozen=True)
class Calendar:
    days: int
    interval_seconds: int
    start_weekday: int
    warmup_seconds: float
    drain_seconds: float
    opening: dict[str, tuple[int, int] | None]  # weekday -> (open, close) seconds, None when closed

    @classmethod
    def from_scenario(cls, scenario: Scenario) -> "Calendar":
        horizon = scenario.horizon
        default = (time_of_day_seconds(horizon.open), time_of_day_seconds(horizon.close))
        opening: dict[str, tuple[int, int] | None] = {day: default for day in WEEKDAYS}
        for weekday, hours in horizon.weekday_hours.items():
            opening[weekday] = None if hours.closed else (time_of_day_seconds(hours.open),
                                                          time_of_day_seconds(hours.close))
        return cls(days=horizon.days, interval_seconds=horizon.interval_minutes * 60,
                   start_weekday=WEEKDAYS.index(horizon.start_weekday),
                   warmup_seconds=horizon.warmup_minutes * 60.0,
                   drain_seconds=horizon.drain_minutes * 60.0, opening=opening)

    @property
    def intervals_per_day(self) -> int:
        return SECONDS_PER_DAY // self.interval_seconds

    @property
    def horizon_seconds(self) -> float:
        return float(self.days * SECONDS_PER_DAY)

    @property
    def total_intervals(self) -> int:
        return self.days * self.intervals_per_day

    def weekday(self, day: int) -> str:
        return WEEKDAYS[(self.start_weekday + day) % 7]

    def open_mask(self, day: int) -> np.ndarray:
        """Boolean per interval of ``day``: True where the center takes new contacts."""
        hours = self.opening[self.weekday(day)]
        mask = np.zeros(self.intervals_per_day, dtype=bool)
        if hours is not None:
            mask[hours[0] // self.interval_seconds: hours[1] // self.interval_seconds] = True
        return mask

    def next_business_day_close(self, time: float) -> float:
        """When the next open day after the day of ``time`` closes (seconds; infinite if none is open)."""
        day = int(time // SECONDS_PER_DAY)
        for later in range(day + 1, day + 8):
            hours = self.opening[self.weekday(later)]
            if hours is not None:
                return later * float(SECONDS_PER_DAY) + hours[1]
        return float("inf")

    def due_time(self, target, arrival: float) -> float:
        """Due time of an item arriving at ``arrival`` under a deferred target (``within_hours`` after
        arriving, or by the close of the next business day)."""
        if target.within_hours is not None:
            return arrival + target.within_hours * 3600.0
        return self.next_business_day_close(arrival)

    def interval_starts(self) -> np.ndarray:
        """Start (seconds from the horizon start) of every measured interval."""
        return np.arange(self.total_intervals, dtype=float) * self.interval_seconds
