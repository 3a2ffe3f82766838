"""The ``ccsim`` command line. Each subcommand lives in its own module with a
``register(subparsers)`` function that adds its parser and sets ``handler``."""

from __future__ import annotations

import argparse
import sys

from sim.config import ScenarioError

from . import run_command, scenario_commands

COMMAND_MODULES = [run_command, scenario_commands]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ccsim", description="Discrete-event simulation of contact centers (human agents, AI, vendors).")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in COMMAND_MODULES:
        module.register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except ScenarioError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted; files already complete were kept, nothing partial was written", file=sys.stderr)
        return 130
