"""Agents on duty over time for each in-house group, from headcount lists or shifts.

A group's plan is two step functions of time: agents scheduled on the phones
(shifts minus breaks) and agents paid (shifts minus unpaid breaks). Agents
available to take contacts are round(scheduled x (1 - shrinkage)). The
engine follows ``available`` exactly; KPIs and costs use the paid hours.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .calendar import Calendar
from .config import AgentGroup, Scenario, time_of_day_seconds
from .config.channels import Vendor
from .config.checks import break_window
from .config.types import SECONDS_PER_DAY
from .demand import full_day_profile, per_interval_rows


@dataclass(frozen=True)
class StepFunction:
    """Piecewise-constant function: ``values[i]`` holds from ``times[i]`` to ``times[i+1]``."""

    times: np.ndarray
    values: np.ndarray

    @classmethod
    def from_deltas(cls, times: np.ndarray, deltas: np.ndarray, start: float) -> "StepFunction":
        """Cumulative sum of deltas at given times, as seen from ``start`` on."""
        order = np.argsort(times, kind="stable")
        times, levels = times[order], np.cumsum(deltas[order])
        unique_times, last_index = np.unique(times[::-1], return_index=True)
        levels_at = levels[len(levels) - 1 - last_index]
        before = levels_at[unique_times <= start]
        initial = before[-1] if len(before) else 0.0
        keep = unique_times > start
        return cls(np.concatenate(([start], unique_times[keep])), np.concatenate(([initial], levels_at[keep])))

    def integral(self, edges: np.ndarray) -> np.ndarray:
        """Integral over each ``[edges[i], edges[i+1])`` (the function holds its last value beyond)."""
        cumulative = np.concatenate(([0.0], np.cumsum(self.values[:-1] * np.diff(self.times))))
        index = np.clip(np.searchsorted(self.times, edges, side="right") - 1, 0, None)
        at_edges = cumulative[index] + self.values[index] * (edges - self.times[index])
        return np.diff(at_edges)

    def map(self, function) -> "StepFunction":
        return StepFunction(self.times, function(self.values))


@dataclass(frozen=True)
class GroupPlan:
    """Staffing of one group over the run: what the engine follows and what is paid."""

    name: str
    available: StepFunction
    scheduled: StepFunction
    paid: StepFunction
    agent_days: float
    kind: str = "inhouse"  # or "vendor": seats of an outsourced partner
    shift_ends: frozenset[float] = frozenset()  # times when shifts end (overtime may apply then)
    breaks: tuple[tuple[float, int, float, bool, float], ...] = ()
    """With a break-deferral rule: (planned start, agents, seconds, paid, latest start) of every break, which the
    engine then starts itself; ``scheduled`` and ``available`` leave these breaks out (``paid`` keeps them)."""


def _day_range(calendar: Calendar) -> range:
    return range(-1, calendar.days + 1)


def _headcount_deltas(counts_for_day, calendar: Calendar):
    """Step changes from a per-interval headcount; ``counts_for_day(day)`` gives one day's counts."""
    times, deltas = [], []
    step = calendar.interval_seconds
    agent_days = 0.0
    for day in _day_range(calendar):
        counts = counts_for_day(day)
        starts = day * SECONDS_PER_DAY + np.arange(calendar.intervals_per_day) * step
        previous = np.concatenate(([0.0], counts[:-1]))
        times.append(starts)
        deltas.append(counts - previous)
        times.append([starts[-1] + step])
        deltas.append([-counts[-1]])
        if 0 <= day < calendar.days:
            # Without shifts, the peak headcount is the fewest people who could have worked the day.
            agent_days += float(counts.max())
    times_array, deltas_array = np.concatenate(times), np.concatenate(deltas).astype(float)
    return times_array, deltas_array, times_array, deltas_array, agent_days


