"""Local worker processes that stay up across batches of tasks and receive each scenario once.

A :class:`WorkerPool` starts ``workers`` fresh interpreters running
:mod:`analysis.runs.worker` (no fork, no import of the caller's script) in
their own session, so Ctrl-C in the terminal reaches only this process,
which then closes the pool. Tasks are dispatched one at a time to idle
workers, preferring a worker that already holds the task's scenario, then
a scenario no worker holds yet: the replications of a sweep's variant tend
to run on one worker, and a scenario crosses the pipe once per worker, not
once per task. Which worker runs a task never changes its output.

A worker that dies (killed, out of memory) ends the batch with
:class:`WorkerDiedError`; when this process dies, its workers see their
standard input close and exit at once.
"""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Iterator, Sequence
from itertools import count
from typing import Any

from analysis.errors import ExecutionError

from .worker import BOOTSTRAP, CACHE_SIZE, read_message, replace_scenario, write_message

_CLOSE_WAIT_SECONDS = 5.0


class WorkerDiedError(ExecutionError):
    """A worker process ended while running a task."""


class _Worker:
    """One worker process, and this side's mirror of the scenarios it holds."""

    def __init__(self, number: int, events: queue.SimpleQueue) -> None:
        self.number = number
        environment = dict(os.environ, CCSIM_WORKER_PATH=json.dumps([p for p in sys.path if p]))
        options: dict[str, Any] = {"start_new_session": True} if os.name == "posix" else {
            "creationflags": subprocess.CREATE_NEW_PROCESS_GROUP}
        self.process = subprocess.Popen([sys.executable, "-c", BOOTSTRAP], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, env=environment, **options)
        self.scenarios: OrderedDict[int, Any] = OrderedDict()  # key -> scenario (kept alive while cached)
        self.busy_with: tuple[int, int] | None = None  # (batch, task index)
        self.scenarios_sent = 0
        threading.Thread(target=self._read_replies, args=(events,), daemon=True).start()

    def _read_replies(self, events: queue.SimpleQueue) -> None:
        try:
            while (message := read_message(self.process.stdout)) is not None:
                events.put((self, message))
        except Exception:  # noqa: BLE001, S110 - an unreadable reply counts as the worker's end
            pass
        events.put((self, ("exit",)))

    def send(self, batch: int, index: int, function: Callable, task: Any) -> None:
        scenario = getattr(task, "scenario", None)
        key = payload = None
        if scenario is not None and hasattr(task, "__dataclass_fields__"):
            key = id(scenario)
            if key not in self.scenarios:
                payload = scenario
                self.scenarios_sent += 1
            self.scenarios[key] = scenario
            self.scenarios.move_to_end(key)
            while len(self.scenarios) > CACHE_SIZE:  # the worker drops the same one
                self.scenarios.popitem(last=False)
            task = replace_scenario(task, key)
        self.busy_with = (batch, index)
        write_message(self.process.stdin, (batch, index, function, task, key, payload))

    def holds(self, scenario: Any) -> bool:
        return scenario is not None and id(scenario) in self.scenarios

    def close(self) -> None:
        if self.process.stdin and not self.process.stdin.closed:
            try:
                self.process.stdin.close()  # the worker exits when its input closes
            except OSError:
                pass


