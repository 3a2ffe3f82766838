"""The unit of work of a sweep: one replication of one variant, reduced to a row of numbers.

Kept apart from the rest of the package, with few imports, because every
worker process (local or Dask) imports this module to run tasks.
"""

from __future__ import annotations

from dataclasses import dataclass

from analysis.metrics.costs import cost_breakdown
from analysis.metrics.kpis import compute_kpis
from sim.config import Scenario
from sim.run import simulate

from ..budget import cost_columns


@dataclass(frozen=True)
class VariantTask:
    """One replication of one variant: everything that decides its numbers."""

    variant: int
    scenario: Scenario
    seed: int
    replication: int


def run_variant_replication(task: VariantTask) -> dict[str, float]:
    """Simulate one replication; return its KPIs and ``cost:`` breakdown columns."""
    result = simulate(task.scenario, seed=task.seed, replication=task.replication, records=False)
    costs = cost_breakdown(result, task.scenario)
    row = compute_kpis(result, task.scenario, costs)
    row.update(cost_columns(costs))
    return row
