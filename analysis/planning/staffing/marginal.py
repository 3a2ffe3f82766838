"""The Erlang A model as a ruler: how much one more (or one fewer) agent changes a KPI in an interval.

The simulation-based search decides pass or fail by simulation only; this
model just sizes its steps. To close a simulated shortfall it adds the
agents the model says close it (at least one), and it removes agents only
where the model says the simulated slack absorbs the loss. Where the model
is off (carry-over, overflow, retrials) the simulation corrects it in the
next round.
"""

from __future__ import annotations

import math

import numpy as np

from ..erlang import QueueMetrics, erlang_a_metrics, erlang_c_metrics
from .targets import StaffingTarget
from .workload import Workload

MAX_STEP = 50
"""Never move one interval by more agents than this in one round."""


class MarginalModel:
    """Erlang A metrics per (cell, agents), cached; cells are the flattened (day, interval) positions."""

    def __init__(self, workload: Workload, targets: tuple[StaffingTarget, ...]) -> None:
        self.targets = targets
        self._rate = workload.volume.ravel() / workload.interval_seconds
        self._handle = workload.handle_seconds.ravel()
        self._patience = workload.patience_seconds.ravel()
        self._volume = workload.volume.ravel()
        self._day_volume = np.repeat(workload.volume.sum(axis=1), workload.intervals_per_day)
        self._sessions = workload.sessions_per_agent  # servers per agent (session slots of a chat unit)
        self._cache: dict[tuple[int, int, float], QueueMetrics | None] = {}

    def value(self, cell: int, agents: int, target: StaffingTarget) -> float:
        """The target's KPI predicted in ``cell`` with ``agents`` on the phones (0 without demand)."""
        metrics = self._metrics(cell, max(int(agents), 0), target.threshold_seconds or 0.0)
        if metrics is None:
            return 0.0
        value = {"service_level": metrics.service_level, "abandon": metrics.abandon_rate,
                 "asa": metrics.asa_seconds}[target.kind]
        return float(value) if math.isfinite(value) else (0.0 if target.higher_is_better else 1e9)

    def improvement(self, cell: int, agents: int, step: int, target: StaffingTarget) -> float:
        """Predicted change of the KPI, in the good direction, from ``step`` more agents (negative step: fewer)."""
        change = self.value(cell, agents + step, target) - self.value(cell, agents, target)
        return change if target.higher_is_better else -change

    def agents_for(self, cell: int, target: StaffingTarget, wanted: float, limit: int) -> int:
        """Fewest agents (0 .. ``limit``) whose predicted KPI is at least as good as ``wanted``."""
        for agents in range(limit + 1):
            value = self.value(cell, agents, target)
            if (value >= wanted) if target.higher_is_better else (value <= wanted):
                return agents
        return limit

    def step(self, cell: int, target: StaffingTarget, observed: float, margin: float, limit: int) -> int:
        """Agents to add (positive) or that may go (negative) so the simulated bound meets the target.

        The simulated ``observed`` KPI is placed on the model's curve (the
        *equivalent* agents that would give it in the model), so the model's
        slope is used where the simulation actually is. The goal is the KPI
        whose confidence bound would just meet the target, assuming the
        bound's ``margin`` scales with what is left to improve (1 - service
        level, the abandonment rate, the ASA): replications agree more as an
        interval gets less congested, so a constant margin would overshoot.
        """
        equivalent = self.agents_for(cell, target, observed, limit)
        needed = self.agents_for(cell, target, self.goal(target, observed, margin), limit)
        return needed - equivalent

    @staticmethod
    def goal(target: StaffingTarget, observed: float, margin: float) -> float:
        """KPI value whose bound meets the target, with the margin proportional to the room left."""
        if target.higher_is_better:
            ratio = margin / max(1.0 - observed, 1e-9)
            return (target.value + ratio) / (1.0 + ratio)
        ratio = margin / max(observed, 1e-9)
        return target.value / (1.0 + ratio)

    def daily_effect(self, cell: int, agents: int, step: int, target: StaffingTarget) -> float:
        """Predicted change of the day's KPI (good direction) from ``step`` agents in one cell.

        The day's ratio weights each interval by its share of the day's contacts.
        """
        if self._volume[cell] <= 0:
            return 0.0
        return self.improvement(cell, agents, step, target) * self._volume[cell] / self._day_volume[cell]

    def _metrics(self, cell: int, agents: int, threshold: float) -> QueueMetrics | None:
        key = (cell, agents, threshold)
        if key not in self._cache:
            self._cache[key] = self._solve(cell, agents, threshold)
        return self._cache[key]

    def _solve(self, cell: int, agents: int, threshold: float) -> QueueMetrics | None:
        if self._rate[cell] <= 0:
            return None
        servers = agents * self._sessions
        if math.isinf(self._patience[cell]):
            return erlang_c_metrics(self._rate[cell], self._handle[cell], servers, threshold)
        return erlang_a_metrics(self._rate[cell], self._handle[cell], self._patience[cell], servers, threshold)
