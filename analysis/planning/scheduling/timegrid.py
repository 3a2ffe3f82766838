"""Times of day and the planning grid of intervals a requirement refers to.

Every time inside the scheduling package is a whole number of minutes after
midnight of the planned day (read and written with ``sim.config.time_of_day_minutes``
and ``format_minutes_of_day``). Shifts may run past midnight, so agent presence
is kept on a two-day timeline (``TIMELINE_MINUTES``); the grid folds or cuts
the second day (see :class:`PlanningGrid`) before counting agents per interval.

Coverage rule (exact and used everywhere: MILP, roster counts, tests): an
agent counts for an interval only when on the phones during the *whole*
interval. An agent who starts, leaves or takes a break part-way through an
interval counts zero for it. This guarantees that at every instant of an
interval at least the counted number of agents is available.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.config import MINUTES_PER_DAY, format_minutes_of_day

TIMELINE_MINUTES = 2 * MINUTES_PER_DAY
"""Presence arrays span the planned day and the next one (a shift lasts at most 24 h)."""

ALLOWED_INTERVAL_MINUTES = (15, 30, 60)

def span_presence(starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Boolean presence on the two-day timeline for each ``[start, end)`` span (one row per span)."""
    minute = np.arange(TIMELINE_MINUTES)
    starts = np.asarray(starts, dtype=int)[:, None]
    ends = np.asarray(ends, dtype=int)[:, None]
    return (minute >= starts) & (minute < ends)


@dataclass(frozen=True)
class PlanningGrid:
    """The intervals of one planned day that a requirement vector refers to.

    ``intervals`` consecutive intervals of ``interval_minutes`` start at
    ``first_interval_minutes`` after midnight and must end by midnight.

    Midnight: with ``wrap=False`` a shift that runs past midnight simply covers
    nothing after the day's last interval (its whole cost still counts). With
    ``wrap=True`` the day is treated as repeating (the same plan every day), so
    the part of a shift after midnight covers the early intervals of the same
    day; this needs a grid spanning the full 24 hours.
    """

    interval_minutes: int
    intervals: int
    first_interval_minutes: int = 0
    wrap: bool = False

    def __post_init__(self) -> None:
        if self.interval_minutes not in ALLOWED_INTERVAL_MINUTES:
            raise ValueError(f"interval_minutes: {self.interval_minutes!r} is not allowed "
                             f"(one of {', '.join(map(str, ALLOWED_INTERVAL_MINUTES))})")
        if (self.first_interval_minutes % self.interval_minutes
                or not 0 <= self.first_interval_minutes < MINUTES_PER_DAY):
            raise ValueError(f"first_interval_minutes: {self.first_interval_minutes!r} must be a time of day "
                             f"on the {self.interval_minutes}-minute grid")
        if self.intervals < 1 or self.horizon_end > MINUTES_PER_DAY:
            raise ValueError(f"intervals: {self.intervals!r} intervals of {self.interval_minutes} minutes from "
                             f"{format_minutes_of_day(self.first_interval_minutes)} do not fit in the day")
        if self.wrap and (self.first_interval_minutes != 0 or self.horizon_end != MINUTES_PER_DAY):
            raise ValueError("wrap: a wrapping (repeating) day needs intervals covering 00:00 to 24:00")

    @classmethod
    def full_day(cls, interval_minutes: int, wrap: bool = False) -> "PlanningGrid":
        """All intervals of a day from midnight to midnight."""
        return cls(interval_minutes, MINUTES_PER_DAY // interval_minutes, 0, wrap)

    @property
    def horizon_start(self) -> int:
        return self.first_interval_minutes

    @property
    def horizon_end(self) -> int:
        return self.first_interval_minutes + self.intervals * self.interval_minutes

    def interval_starts(self) -> np.ndarray:
        """Minutes after midnight at which each interval starts."""
        return self.horizon_start + self.interval_minutes * np.arange(self.intervals)

    def labels(self) -> list[str]:
        """``HH:MM`` start of each interval."""
        return [format_minutes_of_day(minutes) for minutes in self.interval_starts()]

    def interval_minutes_view(self, presence: np.ndarray) -> np.ndarray:
        """Presence on the two-day timeline as ``(..., intervals, interval_minutes)`` for this grid."""
        presence = np.asarray(presence, dtype=bool)
        day = presence[..., :MINUTES_PER_DAY]
        if self.wrap:
            day = day | presence[..., MINUTES_PER_DAY:]
        horizon = day[..., self.horizon_start:self.horizon_end]
        return horizon.reshape(*presence.shape[:-1], self.intervals, self.interval_minutes)

    def covered(self, presence: np.ndarray) -> np.ndarray:
        """True for intervals in which the presence holds for every minute (the coverage rule)."""
        return self.interval_minutes_view(presence).all(axis=-1)

    def touched(self, presence: np.ndarray) -> np.ndarray:
        """True for intervals in which the presence holds for at least one minute."""
        return self.interval_minutes_view(presence).any(axis=-1)

    def average(self, presence: np.ndarray) -> np.ndarray:
        """Share of each interval during which the presence holds."""
        return self.interval_minutes_view(presence).mean(axis=-1)
