"""Start-up time of the command line: ``ccsim --help`` must answer in under 0.5 s.

    python benchmarks/bench_cli.py [--repeat 10]

Runs each command line ``--repeat`` times as a fresh process and prints the
median and best wall time, next to a bare ``python -c pass`` for scale. The
top-level parser imports no command (commands come from a static table), so
``ccsim --help`` costs little more than the interpreter itself.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

# The installed console script when there is one (what users type), else the module.
_SCRIPT = Path(sys.executable).parent / "ccsim"
_CCSIM = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "ccsim"]

COMMANDS = {
    "python -c pass": [sys.executable, "-c", "pass"],
    "ccsim --help": [*_CCSIM, "--help"],
    "ccsim --version": [sys.executable, "-m", "ccsim", "--version"],
    "ccsim run --help": [sys.executable, "-m", "ccsim", "run", "--help"],
    "ccsim sweep --help": [sys.executable, "-m", "ccsim", "sweep", "--help"],
}
GOAL_SECONDS = 0.5


def timed(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()
    for label, command in COMMANDS.items():
        times = [timed(command) for _ in range(args.repeat)]
        print(f"{label:<22} median {statistics.median(times):.3f} s, best {min(times):.3f} s")
    help_median = statistics.median(timed(COMMANDS["ccsim --help"]) for _ in range(args.repeat))
    verdict = "meets" if help_median < GOAL_SECONDS else "MISSES"
    print(f"ccsim --help {verdict} the {GOAL_SECONDS} s goal ({help_median:.3f} s)")


if __name__ == "__main__":
    main()
