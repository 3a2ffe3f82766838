"""Dask problems end quickly with one clear line and exit status 2; finished sweep variants survive for a rerun."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time

import pytest

from analysis.cli import main
from analysis.errors import ExecutionError
from analysis.runs.dask_cluster import DaskExecutor

from .processes import environment, run_ccsim, start_ccsim, wait_until
from .test_experiments_common import LHS_SWEEP, write_sweep, write_tiny_scenario

pytest.importorskip("dask.distributed")
# Real processes and clusters: part of the full suite, not of the fast loop.
pytestmark = [pytest.mark.slow, pytest.mark.skipif(os.name != "posix", reason="POSIX signals")]


def _refused_in_process(tmp_path, capsys, address: str, *extra: str) -> str:
    out = tmp_path / "out"
    started = time.monotonic()
    assert main(["run", str(write_tiny_scenario(tmp_path)), "--reps", "2", "--quiet", "--out", str(out),
                 "--scheduler", address, *extra]) == 2
    assert time.monotonic() - started < 20
    error = capsys.readouterr().err
    assert len(error.strip().splitlines()) == 1 and not out.exists()
    return error


def _refused_quickly(tmp_path, address: str, *extra: str) -> str:
    out = tmp_path / "out"
    started = time.monotonic()
    finished = run_ccsim("run", write_tiny_scenario(tmp_path), "--reps", "2", "--quiet", "--out", out,
                         "--scheduler", address, *extra, timeout=60)
    assert finished.returncode == 2, finished.stderr
    assert time.monotonic() - started < 20
    assert "Traceback" not in finished.stderr and len(finished.stderr.strip().splitlines()) == 1
    assert not out.exists()  # nothing written
    return finished.stderr


def test_an_unreachable_or_malformed_scheduler_address_exits_2_within_seconds(tmp_path, capsys):
    assert "error: cannot reach the Dask scheduler at tcp://127.0.0.1:1" in _refused_quickly(tmp_path, "tcp://127.0.0.1:1")
    assert "'not-an-address' is not a Dask scheduler address (expected tcp://HOST:PORT" in \
        _refused_in_process(tmp_path, capsys, "not-an-address")


def _serve(reply: bytes | None) -> tuple[str, threading.Event]:
    """A TCP service that is not Dask: it answers ``reply`` (or stays silent) to every connection."""
    listener = socket.create_server(("127.0.0.1", 0))
    done = threading.Event()

    def serve() -> None:
        listener.settimeout(0.2)
        connections = []
        while not done.is_set():
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            connections.append(connection)
            if reply is not None:
                connection.sendall(reply)
        for connection in connections:
            connection.close()
        listener.close()

    threading.Thread(target=serve, daemon=True).start()
    return f"tcp://127.0.0.1:{listener.getsockname()[1]}", done


def test_a_service_that_is_not_dask_is_recognised_and_not_waited_for(tmp_path, capsys):
    address, done = _serve(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
    try:
        assert "does not speak the Dask protocol" in _refused_in_process(tmp_path, capsys, address)
    finally:
        done.set()
    address, done = _serve(None)
    try:
        assert "no Dask reply within 1 s" in _refused_in_process(tmp_path, capsys, address, "--scheduler-timeout", "1")
    finally:
        done.set()


def test_scheduler_without_dask_installed_says_how_to_install_it(tmp_path):
    hidden = tmp_path / "no_dask"
    for package in ("dask", "distributed"):
        (hidden / package).mkdir(parents=True)
        (hidden / package / "__init__.py").write_text("raise ImportError('hidden for the test')\n")
    env = environment()
    env["PYTHONPATH"] = os.pathsep.join([str(hidden), env["PYTHONPATH"]])
    finished = subprocess.run([sys.executable, "-m", "ccsim", "run", str(write_tiny_scenario(tmp_path)), "--quiet",
                               "--out", str(tmp_path / "out"), "--scheduler", "tcp://127.0.0.1:8786"],
                              capture_output=True, text=True, env=env, timeout=60)
    assert finished.returncode == 2
    assert "--scheduler needs Dask, which is not installed: pip install -e \".[dask]\"" in finished.stderr


def _start(module: str, *arguments: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", module, *arguments], env=environment(),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _scheduler_address(scheduler_file) -> str | None:
    """The address in the scheduler's file, once it has been written whole (it appears empty first)."""
    try:
        return json.loads(scheduler_file.read_text())["address"]
    except (OSError, ValueError, KeyError):
        return None


@pytest.mark.slow  # a scheduler and two workers as real processes: about 20 s
def test_a_sweep_whose_dask_workers_all_die_exits_cleanly_and_resumes(tmp_path, capsys):
    scheduler_file = tmp_path / "scheduler.json"
    scheduler = _start("distributed.cli.dask_scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                       "--scheduler-file", str(scheduler_file))
    workers: list[subprocess.Popen] = []
    try:
        wait_until(lambda: _scheduler_address(scheduler_file) is not None, 60, "the scheduler", scheduler)
        address = _scheduler_address(scheduler_file)
        with pytest.raises(ExecutionError, match=f"no Dask worker joined the scheduler at {address} within 1 s "
                                                 r"\(start workers with: dask worker"):
            DaskExecutor(address, connect_timeout=10, worker_timeout=1)
        workers = [_start("distributed.cli.dask_worker", "--scheduler-file", str(scheduler_file), "--no-nanny",
                          "--nthreads", "1", "--no-dashboard") for _ in range(2)]
        write_tiny_scenario(tmp_path, "long.toml", replace={"days = 1": "days = 5"})
        sweep = write_sweep(tmp_path, LHS_SWEEP.replace("samples = 6", "samples = 40"), scenario="long.toml")
        out = tmp_path / "out"
        run = start_ccsim("sweep", sweep, "--out", out, "--quiet", "--scheduler", address, "--worker-wait", "3")
        wait_until(lambda: any((out / "variants").glob("variant-*.csv")), 120, "a finished variant", run)
        for worker in workers:
            worker.send_signal(signal.SIGKILL)
        _, error = run.communicate(timeout=90)
        assert run.returncode == 2, error
        assert "Traceback" not in error, error
        assert f"no Dask worker left at {address} for 3 s; finished work is kept" in error
        done = len(list((out / "variants").glob("variant-*.csv")))
        assert 1 <= done < 40
        assert main(["sweep", str(sweep), "--out", str(out), "--quiet", "--workers", "1"]) == 0
        assert f"ran {40 - done}, reused {done}" in capsys.readouterr().out
    finally:
        for process in [*workers, scheduler]:
            process.kill()
            process.wait()
