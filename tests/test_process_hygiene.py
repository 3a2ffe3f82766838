"""Worker processes never outlive the main process, Ctrl-C prints one line, damaged sweep files are run again."""

from __future__ import annotations

import os
import signal
from dataclasses import dataclass

import pandas as pd
import pytest

from analysis.cli import main
from analysis.errors import ExecutionError
from analysis.runs.execution import ExecutionPlan
from analysis.runs.runner import Runner

from .processes import start_ccsim, wait_until
from .test_experiments_common import LHS_SWEEP, write_sweep, write_tiny_scenario

psutil = pytest.importorskip("psutil")
# Real processes and clusters: part of the full suite, not of the fast loop.
pytestmark = [pytest.mark.slow, pytest.mark.skipif(os.name != "posix", reason="POSIX signals and sessions")]

LONG_SWEEP = LHS_SWEEP.replace("samples = 6", "samples = 60")  # 180 tasks of five days: runs long enough


def _workers_of(process) -> list:
    try:
        return psutil.Process(process.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []


def _all_gone(processes: list) -> bool:
    for process in processes:
        try:
            if process.status() != psutil.STATUS_ZOMBIE:
                return False
        except psutil.NoSuchProcess:
            continue
    return True


def test_kill_9_of_the_main_process_leaves_no_worker_alive(tmp_path):
    write_tiny_scenario(tmp_path, "long.toml", replace={"days = 1": "days = 5"})
    sweep = write_sweep(tmp_path, LONG_SWEEP, scenario="long.toml")
    main_process = start_ccsim("sweep", sweep, "--out", tmp_path / "out", "--workers", "2", "--quiet")
    try:
        wait_until(lambda: len(_workers_of(main_process)) >= 2, 60, "two worker processes", main_process)
        workers = _workers_of(main_process)
    finally:
        main_process.send_signal(signal.SIGKILL)
        main_process.wait()
    wait_until(lambda: _all_gone(workers), 10, "the workers to end after their parent was killed")


def test_ctrl_c_prints_one_line_and_no_worker_traceback(tmp_path):
    write_tiny_scenario(tmp_path, "long.toml", replace={"days = 1": "days = 5"})
    sweep = write_sweep(tmp_path, LONG_SWEEP, scenario="long.toml")
    main_process = start_ccsim("sweep", sweep, "--out", tmp_path / "out", "--workers", "2", "--quiet",
                               start_new_session=True)  # its own process group, as a terminal would give it
    wait_until(lambda: len(_workers_of(main_process)) >= 2, 60, "two worker processes", main_process)
    wait_until(lambda: any((tmp_path / "out" / "variants").glob("variant-*.csv")), 60, "a finished variant",
               main_process)
    workers = _workers_of(main_process)
    os.killpg(main_process.pid, signal.SIGINT)  # what Ctrl-C does: the whole foreground group
    _, error = main_process.communicate(timeout=60)
    assert main_process.returncode == 130
    assert [line for line in error.splitlines() if line.strip()] == [
        "interrupted; files already complete were kept, nothing partial was written"]
    wait_until(lambda: _all_gone(workers), 10, "the workers to end")


def test_a_truncated_variant_file_is_reported_and_run_again(tmp_path, capsys):
    sweep, out = write_sweep(tmp_path, LHS_SWEEP), tmp_path / "out"
    assert main(["sweep", str(sweep), "--out", str(out), "--workers", "1", "--quiet"]) == 0
    complete = (out / "results.csv").read_bytes()
    damaged = out / "variants" / "variant-000003.csv"
    text = damaged.read_text()
    damaged.write_text(text[: len(text) * 2 // 3])  # cut inside a row, as a full disk or a crash would
    (out / "variants" / "variant-000004.csv").write_text(text.splitlines()[0] + "\n")  # only the header
    capsys.readouterr()
    assert main(["sweep", str(sweep), "--out", str(out), "--workers", "1", "--quiet"]) == 0
    captured = capsys.readouterr()
    assert "damaged variant file(s) found and run again: 3, 4" in captured.err
    assert "ran 2, reused 4" in captured.out
    assert (out / "results.csv").read_bytes() == complete
    assert len(pd.read_csv(damaged)) == 3


@dataclass(frozen=True)
class _Doomed:
    number: int


def die_on_second(task: _Doomed) -> int:
    if task.number == 1:
        os.kill(os.getpid(), signal.SIGKILL)  # as the out-of-memory killer would
    return task.number


def test_a_worker_killed_mid_task_ends_the_batch_with_a_clear_error():
    with Runner(ExecutionPlan(workers=2), show_progress=False) as runner:
        with pytest.raises(ExecutionError, match=r"worker process ended unexpectedly with status -9 \(killed by a "
                                                 r"signal; out of memory\?\) while running _Doomed"):
            runner.run_all(die_on_second, [_Doomed(number) for number in range(4)])