def _shift_deltas(group: AgentGroup, calendar: Calendar):
    on_phone: list[tuple[float, float]] = []
    paid: list[tuple[float, float]] = []
    ends: set[float] = set()
    breaks: list[tuple[float, int, float, bool, float]] = []
    deferral = group.break_deferral
    agent_days = 0.0
    for day in _day_range(calendar):
        weekday = calendar.weekday(day)
        for shift in group.shifts or []:
            if shift.count == 0 or (shift.weekdays is not None and weekday not in shift.weekdays):
                continue
            start = day * SECONDS_PER_DAY + time_of_day_seconds(shift.start)
            end = start + shift.length_hours * 3600.0
            if 0 <= start < calendar.horizon_seconds:
                agent_days += shift.count
            for series in (on_phone, paid):
                series += [(start, shift.count), (end, -shift.count)]
            ends.add(end)
            for shift_break in shift.breaks:
                break_start = day * SECONDS_PER_DAY + time_of_day_seconds(shift_break.start)
                if break_start < start:
                    break_start += SECONDS_PER_DAY
                interval = [(break_start, -shift.count), (break_start + shift_break.minutes * 60.0, shift.count)]
                if deferral is None:
                    on_phone += interval
                else:
                    planned, latest = break_window(shift, shift_break, deferral.max_delay_minutes)
                    breaks.append((break_start, shift.count, shift_break.minutes * 60.0, shift_break.paid,
                                   break_start + latest - planned))
                if not shift_break.paid:
                    paid += interval
    return (*_as_arrays(on_phone), *_as_arrays(paid), agent_days, frozenset(ends), tuple(sorted(breaks)))


def _as_arrays(pairs: list[tuple[float, float]]) -> tuple[np.ndarray, np.ndarray]:
    array = np.array(pairs, dtype=float).reshape(-1, 2)
    return array[:, 0], array[:, 1]


def group_plan(group: AgentGroup, scenario: Scenario, calendar: Calendar) -> GroupPlan:
    """The staffing plan of one group from ``-warmup`` until the end of the day after the horizon."""
    breaks: tuple = ()
    if group.shifts is not None:
        phone_times, phone_deltas, paid_times, paid_deltas, agent_days, ends, breaks = _shift_deltas(group, calendar)
    else:
        if group.headcount is not None:
            profile = full_day_profile(group.headcount, scenario, calendar)
            counts_for_day = lambda day: profile  # noqa: E731
        else:
            counts_for_day = lambda day: per_interval_rows(group.headcount_rows, day, calendar, "headcount")  # noqa: E731
        phone_times, phone_deltas, paid_times, paid_deltas, agent_days = _headcount_deltas(counts_for_day, calendar)
        # Without shifts, every drop in headcount is people going home.
        ends = frozenset(phone_times[phone_deltas < 0].tolist())
    start = -calendar.warmup_seconds
    scheduled = StepFunction.from_deltas(phone_times, phone_deltas, start)
    available = scheduled.map(lambda values: np.floor(np.maximum(values, 0) * (1.0 - group.shrinkage) + 0.5))
    return GroupPlan(name=group.name, available=available, scheduled=scheduled,
                     paid=StepFunction.from_deltas(paid_times, paid_deltas, start), agent_days=agent_days,
                     shift_ends=ends, breaks=breaks)


def vendor_plan(vendor: Vendor, scenario: Scenario, calendar: Calendar) -> GroupPlan:
    """A vendor's contracted seats over the run (paid whether used or not)."""
    if vendor.seats is not None:
        profile = np.full(calendar.intervals_per_day, float(vendor.seats))
    else:
        profile = full_day_profile(vendor.seats_per_interval, scenario, calendar)
    times, deltas, _, _, _ = _headcount_deltas(lambda day: profile, calendar)
    seats = StepFunction.from_deltas(times, deltas, -calendar.warmup_seconds)
    return GroupPlan(name=vendor.name, available=seats, scheduled=seats, paid=seats, agent_days=0.0, kind="vendor")


def staffing_plans(scenario: Scenario, calendar: Calendar) -> list[GroupPlan]:
    """Plans of every in-house group, then every vendor, in scenario order."""
    return ([group_plan(group, scenario, calendar) for group in scenario.agent_groups]
            + [vendor_plan(vendor, scenario, calendar) for vendor in scenario.vendors])
