"""Opening hours per weekday, inferred from when contacts arrive.

A center's published hours show in its log as a block of intervals with
steady traffic, plus a thin fringe of calls just before opening or after
closing (calls crossing midnight, a few early birds). An interval counts as
open when its expected arrivals reach ``min_share_of_peak`` of the day type's
busiest interval; the opening hours run from the first to the last open
interval (a single span per day, as the scenario format has). Calls outside
that span are reported, so a planner can see what the hours leave out.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .arrivals import ArrivalProfile
from .canonical import SECONDS_PER_DAY

DEFAULT_MIN_SHARE_OF_PEAK = 0.05


@dataclass(frozen=True)
class OpeningHours:
    """Open span of one day type in seconds after midnight (None when closed)."""

    day_type: str
    span: tuple[int, int] | None
    expected_inside: float  # expected arrivals per day inside the span
    expected_outside: float  # expected arrivals per day outside it (not simulated)

    @property
    def outside_share(self) -> float:
        total = self.expected_inside + self.expected_outside
        return self.expected_outside / total if total else 0.0


def infer_opening_hours(profile: ArrivalProfile,
                        min_share_of_peak: float = DEFAULT_MIN_SHARE_OF_PEAK) -> dict[str, OpeningHours]:
    """Opening hours of every day type of ``profile`` (see module docstring)."""
    hours: dict[str, OpeningHours] = {}
    for day_type in profile.day_types.labels:
        expected = profile.expected_per_interval(day_type)
        if profile.days_observed.get(day_type, 0) == 0 or expected.max() <= 0:
            hours[day_type] = OpeningHours(day_type, None, 0.0, 0.0)
            continue
        open_intervals = np.nonzero(expected >= min_share_of_peak * expected.max())[0]
        first, last = int(open_intervals[0]), int(open_intervals[-1]) + 1
        inside = float(expected[first:last].sum())
        span = (first * profile.interval_seconds, min(last * profile.interval_seconds, SECONDS_PER_DAY))
        hours[day_type] = OpeningHours(day_type, span, inside, float(expected.sum()) - inside)
    return hours


def format_clock(seconds: int) -> str:
    """``HH:MM`` for seconds after midnight (86,400 is ``24:00``)."""
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}"
