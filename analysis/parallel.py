"""Run independent tasks serially or on a local process pool, results in task order.

Every task carries its own seed and replication number, so where it runs
does not change what it returns: a parallel run equals a serial one.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import TypeVar

Task = TypeVar("Task")
Output = TypeVar("Output")


def default_workers(task_count: int) -> int:
    """One worker per core, never more than there are tasks."""
    return max(1, min(task_count, os.cpu_count() or 1))


def _context():
    # forkserver avoids forking a parent that may run threads (progress bars, plotting backends).
    method = "forkserver" if sys.platform != "win32" else "spawn"
    return multiprocessing.get_context(method)


def run_tasks(function: Callable[[Task], Output], tasks: Sequence[Task], workers: int = 1) -> Iterator[tuple[int, Output]]:
    """Yield ``(task index, output)`` as tasks finish (serially in order when ``workers == 1``)."""
    if workers <= 1 or len(tasks) <= 1:
        for index, task in enumerate(tasks):
            yield index, function(task)
        return
    with ProcessPoolExecutor(max_workers=workers, mp_context=_context()) as pool:
        futures = {pool.submit(function, task): index for index, task in enumerate(tasks)}
        for future in as_completed(futures):
            yield futures[future], future.result()
