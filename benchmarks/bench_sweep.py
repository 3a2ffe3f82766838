"""Time a 200-variant x 5-replication sweep of a one-day baseline, serially and on local processes.

    python benchmarks/bench_sweep.py [--variants 200] [--reps 5] [--workers 2]

Both runs write their results (one file per variant, then results.csv) into
a temporary folder, as ``ccsim sweep`` does; the script checks that they
produced identical tables and prints the times and the speed-up.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import pandas as pd

from analysis.runs.execution import ExecutionPlan
from analysis.studies.sweep.runner import run_sweep
from analysis.studies.sweep.spec import parse_sweep

BASELINE = Path(__file__).resolve().parent.parent / "scenarios" / "baseline.toml"


def sweep_spec(variants: int, replications: int):
    """A Latin hypercube over wages, handle time, volume and shrinkage of one baseline Monday."""
    return parse_sweep({
        "name": "bench", "base": str(BASELINE), "replications": replications, "seed": 1,
        "overrides": {"horizon.days": 1},
        "design": {"kind": "lhs", "samples": variants},
        "factors": [
            {"path": "agent_groups.generalists.wage_per_hour", "low": 20.0, "high": 26.0},
            {"path": "contact_types.billing.handle_time.mean", "low": 5.0, "high": 7.0},
            {"path": "demand.weekday_factors.monday", "low": 1.0, "high": 1.3},
            {"path": "agent_groups.generalists.shrinkage", "low": 0.1, "high": 0.25},
        ],
    })


def timed_run(spec, folder: Path, workers: int) -> tuple[float, pd.DataFrame]:
    started = time.perf_counter()
    outcome = run_sweep(spec, folder, ExecutionPlan(workers=workers), show_progress=True)
    return time.perf_counter() - started, outcome.results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variants", type=int, default=200)
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    spec = sweep_spec(args.variants, args.reps)
    runs = args.variants * args.reps
    with tempfile.TemporaryDirectory() as folder:
        serial, serial_table = timed_run(spec, Path(folder) / "serial", 1)
        parallel, parallel_table = timed_run(spec, Path(folder) / "parallel", args.workers)
    pd.testing.assert_frame_equal(serial_table, parallel_table)
    print(f"{args.variants} variants x {args.reps} replications = {runs} one-day runs of the baseline")
    print(f"serial:               {serial:7.1f} s  ({runs / serial:5.1f} runs/s)")
    print(f"parallel, {args.workers} workers:  {parallel:7.1f} s  ({runs / parallel:5.1f} runs/s)")
    print(f"speed-up: {serial / parallel:.2f}x; tables identical")


if __name__ == "__main__":
    main()
