"""Agent requirements from forecasts: the fewest agents meeting service targets.

The queue model is Erlang C when ``mean_patience`` is None or infinite and
Erlang A (M/M/c+M) otherwise. Targets can be combined; all must hold. The
metrics are monotone in the number of agents, so the fewest agents is found
by galloping from the offered load and bisecting.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import ClassVar

import numpy as np
import pandas as pd

from .classic import QueueMetrics, erlang_c_metrics
from .erlang_a import erlang_a_metrics

DEFAULT_THRESHOLD_SECONDS = 20.0
"""Threshold used for the reported service level when no target names one."""

_TOLERANCE = 1e-12  # a target met up to rounding counts as met


@dataclass(frozen=True)
class ServiceLevelTarget:
    """At least ``share`` of offered contacts answered within ``threshold_seconds``."""

    share: float
    threshold_seconds: float

    def __post_init__(self) -> None:
        if not 0 <= self.share <= 1:
            raise ValueError(f"service level share must be in [0, 1], got {self.share!r}")
        if not self.threshold_seconds >= 0:
            raise ValueError(f"threshold_seconds must be >= 0, got {self.threshold_seconds!r}")

    def is_met(self, metrics: QueueMetrics) -> bool:
        """``metrics`` must be computed at this target's threshold."""
        return metrics.service_level >= self.share - _TOLERANCE


@dataclass(frozen=True)
class AbandonTarget:
    """Abandoned / offered at most ``max_rate``."""

    max_rate: float
    threshold_seconds: ClassVar[None] = None  # the target does not depend on a threshold

    def __post_init__(self) -> None:
        if not 0 <= self.max_rate <= 1:
            raise ValueError(f"max abandon rate must be in [0, 1], got {self.max_rate!r}")

    def is_met(self, metrics: QueueMetrics) -> bool:
        return metrics.abandon_rate <= self.max_rate + _TOLERANCE


@dataclass(frozen=True)
class AsaTarget:
    """Mean wait of answered contacts at most ``max_seconds``."""

    max_seconds: float
    threshold_seconds: ClassVar[None] = None  # the target does not depend on a threshold

    def __post_init__(self) -> None:
        if not self.max_seconds >= 0:
            raise ValueError(f"max ASA must be >= 0, got {self.max_seconds!r}")

    def is_met(self, metrics: QueueMetrics) -> bool:
        return metrics.asa_seconds <= self.max_seconds + _TOLERANCE  # NaN (nobody answered) fails


Target = ServiceLevelTarget | AbandonTarget | AsaTarget


@dataclass(frozen=True)
class Requirement:
    """Fewest agents on the phones meeting the targets, and what they achieve.

    ``scheduled_agents_exact = agents / (1 - shrinkage)`` and
    ``scheduled_agents`` is its ceiling: the headcount to schedule so that
    enough are available after shrinkage.
    """

    agents: int
    scheduled_agents: int
    scheduled_agents_exact: float
    offered_load: float
    metrics: QueueMetrics


def required_agents(
    arrival_rate: float,
    mean_handle_time: float,
    target: Target | Sequence[Target],
    *,
    mean_patience: float | None = None,
    shrinkage: float = 0.0,
    max_agents: int = 10000,
    threshold_seconds: float | None = None,
    start_agents: int | None = None,
) -> Requirement:
    """Fewest agents (0 .. ``max_agents``) meeting every target.

    ``start_agents``: where the search starts (default just above the
    offered load); a good guess, such as the answer for a similar volume,
    saves evaluations but never changes the answer.

    ``threshold_seconds`` sets the service level reported in the metrics; by
    default the first service level target's threshold (else
    :data:`DEFAULT_THRESHOLD_SECONDS`). Zero arrival rate needs 0 agents.
    Under Erlang C an unstable queue (load >= agents) never counts as meeting
    a target, so the answer is always more agents than the load. Raises
    ``ValueError`` when even ``max_agents`` fall short.
    """
    targets = _as_tuple(target)
    if not 0 <= shrinkage < 1:
        raise ValueError(f"shrinkage must be in [0, 1), got {shrinkage!r}")
    if max_agents < 0:
        raise ValueError(f"max_agents must be >= 0, got {max_agents!r}")
    report_threshold = _report_threshold(targets, threshold_seconds)
    metrics_at = _queue_model(arrival_rate, mean_handle_time, mean_patience)
    offered_load = float(arrival_rate * mean_handle_time)
    thresholds = [report_threshold if t.threshold_seconds is None else t.threshold_seconds for t in targets]

    def meets(agents: int) -> bool:
        if _is_erlang_c(mean_patience) and agents <= offered_load:
            return False
        return all(t.is_met(metrics_at(agents, threshold)) for t, threshold in zip(targets, thresholds))

    start = math.floor(offered_load) + 1 if start_agents is None else start_agents
    agents = 0 if arrival_rate == 0 else _fewest(meets, start=start, limit=max_agents)
    scheduled_exact = agents / (1.0 - shrinkage)
    return Requirement(
        agents=agents,
        # Round first so that e.g. 14 / 0.7 = 20.000000000000004 schedules 20, not 21.
        scheduled_agents=math.ceil(round(scheduled_exact, 9)),
        scheduled_agents_exact=scheduled_exact,
        offered_load=offered_load,
        metrics=metrics_at(agents, report_threshold),
    )


