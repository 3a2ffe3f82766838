"""``ccsim initiatives``: evaluate initiatives alone and together against a baseline (ROI, payback, NPV)."""

from __future__ import annotations

import sys
from pathlib import Path

from analysis.planning.horizon.simulation import SimulationSettings
from analysis.planning.staffing import StaffingError
from analysis.runs.execution import ExecutionPlan
from analysis.studies.initiatives import evaluate, load_initiatives_file, prepare
from analysis.studies.initiatives.outputs import initiatives_text, write_initiatives
from sim.config.errors import InputError

from .common import add_scheduler_option, non_negative_int, positive_int


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
    parser.add_argument("--workers", type=positive_int,
                        help="parallel processes (default: one per core); results do not depend on it")
    add_scheduler_option(parser)
    parser.add_argument("--out", help="results directory (default results/initiatives_<name>)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.set_defaults(handler=_initiatives)


def _initiatives(args) -> int:
    try:
        spec = load_initiatives_file(args.file)
        given = (("replications", args.reps), ("seed", args.seed))
        overrides = {key: value for key, value in given if value is not None}
        spec = spec.model_copy(update=overrides)
        prepared = prepare(spec, args.file)
        settings = SimulationSettings(spec.replications, spec.seed, ExecutionPlan(args.workers, args.scheduler),
                                      not args.quiet)
        evaluation = evaluate(prepared, settings)
    except InputError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except StaffingError as error:
        print(f"error: {args.file}: {error}", file=sys.stderr)
        return 2
    print(initiatives_text(evaluation))
    out = Path(args.out) if args.out else Path("results") / f"initiatives_{spec.name}"
    written = write_initiatives(evaluation, out, command=["ccsim", *sys.argv[1:]])
    print(f"results written to {out}/ ({', '.join(path.name for path in written)})")
    return 0
