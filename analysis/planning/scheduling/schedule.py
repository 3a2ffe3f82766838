"""The result of shift scheduling: who starts when, what it costs, how well it covers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.config import format_minutes_of_day

from .shifts import ShiftGroup
from .timegrid import PlanningGrid


@dataclass(frozen=True)
class Schedule:
    """An optimised set of shifts for one day.

    ``coverage`` counts agents on the phones per interval under the
    whole-interval rule (see :mod:`.timegrid`). ``mip_gap`` is the relative
    gap between ``total_cost`` and the solver's proven ``lower_bound``
    (0 when proven optimal).
    """

    grid: PlanningGrid
    requirement: np.ndarray
    shifts: tuple[ShiftGroup, ...]
    coverage: np.ndarray
    cost_per_shift: Mapping[str, float]
    kind: Mapping[str, str]
    shift_cost: float
    shortage_cost: float
    status: str
    mip_gap: float
    lower_bound: float
    solve_seconds: float
    rules: tuple[str, ...] = ()

    @property
    def total_cost(self) -> float:
        """Cost of the shifts plus penalties for agents short."""
        return self.shift_cost + self.shortage_cost

    @property
    def shortage(self) -> np.ndarray:
        """Agents missing per interval (0 where the requirement is met)."""
        return np.maximum(self.requirement - self.coverage, 0.0)

    @property
    def over_coverage(self) -> np.ndarray:
        """Agents on the phones beyond the requirement per interval."""
        return np.maximum(self.coverage - self.requirement, 0.0)

    @property
    def agents(self) -> int:
        """Number of shifts (agents) in the schedule."""
        return sum(group.count for group in self.shifts)

    @property
    def paid_hours(self) -> float:
        return sum(group.count * group.shift.paid_minutes for group in self.shifts) / 60.0

    def part_time_agents(self) -> int:
        return sum(group.count for group in self.shifts if self.kind[group.shift.name] == "part_time")

    def interval_table(self) -> pd.DataFrame:
        """One row per interval: requirement, agents on the phones, shortage and over-coverage."""
        return pd.DataFrame({
            "interval_start": self.grid.labels(),
            "requirement": self.requirement,
            "on_phones": self.coverage,
            "shortage": self.shortage,
            "over_coverage": self.over_coverage,
        })

    def shift_table(self) -> pd.DataFrame:
        """One row per shift group: template, start, end, breaks, count and cost."""
        rows = []
        for group in self.shifts:
            shift = group.shift
            rows.append({
                "template": shift.name,
                "kind": self.kind[shift.name],
                "start": format_minutes_of_day(shift.start_minutes),
                "end": format_minutes_of_day(shift.end_minutes),
                "breaks": ";".join(placed.label() + ("" if placed.paid else " unpaid") for placed in shift.breaks),
                "count": group.count,
                "cost": group.count * self.cost_per_shift[shift.name],
            })
        return pd.DataFrame(rows, columns=["template", "kind", "start", "end", "breaks", "count", "cost"])

    def summary(self) -> str:
        """A few lines for a log or a report."""
        short = self.shortage.sum()
        return (f"{self.status}: {self.agents} agents, cost {self.total_cost:,.2f} "
                f"(shifts {self.shift_cost:,.2f}, shortage penalty {self.shortage_cost:,.2f}), "
                f"{short:g} agent-intervals short, {self.over_coverage.sum():g} over, "
                f"gap {self.mip_gap:.2%}, {self.solve_seconds:.2f} s")
