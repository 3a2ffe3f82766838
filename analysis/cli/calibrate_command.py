"""``ccsim calibrate``: fit a contact log and write a runnable scenario, its CSVs and a fit report."""

from __future__ import annotations

import argparse
import math
import sys
from datetime import date
from pathlib import Path

from analysis.calibration.options import FORMATS, SHORT_CALL_CHOICES, ActivitySettings

from .common import non_negative_int, positive_float, positive_int

# The bank data's README: priority customers were moved ahead about 1.5 minutes (used if not estimable).
_README_BOOST_SECONDS = 90.0


def register(subparsers) -> None:
    parser = subparsers.add_parser("calibrate", help="fit a contact log and write a scenario with a fit report")
    parser.add_argument("log", help="contact log (generic CSV or Anonymous Bank TSV)")
    parser.add_argument("--format", choices=FORMATS, default="csv", dest="log_format",
                        help="log format (default csv)")
    parser.add_argument("--out", required=True, help="scenario TOML to write (CSVs and <stem>_report/ beside it)")
    parser.add_argument("--interval", type=int, choices=(15, 30, 60), default=30, help="interval minutes (default 30)")
    parser.add_argument("--start", type=date.fromisoformat, help="first date to use (YYYY-MM-DD)")
    parser.add_argument("--end", type=date.fromisoformat, help="last date to use (YYYY-MM-DD)")
    parser.add_argument("--on-error", choices=("skip", "raise"), default="skip",
                        help="malformed rows: skip and report them (default) or stop at the first")
    parser.add_argument("--short-calls", choices=SHORT_CALL_CHOICES, default="mixture",
                        help="very short calls in handle time: observed share mixed in as an exact mixture "
                             "(default), the same mixture as equal-probability points, or left out")
    parser.add_argument("--patience", choices=("auto", "parametric", "empirical"), default="auto",
                        help="patience: best of exponential/Weibull unless it misses Kaplan-Meier (auto)")
    parser.add_argument("--patience-by-queue", choices=("auto", "off"), default="auto",
                        help="callers who find a long queue hang up sooner: an extra rate in the first 2 minutes by "
                             "callers ahead, against the patience of those who found nobody waiting (auto, default: "
                             "written when the log shows it at the 1%% level) or off (one patience for all)")
    parser.add_argument("--type-order", choices=("auto", "off"), default="auto",
                        help="which type agents serving several take first: per-type queue boosts from the log's "
                             "choices (auto, default: written when they differ from first come, first served at "
                             "the 1%% level, fitted from the last change of rule) or off")
    parser.add_argument("--surge", choices=("auto", "off"), default="auto",
                        help="surge rule (off-phone agents to the phones while the queue is long): estimated "
                             "from agents who answer only then (auto, default; none if the log shows none) or off")
    parser.add_argument("--availability", choices=("model", "shrinkage"), default="model",
                        help="agents' availability: stepping away and coming back, fitted from the gaps between "
                             "their calls (model, default), or a fixed shrinkage of the agents seen (shrinkage)")
    parser.add_argument("--pools", choices=("auto", "single"), default="auto",
                        help="one agent group per pool of agents serving the same contact types (auto, default) "
                             "or one group for everyone (single)")
    parser.add_argument("--recent-days", type=positive_int,
                        help="fit arrivals and handle times on the last N days of the window only (drift); "
                             "everything else uses the whole window")
    parser.add_argument("--half-life-days", type=half_life, default="auto", metavar="DAYS|auto|none",
                        help="recency weighting of arrivals and handle times: a day N days before the last weighs "
                             "0.5^(N/DAYS); auto (default) picks the half-life that best predicts each day from the "
                             "days before it (no weighting when that does best); none: equal weights")
    parser.add_argument("--check-reps", type=non_negative_int, default=2, metavar="N",
                        help="simulate the scenario N times against its own log (its arrivals and staffing) for the "
                             "fit report's share-talking and wait-distribution plots (default 2; 0 skips)")
    add_activity_options(parser)
    parser.add_argument("--name", help="scenario name (default: the output file's stem)")
    parser.set_defaults(handler=_calibrate)


def half_life(text: str) -> float | str | None:
    if text in ("auto", "none"):
        return None if text == "none" else text
    return positive_float(text)


def add_activity_options(parser: argparse.ArgumentParser) -> None:
    """Options of the duty-span rules, shared by calibrate and backtest (both must read a log alike)."""
    defaults = ActivitySettings()
    parser.add_argument("--off-duty-gap", type=positive_float, default=defaults.off_duty_gap_minutes,
                        metavar="MINUTES", help="a gap between an agent's calls this long, with callers waiting "
                        f"meanwhile, ends a duty span (default {defaults.off_duty_gap_minutes:g})")
    parser.add_argument("--connect-seconds", type=positive_float, default=defaults.connect_seconds,
                        help="gaps between calls up to this long while callers wait are call set-up, not absence "
                             f"(default {defaults.connect_seconds:g})")


