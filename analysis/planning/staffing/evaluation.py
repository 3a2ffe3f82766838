"""Simulate a staffing plan and judge it against targets with a stated confidence.

A replication is reduced to counts per interval (contacts offered to a human
queue, answered, answered within each threshold, abandoned, seconds waited
by the answered), restricted to the contact types the staffed unit serves.
Every target is a ratio of two such counts; across replications it is
estimated with the ratio estimator (sum of numerators / sum of
denominators, the pooled value ``intervals.csv`` shows) and a one-sided
Student t bound from the linearised residuals ``num - ratio x den``. A
target counts as met when that bound meets it: the lower bound for service
level, the upper bound for abandonment and ASA. Intervals (or days) without
contacts meet every target.

Replications run on one :class:`~analysis.runs.runner.Runner` that lives as
long as the :class:`SimulationRunner`: a search's rounds reuse the same
worker processes, and each plan's scenario is sent to a worker once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats

from analysis.metrics.kpis import compute_kpis
from analysis.metrics.stats import NON_NEGATIVE, SHARE
from analysis.runs.execution import ExecutionPlan
from analysis.runs.runner import Runner
from sim.config import Scenario
from sim.engine.collector import within_column
from sim.run import simulate

from .targets import StaffingTarget


@dataclass(frozen=True)
class EvaluationTask:
    """One replication to simulate and count; ``with_kpis`` adds the full KPI set (costs, occupancy)."""

    scenario: Scenario
    seed: int
    replication: int
    contact_types: tuple[str, ...]
    thresholds: tuple[float, ...]
    with_kpis: bool = False


@dataclass(frozen=True)
class ReplicationCounts:
    replication: int
    counts: dict[str, np.ndarray]
    kpis: dict[str, float] | None = None


def count_replication(task: EvaluationTask) -> ReplicationCounts:
    """Simulate one replication; counts per measured interval for the task's contact types."""
    result = simulate(task.scenario, seed=task.seed, replication=task.replication, records=False,
                      thresholds=task.thresholds)
    served = result.counters.intervals_for(task.contact_types)
    counts = {"offered": served["offered_to_queue"], "answered": served["answered"],
              "abandoned": served["abandoned"], "wait_seconds_answered": served["wait_seconds_answered"]}
    for threshold in task.thresholds:
        counts[f"within_{threshold:g}s"] = served[within_column(threshold)]
    kpis = compute_kpis(result, task.scenario) if task.with_kpis else None
    return ReplicationCounts(task.replication, counts, kpis)


def ratio_bound(numerators: np.ndarray, denominators: np.ndarray, confidence: float,
                upper: bool) -> tuple[np.ndarray, np.ndarray]:
    """Pooled ratio and its one-sided confidence bound per column (replications in rows).

    NaN where no replication has a denominator; with one replication, or when
    every replication gives the same ratio, the bound equals the estimate.
    """
    numerators = np.asarray(numerators, dtype=float)
    denominators = np.asarray(denominators, dtype=float)
    replications = numerators.shape[0]
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = numerators.sum(axis=0) / denominators.sum(axis=0)
        if replications < 2:
            return ratio, ratio.copy()
        residuals = numerators - np.nan_to_num(ratio) * denominators
        spread = residuals.std(axis=0, ddof=1) / np.sqrt(replications) / denominators.mean(axis=0)
    margin = float(stats.t.ppf(confidence, replications - 1)) * np.nan_to_num(spread)
    return ratio, ratio + margin if upper else ratio - margin


