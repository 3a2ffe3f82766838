"""Options and error handling shared by ``ccsim staff`` and ``ccsim schedule``."""

from __future__ import annotations

import argparse
import functools
import math
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from analysis.planning.staffing.options import ALL_GROUPS, ROUNDING_RULES, SCOPES, TARGET_SYNTAX

from .common import execution_plan, number, positive_int, replications

# The planning modules load SciPy, the solver and the simulator: imported where used, so that
# ``ccsim staff --help`` and ``ccsim schedule --help`` answer at once.
if TYPE_CHECKING:
    from analysis.planning.scheduling.shift_plans import OvertimeSettings
    from analysis.planning.staffing.search import SearchRound, SearchSettings
    from analysis.planning.staffing.targets import StaffingTarget
    from sim.config import Scenario


def input_errors() -> tuple[type[Exception], ...]:
    """Errors in what the user gave (targets, groups, files, plans): reported as ``error: ...``, status 2."""
    from analysis.planning.scheduling import (
        InfeasibleScheduleError,
        RosterError,
        RuleError,
        ScheduleSolveError,
        TemplateFileError,
    )
    from analysis.planning.scheduling.shift_plans import RequirementFileError
    from analysis.planning.staffing.targets import TargetError
    from analysis.planning.staffing.units import StaffingError

    return (TargetError, StaffingError, RequirementFileError, TemplateFileError, RuleError,
            InfeasibleScheduleError, ScheduleSolveError, RosterError)


def add_target_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--target", help=f"service target(s), comma-separated, all must hold: {TARGET_SYNTAX} "
                                         "(default: the scenario's [service_level] target)")
    parser.add_argument("--group", help="agent group to staff (default: the only shared group, or all shared groups "
                                        f"scaled together in proportion to their workload; '{ALL_GROUPS}' forces that)")
    parser.add_argument("--scope", choices=SCOPES, default="interval",
                        help="simulation method: the target must hold in every interval (default) or per day")
    parser.add_argument("--confidence", type=_share, default=0.95,
                        help="one-sided confidence of the simulated KPI bound (default 0.95)")
    parser.add_argument("--confirm-reps", type=replications,
                        help="simulation method: fresh replications for the final check (default: --reps)")
    parser.add_argument("--max-rounds", type=positive_int, default=60,
                        help="simulation method: stop searching after this many rounds (default 60)")
    parser.add_argument("--headcount-rounding", choices=ROUNDING_RULES, default="up",
                        help="agents on the phones -> headcount: 'up' (default) schedules agents / (1 - shrinkage) "
                             "rounded up; 'nearest' the smallest headcount the simulator's rounding of "
                             "headcount x (1 - shrinkage) turns into enough agents (the behaviour before this option)")


def targets_from(args: argparse.Namespace, scenario: Scenario) -> tuple[StaffingTarget, ...]:
    from analysis.planning.staffing.targets import parse_targets, scenario_targets

    return parse_targets(args.target) if args.target is not None else scenario_targets(scenario)


def settings_from(args: argparse.Namespace) -> SearchSettings:
    from analysis.planning.staffing.search import SearchSettings
    from analysis.planning.staffing.units import StaffingError

    if args.reps < 2:
        raise StaffingError("--reps must be at least 2 (confidence bounds need two replications)")
    return SearchSettings(replications=args.reps, confidence=args.confidence, scope=args.scope, seed=args.seed,
                          confirmation_replications=args.confirm_reps, max_rounds=args.max_rounds,
                          workers=args.workers, scheduler=args.scheduler,
                          show_progress=not args.quiet, execution=execution_plan(args))


def round_printer(args: argparse.Namespace) -> Callable[[SearchRound], None] | None:
    """Print each search round to stderr (progress for long searches), unless --quiet."""
    if args.quiet:
        return None
    return lambda record: print(record.describe(args.scope), file=sys.stderr, flush=True)


def output_directory(args: argparse.Namespace, prefix: str) -> Path:
    from analysis.planning.staffing.units import StaffingError

    out = Path(args.out) if args.out else Path("results") / f"{prefix}_{Path(args.scenario).stem}"
    if out.exists() and not out.is_dir():
        raise StaffingError(f"--out {str(out)!r} exists and is not a directory")
    return out


def overtime_option(text: str) -> OvertimeSettings:
    """``QUEUE[/MINUTES[/PREMIUM]]``, e.g. ``3/30/0.5``."""
    from analysis.planning.scheduling.shift_plans import OvertimeSettings

    parts = text.split("/")
    try:
        queue = int(parts[0])
        minutes = float(parts[1]) if len(parts) > 1 else OvertimeSettings.max_minutes
        premium = float(parts[2]) if len(parts) > 2 else OvertimeSettings.premium
    except (ValueError, IndexError):
        raise argparse.ArgumentTypeError(f"{text!r} is not QUEUE[/MINUTES[/PREMIUM]], e.g. 3/30/0.5") from None
    if len(parts) > 3 or queue < 0 or not minutes > 0 or not premium >= 0 or not math.isfinite(minutes + premium):
        raise argparse.ArgumentTypeError(f"{text!r}: need QUEUE >= 0, MINUTES > 0, PREMIUM >= 0")
    return OvertimeSettings(queue, minutes, premium)


def reporting_input_errors(handler: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """Turn bad targets, groups, files and plans into ``error: ...`` and exit status 2."""
    @functools.wraps(handler)
    def run(args: argparse.Namespace) -> int:
        try:
            return handler(args)
        except input_errors() as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
    return run


def _share(text: str) -> float:
    value = number(text)
    if not 0.5 <= value < 1:
        raise argparse.ArgumentTypeError(f"{text} is not a confidence between 0.5 and 1 (e.g. 0.95)")
    return value
