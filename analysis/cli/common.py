"""Options and steps shared by the commands that run simulations."""

from __future__ import annotations

import argparse

from sim.config import Scenario, apply_overrides, load_scenario


def add_run_options(parser: argparse.ArgumentParser, default_reps: int = 10) -> None:
    parser.add_argument("--reps", type=positive_int, default=default_reps,
                        help=f"independent replications (default {default_reps})")
    parser.add_argument("--seed", type=non_negative_int, default=0, help="random seed (default 0)")
    parser.add_argument("--days", type=positive_int, help="override the number of days simulated")
    parser.add_argument("--workers", type=positive_int,
                        help="parallel processes (default: one per core); results do not depend on it")
    add_scheduler_option(parser)
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


def add_scheduler_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--scheduler", metavar="ADDRESS",
                        help="run on a Dask distributed cluster (e.g. tcp://10.0.0.5:8786) instead of local "
                             "processes; results are the same")


def load_with_options(path: str, args: argparse.Namespace) -> Scenario:
    """Load a scenario and apply command-line overrides such as ``--days``."""
    scenario = load_scenario(path)
    if getattr(args, "days", None):
        scenario = apply_overrides(scenario, {"horizon.days": args.days})
    return scenario


def positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text} is not a positive whole number")
    return value


def non_negative_int(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text} is not a non-negative whole number")
    return value
