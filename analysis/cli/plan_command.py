"""``ccsim plan``: a budget plan over months or weeks (requirements, headcount flow, hires, costs)."""

from __future__ import annotations

import sys
from pathlib import Path

from .common import (
    add_output_options,
    add_scheduler_option,
    add_workers_option,
    command_line,
    execution_plan,
    file_input,
    non_negative_int,
    option_inputs,
    output_folder,
    positive_int,
    results_folder,
)


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
    add_workers_option(parser)
    add_scheduler_option(parser)
    add_output_options(parser, "results/plan_<plan name>")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.set_defaults(handler=_plan)


def _plan(args) -> int:
    from analysis.outputs.folders import scenario_digest
    from analysis.planning.horizon import PlanFileError, load_plan_file, run_plan
    from analysis.planning.horizon.outputs import plan_text, write_plan
    from analysis.planning.staffing import StaffingError

    try:
        spec, scenario, targets = load_plan_file(args.plan)
    except PlanFileError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    simulation = None
    if args.simulate:
        from analysis.planning.horizon.simulation import SimulationSettings

        simulation = SimulationSettings(args.reps, args.seed, execution_plan(args), not args.quiet)
    out = output_folder(args, Path("results") / f"plan_{spec.name}")
    inputs = option_inputs(args, plan=file_input(args.plan), scenario=scenario_digest(scenario))
    try:
        with results_folder(out, "plan", inputs, args) as folder:
            result = run_plan(spec, scenario, targets, simulation)
            written = write_plan(result, out, command=command_line(args))
            folder.finish()
    except (StaffingError, ValueError) as error:
        print(f"error: {args.plan}: {error}", file=sys.stderr)
        return 2
    print(plan_text(result))
    for note in result.notes:
        print(f"note: {note}")
    print(f"results written to {out}/ ({', '.join(path.name for path in written)})")
    return 0
