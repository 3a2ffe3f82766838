"""``ccsim report``: a self-contained HTML page of a results directory."""

from __future__ import annotations

import sys

from .common import command_line


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "report", help="write a self-contained HTML report of a results directory",
        description="Write one HTML file with the tables and charts (embedded PNGs) of a directory written by "
                    "ccsim run, compare, sweep, breakeven, staff, schedule, calibrate (the scenario's _report "
                    "folder or the folder holding it) or backtest. It needs nothing else to open, also offline. "
                    "A folder still being written, or whose files differ from the ones its run recorded (sizes and "
                    "SHA-256), is refused; one left unfinished is reported with a warning.")
    parser.add_argument("results", help="results directory")
    parser.add_argument("--out", help="HTML file to write (default RESULTS/report.html)")
    parser.set_defaults(handler=_report)


def _report(args) -> int:
    from analysis.outputs.folders import FolderLock, check_folder, unfinished_command
    from analysis.outputs.report import NothingToReport, write_report

    with FolderLock(args.results, command_line(args)):
        problems = check_folder(args.results)
        if problems:
            print(f"error: {args.results} cannot be reported, its files differ from the ones its run wrote:\n  "
                  + "\n  ".join(problems), file=sys.stderr)
            return 2
        unfinished = unfinished_command(args.results)
        if unfinished:
            print(f"warning: {args.results} is incomplete: `{unfinished}` did not finish; the report shows what "
                  "is there", file=sys.stderr)
        try:
            path = write_report(args.results, args.out)
        except NothingToReport as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
    print(f"report written to {path}")
    return 0
