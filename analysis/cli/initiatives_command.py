"""``ccsim initiatives``: evaluate initiatives alone and together against a baseline (ROI, payback, NPV)."""

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
        "initiatives", help="evaluate investments (training, scheduling, AI, outsourcing, ...) against a baseline",
        description="Build the baseline and every initiative alone, the listed combinations and all together; "
                    "staff each to the target (or keep the scenario's staffing), simulate them on common random "
                    "numbers and turn the differences into monthly savings, customer value and workforce savings; "
                    "report ROI, payback month and NPV with 95%% CIs, ranked by NPV. Writes initiatives.csv, "
                    "cash_flows.csv, replications.csv, initiatives.png and summary.json.")
    parser.add_argument("file", help="initiatives TOML file")
    parser.add_argument("--reps", type=positive_int, help="replications (default: the file's, else 10)")
    parser.add_argument("--seed", type=non_negative_int, help="random seed (default: the file's, else 0)")
    add_workers_option(parser)
    add_scheduler_option(parser)
    add_output_options(parser, "results/initiatives_<name>")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.set_defaults(handler=_initiatives)


def _initiatives(args) -> int:
    from analysis.outputs.folders import scenario_digest
    from analysis.planning.horizon.simulation import SimulationSettings
    from analysis.planning.staffing import StaffingError
    from analysis.studies.initiatives import evaluate, load_initiatives_file, prepare
    from analysis.studies.initiatives.outputs import initiatives_text, write_initiatives
    from sim.config.errors import InputError

    try:
        spec = load_initiatives_file(args.file)
        given = (("replications", args.reps), ("seed", args.seed))
        spec = spec.model_copy(update={key: value for key, value in given if value is not None})
        prepared = prepare(spec, args.file)
    except InputError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    out = output_folder(args, Path("results") / f"initiatives_{spec.name}")
    inputs = option_inputs(args, file=file_input(args.file), baseline=scenario_digest(prepared.baseline),
                           plan=file_input(spec.plan))
    try:
        with results_folder(out, "initiatives", inputs, args) as folder:
            settings = SimulationSettings(spec.replications, spec.seed, execution_plan(args), not args.quiet)
            evaluation = evaluate(prepared, settings)
            written = write_initiatives(evaluation, out, command=command_line(args))
            folder.finish()
    except StaffingError as error:
        print(f"error: {args.file}: {error}", file=sys.stderr)
        return 2
    print(initiatives_text(evaluation))
    print(f"results written to {out}/ ({', '.join(path.name for path in written)})")
    return 0
