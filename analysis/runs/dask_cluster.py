"""Tasks on a Dask distributed cluster, failing fast and clearly.

Before anything runs: Dask must be installed (``pip install -e ".[dask]"``);
the address must look like ``tcp://HOST:PORT`` (also ``tls://``, or
``HOST:PORT`` meaning TCP); for TCP a short probe checks that whatever
answers speaks Dask's protocol (a web server or other service would
otherwise make Dask read garbage as message lengths); the connection gets
``connect_timeout`` seconds; every worker must run the same numpy, pandas,
SimPy and ccsim versions as this machine (identical results depend on it);
and at least one worker must join within ``worker_timeout`` seconds.

While tasks run, each distinct scenario is sent to the cluster once (as a
task the replications depend on) and each worker fetches it once; if no worker is left for ``worker_timeout``
seconds, or the cluster gives up on a task whose workers kept dying, the
run stops with :class:`ExecutionError` (outputs already received are kept
by the caller, e.g. a sweep's finished variants, so a rerun resumes).
Dask's own warnings and asyncio's leftovers are quietened while connected:
what went wrong is reported once, in words, by this module.
"""

from __future__ import annotations

import logging
import re
import socket
import struct
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from analysis.errors import ExecutionError
from analysis.versions import software_versions

from .worker import replace_scenario

_ADDRESS = re.compile(r"^(?:(?P<scheme>tcp|tls)://)?(?P<host>\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.-]+):(?P<port>\d{1,5})$")
_HANDSHAKE_LIMIT = 1 << 20  # a Dask handshake is a few hundred bytes
_POLL_SECONDS = 1.0
_QUIET_LOGGERS = {"distributed": logging.ERROR, "asyncio": logging.CRITICAL, "tornado": logging.CRITICAL}


def quiet_dask_logging() -> None:
    """Quieten Dask's, asyncio's and tornado's loggers for good (a command line that is about to exit: what
    they would print after a cluster failed, this module has already said in words)."""
    for name, level in _QUIET_LOGGERS.items():
        logging.getLogger(name).setLevel(level)


def check_address(address: str) -> tuple[str, str, str, int]:
    """``(full address, scheme, host, port)``; ``ExecutionError`` saying what is expected otherwise."""
    match = _ADDRESS.match(address.strip())
    if match is None or not 0 < int(match.group("port")) < 65536:
        raise ExecutionError(f"--scheduler {address!r} is not a Dask scheduler address "
                             "(expected tcp://HOST:PORT, e.g. tcp://10.0.0.5:8786)")
    scheme = match.group("scheme") or "tcp"
    host, port = match.group("host"), int(match.group("port"))
    return f"{scheme}://{host}:{port}", scheme, host.strip("[]"), port


def probe(host: str, port: int, address: str, timeout: float) -> None:
    """Check that a Dask scheduler listens there: it greets every connection with a framed handshake."""
    try:
        with socket.create_connection((host, port), timeout=timeout) as connection:
            connection.settimeout(timeout)
            total = struct.unpack("<Q", _receive(connection, 8))[0]
            if total > _HANDSHAKE_LIMIT:
                raise ValueError("message too long")
            body = _receive(connection, total)
            frames = struct.unpack("<Q", body[:8])[0]
            if frames > 64 or len(body) < 8 * (frames + 1):
                raise ValueError("bad frame count")
    except (socket.timeout, TimeoutError):
        raise ExecutionError(f"cannot reach the Dask scheduler at {address}: no Dask reply within "
                             f"{timeout:g} s (is it a Dask scheduler, and reachable? "
                             "see --scheduler-timeout)") from None
    except (ValueError, struct.error, EOFError):
        raise ExecutionError(f"the service at {address} does not speak the Dask protocol "
                             "(wrong port, or not a Dask scheduler)") from None
    except OSError as error:
        raise ExecutionError(f"cannot reach the Dask scheduler at {address}: {error.strerror or error}") from None


