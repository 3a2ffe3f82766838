"""The reducer of a sweep: one replication of one variant, reduced to a row of numbers.

Runs in the workers (local or Dask). The KPIs come from the same streaming
counters and KPI module as ``ccsim run``'s, so a sweep's numbers equal a
run's for the same scenario, seed and replication; no contact records and
no per-interval table are built, and the cost breakdown is computed once.
"""

from __future__ import annotations

from analysis.metrics.costs import cost_breakdown
from analysis.metrics.kpis import compute_kpis
from analysis.runs.experiment import ReplicationTask
from sim.run import simulate

from ..budget import cost_columns


def sweep_row(task: ReplicationTask) -> dict[str, float]:
    """Simulate one replication; return its KPIs and ``cost:`` breakdown columns."""
    result = simulate(task.scenario, seed=task.seed, replication=task.replication, records=False)
    costs = cost_breakdown(result, task.scenario)
    row = compute_kpis(result, task.scenario, costs)
    row.update(cost_columns(costs))
    return row
