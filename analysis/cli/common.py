"""Options and steps shared by the commands: simulation options, where tasks run, results folders.

Kept light (no engine, numpy or pandas at import) so a command's ``--help`` is quick.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
from pathlib import Path
from typing import Any

from sim.limits import DEFAULT_MAX_CONTACTS, MAX_REPLICATIONS  # light: nothing heavy until an estimate

# Options that change where or how visibly a command runs, never its results.
EXECUTION_OPTIONS = frozenset({"workers", "scheduler", "scheduler_timeout", "worker_wait", "quiet", "out",
                               "overwrite", "restart", "json", "handler", "command", "argv", "max_contacts",
                               "max_variants", "debug"})


def add_run_options(parser: argparse.ArgumentParser, default_reps: int = 10) -> None:
    parser.add_argument("--reps", type=replications, default=default_reps,
                        help=f"independent replications (default {default_reps}, at most {MAX_REPLICATIONS:,})")
    parser.add_argument("--seed", type=non_negative_int, default=0, help="random seed (default 0)")
    parser.add_argument("--days", type=positive_int, help="override the number of days simulated")
    add_workers_option(parser)
    add_scheduler_option(parser)
    add_max_contacts_option(parser)
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


def add_max_contacts_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--max-contacts", type=positive_count, default=DEFAULT_MAX_CONTACTS, metavar="N",
                        help="refuse to start when a scenario is estimated to bring more than N contacts per "
                             f"replication, retrials and repeats included (default {DEFAULT_MAX_CONTACTS:,}), or "
                             "more than 6 N engine events; runs whose replications would not fit in memory side by "
                             "side are refused whatever N is")


def add_workers_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--workers", type=positive_int,
                        help="local worker processes (default: one per core; 1 runs in this process); "
                             "results do not depend on it")


def add_scheduler_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--scheduler", metavar="ADDRESS",
                        help="run on a Dask distributed cluster (tcp://HOST:PORT, e.g. tcp://10.0.0.5:8786) instead "
                             "of local processes; results are the same. Needs the dask extra")
    parser.add_argument("--scheduler-timeout", type=positive_seconds, default=10.0, metavar="SECONDS",
                        help="give up connecting to --scheduler after this long (default 10)")
    parser.add_argument("--worker-wait", type=positive_seconds, default=60.0, metavar="SECONDS",
                        help="with --scheduler: stop if no worker has joined, or none is left, for this long; "
                             "finished work is kept for a rerun (default 60)")


def add_output_options(parser: argparse.ArgumentParser, default: str) -> None:
    parser.add_argument("--out", metavar="DIR", help=f"results folder (default {default})")
    parser.add_argument("--overwrite", action="store_true",
                        help="if --out holds results of other inputs, delete the files ccsim wrote there first "
                             "(never other files); without it such a folder is refused")


def execution_plan(args: argparse.Namespace):
    from analysis.runs.execution import ExecutionPlan

    if getattr(args, "scheduler", None):
        from analysis.runs.dask_cluster import quiet_dask_logging

        # For the rest of this process: Dask's client thread and asyncio's leftover tasks may still log
        # (e.g. "Task exception was never retrieved") after the executor has closed and said what went wrong.
        quiet_dask_logging()
    return ExecutionPlan(workers=getattr(args, "workers", None), scheduler=getattr(args, "scheduler", None),
                         connect_timeout=getattr(args, "scheduler_timeout", 10.0),
                         worker_timeout=getattr(args, "worker_wait", 60.0))


def load_with_options(path: str, args: argparse.Namespace):
    """Load a scenario, apply command-line overrides such as ``--days`` and check it against the run limits."""
    from sim.config import apply_overrides, load_scenario

    scenario = load_scenario(path)
    if getattr(args, "days", None):
        scenario = apply_overrides(scenario, {"horizon.days": args.days})
    check_size(scenario, args, path)
    return scenario


def check_size(scenario, args: argparse.Namespace, source: str | None = None) -> None:
    """Refuse (``RunTooLarge``) a scenario above ``--max-contacts`` or too big for this machine's memory."""
    from sim.limits import check_run

    kept = {"none": 0, "all": getattr(args, "reps", 1)}.get(getattr(args, "contacts", "first"), 1)
    check_run(scenario, getattr(args, "max_contacts", DEFAULT_MAX_CONTACTS), side_by_side(args), source, kept)


def side_by_side(args: argparse.Namespace) -> int:
    """Replications that run at once on this machine (none here with a Dask scheduler)."""
    if getattr(args, "scheduler", None):
        return 0
    workers = getattr(args, "workers", None) or os.cpu_count() or 1
    return max(1, min(workers, getattr(args, "reps", 1) or 1))


def command_line(args: argparse.Namespace) -> list[str]:
    """The command as typed (recorded in results folders and summaries)."""
    return ["ccsim", *getattr(args, "argv", sys.argv[1:])]


def output_folder(args: argparse.Namespace, default: Path) -> Path:
    return Path(args.out) if getattr(args, "out", None) else default


def default_results_folder(name: str) -> Path:
    """``results/<name>``; a name that would lead out of ``results`` or hide the folder (a scenario file
    named ``...toml`` has the stem ``..``) gets a prefix."""
    name = name if name and not name.startswith(".") else f"results{name}"
    return Path("results") / name


def results_folder(out: Path, command: str, inputs: dict[str, Any], args: argparse.Namespace):
    """The command's results folder, opened before anything runs (one writer, no silent overwrite)."""
    from analysis.outputs.folders import ResultsFolder

    return ResultsFolder(out, command, inputs, overwrite=getattr(args, "overwrite", False), argv=command_line(args))


def option_inputs(args: argparse.Namespace, **replaced: Any) -> dict[str, Any]:
    """The options that decide a command's results (execution options left out), with ``replaced`` values
    (e.g. file paths replaced by digests of their content)."""
    inputs = {key: value for key, value in vars(args).items() if key not in EXECUTION_OPTIONS and not callable(value)}
    inputs.update(replaced)
    return inputs


def file_input(path: str | None) -> str | None:
    """Digest of an input file's content (None for no file)."""
    if path is None:
        return None
    from analysis.outputs.folders import file_digest

    try:
        return file_digest(path)
    except OSError:  # the command reports the unreadable file itself, with its own wording
        return f"unreadable: {path}"


def _whole_number(text: str, minimum: int, kind: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < minimum:
        raise argparse.ArgumentTypeError(f"{text} is not a {kind} whole number")
    return value


def positive_int(text: str) -> int:
    return _whole_number(text, 1, "positive")


def non_negative_int(text: str) -> int:
    return _whole_number(text, 0, "non-negative")


def replications(text: str) -> int:
    value = positive_int(text)
    if value > MAX_REPLICATIONS:
        raise argparse.ArgumentTypeError(f"{text}: at most {MAX_REPLICATIONS:,} replications")
    return value


def number(text: str, what: str = "a number") -> float:
    """``text`` as a float, or the parser's error saying it is not ``what``."""
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not {what}") from None


def positive_count(text: str) -> int:
    """A positive whole number, also written like ``5e6``."""
    value = number(text)
    if not (math.isfinite(value) and value >= 1 and value.is_integer()):
        raise argparse.ArgumentTypeError(f"{text} is not a positive whole number")
    return int(value)


def finite_float(text: str) -> float:
    """A number that is neither infinite nor NaN."""
    value = number(text)
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"{text} is not a finite number")
    return value


def positive_seconds(text: str) -> float:
    value = number(text, "a number of seconds")
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"{text} is not a positive number of seconds")
    return value


def positive_float(text: str) -> float:
    value = number(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"{text} is not a positive number")
    return value