def _receive(connection: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = connection.recv(size - len(data))
        if not chunk:
            raise EOFError
        data += chunk
    return data


class DaskExecutor:
    """A connection to a Dask scheduler that runs batches of tasks; use as a context manager."""

    def __init__(self, address: str, connect_timeout: float = 10.0, worker_timeout: float = 60.0) -> None:
        try:
            from dask.distributed import Client
        except ImportError:
            raise ExecutionError("--scheduler needs Dask, which is not installed: "
                                 "pip install -e \".[dask]\" (or pip install \"dask[distributed]\")") from None
        self.address, scheme, host, port = check_address(address)
        self._levels = {name: logging.getLogger(name).level for name in _QUIET_LOGGERS}
        self.worker_timeout = worker_timeout
        self._without_workers_since: float | None = None
        self._next_check = 0.0
        if scheme == "tcp":
            probe(host, port, self.address, connect_timeout)
        quiet_dask_logging()
        try:
            self.client = Client(self.address, timeout=connect_timeout, set_as_default=False)
        except (OSError, TimeoutError) as error:
            self._restore_logging()
            raise ExecutionError(f"cannot reach the Dask scheduler at {self.address}: {error}") from None
        try:
            self._wait_for_workers()
            self._check_versions()
        except BaseException:
            self.close()
            raise

    def __enter__(self) -> "DaskExecutor":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        try:
            self.client.close(timeout=5)
        finally:
            self._restore_logging()

    def _restore_logging(self) -> None:
        for name, level in self._levels.items():
            logging.getLogger(name).setLevel(level)

    def _worker_count(self) -> int:
        return len(self.client.nthreads())

    def _wait_for_workers(self) -> None:
        try:
            self.client.wait_for_workers(1, timeout=self.worker_timeout)
        except (TimeoutError, OSError):
            raise ExecutionError(f"no Dask worker joined the scheduler at {self.address} within "
                                 f"{self.worker_timeout:g} s "
                                 f"(start workers with: dask worker {self.address})") from None

    def _check_versions(self) -> None:
        here = software_versions()
        try:
            remote = self.client.run(software_versions)
        except ImportError as error:
            raise ExecutionError(f"the Dask workers at {self.address} cannot import ccsim ({error}): install "
                                 "the same ccsim on every worker") from None
        for worker, found in remote.items():
            different = {name: (found.get(name), version) for name, version in here.items()
                         if found.get(name) != version}
            if different:
                listed = ", ".join(f"{name} {theirs} (here {ours})" for name, (theirs, ours) in different.items())
                raise ExecutionError(f"Dask worker {worker} runs {listed}; results would not be reproducible: "
                                     "install the same versions everywhere")

    def run(self, function: Callable[[Any], Any], tasks: Sequence[Any]) -> Iterator[tuple[int, Any]]:
        """Yield ``(task index, output)`` as tasks finish (see the module docstring)."""
        from distributed import as_completed

        scenario_tasks: dict[int, Any] = {}
        index_of: dict[str, int] = {}
        futures = []
        try:
            for index, task in enumerate(tasks):
                scenario = getattr(task, "scenario", None)
                if scenario is not None and hasattr(task, "__dataclass_fields__"):
                    if id(scenario) not in scenario_tasks:
                        # A task holding the scenario rather than scattered data: the scheduler keeps it in the
                        # graph, so a worker's death costs a recomputation, never the scenario itself.
                        scenario_tasks[id(scenario)] = self.client.submit(_scenario, scenario, pure=False)
                    future = self.client.submit(_call_with_scenario, function, replace_scenario(task, None),
                                                scenario_tasks[id(scenario)], pure=False)
                else:
                    future = self.client.submit(function, task, pure=False)
                index_of[future.key] = index
                futures.append(future)
            finished = as_completed(futures, loop=self.client.loop)
            while not finished.is_empty():
                ready = finished.next_batch(block=False)
                for future in ready:
                    index = index_of[future.key]
                    yield index, self._result(future, tasks[index])
                if not ready:
                    self._watch_workers()
                    time.sleep(0.05)
        finally:
            pending = [future for future in futures if not future.done()]
            if pending:
                self.client.cancel(pending)

    def _result(self, future: Any, task: Any) -> Any:
        """The output of a finished task, fetched from its worker (a lost output is computed again)."""
        from distributed import KilledWorker

        while True:
            try:
                return future.result(timeout=_POLL_SECONDS)
            except KilledWorker:
                raise ExecutionError(f"the Dask workers kept dying while running a task ({type(task).__name__}); "
                                     "out of memory? Finished work is kept: run the command again") from None
            except TimeoutError:
                self._watch_workers()

    def _watch_workers(self) -> None:
        """Raise once no worker has been connected for ``worker_timeout`` seconds (checked about once a second)."""
        now = time.monotonic()
        if now < self._next_check:
            return
        self._next_check = now + _POLL_SECONDS
        if self._worker_count():
            self._without_workers_since = None
            return
        if self._without_workers_since is None:
            self._without_workers_since = now
        elif now - self._without_workers_since > self.worker_timeout:
            raise ExecutionError(f"no Dask worker left at {self.address} for {self.worker_timeout:g} s; "
                                 "finished work is kept: start workers and run the same command again")


def _scenario(scenario: Any) -> Any:
    return scenario


def _call_with_scenario(function: Callable[[Any], Any], task: Any, scenario: Any) -> Any:
    # The task travels without its scenario; the worker gets the copy it already holds.
    return function(replace_scenario(task, scenario))
