"""Time ``ccsim plan`` on a 24-month plan of the baseline center, by Erlang A and with --simulate.

    python benchmarks/bench_plan.py [--simulate] [--reps 10] [--workers 2]

The plan is ``scenarios/plans/baseline_annual.toml`` stretched to 24 months.
Goals (issue 12): the Erlang path under 5 s; with --simulate (one week per
month, 10 replications) under 5 minutes on 2 cores.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

from analysis.planning.horizon import load_plan_file, parse_plan, periods_table, run_plan
from analysis.planning.horizon.simulation import SimulationSettings
from analysis.runs.execution import ExecutionPlan

PLAN = Path(__file__).resolve().parent.parent / "scenarios" / "plans" / "baseline_annual.toml"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--simulate", action="store_true")
    parser.add_argument("--reps", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    spec, scenario, _ = load_plan_file(PLAN)
    data = spec.model_dump(mode="python") | {"periods": 24}
    spec, scenario, targets = parse_plan(data, scenario=scenario)
    simulation = SimulationSettings(args.reps, 0, ExecutionPlan(workers=args.workers), False) if args.simulate else None
    started, cpu = time.perf_counter(), time.process_time()
    result = run_plan(spec, scenario, targets, simulation)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    periods = periods_table(result)
    goal = 300.0 if args.simulate else 5.0
    print(f"{spec.name}: 24 months by {result.method}"
          + (f" ({args.reps} replications a week, {args.workers} workers)" if args.simulate else "")
          + f": {seconds:.1f} s (goal {goal:.0f} s: {'met' if seconds < goal else 'MISSED'}; "
          f"this process's CPU {cpu:.1f} s, load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
    if result.simulation:
        scales = result.simulation["scale_required"]
        print(f"  requirement = k x the Erlang interval requirement, k from {min(scales):.3f} to {max(scales):.3f}")
    for label in ("given", "fewest_hires"):
        own = periods[periods["plan"] == label]
        print(f"  {label:<13} hires {own['hires'].sum():5.0f}  lowest service level {own['service_level'].min():6.1%}  "
              f"total cost {own['total_cost'].sum():,.0f}")


if __name__ == "__main__":
    main()
