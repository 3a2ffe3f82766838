"""The periods of a plan: calendar months or weeks, their length, demand factor and AI containment."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from .spec import DAYS_PER_MONTH, PlanSpec

DAYS_PER_YEAR = 365.25


@dataclass(frozen=True)
class Periods:
    """Period ``p`` (0-based) runs ``days[p]`` days from ``offsets[p]`` days after the plan's start."""

    labels: tuple[str, ...]
    starts: tuple[dt.date, ...]
    days: np.ndarray
    offsets: np.ndarray

    def __len__(self) -> int:
        return len(self.labels)

    @property
    def weeks(self) -> np.ndarray:
        return self.days / 7.0

    @property
    def middles(self) -> np.ndarray:
        """Days from the plan's start to each period's middle."""
        return self.offsets + self.days / 2.0

    def calendar_months(self) -> np.ndarray:
        """Calendar month (1-12) of each period's middle."""
        first = self.starts[0]
        return np.array([(first + dt.timedelta(days=float(middle))).month for middle in self.middles])


def plan_periods(spec: PlanSpec) -> Periods:
    """Calendar months from ``spec.start`` (the 1st of a month), or weeks of 7 days."""
    starts = [spec.start]
    for _ in range(spec.periods):
        last = starts[-1]
        if spec.period == "week":
            starts.append(last + dt.timedelta(days=7))
        else:
            starts.append(dt.date(last.year + last.month // 12, last.month % 12 + 1, 1))
    days = np.array([(after - before).days for before, after in zip(starts[:-1], starts[1:])], dtype=float)
    offsets = np.concatenate(([0.0], np.cumsum(days)[:-1]))
    fmt = "%Y-%m" if spec.period == "month" else "%Y-%m-%d"
    return Periods(tuple(start.strftime(fmt) for start in starts[:-1]), tuple(starts[:-1]), days, offsets)


def demand_factors(spec: PlanSpec, periods: Periods) -> np.ndarray:
    """Demand of each period relative to the scenario's typical week (growth x seasonality x factors)."""
    demand = spec.demand
    factors = (1.0 + demand.growth_per_year) ** (periods.middles / DAYS_PER_YEAR)
    if demand.seasonality is not None:
        factors = factors * np.asarray(demand.seasonality, dtype=float)[periods.calendar_months() - 1]
    if demand.factors is not None:
        factors = factors * np.asarray(demand.factors, dtype=float)
    return factors


def ai_containment(spec: PlanSpec, periods: Periods) -> list[dict[str, float]]:
    """Per period, the AI containment of each contact type the plan ramps (empty without ``[ai]``)."""
    adoption = spec.ai
    if adoption is None:
        return [{} for _ in range(len(periods))]
    first, last = adoption.first_period, adoption.last_period or spec.periods
    result = []
    for index in range(len(periods)):
        period = index + 1
        progress = 1.0 if last == first else min(max((period - first) / (last - first), 0.0), 1.0)
        result.append({name: ramp.start + (ramp.end - ramp.start) * progress
                       for name, ramp in adoption.containment.items()})
    return result


def months(days: float | np.ndarray) -> float | np.ndarray:
    """Average months in a number of days."""
    return days / DAYS_PER_MONTH
