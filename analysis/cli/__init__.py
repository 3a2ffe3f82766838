"""The ``ccsim`` command line.

Commands are listed in :data:`COMMANDS` (name, ``module`` or
``module:function`` of this package, one-line help). The function (default
``register``) takes the subparsers, adds the command's parser and sets its
``handler``. Only the module of the command being run
is imported, and modules import the heavy parts (engine, pandas, plots)
inside their handlers, so ``ccsim --help`` starts in a fraction of a second
(``python benchmarks/bench_cli.py`` measures it). To add a command, write
the module and add a row to :data:`COMMANDS`.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import traceback

from analysis import __version__

COMMANDS: tuple[tuple[str, str, str], ...] = (
    ("run", "run_command", "simulate a scenario and report KPIs with 95%% CIs"),
    ("validate", "scenario_commands:register_validate", "check a scenario file without running it"),
    ("schema", "scenario_commands:register_schema", "print the JSON Schema of the scenario format"),
    ("compare", "compare_command", "compare scenarios on common random numbers (paired differences against the first)"),
    ("sweep", "sweep_command", "run a parameter sweep (grid, one-at-a-time, Latin hypercube, Sobol', Morris)"),
    ("breakeven", "breakeven_command",
     "find the parameter value where a KPI reaches a target or matches another scenario"),
    ("report", "report_command", "write a self-contained HTML report of a results directory"),
    ("staff", "staff_command",
     "agents needed per interval (Erlang C, Erlang A or simulation) and a scenario using them"),
    ("schedule", "schedule_command",
     "plan shifts for a requirement, write a roster and a scenario using it; compare rules"),
    ("plan", "plan_command",
     "month-by-month (or week-by-week) budget plan: FTE required and available, hires, costs"),
    ("initiatives", "initiatives_command",
     "evaluate investments (training, scheduling, AI, outsourcing, ...) against a baseline"),
    ("calibrate", "calibrate_command", "fit a contact log and write a scenario with a fit report"),
    ("backtest", "backtest_command", "simulate a logged period and compare KPIs with the log"),
)


def build_parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    """The parser; only the command named in ``argv`` (if any) gets its full set of options."""
    parser = argparse.ArgumentParser(
        prog="ccsim", description="Discrete-event simulation of contact centers (human agents, AI, vendors).")
    parser.add_argument("--version", action="version", version=f"ccsim {__version__}")
    parser.add_argument("--debug", action="store_true",
                        help="on an internal error, show the full traceback (also accepted after the command)")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    chosen = _chosen_command(sys.argv[1:] if argv is None else argv)
    for name, where, summary in COMMANDS:
        if name == chosen:
            module, _, function = where.partition(":")
            getattr(importlib.import_module(f"{__name__}.{module}"), function or "register")(subparsers)
        else:
            subparsers.add_parser(name, help=summary)
    return parser


def _chosen_command(argv: list[str]) -> str | None:
    """The first word that is not an option (the top-level parser has no option taking a value)."""
    return next((word for word in argv if not word.startswith("-")), None)


def main(argv: list[str] | None = None) -> int:
    """Run a command. Exit status: 0 done, 2 bad input (nothing run or written), 1 a bug, 130 interrupted."""
    typed = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in typed
    argv = ["--debug", *(word for word in typed if word != "--debug")] if debug else typed
    try:
        args = build_parser(argv).parse_args(argv)  # inside: Ctrl-C while the command loads is an interruption
        args.argv = typed
        from analysis.errors import USER_ERRORS  # after parsing, so --help stays fast

        try:
            return int(args.handler(args) or 0)
        except USER_ERRORS as error:
            print(f"error: {_shown(error)}", file=sys.stderr)
            return 2
    except KeyboardInterrupt:
        print("interrupted; files already complete were kept, nothing partial was written", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the output went to a pipe that closed (ccsim schema | head): not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except Exception as error:  # noqa: BLE001 - everything else is a bug, and says so
        if debug:
            traceback.print_exc()
        print(_bug_report(error, debug), file=sys.stderr)
        return 1


def _shown(error: Exception) -> str:
    """The message with hidden characters (bidirectional controls, ...) escaped for the terminal."""
    from sim.config.text import terminal_safe

    return terminal_safe(str(error))


def _bug_report(error: Exception, traceback_shown: bool) -> str:
    lines = [f"internal error in ccsim {__version__}: {_shown(f'{type(error).__name__}: {error}')}"]
    if isinstance(error, MemoryError):
        lines.append("the run needed more memory than the machine had: try fewer --workers, fewer days or a "
                     "lower --max-contacts")
    lines.append("This is a bug in ccsim, not a problem with your input. Please report it with the command you "
                 "ran and its input files" + ("." if traceback_shown else
                                                "; run the command again with --debug to include the traceback."))
    return "\n".join(lines)
