"""Deprecated entry point kept while callers move to :mod:`analysis.distributed`."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

from .distributed import ExecutionPlan
from .distributed import run_tasks as _run_tasks


def default_workers(task_count: int) -> int:
    """One worker per core, never more than there are tasks."""
    return ExecutionPlan().local_workers(task_count)


def run_tasks(function: Callable, tasks: Sequence, workers: int = 1) -> Iterator[tuple[int, object]]:
    """Yield ``(task index, output)`` as tasks finish on ``workers`` local processes."""
    return _run_tasks(function, tasks, ExecutionPlan(workers=workers))
