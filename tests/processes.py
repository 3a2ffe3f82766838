"""Helpers for tests that run ``ccsim`` as real processes and watch them (polling, never fixed sleeps)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def environment() -> dict[str, str]:
    return dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))


def ccsim_command(*arguments: str) -> list[str]:
    return [sys.executable, "-m", "ccsim", *map(str, arguments)]


def run_ccsim(*arguments: str, timeout: float = 120, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(ccsim_command(*arguments), capture_output=True, text=True, timeout=timeout,
                          env=environment(), cwd=cwd)


def start_ccsim(*arguments: str, cwd: Path | None = None, **options) -> subprocess.Popen:
    return subprocess.Popen(ccsim_command(*arguments), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=environment(), cwd=cwd, **options)


def wait_until(condition: Callable[[], bool], timeout: float, what: str, process: subprocess.Popen | None = None,
               every: float = 0.05) -> None:
    """Poll ``condition`` until it holds; fail with ``what`` after ``timeout`` s (or if ``process`` ends first)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if process is not None and process.poll() is not None:
            raise AssertionError(f"the process ended (status {process.returncode}) before {what}: "
                                 f"{process.stderr.read() if process.stderr else ''}")
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(every)


def lock_holder(folder: Path) -> str:
    path = folder / ".ccsim" / "lock"
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        return ""
