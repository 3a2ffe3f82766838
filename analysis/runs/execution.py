"""Where independent tasks run: in this process, on local worker processes, or on a Dask cluster.

Every task carries everything that decides its result (scenario, seed,
replication number), so the place it runs cannot change what it returns:
a serial run, a parallel run and a Dask run of the same tasks give the
same outputs. Outputs are yielded as tasks finish, tagged with the task's
index, so callers can store them in task order and write partial results
as they go.

An executor runs any number of batches (``executor.run(function, tasks)``)
and keeps its workers between them; :class:`analysis.runs.runner.Runner`
adds progress and is what the commands use. :func:`run_tasks` runs one
batch on a fresh executor.

Interrupting (an exception in the caller's loop, ``KeyboardInterrupt``, or
closing the iterator early) stops tasks that have not started; closing the
executor ends the workers at once.
"""

from __future__ import annotations

import inspect
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

Task = TypeVar("Task")
Output = TypeVar("Output")


@dataclass(frozen=True)
class ExecutionPlan:
    """How to run tasks: ``scheduler`` (a Dask address such as ``tcp://host:8786``) wins over ``workers``.

    ``workers=None`` means one local process per core; ``workers=1`` runs in
    this process. ``connect_timeout`` bounds the connection to a scheduler;
    ``worker_timeout`` how long to wait for a first Dask worker, or for one
    to come back when none is left.
    """

    workers: int | None = None
    scheduler: str | None = None
    connect_timeout: float = 10.0
    worker_timeout: float = 60.0

    def describe(self, task_count: int | None = None) -> str:
        """Where ``task_count`` tasks (any number if None) would run, for messages."""
        if self.scheduler:
            return f"Dask cluster at {self.scheduler}"
        workers = self.local_workers(task_count)
        return "serial" if workers <= 1 else f"{workers} local processes"

    def local_workers(self, task_count: int | None = None) -> int:
        """Local processes for ``task_count`` tasks: never more than there are tasks."""
        cores = os.cpu_count() or 1
        wanted = cores if self.workers is None else self.workers
        return max(1, min(wanted, task_count if task_count is not None else wanted))


class Executor(Protocol):
    def run(self, function: Callable[[Any], Any], tasks: Sequence[Any]) -> Iterator[tuple[int, Any]]: ...

    def close(self) -> None: ...


class SerialExecutor:
    """Tasks one after the other in this process; a function taking ``progress`` reports within a task."""

    def __init__(self, progress: Callable[[float], None] | None = None) -> None:
        self.within_task = progress  # receives the fraction of the current task done

    def run(self, function: Callable[..., Any], tasks: Sequence[Any]) -> Iterator[tuple[int, Any]]:
        reports = self.within_task is not None and accepts_progress(function)
        for index, task in enumerate(tasks):
            yield index, function(task, progress=self.within_task) if reports else function(task)

    def close(self) -> None:
        pass


def accepts_progress(function: Callable[..., Any]) -> bool:
    try:
        return "progress" in inspect.signature(function).parameters
    except (TypeError, ValueError):
        return False


def open_executor(plan: ExecutionPlan, task_count: int | None = None,
                  progress: Callable[[float], None] | None = None) -> Executor:
    """The executor ``plan`` asks for, sized for ``task_count`` tasks (connected and started)."""
    if plan.scheduler:
        from .dask_cluster import DaskExecutor

        return DaskExecutor(plan.scheduler, plan.connect_timeout, plan.worker_timeout)
    workers = plan.local_workers(task_count)
    if workers <= 1:
        return SerialExecutor(progress)
    from .local_pool import WorkerPool

    return WorkerPool(workers)


def run_tasks(function: Callable[[Task], Output], tasks: Sequence[Task],
              plan: ExecutionPlan = ExecutionPlan()) -> Iterator[tuple[int, Output]]:
    """Yield ``(task index, output)`` as tasks finish, on an executor opened for these tasks only.

    ``function`` must be importable by name (a module-level function) for
    worker processes and Dask.
    """
    if not tasks:
        return
    executor = open_executor(plan, len(tasks))
    try:
        yield from executor.run(function, tasks)
    finally:
        executor.close()
