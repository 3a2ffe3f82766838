"""``ccsim sweep``: run a sweep file's variants (resumable), then write budget, frontier and sensitivity files."""

from __future__ import annotations

import sys
from pathlib import Path

from sim.limits import DEFAULT_MAX_VARIANTS

from .common import (
    add_max_contacts_option,
    add_scheduler_option,
    add_workers_option,
    command_line,
    execution_plan,
    output_folder,
    positive_count,
)


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "sweep", help="run a parameter sweep (grid, one-at-a-time, Latin hypercube, Sobol', Morris)",
        description="Run every variant of a sweep file on common random numbers. Each finished variant is "
                    "written at once to OUT/variants/, so an interrupted sweep started again with the same "
                    "--out skips the variants already done (a damaged variant file is reported and run "
                    "again). OUT/results.csv (one row per variant and replication) is written at the end, "
                    "followed by variants.csv (mean and 95%% CI of every KPI per variant), crossings.csv and "
                    "factor_*.png (KPIs against each factor, with the targets and where they are crossed), "
                    "budget.csv, frontier.csv, the design's sensitivity files (tornado_*, sobol_*, morris_*) and "
                    "summary.json.")
    parser.add_argument("sweep", help="sweep TOML file")
    parser.add_argument("--out", metavar="DIR", help="results folder (default results/<sweep name>)")
    add_workers_option(parser)
    add_scheduler_option(parser)
    parser.add_argument("--check", action="store_true",
                        help="validate the sweep and every variant and check the limits below, run nothing")
    parser.add_argument("--max-variants", type=positive_count, default=DEFAULT_MAX_VARIANTS, metavar="N",
                        help="refuse a design of more than N variants, before making them "
                             f"(default {DEFAULT_MAX_VARIANTS:,})")
    add_max_contacts_option(parser)
    parser.add_argument("--restart", "--overwrite", dest="restart", action="store_true",
                        help="delete the results ccsim wrote in --out (finished variants included) and start "
                             "over; without it a folder holding another sweep is refused")
    parser.add_argument("--cost-kpi", help="x axis of the frontier (default total_cost)")
    parser.add_argument("--benefit-kpi", help="y axis of the frontier (default csat_mean, else service_level)")
    parser.add_argument("--restaff", choices=("erlang-a", "simulation", "off"),
                        help="staff every variant to the base scenario's targets first (Erlang A per interval, or the "
                             "simulation search of ccsim staff), so the sweep compares costs at constant service "
                             "level; 'off' keeps the staffing as written; overrides the sweep file's restaff")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.set_defaults(handler=_sweep)


def _sweep(args) -> int:
    from analysis.metrics.kpis import KPI_UNITS
    from analysis.studies.sweep.outputs import sweep_summary_text, write_sweep_outputs
    from analysis.studies.sweep.runner import prepare_sweep, run_sweep, sweep_fingerprint, sweep_folder
    from analysis.studies.sweep.spec import SweepFileError, load_sweep_file
    from analysis.studies.sweep.variants import SweepLimits

    unknown = [name for name in (args.cost_kpi, args.benefit_kpi) if name and name not in KPI_UNITS]
    if unknown:
        print(f"error: {', '.join(unknown)}: not a KPI (known: {', '.join(KPI_UNITS)})", file=sys.stderr)
        return 2
    try:
        spec = load_sweep_file(args.sweep)
        if args.restaff:
            spec = spec.model_copy(update={"restaff": None if args.restaff == "off" else args.restaff})
        plan = execution_plan(args)
        side_by_side = 0 if args.scheduler else plan.local_workers()
        prepared = prepare_sweep(spec, SweepLimits(args.max_variants, args.max_contacts,
                                                   min(side_by_side, spec.replications)))
    except SweepFileError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    base, design, _ = prepared
    if args.check:
        print(f"{args.sweep}: valid sweep {spec.name!r}: {spec.design.kind} design, {len(design)} variant(s) "
              f"x {spec.replications} replication(s) = {len(design) * spec.replications} runs")
        return 0
    out = output_folder(args, Path("results") / spec.name)
    plan = execution_plan(args)
    with sweep_folder(out, sweep_fingerprint(spec, base, design), args.restart, command_line(args)) as folder:
        if not args.quiet:
            print(f"{spec.name}: running on {plan.describe()}; finished variants go to {out}/variants/")
        outcome = run_sweep(spec, out, plan, show_progress=not args.quiet, restart=args.restart, prepared=prepared)
        written = write_sweep_outputs(outcome, (args.cost_kpi, args.benefit_kpi))
        folder.finish()
    if outcome.damaged:
        print(f"note: damaged variant file(s) found and run again: {', '.join(map(str, outcome.damaged))}",
              file=sys.stderr)
    print(sweep_summary_text(outcome))
    print(f"results written to {out}/ (results.csv, {', '.join(path.name for path in written)})")
    return 0