def requirements_per_interval(
    volumes: Sequence[float] | np.ndarray | pd.Series,
    interval_seconds: float,
    mean_handle_time: float,
    target: Target | Sequence[Target],
    *,
    mean_patience: float | None = None,
    shrinkage: float = 0.0,
    max_agents: int = 10000,
    threshold_seconds: float | None = None,
) -> pd.DataFrame:
    """One :func:`required_agents` row per interval of a volume forecast.

    Each interval is treated as a stationary queue with arrival rate
    ``volume / interval_seconds``. Columns: ``volume``,
    ``offered_load_erlangs``, ``agents``, ``scheduled_agents``,
    ``scheduled_agents_exact``, ``service_level``, ``asa_seconds``,
    ``abandon_rate``, ``occupancy``. The index is that of ``volumes`` if it is
    a Series, else the interval number.
    """
    if not interval_seconds > 0:
        raise ValueError(f"interval_seconds must be > 0, got {interval_seconds!r}")
    series = volumes if isinstance(volumes, pd.Series) else pd.Series(np.asarray(volumes, float))

    @lru_cache(maxsize=None)  # forecasts repeat volumes (nights, flat days)
    def row(volume: float) -> dict[str, float]:
        need = required_agents(
            volume / interval_seconds, mean_handle_time, target, mean_patience=mean_patience,
            shrinkage=shrinkage, max_agents=max_agents, threshold_seconds=threshold_seconds,
        )
        return {
            "volume": volume, "offered_load_erlangs": need.offered_load, "agents": need.agents,
            "scheduled_agents": need.scheduled_agents, "scheduled_agents_exact": need.scheduled_agents_exact,
            "service_level": need.metrics.service_level, "asa_seconds": need.metrics.asa_seconds,
            "abandon_rate": need.metrics.abandon_rate, "occupancy": need.metrics.occupancy,
        }

    frame = pd.DataFrame([row(float(v)) for v in series], index=series.index)
    if not isinstance(volumes, pd.Series):
        frame.index.name = "interval"
    return frame.astype({"agents": int, "scheduled_agents": int})


def _as_tuple(target: Target | Sequence[Target]) -> tuple[Target, ...]:
    targets = (target,) if isinstance(target, (ServiceLevelTarget, AbandonTarget, AsaTarget)) else tuple(target)
    if not targets:
        raise ValueError("at least one target is required")
    return targets


def _report_threshold(targets: tuple[Target, ...], threshold_seconds: float | None) -> float:
    if threshold_seconds is not None:
        return threshold_seconds
    named = [t.threshold_seconds for t in targets if t.threshold_seconds is not None]
    return named[0] if named else DEFAULT_THRESHOLD_SECONDS


def _is_erlang_c(mean_patience: float | None) -> bool:
    return mean_patience is None or math.isinf(mean_patience)


def _queue_model(
    arrival_rate: float, mean_handle_time: float, mean_patience: float | None
) -> Callable[[int, float], QueueMetrics]:
    """Metrics as a function of (agents, threshold), memoised: the search revisits agents."""

    @lru_cache(maxsize=None)
    def metrics_at(agents: int, threshold: float) -> QueueMetrics:
        if _is_erlang_c(mean_patience):
            return erlang_c_metrics(arrival_rate, mean_handle_time, agents, threshold)
        return erlang_a_metrics(arrival_rate, mean_handle_time, mean_patience, agents, threshold)

    return metrics_at


def _fewest(meets: Callable[[int], bool], start: int, limit: int) -> int:
    """Smallest n in [0, limit] with ``meets(n)``, for ``meets`` monotone (False ... True).

    Gallops away from ``start`` (usually close to the answer) with doubling
    steps until the answer is bracketed, then bisects: O(log distance) calls.
    """
    start = min(max(start, 0), limit)
    step = 1
    if meets(start):
        passing = start
        while True:
            if passing == 0:
                return 0
            candidate = max(passing - step, 0)
            if not meets(candidate):
                failing = candidate
                break
            passing, step = candidate, 2 * step
    else:
        failing = start
        while True:
            if failing == limit:
                raise ValueError(f"targets not met even with max_agents={limit}")
            candidate = min(failing + step, limit)
            if meets(candidate):
                passing = candidate
                break
            failing, step = candidate, 2 * step
    while passing - failing > 1:
        middle = (failing + passing) // 2
        failing, passing = (failing, middle) if meets(middle) else (middle, passing)
    return passing
