"""``ccsim plan``: a budget plan over months or weeks (requirements, headcount flow, hires, costs)."""

from __future__ import annotations

import sys
from pathlib import Path

from analysis.planning.horizon import PlanFileError, load_plan_file, run_plan
from analysis.planning.horizon.outputs import plan_text, write_plan
from analysis.planning.staffing import StaffingError
from analysis.runs.execution import ExecutionPlan

from .common import add_scheduler_option, non_negative_int, positive_int


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "plan", help="month-by-month (or week-by-week) budget plan: FTE required and available, hires, costs",
        description="For every period of PLAN.toml: demand (growth, seasonality), AI adoption, the requirement "
                    "in FTE (Erlang A on the period's typical week, or --simulate), the headcount flow of each "
                    "agent group (hires, training, learning curve, attrition), service level and cost by "
                    "component; for the plan file's hiring classes and for the fewest hires that meet the "
                    "requirement (integer program). Writes periods.csv, workforce.csv, hiring_plan.csv, "
                    "plan.png and summary.json.")
    parser.add_argument("plan", help="plan TOML file")
    parser.add_argument("--simulate", action="store_true",
                        help="requirement and service from simulating one representative week per period on "
                             "common random numbers (slower; default: Erlang A)")
    parser.add_argument("--reps", type=positive_int, default=10, help="replications per simulated week (default 10)")
    parser.add_argument("--seed", type=non_negative_int, default=0, help="random seed (default 0)")
    parser.add_argument("--workers", type=positive_int,
                        help="parallel processes for --simulate (default: one per core); results do not depend on it")
    add_scheduler_option(parser)
    parser.add_argument("--out", help="results directory (default results/plan_<plan name>)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.set_defaults(handler=_plan)


def _plan(args) -> int:
    try:
        spec, scenario, targets = load_plan_file(args.plan)
        simulation = None
        if args.simulate:
            from analysis.planning.horizon.simulation import SimulationSettings

            simulation = SimulationSettings(args.reps, args.seed, ExecutionPlan(args.workers, args.scheduler),
                                            not args.quiet)
        result = run_plan(spec, scenario, targets, simulation)
    except PlanFileError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except (StaffingError, ValueError) as error:
        print(f"error: {args.plan}: {error}", file=sys.stderr)
        return 2
    print(plan_text(result))
    for note in result.notes:
        print(f"note: {note}")
    out = Path(args.out) if args.out else Path("results") / f"plan_{spec.name}"
    written = write_plan(result, out, command=["ccsim", *sys.argv[1:]])
    print(f"results written to {out}/ ({', '.join(path.name for path in written)})")
    return 0
