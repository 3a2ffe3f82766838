"""``ccsim run``: simulate a scenario, print the KPI table, write results."""

from __future__ import annotations

import sys
from pathlib import Path

from analysis.outputs.results import run_text, write_results
from analysis.runs.experiment import run_experiment

from .common import add_run_options, load_with_options


def register(subparsers) -> None:
    parser = subparsers.add_parser("run", help="simulate a scenario and report KPIs with 95%% CIs")
    parser.add_argument("scenario", help="scenario TOML file")
    parser.add_argument("--out", help="results directory (default results/<scenario name>)")
    add_run_options(parser)
    parser.set_defaults(handler=_run)


def _run(args) -> int:
    scenario = load_with_options(args.scenario, args)
    out = Path(args.out) if args.out else Path("results") / Path(args.scenario).stem
    result = run_experiment(scenario, replications=args.reps, seed=args.seed, workers=args.workers,
                            show_progress=not args.quiet, scheduler=args.scheduler)
    print(f"{scenario.name}: {result.replications} replication(s), {scenario.horizon.days} day(s), "
          f"seed {args.seed}, {result.wall_seconds:.1f} s")
    print(run_text(result))
    written = write_results(result, out, command=["ccsim", *sys.argv[1:]])
    print(f"results written to {out}/ ({', '.join(path.name for path in written)})")
    return 0
