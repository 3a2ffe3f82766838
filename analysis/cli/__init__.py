"""The ``ccsim`` command line.

Each subcommand lives in its own module of this package whose name ends in
``_command`` or ``_commands`` and which defines ``register(subparsers)``;
modules are discovered automatically, in alphabetical order.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys

from sim.config import ScenarioError


def command_modules() -> list:
    names = sorted(info.name for info in pkgutil.iter_modules(__path__)
                   if info.name.endswith(("_command", "_commands")))
    return [importlib.import_module(f"{__name__}.{name}") for name in names]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ccsim", description="Discrete-event simulation of contact centers (human agents, AI, vendors).")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in command_modules():
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
