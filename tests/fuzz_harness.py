"""Running the command line on hostile inputs in a separate process with a time and memory budget.

A :class:`Sandbox` keeps one worker process (spawned, so it shares no
threads or locks with the test process) that runs ``ccsim`` commands in
turn under an address-space limit; a command that overruns its time is
killed and the worker replaced. :func:`judge` sorts each outcome into the
classes the hardening issue counts: a clean refusal, a valid result, or a
failure (traceback, hang, out of memory, non-finite KPI, refusal that wrote
files or named no field).
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import multiprocessing
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

MEMORY_BUDGET_BYTES = 1536 * 2**20  # on top of what the worker has mapped after its imports
TIME_BUDGET_SECONDS = 30.0

# KPIs undefined (null) exactly when what they divide by is zero: KPI -> the count(s) it divides by.
DENOMINATORS = {
    "abandon_rate": ("offered_to_queue",), "service_level": ("offered_to_queue",),
    "mean_wait_seconds": ("offered_to_queue",), "asa_seconds": ("answered",),
    "automation_rate": ("contacts_offered",), "repeat_contact_rate": ("contacts_offered",),
    "cost_per_contact": ("contacts_offered",), "escalation_rate": ("ai_sessions",),
    "outsourced_share": ("answered",), "fcr_rate": ("answered", "ai_contained"),
    "csat_mean": ("contacts_offered",), "loyal_share": ("contacts_offered",),
    "lost_share": ("contacts_offered",), "roi": ("total_cost",),
}
# Ratios of agent time whose denominator (time on duty) is not a KPI of its own.
DUTY_RATIOS = ("occupancy", "vendor_occupancy")
PROBLEM_LINE = re.compile(r"^  \S.*: .+|^error: .*: (cannot read|not|no such)", re.MULTILINE)


def _worker(connection, memory_budget: int) -> None:  # pragma: no cover - runs in the worker process
    import resource

    from analysis.cli import main

    mapped = _mapped_bytes()
    if mapped:
        resource.setrlimit(resource.RLIMIT_AS, (mapped + memory_budget, resource.RLIM_INFINITY))
    connection.send("ready")
    while True:
        request = connection.recv()
        if request is None:
            return
        argv, cwd = request
        os.chdir(cwd)
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(argv)
            except SystemExit as stop:
                code = stop.code if isinstance(stop.code, int) else 2
            except BaseException as error:  # the entry point itself failed: a bug
                print(f"escaped the entry point: {type(error).__name__}: {error}", file=sys.stderr)
                code = 99
        connection.send((code, out.getvalue()[-4000:], err.getvalue()[-4000:]))


def _mapped_bytes() -> int:
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


@dataclass
class Run:
    code: int | None  # None: killed after the time budget
    stdout: str
    stderr: str


class Sandbox:
    """One worker process running commands in turn; replaced after a command overran or killed it."""

    def __init__(self, time_budget: float = TIME_BUDGET_SECONDS, memory_budget: int = MEMORY_BUDGET_BYTES) -> None:
        self.time_budget = time_budget
        self.memory_budget = memory_budget
        self._context = multiprocessing.get_context("spawn")
        self._process = None
        self._connection = None

    def _start(self) -> None:
        parent, child = self._context.Pipe()
        self._process = self._context.Process(target=_worker, args=(child, self.memory_budget), daemon=True)
        self._process.start()
        self._connection = parent
        if not parent.poll(120) or parent.recv() != "ready":
            raise RuntimeError("the fuzz worker did not start")

    def run(self, argv: list[str], cwd: Path) -> Run:
        if self._process is None or not self._process.is_alive():
            self._start()
        self._connection.send((argv, str(cwd)))
        if self._connection.poll(self.time_budget):
            try:
                return Run(*self._connection.recv())
            except EOFError:  # the worker died (killed by the kernel, e.g. out of memory)
                self._stop()
                return Run(-1, "", "worker process died")
        self._stop()
        return Run(None, "", f"no answer within {self.time_budget:.0f} s")

    def _stop(self) -> None:
        if self._process is not None:
            self._process.kill()
            self._process.join()
        self._process = self._connection = None

    def close(self) -> None:
        if self._process is not None and self._process.is_alive():
            self._connection.send(None)
            self._process.join(10)
        self._stop()


def judge(run: Run, out: Path, kind: str = "run") -> str:
    """``refused``, ``result``, or what went wrong (``traceback``, ``hang``, ``out of memory``, ...)."""
    if run.code is None:
        return "hang"
    if run.code == -1 or "MemoryError" in run.stderr:
        return "out of memory"
    if run.code != 0 and run.code != 2:
        return "traceback"
    if run.code == 2:
        if not run.stderr.startswith("error: ") or "Traceback" in run.stderr:
            return "refusal without a clean message"
        if not PROBLEM_LINE.search(run.stderr):
            return "refusal naming no field"
        if out.exists():
            return "refusal that wrote files"
        return "refused"
    checks = {"sweep": _check_sweep, "schedule": _check_schedule}
    problem = checks.get(kind, _check_run)(out)
    return problem or "result"


def _check_schedule(out: Path) -> str | None:
    path = out / "schedule.csv"
    if not path.exists():
        return "schedule result without schedule.csv"
    numeric = pd.read_csv(path).select_dtypes("number").to_numpy(float)
    if (abs(numeric) == math.inf).any():
        return "infinite value in schedule.csv"
    return None


def _check_run(out: Path) -> str | None:
    summary_path = out / "summary.json"
    if not summary_path.exists():
        return "result without summary.json"
    kpis = {name: value["mean"] for name, value in json.loads(summary_path.read_text())["kpis"].items()}
    for name, mean in kpis.items():
        if mean is not None and not math.isfinite(mean):
            return f"non-finite KPI {name}"
        if mean is None and name not in DUTY_RATIOS:
            divisors = DENOMINATORS.get(name)
            if divisors is None or any(kpis.get(divisor) for divisor in divisors):
                return f"non-finite KPI {name}"
    intervals = pd.read_csv(out / "intervals.csv")
    numeric = intervals.select_dtypes("number").to_numpy(float)
    if (abs(numeric) == math.inf).any():
        return "infinite value in intervals.csv"
    return None


def _check_sweep(out: Path) -> str | None:
    found = sorted(out.rglob("results.csv"))
    if len(found) != 1:
        return "sweep result without results.csv"
    numeric = pd.read_csv(found[0]).select_dtypes("number").to_numpy(float)
    if (abs(numeric) == math.inf).any():
        return "infinite value in results.csv"
    return None
