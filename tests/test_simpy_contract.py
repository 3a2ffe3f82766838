"""What the engine assumes about SimPy's internals (``sim/engine/clock.py``); fails first on a SimPy upgrade."""

from __future__ import annotations

import hashlib
import inspect
import itertools
from importlib import metadata

import pytest
import simpy
from simpy.events import NORMAL, URGENT

from sim.engine.clock import SIMPY_VERSION, Clock, run_merged, urgent_timeout


def test_simpy_is_the_version_the_clock_was_checked_against():
    assert metadata.version("simpy") == SIMPY_VERSION, (
        "sim/engine/clock.py relies on SimPy internals checked against this version only: re-check them "
        "(this file) before changing the pin in pyproject.toml")


def test_the_environment_keeps_the_heap_counter_and_clock_the_clock_uses():
    env = simpy.Environment(initial_time=5.0)
    assert env._now == 5.0 and env._queue == [] and isinstance(env._eid, itertools.count)
    env.timeout(3.0)
    time, priority, _, event = env._queue[0]
    assert (time, priority) == (8.0, NORMAL) and isinstance(event, simpy.Timeout)


def test_due_calls_run_in_time_order_after_urgent_events_and_in_creation_order_on_ties():
    env = simpy.Environment()
    clock = Clock(env)
    seen = []
    record = (lambda due: seen.append((env.now, due.value)),)
    clock.after(2.0, "b", record)
    clock.after(1.0, "a", record)
    env.timeout(2.0).callbacks.append(lambda event: seen.append((env.now, "timeout")))
    clock.after(2.0, "c", record)

    def staffing():
        yield urgent_timeout(env, 2.0)
        seen.append((env.now, "urgent"))

    env.process(staffing())
    env.run()
    assert seen == [(1.0, "a"), (2.0, "urgent"), (2.0, "b"), (2.0, "timeout"), (2.0, "c")]
    assert URGENT < NORMAL


def test_a_step_reads_only_callbacks_and_ok_from_a_due():
    env = simpy.Environment()
    Clock(env).after(0.0, 42, (lambda due: None,))
    env.step()  # would raise if step needed more than callbacks and _ok
    assert env.now == 0.0 and env.peek() == float("inf")


# The source of Environment.step that run_merged writes out (SimPy 4.1.2).
STEP_SOURCE_SHA256 = "8fea2b488c8ad7faecfa46ea6759b01821dce350cd54301caac0cbe0f13185a0"


def test_run_merged_does_what_the_checked_step_does():
    source = inspect.getsource(simpy.Environment.step)
    assert hashlib.sha256(source.encode()).hexdigest() == STEP_SOURCE_SHA256, (
        "simpy.Environment.step changed: re-check run_merged in sim/engine/clock.py against it")


def test_run_merged_runs_events_and_arrivals_in_time_order_like_run():
    env = simpy.Environment()
    clock = Clock(env)
    seen = []
    record = (lambda due: seen.append((env.now, due.value)),)
    clock.after(1.0, "due", record)

    def process():
        yield env.timeout(2.0)
        seen.append((env.now, "process"))
        clock.after(0.5, "later", record)

    env.process(process())
    arrive = lambda arrival, offset: seen.append((arrival[0], arrival[1], offset))  # noqa: E731
    run_merged(env, [(1.0, "arrival"), (3.0, "arrival")], arrive, end=10.0)
    assert seen == [(1.0, "due"), (1.0, "arrival", 0.0), (2.0, "process"), (2.5, "later"), (3.0, "arrival", 0.5)]


def test_run_merged_crashes_on_an_unhandled_failure_and_not_on_a_defused_one():
    env = simpy.Environment()

    def failing():
        yield env.timeout(1.0)
        raise RuntimeError("agent plan broke")

    env.process(failing())
    with pytest.raises(RuntimeError, match="agent plan broke"):
        run_merged(env, [], lambda arrival, offset: None, end=5.0)
    env = simpy.Environment()
    handled = env.event()
    handled.fail(ValueError("seen to"))
    handled.defused = True
    run_merged(env, [], lambda arrival, offset: None, end=5.0)
    assert env.now == 0.0
