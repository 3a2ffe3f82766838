"""Concrete shifts: a start, a length and breaks placed at fixed times.

These are what a schedule hands out and what a roster file holds; templates
(:mod:`.templates`) describe the families of shifts they come from.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.config import MINUTES_PER_DAY, format_minutes_of_day

from .timegrid import span_presence


@dataclass(frozen=True)
class PlacedBreak:
    """A break at a fixed time: minutes after midnight of the planned day (past 1440 after midnight)."""

    start_minutes: int
    minutes: int
    paid: bool

    @property
    def end_minutes(self) -> int:
        return self.start_minutes + self.minutes

    def label(self) -> str:
        """``HH:MM/minutes``, the roster notation."""
        return f"{format_minutes_of_day(self.start_minutes)}/{self.minutes}"


@dataclass(frozen=True)
class PlannedShift:
    """One agent's working day: ``name`` is the template (or roster row) it belongs to; breaks in time order."""

    name: str
    start_minutes: int
    length_minutes: int
    breaks: tuple[PlacedBreak, ...] = ()

    def __post_init__(self) -> None:
        if not 0 <= self.start_minutes < MINUTES_PER_DAY:
            raise ValueError(f"shift start {self.start_minutes!r} is not a minute of the day (0 to 1439)")
        if not 0 < self.length_minutes <= MINUTES_PER_DAY:
            raise ValueError(f"shift length of {self.length_minutes!r} minutes is not between 1 minute and 24 hours")
        ordered = tuple(sorted(self.breaks, key=lambda item: item.start_minutes))
        # Breaks are kept in time order so that the same shift always compares equal.
        object.__setattr__(self, "breaks", ordered)
        for placed in ordered:
            if placed.minutes <= 0:
                raise ValueError(f"break {placed.label()} must last at least one minute")
            if placed.start_minutes < self.start_minutes or placed.end_minutes > self.end_minutes:
                raise ValueError(f"break {placed.label()} is not inside the shift "
                                 f"{format_minutes_of_day(self.start_minutes)}-{format_minutes_of_day(self.end_minutes)}")
        for earlier, later in zip(ordered, ordered[1:]):
            if later.start_minutes < earlier.end_minutes:
                raise ValueError(f"breaks {earlier.label()} and {later.label()} overlap")

    @property
    def end_minutes(self) -> int:
        return self.start_minutes + self.length_minutes

    @property
    def paid_minutes(self) -> int:
        """Shift length less unpaid breaks."""
        return self.length_minutes - sum(placed.minutes for placed in self.breaks if not placed.paid)

    def unpaid_breaks(self) -> tuple[PlacedBreak, ...]:
        return tuple(placed for placed in self.breaks if not placed.paid)

    def paid_breaks(self) -> tuple[PlacedBreak, ...]:
        return tuple(placed for placed in self.breaks if placed.paid)

    def presence(self, on_phones: bool = True) -> np.ndarray:
        """Minutes on the two-day timeline during which the agent is at work (on the phones: not on break)."""
        present = span_presence(np.array([self.start_minutes]), np.array([self.end_minutes]))[0]
        if on_phones and self.breaks:
            starts = np.array([placed.start_minutes for placed in self.breaks])
            ends = np.array([placed.end_minutes for placed in self.breaks])
            present &= ~span_presence(starts, ends).any(axis=0)
        return present


@dataclass(frozen=True)
class ShiftGroup:
    """``count`` agents working the same shift: one row of a roster."""

    shift: PlannedShift
    count: int

    def __post_init__(self) -> None:
        if self.count < 0:
            raise ValueError(f"count {self.count!r} must not be negative")
