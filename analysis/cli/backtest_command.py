"""``ccsim backtest``: simulate a logged period with its inferred staffing and compare KPIs hour by hour."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from analysis.calibration.options import FORMATS

from .calibrate_command import activity_settings, add_activity_options
from .common import (
    add_max_contacts_option,
    add_output_options,
    check_size,
    file_input,
    non_negative_int,
    option_inputs,
    output_folder,
    positive_int,
    replications,
    results_folder,
)


def hour_range(text: str) -> tuple[int, int]:
    try:
        first, last = (int(part) for part in text.split("-"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an hour range FROM-TO such as 7-23") from None
    if not 0 <= first <= last <= 23:
        raise argparse.ArgumentTypeError(f"{text!r}: hours run from 0 to 23, FROM not after TO")
    return first, last


def register(subparsers) -> None:
    parser = subparsers.add_parser("backtest", help="simulate a logged period and compare KPIs with the log")
    parser.add_argument("log", help="contact log of the period to back-test")
    parser.add_argument("scenario", help="scenario TOML (e.g. from ccsim calibrate)")
    parser.add_argument("--format", choices=FORMATS, default="csv", dest="log_format", help="log format (default csv)")
    parser.add_argument("--reps", type=replications, default=10, help="replications (default 10, at least 2)")
    parser.add_argument("--seed", type=non_negative_int, default=0, help="random seed (default 0)")
    parser.add_argument("--start", type=date.fromisoformat, help="first date (YYYY-MM-DD)")
    parser.add_argument("--end", type=date.fromisoformat, help="last date (YYYY-MM-DD)")
    parser.add_argument("--on-error", choices=("skip", "raise"), default="skip", help="malformed rows (default skip)")
    parser.add_argument("--demand", choices=("scenario", "observed"), default="scenario",
                        help="arrivals from the scenario's weekday profile (default) or the log's own days")
    parser.add_argument("--surge", choices=("keep", "off"), default="keep",
                        help="the agent groups' surge rules: as in the scenario (default) or dropped")
    parser.add_argument("--hours", type=hour_range, help="hours FROM-TO (inclusive, e.g. 7-23) for the errors of "
                                                          "the main day type (default: all hours)")
    add_activity_options(parser)
    parser.add_argument("--workers", type=positive_int, help="parallel processes (default: one per core)")
    add_output_options(parser, "results/backtest_<scenario file name without .toml>")
    add_max_contacts_option(parser)
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.set_defaults(handler=_backtest)


def _backtest(args: argparse.Namespace) -> int:
    # The back-test loads pandas and the simulator: imported here, so the parser (and --help) stays light.
    from analysis.calibration.backtest import backtest_scenario
    from analysis.calibration.backtest_output import extra_text, hourly_table_text, summary_text, write_backtest
    from analysis.calibration.backtest_run import run_backtest
    from analysis.calibration.log_input import load_log
    from analysis.outputs.folders import scenario_digest
    from sim.config import load_scenario
    from sim.config.errors import UserInputError

    if args.reps < 2:
        print("error: --reps must be at least 2 (the intervals need a spread)", file=sys.stderr)
        return 2
    scenario = load_scenario(args.scenario)  # ScenarioError is reported by the main entry point
    try:
        loaded = load_log(args.log, args.log_format, args.on_error, args.start, args.end)
        activity = activity_settings(args)
        plan = backtest_scenario(scenario, loaded.contacts, loaded.day_types, args.demand, args.surge == "keep",
                                 activity)
    except UserInputError as error:  # anything else is a bug, reported as such by the entry point
        print(f"error: {error}", file=sys.stderr)
        return 2
    check_size(plan.scenario, args, args.scenario)
    out = output_folder(args, Path("results") / f"backtest_{Path(args.scenario).stem}")
    print(f"back-test of {args.scenario} on {args.log}: {plan.dates[0]} to {plan.dates[-1]} "
          f"({len(plan.dates)} days with data), demand from the {args.demand}, {args.reps} replications",
          file=sys.stderr)
    inputs = option_inputs(args, log=file_input(args.log), scenario=scenario_digest(scenario))
    with results_folder(out, "backtest", inputs, args) as folder:
        result = run_backtest(plan, loaded.contacts, args.reps, args.seed, args.workers, not args.quiet, activity)
        written = write_backtest(result, out, hours=args.hours)
        folder.finish()
    print(hourly_table_text(result))
    print()
    print(summary_text(result))
    print()
    print(extra_text(result, args.hours))
    print(f"\nresults written to {out}/ ({', '.join(path.name for path in written)})")
    return 0