def activity_settings(args: argparse.Namespace) -> ActivitySettings:
    return ActivitySettings(connect_seconds=args.connect_seconds, off_duty_gap_minutes=args.off_duty_gap)


def _self_check(scenario, loaded, activity: ActivitySettings, replications: int):
    """Lines and figures of the scenario replayed on its own log's arrivals and staffing (in sample)."""
    from analysis.calibration.backtest import backtest_scenario
    from analysis.calibration.backtest_output import availability_figure, extra_text, summary_text
    from analysis.calibration.backtest_run import run_backtest

    plan = backtest_scenario(scenario, loaded.contacts, loaded.day_types, "observed", activity=activity)
    result = run_backtest(plan, loaded.contacts, max(replications, 2), show_progress=False, activity=activity)
    lines = [f"{plan.dates[0]} to {plan.dates[-1]}, the log's own arrivals and staffing, {result.replications} "
             "replications", "", summary_text(result), "", extra_text(result)]
    return lines, [("availability.png", "Waits and share of agents talking by callers waiting: log and simulation",
                    availability_figure(result))]


def _step(message: str) -> None:
    print(f"... {message}", file=sys.stderr, flush=True)


def _calibrate(args: argparse.Namespace) -> int:
    # The fitting loads pandas and SciPy: imported here, so the parser (and --help) stays light.
    from analysis.calibration import CalibrationSettings, calibrate, format_summary
    from analysis.calibration.agent_pools import SPECIALIST_SHARE
    from analysis.calibration.fit_report import write_fit_report
    from analysis.calibration.log_input import load_log
    from analysis.calibration.scenario_build import ScenarioOptions, build_scenario
    from analysis.calibration.scenario_file import write_calibrated_scenario
    from analysis.runs.runner import Progress
    from sim.config.errors import UserInputError
    from sim.config.text import terminal_safe

    out = Path(args.out)
    if out.suffix != ".toml":
        print(f"error: --out {out} must be a .toml file", file=sys.stderr)
        return 2
    try:
        _step(f"reading {args.log} ({args.log_format})")
        loaded = load_log(args.log, args.log_format, args.on_error, args.start, args.end)
        _step(f"fitting {len(loaded.contacts)} contacts")
        settings = CalibrationSettings(interval_minutes=args.interval, day_types=loaded.day_types,
                                       recent_days=args.recent_days, half_life_days=args.half_life_days,
                                       patience_by_queue=args.patience_by_queue == "auto",
                                       type_order=args.type_order == "auto")
        result = calibrate(loaded.contacts, settings, loaded.report)
        options = ScenarioOptions(
            name=args.name or out.stem, short_calls=args.short_calls, patience=args.patience, surge=args.surge,
            availability=args.availability, activity=activity_settings(args),
            specialist_share=SPECIALIST_SHARE if args.pools == "auto" else math.inf,
            default_queue_boost_seconds=_README_BOOST_SECONDS if args.log_format == "technion" else 0.0)
        calibrated = build_scenario(result, loaded.contacts, options)
    except UserInputError as error:  # anything else is a bug, reported as such by the entry point
        print(f"error: {error}", file=sys.stderr)
        return 2
    header = [f"Scenario calibrated by `ccsim calibrate` from {Path(args.log).name} "
              f"({result.first_date} to {result.last_date}, {result.contacts} contacts).",
              "Each section's comment says where its numbers came from; the fit report with plots is in "
              f"{out.stem}_report/."]
    _step(f"writing {out} and its CSV files (checked by loading them back)")
    written = write_calibrated_scenario(calibrated, out, header)
    report_dir = out.parent / f"{out.stem}_report"
    check = None
    if args.check_reps and written.scenario.agent_groups:
        _step(f"simulating the scenario {args.check_reps} times against its own log (fit report)")
        check = _self_check(written.scenario, loaded, activity_settings(args), args.check_reps)
    bar = Progress("fit report", unit="report", total=1.0)
    try:
        page = write_fit_report(result, report_dir, out.name, calibrated.comments,
                                written.scenario.contact_type_names(), progress=bar.move_to, check=check)
    finally:
        bar.close()
    print(terminal_safe(format_summary(result)))  # names from the log reach the terminal as written
    print(f"\nscenario written: {out} (+ {', '.join(p.name for p in written.files if p != out)}); "
          f"valid, {written.scenario.horizon.days} days, {len(written.scenario.contact_types)} contact types")
    print(f"fit report: {page}")
    return 0
