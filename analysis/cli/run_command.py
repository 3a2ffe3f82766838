"""``ccsim run``: simulate a scenario, print the KPI table (or JSON), write results."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from .common import (
    add_output_options,
    add_run_options,
    command_line,
    default_results_folder,
    execution_plan,
    load_with_options,
    output_folder,
    results_folder,
)


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "run", help="simulate a scenario and report KPIs with 95%% CIs",
        description="Simulate --reps replications of a scenario, print each KPI's mean and 95%% CI and write "
                    "summary.json, intervals.csv, days.csv and the contact records (contacts.csv of the first "
                    "replication unless --contacts/--format say otherwise) to the results folder.")
    parser.add_argument("scenario", help="scenario TOML file")
    add_output_options(parser, "results/<scenario file name without .toml>")
    parser.add_argument("--json", action="store_true",
                        help="print the KPIs as JSON on standard output (messages go to standard error)")
    parser.add_argument("--contacts", choices=("first", "all", "none"), default="first",
                        help="which replications write every contact record: the first (default), all (with a "
                             "replication column) or none (KPIs never need them; memory stays flat)")
    parser.add_argument("--format", dest="contacts_format", choices=("csv", "parquet"), default="csv",
                        help="file format of the contact records (parquet needs the optional pyarrow: "
                             'pip install -e ".[parquet]")')
    add_run_options(parser)
    parser.set_defaults(handler=_run)


def _run(args) -> int:
    from analysis.outputs.files import json_safe, parquet_available
    from analysis.outputs.results import run_inputs, run_text, summary, write_results
    from analysis.runs.experiment import run_experiment

    scenario = load_with_options(args.scenario, args)
    out = output_folder(args, default_results_folder(Path(args.scenario).stem))
    messages = sys.stderr if args.json else sys.stdout
    if args.contacts_format == "parquet" and args.contacts != "none":
        parquet_available()
    inputs = {**run_inputs(scenario, args.seed, args.reps), "contacts": args.contacts, "format": args.contacts_format}
    with results_folder(out, "run", inputs, args) as folder:
        result = run_experiment(scenario, replications=args.reps, seed=args.seed, show_progress=not args.quiet,
                                plan=execution_plan(args), contacts=args.contacts)
        written = write_results(result, out, command=command_line(args), contacts_format=args.contacts_format)
        folder.finish()
    print(f"{scenario.name}: {result.replications} replication(s), {scenario.horizon.days} day(s), "
          f"seed {args.seed}, {result.wall_seconds:.1f} s", file=messages)
    if args.json:
        content = summary(result, command_line(args))
        print(json.dumps(json_safe({"scenario": scenario.name, "seed": args.seed, "replications": result.replications,
                                     "days": scenario.horizon.days, "run_seconds": round(result.wall_seconds, 3),
                                     "results": str(out), "kpis": content["kpis"],
                                     "cost_breakdown": content["cost_breakdown"]}), indent=2))
    else:
        print(run_text(result))
    print(f"results written to {out}/ ({', '.join(path.name for path in written)})", file=messages)
    return 0

