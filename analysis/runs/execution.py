"""Where independent tasks run: in this process, on a local process pool, or on a Dask cluster.

Every task carries everything that decides its result (scenario, seed,
replication number), so the place it runs cannot change what it returns:
a serial run, a parallel run and a Dask run of the same tasks give the
same outputs. Outputs are yielded as tasks finish, tagged with the task's
index, so callers can store them in task order and write partial results
as they go.

Interrupting (an exception in the caller's loop, ``KeyboardInterrupt``, or
closing the iterator early) cancels the tasks not yet started instead of
waiting for all of them.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from typing import TypeVar

from tqdm import tqdm

Task = TypeVar("Task")
Output = TypeVar("Output")


@dataclass(frozen=True)
class ExecutionPlan:
    """How to run tasks: ``scheduler`` (a Dask address such as ``tcp://host:8786``) wins over ``workers``.

    ``workers=None`` means one local process per core; ``workers=1`` runs in this process.
    """

    workers: int | None = None
    scheduler: str | None = None

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


def run_tasks(function: Callable[[Task], Output], tasks: Sequence[Task],
              plan: ExecutionPlan = ExecutionPlan()) -> Iterator[tuple[int, Output]]:
    """Yield ``(task index, output)`` as tasks finish; serial runs yield in task order.

    ``function`` must be importable by name (a module-level function) for the
    process pool and Dask.
    """
    if not tasks:
        return iter(())
    if plan.scheduler:
        return _run_on_dask(function, tasks, plan.scheduler)
    workers = plan.local_workers(len(tasks))
    if workers <= 1:
        return _run_serially(function, tasks)
    return _run_on_pool(function, tasks, workers)


def progress_bar(total: int, description: str, unit: str = "rep", enabled: bool = True) -> tqdm:
    """A bar with counts, elapsed time and time left; it shows up only for runs longer than 2 s."""
    return tqdm(total=total, desc=description, unit=unit, disable=not enabled, delay=2.0, leave=False,
                dynamic_ncols=True, bar_format="{l_bar}{bar}| {n_fmt}/{total_fmt} {unit} "
                                                "[{elapsed}<{remaining}]{postfix}")


def _run_serially(function: Callable[[Task], Output], tasks: Sequence[Task]) -> Iterator[tuple[int, Output]]:
    for index, task in enumerate(tasks):
        yield index, function(task)


def local_process_pool(workers: int) -> ProcessPoolExecutor:
    """A process pool for callers that keep one open across many batches (e.g. a staffing search)."""
    # forkserver: never fork a parent that may run threads (progress bars, Dask, plotting).
    context = multiprocessing.get_context("spawn" if sys.platform == "win32" else "forkserver")
    return ProcessPoolExecutor(max_workers=workers, mp_context=context)


def _run_on_pool(function: Callable[[Task], Output], tasks: Sequence[Task],
                 workers: int) -> Iterator[tuple[int, Output]]:
    pool = local_process_pool(workers)
    try:
        index_of: dict[Future, int] = {pool.submit(function, task): index for index, task in enumerate(tasks)}
        for future in as_completed(index_of):
            yield index_of[future], future.result()
    finally:
        # Without cancel_futures an interrupted run would first finish every queued task.
        pool.shutdown(wait=True, cancel_futures=True)


def _run_on_dask(function: Callable[[Task], Output], tasks: Sequence[Task],
                 scheduler: str) -> Iterator[tuple[int, Output]]:
    from dask.distributed import Client, as_completed  # imported here: only Dask runs pay for it

    client = Client(scheduler, set_as_default=False)
    futures = []
    try:
        futures = client.map(function, list(tasks), pure=False)
        index_of = {future.key: index for index, future in enumerate(futures)}
        for future in as_completed(futures, loop=client.loop):
            yield index_of[future.key], future.result()
    finally:
        if futures:
            client.cancel(futures)
        client.close()
