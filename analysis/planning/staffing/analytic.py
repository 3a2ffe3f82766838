"""Analytic requirements: the fewest agents per interval meeting the targets, by Erlang C or Erlang A.

Each interval is treated as a stationary queue (:mod:`analysis.erlang`) with
the unit's expected volume, mean handle time and, for Erlang A, mean
patience (:mod:`.workload`). Erlang C ignores abandonment, so where
customers hang up it asks for more agents than needed; Erlang A counts the
abandoned as served-late failures and is the usual starting point.

Fractional loads are fine: the arrival rate is volume / interval length, so
0.3 expected contacts still need one agent (nobody is answered with none),
and an interval without contacts needs none. The requirement is in agents
on the phones (``agents``); ``headcount`` is what to schedule so that the
simulator's shrinkage (available = round(headcount x (1 - shrinkage))) leaves
at least that many, and ``headcount_exact = agents / (1 - shrinkage)`` the
usual fractional inflation for reference.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import lru_cache
from typing import Literal

import numpy as np
import pandas as pd

from sim.config import format_time_of_day

from ..erlang import QueueMetrics, erlang_a_metrics, erlang_c_metrics, required_agents
from .targets import StaffingTarget
from .units import StaffedUnit, StaffingError
from .workload import Workload

AnalyticMethod = Literal["erlang-c", "erlang-a"]

REQUIREMENT_COLUMNS = ("day", "weekday", "interval_start", "volume", "handle_seconds", "patience_seconds",
                       "offered_load", "backlog_load", "agents", "headcount", "headcount_exact", "service_level",
                       "abandon_rate", "asa_seconds", "occupancy")


def analytic_agents(workload: Workload, targets: Sequence[StaffingTarget], method: AnalyticMethod,
                    max_agents: int = 10_000) -> tuple[np.ndarray, list[QueueMetrics | None]]:
    """Fewest agents on the phones per (day, interval), and the predicted metrics of the real-time queue
    (None where no call or chat arrives). With session slots as servers (a unit of chats) the agents
    are the slots over the sessions per agent; backlog work then raises each interval to at least the
    agents its load needs (:meth:`Workload.minimum_agents`)."""
    erlang_targets = tuple(target.erlang_target() for target in targets)
    threshold = next((t.threshold_seconds for t in targets if t.threshold_seconds is not None), None)

    @lru_cache(maxsize=None)  # days and intervals repeat the same numbers (flat profiles, weekdays)
    def solve(volume: float, handle: float, patience: float):
        patience_arg = None if method == "erlang-c" or math.isinf(patience) else patience
        need = required_agents(volume / workload.interval_seconds, handle, erlang_targets,
                               mean_patience=patience_arg, max_agents=max_agents, threshold_seconds=threshold)
        return need.agents, need.metrics

    agents = np.zeros(workload.volume.shape, dtype=int)
    metrics: list[QueueMetrics | None] = []
    for (day, interval), volume in np.ndenumerate(workload.volume):
        if volume <= 0:
            metrics.append(None)
            continue
        key = (round(float(volume), 9), round(float(workload.handle_seconds[day, interval]), 9),
               float(workload.patience_seconds[day, interval]))
        try:
            agents[day, interval], found = solve(*key)
        except ValueError as error:
            raise StaffingError(f"day {day + 1} {_label(workload, interval)}: {error}") from None
        metrics.append(found)
    agents = -(-agents // workload.sessions_per_agent)
    return np.maximum(agents, workload.minimum_agents()), metrics


def predicted_metrics(workload: Workload, agents: np.ndarray, method: AnalyticMethod,
                      threshold_seconds: float) -> list[QueueMetrics | None]:
    """Erlang metrics of a given staffing (agents on the phones per day and interval)."""
    results: list[QueueMetrics | None] = []
    for (day, interval), volume in np.ndenumerate(workload.volume):
        if volume <= 0:
            results.append(None)
            continue
        rate = volume / workload.interval_seconds
        handle = float(workload.handle_seconds[day, interval])
        patience = float(workload.patience_seconds[day, interval])
        servers = int(agents[day, interval]) * workload.sessions_per_agent
        if method == "erlang-c" or math.isinf(patience):
            results.append(erlang_c_metrics(rate, handle, servers, threshold_seconds))
        else:
            results.append(erlang_a_metrics(rate, handle, patience, servers, threshold_seconds))
    return results


def requirement_table(workload: Workload, unit: StaffedUnit, agents: np.ndarray,
                      metrics: Sequence[QueueMetrics | None]) -> pd.DataFrame:
    """One row per day and interval: workload, agents on the phones, headcount to schedule, predicted KPIs."""
    rows = []
    shrinkage = _mean_shrinkage(unit)
    load = workload.offered_load()
    backlog = workload.backlog()
    for index, ((day, interval), volume) in enumerate(np.ndenumerate(workload.volume)):
        found = metrics[index]
        need = int(agents[day, interval])
        rows.append({
            "day": day + 1,
            "weekday": workload.weekdays[day],
            "interval_start": _label(workload, interval),
            "volume": float(volume),
            "handle_seconds": float(workload.handle_seconds[day, interval]),
            "patience_seconds": float(workload.patience_seconds[day, interval]),
            "offered_load": float(load[day, interval]),
            "backlog_load": float(backlog[day, interval]),
            "agents": need,
            "headcount": unit.headcount_for(need),
            "headcount_exact": need / (1.0 - shrinkage),
            "service_level": found.service_level if found else math.nan,
            "abandon_rate": found.abandon_rate if found else math.nan,
            "asa_seconds": found.asa_seconds if found else math.nan,
            "occupancy": found.occupancy if found else math.nan,
        })
    return pd.DataFrame(rows, columns=list(REQUIREMENT_COLUMNS))


def analytic_requirements(workload: Workload, unit: StaffedUnit, targets: Sequence[StaffingTarget],
                          method: AnalyticMethod = "erlang-a") -> pd.DataFrame:
    """:func:`requirement_table` of the fewest agents meeting every target by ``method``."""
    if method not in ("erlang-c", "erlang-a"):
        raise StaffingError(f"{method!r} is not an analytic method (erlang-c or erlang-a)")
    if not (workload.offered_load() > 0).any():
        raise StaffingError(f"no contacts reach {unit.label!r} in the analytic view; nothing to staff")
    agents, metrics = analytic_agents(workload, targets, method)
    return requirement_table(workload, unit, agents, metrics)


def agents_matrix(table: pd.DataFrame, column: str = "agents") -> np.ndarray:
    """A requirement table's column as a (days, intervals) matrix."""
    days = int(table["day"].max())
    return table[column].to_numpy().reshape(days, len(table) // days)


def _mean_shrinkage(unit: StaffedUnit) -> float:
    return float(sum(share * group.effective_shrinkage(unit.mean_busy_seconds)
                     for share, group in zip(unit.shares, unit.groups)))


def _label(workload: Workload, interval: int) -> str:
    return format_time_of_day(interval * workload.interval_seconds)
