"""The replication runner: workers reused across batches, each scenario sent once per worker, same outputs anywhere."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.runs.execution import ExecutionPlan, run_tasks
from analysis.runs.experiment import ReplicationTask, run_replication
from analysis.runs.local_pool import WorkerPool
from analysis.runs.runner import Runner
from analysis.studies.sweep.tasks import sweep_row
from sim.config import apply_overrides, parse_scenario

from .conftest import small_data


def _scenarios(count: int):
    base = parse_scenario(small_data())
    return [apply_overrides(base, {"agent_groups.front.wage_per_hour": 10.0 + index}) for index in range(count)]


def test_each_scenario_crosses_to_a_worker_once_and_workers_are_reused_across_batches():
    scenarios = _scenarios(4)
    tasks = [ReplicationTask(scenario, 3, replication) for scenario in scenarios for replication in range(5)]
    with WorkerPool(2) as pool:
        first = dict(pool.run(sweep_row, tasks))
        processes = [worker.process.pid for worker in pool._workers]
        assert pool.scenarios_sent <= len(scenarios) + 2  # a scenario reaches a second worker only at the end
        second = dict(pool.run(sweep_row, tasks[:5]))  # the same scenario objects again: nothing to send
        assert [worker.process.pid for worker in pool._workers] == processes
        sent = pool.scenarios_sent
        assert sent <= len(scenarios) + 2
    serial = dict(run_tasks(sweep_row, tasks, ExecutionPlan(workers=1)))
    table = lambda rows: pd.DataFrame.from_dict(rows, orient="index").sort_index()  # noqa: E731 (NaN-aware)
    pd.testing.assert_frame_equal(table(first), table(serial))
    pd.testing.assert_frame_equal(table(second), table(serial).loc[range(5)])


def test_runner_outputs_do_not_depend_on_workers_and_progress_counts_every_task():
    tasks = [ReplicationTask(scenario, 1, 0) for scenario in _scenarios(3)]
    outputs = {}
    for workers in (1, 2):
        with Runner(ExecutionPlan(workers=workers), show_progress=False) as runner:
            outputs[workers] = runner.run_all(run_replication, tasks) + runner.run_all(run_replication, tasks[:1])
            assert runner.completed == 4
    for serial, parallel in zip(outputs[1], outputs[2]):
        pd.testing.assert_series_equal(pd.Series(serial.kpis), pd.Series(parallel.kpis))
        pd.testing.assert_frame_equal(serial.interval_sums, parallel.interval_sums)


def test_an_error_in_a_worker_reaches_the_caller_with_the_worker_traceback():
    bad = ReplicationTask(parse_scenario(small_data()), seed=-1, replication=0)  # numpy refuses negative seeds
    with Runner(ExecutionPlan(workers=2), show_progress=False) as runner:
        with pytest.raises(ValueError) as caught:
            runner.run_all(run_replication, [bad, bad])
    assert any("raised in a worker process" in note for note in getattr(caught.value, "__notes__", []))
