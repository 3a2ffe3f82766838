"""``ccsim breakeven``: the parameter value where a KPI hits a target or two scenarios break even."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .common import (
    add_output_options,
    add_run_options,
    check_size,
    execution_plan,
    finite_float,
    load_with_options,
    option_inputs,
    output_folder,
    results_folder,
)

MAX_GRID_STEPS = 1_000


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "breakeven", help="find the parameter value where a KPI reaches a target or matches another scenario",
        description="Run SCENARIO over a grid of values of --param (and --against once), all on common random "
                    "numbers; fit a polynomial to the mean gap between the KPI and the target (or the other "
                    "scenario's KPI) over the grid and solve it for zero. The 95%% CI comes from a bootstrap "
                    "over whole replications.")
    parser.add_argument("scenario", help="scenario TOML file whose parameter varies")
    parser.add_argument("--param", required=True, help="dotted path, e.g. agent_groups.generalists.wage_per_hour")
    parser.add_argument("--range", required=True, metavar="LOW:HIGH[:STEPS]", type=_grid,
                        help="grid of parameter values (default 7 steps)")
    parser.add_argument("--kpi", default="total_cost", help="KPI to match (default total_cost)")
    goal = parser.add_mutually_exclusive_group(required=True)
    goal.add_argument("--target", type=finite_float, help="KPI value to reach, e.g. 0.8 for service level")
    goal.add_argument("--against", metavar="OTHER.toml", help="scenario whose KPI is to be matched")
    parser.add_argument("--degree", type=int, choices=(1, 2, 3), help="polynomial degree (default 2, 1 below 4 values)")
    add_output_options(parser, "results/breakeven_<scenario file name without .toml>")
    add_run_options(parser)
    parser.set_defaults(handler=_break_even)


def _grid(text: str) -> list[float]:
    parts = text.split(":")
    try:
        low, high = finite_float(parts[0]), finite_float(parts[1])
        steps = int(parts[2]) if len(parts) > 2 else 7
    except (ValueError, IndexError, argparse.ArgumentTypeError):
        raise argparse.ArgumentTypeError(f"{text!r} is not LOW:HIGH or LOW:HIGH:STEPS (finite numbers)") from None
    if len(parts) > 3 or not low < high or not 2 <= steps <= MAX_GRID_STEPS:
        raise argparse.ArgumentTypeError(f"{text!r}: need LOW < HIGH and 2 to {MAX_GRID_STEPS:,} steps")
    import numpy as np

    return [float(value) for value in np.linspace(low, high, steps)]


def _break_even(args) -> int:
    from analysis.metrics.kpis import KPI_UNITS
    from analysis.outputs.folders import scenario_digest
    from analysis.studies.breakeven import break_even_text, run_break_even, write_break_even

    if args.kpi not in KPI_UNITS:
        print(f"error: --kpi {args.kpi!r} is not a KPI (known: {', '.join(KPI_UNITS)})", file=sys.stderr)
        return 2
    scenario = load_with_options(args.scenario, args)
    from sim.config import apply_overrides

    for value in (args.range[0], args.range[-1]):  # the ends of the grid bound how big a variant gets
        check_size(apply_overrides(scenario, {args.param: value}), args,
                   f"{args.scenario} with {args.param} = {value:g}")
    against = load_with_options(args.against, args) if args.against else None
    out = output_folder(args, Path("results") / f"breakeven_{Path(args.scenario).stem}")
    inputs = option_inputs(args, scenario=scenario_digest(scenario),
                           against=scenario_digest(against) if against is not None else None)
    with results_folder(out, "breakeven", inputs, args) as folder:
        study = run_break_even(scenario, args.param, args.range, args.kpi, target=args.target, against=against,
                               replications=args.reps, seed=args.seed, degree=args.degree,
                               plan=execution_plan(args), show_progress=not args.quiet,
                               against_label=Path(args.against).stem if args.against else None)
        write_break_even(study, out)
        folder.finish()
    print(break_even_text(study))
    print(f"results written to {out}/")
    return 0
