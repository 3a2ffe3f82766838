"""A planner's sweep at scale: 1,000 variants x 10 replications of a one-day, 10,000-contact center.

Issue 13's goal is that this sweep (100 million contacts) takes under 10
minutes on 2 cores. Running it in full takes that long, so by default this
runs a tenth of it (100 variants x 10 replications) through ``run_sweep`` on
local worker processes, exactly as ``ccsim sweep`` does (variant files,
results table), and extrapolates linearly to 1,000 variants: the variants
are independent tasks of the same size, so the time per task is what
counts. ``--variants 1000`` runs the whole thing. Wall time depends on what
else the machine runs, so the CPU time of the sweep's processes is shown
too, with the wall time it implies on otherwise idle cores.

The center is the bundled baseline on a Monday with demand and every
agent group scaled by 1.45 (about 10,000 contacts); the sweep is a Latin
hypercube over wage, billing handle time, Monday volume and shrinkage.

Run: ``python benchmarks/bench_sweep_budget.py [--variants 100] [--reps 10] [--workers 2]``.
"""

from __future__ import annotations

import argparse
import os
import resource
import tempfile
import time
from pathlib import Path

from analysis.runs.execution import ExecutionPlan
from analysis.studies.sweep.runner import run_sweep
from analysis.studies.sweep.spec import parse_sweep

BASELINE = Path(__file__).resolve().parent.parent / "scenarios" / "baseline.toml"
SCALE = 1.45  # the baseline's Monday has about 6,900 contacts
GOAL_SECONDS = 600.0
FULL_VARIANTS = 1000


def sweep_spec(variants: int, replications: int):
    return parse_sweep({
        "name": "budget_scale", "base": str(BASELINE), "replications": replications, "seed": 1,
        "overrides": {"horizon.days": 1, "agent_groups.generalists.staffing_scale": SCALE,
                      "agent_groups.tech_specialists.staffing_scale": SCALE},
        "design": {"kind": "lhs", "samples": variants},
        "factors": [
            {"path": "agent_groups.generalists.wage_per_hour", "low": 20.0, "high": 26.0},
            {"path": "contact_types.billing.handle_time.mean", "low": 5.0, "high": 7.0},
            {"path": "demand.weekday_factors.monday", "low": 1.15 * SCALE * 0.95, "high": 1.15 * SCALE * 1.05},
            {"path": "agent_groups.generalists.shrinkage", "low": 0.12, "high": 0.18},
        ],
    })


def _cpu_seconds() -> float:
    """CPU time of this process and of its finished children (the workers, once the sweep closes them)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variants", type=int, default=100)
    parser.add_argument("--reps", type=int, default=10)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    spec = sweep_spec(args.variants, args.reps)
    with tempfile.TemporaryDirectory() as folder:
        started, cpu_before = time.perf_counter(), _cpu_seconds()
        outcome = run_sweep(spec, Path(folder) / "sweep", ExecutionPlan(workers=args.workers), show_progress=False)
        elapsed, cpu = time.perf_counter() - started, _cpu_seconds() - cpu_before
    runs = args.variants * args.reps
    contacts = float(outcome.results["contacts_offered"].sum())
    full = elapsed * FULL_VARIANTS / args.variants
    print(f"{args.variants} variants x {args.reps} replications = {runs:,} one-day runs, {contacts:,.0f} contacts, "
          f"{args.workers} worker(s)")
    print(f"  {elapsed:7.1f} s wall  ({runs / elapsed:5.1f} runs/s, {contacts / elapsed:,.0f} contacts/s)")
    print(f"  {cpu:7.1f} s CPU in this process and its workers: {cpu / args.workers:7.1f} s on {args.workers} "
          f"otherwise idle cores")
    if args.variants != FULL_VARIANTS:
        scale = FULL_VARIANTS / args.variants
        print(f"  extrapolated to {FULL_VARIANTS:,} variants x {args.reps}: {full:7.1f} s wall as measured, "
              f"{cpu * scale / args.workers:7.1f} s from CPU time on idle cores (goal: under {GOAL_SECONDS:.0f} s)")


if __name__ == "__main__":
    main()
