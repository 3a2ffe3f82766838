"""Overhead of the replication runner: many small tasks (a light one-day center) on local workers.

    python benchmarks/bench_runner.py [--variants 100] [--reps 5] [--workers 2]

A sweep-like batch (variants x replications, one scenario per variant) runs
in this process and on ``--workers`` local worker processes; the script
checks the outputs are identical and prints runs per second and how many
times a scenario crossed to a worker (at most about one per variant, against
one per task when every task carries its scenario).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import pandas as pd

from analysis.runs.execution import ExecutionPlan
from analysis.runs.experiment import ReplicationTask
from analysis.runs.local_pool import WorkerPool
from analysis.runs.runner import Runner
from analysis.studies.sweep.tasks import sweep_row
from sim.config import apply_overrides, load_scenario

BASELINE = Path(__file__).resolve().parent.parent / "scenarios" / "baseline.toml"


def tasks(variants: int, replications: int) -> list[ReplicationTask]:
    """One light baseline Monday (about 5% of its volume) per variant, wages varying."""
    base = apply_overrides(load_scenario(BASELINE), {"horizon.days": 1, "demand.weekday_factors.monday": 0.05})
    scenarios = [apply_overrides(base, {"agent_groups.generalists.wage_per_hour": 20.0 + 6.0 * v / variants})
                 for v in range(variants)]
    return [ReplicationTask(scenario, 1, replication) for scenario in scenarios for replication in range(replications)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variants", type=int, default=100)
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    batch = tasks(args.variants, args.reps)
    started = time.perf_counter()
    with Runner(ExecutionPlan(workers=1), show_progress=False) as runner:
        serial = runner.run_all(sweep_row, batch)
    serial_seconds = time.perf_counter() - started
    started = time.perf_counter()
    with WorkerPool(args.workers) as pool:
        parallel = dict(pool.run(sweep_row, batch))
        sent = pool.scenarios_sent
    parallel_seconds = time.perf_counter() - started
    pd.testing.assert_frame_equal(pd.DataFrame(serial), pd.DataFrame([parallel[i] for i in range(len(batch))]))
    print(f"{len(batch)} tasks ({args.variants} scenarios x {args.reps} replications)")
    print(f"in this process:   {serial_seconds:6.1f} s ({len(batch) / serial_seconds:5.1f} runs/s)")
    print(f"{args.workers} workers:         {parallel_seconds:6.1f} s ({len(batch) / parallel_seconds:5.1f} runs/s, "
          f"worker start-up included); outputs identical")
    print(f"scenarios sent to workers: {sent} for {len(batch)} tasks")


if __name__ == "__main__":
    main()
