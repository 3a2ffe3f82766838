"""A command's ``--help`` loads its parser only: not SciPy, pandas or the simulator (it answers at once)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from analysis.cli import COMMANDS

from .processes import environment

HEAVY = ("scipy", "pandas", "simpy", "sim.engine", "matplotlib")
LIGHT_COMMANDS = [name for name, _, _ in COMMANDS]

PROBE = """
import contextlib, io, json, sys
from analysis.cli import main
with contextlib.redirect_stdout(io.StringIO()):
    try:
        main({arguments!r})
    except SystemExit:
        pass
print(json.dumps(sorted(name for name in {heavy!r} if name in sys.modules)))
"""


@pytest.mark.parametrize("command", [None, *LIGHT_COMMANDS])
def test_help_imports_nothing_heavy(command):
    arguments = ["--help"] if command is None else [command, "--help"]
    probe = PROBE.format(arguments=arguments, heavy=HEAVY)
    finished = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60,
                              env=environment())
    assert finished.returncode == 0, finished.stderr
    assert json.loads(finished.stdout.strip().splitlines()[-1]) == []