class WorkerPool:
    """``workers`` local worker processes (see the module docstring); use as a context manager."""

    def __init__(self, workers: int) -> None:
        if workers < 1:
            raise ValueError("a pool needs at least one worker")
        self._events: queue.SimpleQueue = queue.SimpleQueue()
        self._workers = [_Worker(number, self._events) for number in range(workers)]
        self._batches = count()
        self._closed = False

    @property
    def size(self) -> int:
        return len(self._workers)

    @property
    def scenarios_sent(self) -> int:
        """How many times a scenario crossed a pipe (at most once per scenario and worker while cached)."""
        return sum(worker.scenarios_sent for worker in self._workers)

    def __enter__(self) -> "WorkerPool":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def run(self, function: Callable[[Any], Any], tasks: Sequence[Any]) -> Iterator[tuple[int, Any]]:
        """Yield ``(task index, output)`` as tasks finish. ``function`` must be importable by name.

        Closing the iterator early leaves tasks already running to finish in
        the background (their outputs are dropped); queued tasks never start.
        """
        if self._closed:
            raise RuntimeError("the worker pool is closed")
        batch = next(self._batches)
        pending = _PendingTasks(tasks)
        outstanding = 0
        for worker in self._workers:
            if worker.busy_with is None and pending:
                self._dispatch(worker, batch, function, tasks, pending)
                outstanding += 1
        while pending or outstanding:
            worker, message = self._next_event()
            if message[0] == "exit":
                raise self._died(worker, tasks, batch)
            kind, message_batch, index, value = message
            worker.busy_with = None
            if pending:
                self._dispatch(worker, batch, function, tasks, pending)
                outstanding += 1
            if message_batch != batch:  # a task of an abandoned batch finished
                continue
            outstanding -= 1
            if kind == "error":
                raise value
            yield index, value

    def _dispatch(self, worker: _Worker, batch: int, function: Callable, tasks: Sequence[Any],
                  pending: "_PendingTasks") -> None:
        index = pending.take_for(worker, self._workers)
        try:
            worker.send(batch, index, function, tasks[index])
        except OSError:  # its end of the pipe is gone: the exit event explains why
            worker.busy_with = (batch, index)

    def _next_event(self) -> tuple[_Worker, tuple]:
        while True:
            try:
                return self._events.get(timeout=0.5)
            except queue.Empty:  # wake up now and then so Ctrl-C is handled promptly
                continue

    def _died(self, worker: _Worker, tasks: Sequence[Any], batch: int) -> WorkerDiedError:
        code = worker.process.wait()
        what = ""
        if worker.busy_with is not None and worker.busy_with[0] == batch:
            what = f" while running {_describe(tasks[worker.busy_with[1]])}"
        self.close()
        hint = " (killed by a signal; out of memory?)" if code < 0 else ""
        return WorkerDiedError(f"a worker process ended unexpectedly with status {code}{hint}{what}")

    def close(self) -> None:
        """End every worker (at once, even mid-task) and wait for them, killing any that linger."""
        if self._closed:
            return
        self._closed = True
        for worker in self._workers:
            worker.close()
        deadline = time.monotonic() + _CLOSE_WAIT_SECONDS
        for worker in self._workers:
            try:
                worker.process.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                worker.process.kill()
                worker.process.wait()
            if worker.process.stdout:
                worker.process.stdout.close()


class _PendingTasks:
    """Tasks not started yet, grouped by scenario (in order of first appearance) for affinity."""

    def __init__(self, tasks: Sequence[Any]) -> None:
        self._groups: OrderedDict[int | None, deque] = OrderedDict()
        self._size = len(tasks)
        for index, task in enumerate(tasks):
            scenario = getattr(task, "scenario", None)
            self._groups.setdefault(None if scenario is None else id(scenario), deque()).append(index)

    def __bool__(self) -> bool:
        return self._size > 0

    def take_for(self, worker: _Worker, workers: Sequence[_Worker]) -> int:
        """A task whose scenario ``worker`` holds, else one whose scenario no worker holds, else the oldest."""
        held = [key for key in worker.scenarios if key in self._groups]
        if held:
            key = min(held, key=lambda k: self._groups[k][0])
        else:
            others = {k for other in workers if other is not worker for k in other.scenarios}
            key = next((k for k in self._groups if k is None or k not in others), next(iter(self._groups)))
        group = self._groups[key]
        index = group.popleft()
        if not group:
            del self._groups[key]
        self._size -= 1
        return index


def _describe(task: Any) -> str:
    scenario = getattr(task, "scenario", None)
    replication = getattr(task, "replication", None)
    name = getattr(scenario, "name", None)
    if name is not None and replication is not None:
        return f"replication {replication} of scenario {name!r}"
    return type(task).__name__