@dataclass(frozen=True)
class Evaluation:
    """Counts of several replications of one plan: arrays (replications, days x intervals)."""

    counts: dict[str, np.ndarray]
    days: int
    replications: tuple[int, ...]
    kpis: tuple[dict[str, float], ...] = ()

    @property
    def intervals_per_day(self) -> int:
        return self.counts["offered"].shape[1] // self.days

    def estimate(self, target: StaffingTarget, confidence: float,
                 scope: str = "interval") -> tuple[np.ndarray, np.ndarray]:
        """Ratio and confidence bound of ``target``'s KPI per interval (``scope='interval'``) or per day."""
        numerator, denominator = (self.counts[name] for name in target.counts)
        if scope == "daily":
            numerator, denominator = self._per_day(numerator), self._per_day(denominator)
        return ratio_bound(numerator, denominator, confidence, upper=not target.higher_is_better)

    def bounds(self, target: StaffingTarget, confidence: float,
               scope: str = "interval") -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Ratio, lower and upper one-sided bounds (each at ``confidence``) per interval or day, cut to
        the possible range (shares 0..1, ASA at least 0; the cut never changes whether a target is met)."""
        numerator, denominator = (self.counts[name] for name in target.counts)
        if scope == "daily":
            numerator, denominator = self._per_day(numerator), self._per_day(denominator)
        ratio, lower = ratio_bound(numerator, denominator, confidence, upper=False)
        _, upper = ratio_bound(numerator, denominator, confidence, upper=True)
        possible = NON_NEGATIVE if target.kind == "asa" else SHARE
        return ratio, np.clip(lower, *possible), np.clip(upper, *possible)

    def not_shown_to_miss(self, targets: Sequence[StaffingTarget], confidence: float,
                          scope: str = "interval") -> np.ndarray:
        """True where no target is missed with confidence: the bound on the far side still meets it
        (upper bound for service level, lower bound for abandonment and ASA)."""
        result = None
        for target in targets:
            _, lower, upper = self.bounds(target, confidence, scope)
            far = upper if target.higher_is_better else lower
            met = np.array([target.is_met(value) for value in far])
            result = met if result is None else result & met
        return result

    def has_contacts(self, scope: str = "interval") -> np.ndarray:
        offered = self.counts["offered"]
        return (self._per_day(offered) if scope == "daily" else offered).sum(axis=0) > 0

    def failing(self, targets: Sequence[StaffingTarget], confidence: float, scope: str = "interval") -> np.ndarray:
        """True per interval (or day) where the confidence bound misses some target."""
        fails = None
        for target in targets:
            _, bound = self.estimate(target, confidence, scope)
            missed = ~np.array([target.is_met(value) for value in bound])
            fails = missed if fails is None else fails | missed
        return fails

    def slack(self, targets: Sequence[StaffingTarget], confidence: float, scope: str = "interval") -> np.ndarray:
        """Smallest relative slack over targets (bound beyond target / target) per interval or day."""
        result = None
        for target in targets:
            _, bound = self.estimate(target, confidence, scope)
            relative = np.array([target.slack(value) for value in bound]) / target.value
            result = relative if result is None else np.minimum(result, relative)
        return result

    def _per_day(self, values: np.ndarray) -> np.ndarray:
        return values.reshape(values.shape[0], self.days, -1).sum(axis=2)


class SimulationRunner:
    """Runs replications (in parallel when asked) and counts every simulation it runs.

    Local worker processes stay up between batches (a search runs dozens);
    with ``scheduler`` (a Dask address) each batch goes to the cluster; a
    ``plan`` wins over both. Use as a context manager so the workers end.
    """

    def __init__(self, workers: int | None = None, show_progress: bool = True, description: str = "simulating",
                 scheduler: str | None = None, plan: ExecutionPlan | None = None):
        plan = plan or ExecutionPlan(workers=workers, scheduler=scheduler)
        self._runner = Runner(plan, description, unit="sim", show_progress=show_progress)

    @classmethod
    def for_settings(cls, settings, description: str) -> "SimulationRunner":
        """For a :class:`~analysis.planning.staffing.search.SearchSettings` (workers, scheduler, progress)."""
        return cls(show_progress=settings.show_progress, description=description, plan=settings.execution_plan())

    @property
    def simulations(self) -> int:
        return self._runner.completed

    def __enter__(self) -> "SimulationRunner":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self._runner.close()

    def note(self, text: str) -> None:
        """Show a short status next to the progress bar."""
        self._runner.note(text)

    def evaluate(self, scenario: Scenario, seed: int, replications: Sequence[int], contact_types: Sequence[str],
                 targets: Sequence[StaffingTarget], with_kpis: bool = False) -> Evaluation:
        """Simulate ``scenario`` for the given replication numbers (same numbers = common random numbers)."""
        # The scenario's own threshold too, so service level is there to show whatever the targets are.
        thresholds = tuple(sorted({t.threshold_seconds for t in targets if t.threshold_seconds is not None}
                                  | {scenario.service_level.threshold_seconds}))
        tasks = [EvaluationTask(scenario, seed, replication, tuple(contact_types), thresholds, with_kpis)
                 for replication in replications]
        outputs = self._runner.run_all(count_replication, tasks)
        names = outputs[0].counts.keys()
        counts = {name: np.stack([output.counts[name] for output in outputs]) for name in names}
        kpis = tuple(output.kpis for output in outputs if output.kpis is not None)
        return Evaluation(counts, scenario.horizon.days, tuple(replications), kpis)
