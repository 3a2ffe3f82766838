"""The replication runner: tasks, a reducer that runs in the workers, and one progress bar.

Every command that simulates (run, compare, sweep, breakeven, staff,
schedule) goes through a :class:`Runner`:

* a **task** is a frozen dataclass with a ``scenario`` field and whatever
  else decides its result (seed, replication number, options), e.g.
  :class:`analysis.runs.experiment.ReplicationTask`;
* a **reducer** is a module-level function ``reduce(task) -> output`` that
  simulates and keeps only what the caller needs (KPIs, per-interval sums,
  a sweep row), so little data travels back; if it accepts a ``progress``
  keyword, serial runs report progress within a replication;
* the runner runs batches of tasks where the :class:`ExecutionPlan` says,
  yields outputs as they finish and moves one progress bar.

Workers are started once per runner and reused by every batch (a sweep, a
staffing search's rounds, a comparison's stages), and each scenario is sent
to a worker once, not with every task (see :mod:`analysis.runs.local_pool`
and :mod:`analysis.runs.dask_cluster`). Outputs never depend on the plan.

Adopting it (e.g. for a back-test)::

    @dataclass(frozen=True)
    class BacktestTask:
        scenario: Scenario
        seed: int
        replication: int

    def hourly_counts_of(task: BacktestTask) -> pd.DataFrame:   # module level: workers import it
        result = simulate(task.scenario, seed=task.seed, replication=task.replication)
        return hourly_counts(...)

    with Runner(plan, "back-test") as runner:
        tables = runner.run_all(hourly_counts_of, [BacktestTask(s, seed, r) for r in range(n)])
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

from tqdm import tqdm

from .execution import ExecutionPlan, Executor, open_executor

Task = TypeVar("Task")
Output = TypeVar("Output")


class Progress:
    """The one progress bar of a command: counts (fractions allowed), elapsed and remaining time, a note.

    It appears only for runs longer than two seconds and is written to
    standard error, so it never mixes with ``--json`` output.
    """

    def __init__(self, description: str, unit: str = "rep", total: float = 0, enabled: bool = True) -> None:
        self._bar = tqdm(total=total, desc=description, unit=unit, disable=not enabled, delay=2.0, leave=False,
                         dynamic_ncols=True,
                         bar_format="{l_bar}{bar}| {n:.4g}/{total:.4g} {unit} [{elapsed}<{remaining}]{postfix}")

    def add_total(self, count: float) -> None:
        self._bar.total = (self._bar.total or 0) + count
        self._bar.refresh()

    def advance(self, count: float = 1) -> None:
        self._bar.update(count)

    def move_to(self, position: float) -> None:
        """Set the count (only forwards), e.g. 3.4 replications done."""
        if position > self._bar.n:
            self._bar.update(position - self._bar.n)

    def note(self, text: str) -> None:
        self._bar.set_postfix_str(text, refresh=True)

    def close(self) -> None:
        self._bar.close()


class Runner:
    """Runs batches of replication tasks on one executor, with one progress bar; a context manager.

    ``expected_tasks`` sizes the local pool when the first batch is smaller
    than later ones (default: the first batch's size).
    """

    def __init__(self, plan: ExecutionPlan = ExecutionPlan(), description: str = "simulating", unit: str = "rep",
                 show_progress: bool = True, expected_tasks: int | None = None) -> None:
        self.plan = plan
        self.progress = Progress(description, unit, enabled=show_progress)
        self.completed = 0
        self._expected = expected_tasks
        self._executor: Executor | None = None

    def __enter__(self) -> "Runner":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        if self._executor is not None:
            self._executor.close()
            self._executor = None
        self.progress.close()

    def note(self, text: str) -> None:
        """Show a short status next to the bar (e.g. the option being simulated)."""
        self.progress.note(text)

    def run(self, reduce: Callable[[Task], Output], tasks: Sequence[Task]) -> Iterator[tuple[int, Output]]:
        """Yield ``(task index, output)`` as tasks finish (serial runs: in task order)."""
        if not tasks:
            return
        executor = self._open(len(tasks))
        start = self.completed
        self.progress.add_total(len(tasks))
        for index, output in executor.run(reduce, tasks):
            self.completed += 1
            self.progress.move_to(self.completed)
            yield index, output
        self.progress.move_to(start + len(tasks))

    def run_all(self, reduce: Callable[[Task], Output], tasks: Sequence[Task]) -> list[Output]:
        """Every task's output, in task order."""
        outputs: list[Any] = [None] * len(tasks)
        for index, output in self.run(reduce, tasks):
            outputs[index] = output
        return outputs

    def _open(self, task_count: int) -> Executor:
        if self._executor is None:
            self._executor = open_executor(self.plan, self._expected or task_count, self._within_task)
        return self._executor

    def _within_task(self, fraction: float) -> None:
        self.progress.move_to(self.completed + min(max(fraction, 0.0), 1.0))
