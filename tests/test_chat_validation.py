"""Chat concurrency against exact results.

* Concurrency 1, no stretch: a chat queue is an M/M/n+M queue. The session
  path serves it exactly as the call path does (the same customers give the
  same waits), and the call path is checked against Erlang A in
  ``test_queueing_validation``; here also directly against Erlang A.
* Concurrency k, no stretch: every session is an independent server, so n
  agents holding k chats are n x k servers: the same waits as concurrency 1
  with n x k agents, contact by contact.
* Concurrency k with stretch: a small continuous-time Markov chain written
  here from the model's definition (state: the sessions each agent holds and
  the chats waiting; a new chat goes to the least-loaded agent; an agent with
  j sessions completes each at rate mu / (1 + s (j - 1))), solved exactly;
  the simulated abandonment, mean wait and occupancy must fall inside their
  99% confidence intervals.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from analysis.planning.erlang import erlang_a_metrics
from analysis.runs.experiment import run_experiment
from sim.config import parse_scenario
from sim.run import simulate


def queue(channel: str, agents: int, concurrency: int = 1, per_hour: float = 1000.0, handle: float = 300.0,
          patience: float = 180.0, stretch: float = 0.0, days: int = 1):
    data = {"name": "validation", "horizon": {"days": days, "interval_minutes": 60, "warmup_minutes": 120},
            "demand": {"volume": [per_hour] * 24},
            "contact_types": [{"name": "contacts", "channel": channel,
                               "handle_time": {"dist": "exponential", "mean": handle, "unit": "s"},
                               "patience": {"dist": "exponential", "mean": patience, "unit": "s"}}],
            "agent_groups": [{"name": "agents", "skills": ["contacts"], "headcount": [agents] * 24,
                              "first_contact_resolution": 1.0}]}   # the queueing models have no repeat contacts
    if channel != "voice":
        data["agent_groups"][0]["concurrency"] = {channel: concurrency}
        data["channels"] = {channel: {"stretch_per_extra_session": stretch, "service_level_threshold_seconds": 20}}
    return parse_scenario(data)


QUEUE_COLUMNS = ("answered", "abandoned", "answered_within_threshold", "wait_seconds_answered",
                 "wait_seconds_abandoned", "in_system")


def queue_counts(scenario, seed: int = 7) -> dict[str, float]:
    counters = simulate(scenario, seed=seed, records=False).counters
    return {name: counters.total(name) for name in QUEUE_COLUMNS + ("busy_seconds",)}


def test_chats_one_at_a_time_wait_exactly_as_calls_do():
    calls = queue_counts(queue("voice", 30, per_hour=330))
    chats = queue_counts(queue("chat", 30, per_hour=330))
    for name in QUEUE_COLUMNS + ("busy_seconds",):
        assert chats[name] == pytest.approx(calls[name], rel=1e-12, abs=1e-6), name


def test_n_agents_holding_k_chats_wait_as_n_times_k_single_chat_agents():
    shared = queue_counts(queue("chat", 10, concurrency=3, per_hour=330))
    single = queue_counts(queue("chat", 30, per_hour=330))
    for name in QUEUE_COLUMNS:
        assert shared[name] == pytest.approx(single[name], rel=1e-12, abs=1e-6), name
    assert shared["busy_seconds"] < single["busy_seconds"]  # fewer agents, each busy while holding any chat


@pytest.mark.slow  # statistical: replications of a day each
def test_single_chats_match_erlang_a():
    scenario = queue("chat", 12, per_hour=120, handle=300, patience=120)
    estimates = run_experiment(scenario, replications=20, seed=11, workers=1, show_progress=False,
                               keep_contacts=False).estimates(0.99)
    exact = erlang_a_metrics(120 / 3600, 300.0, 120.0, 12, 20.0)
    for kpi, value, width in (("abandon_rate", exact.abandon_rate, 0.01), ("service_level", exact.service_level, 0.03),
                              ("mean_wait_seconds", exact.mean_wait_seconds, 3.0),
                              ("occupancy", exact.occupancy, 0.02)):
        found = estimates[kpi]
        assert found.half_width < width, f"{kpi}: CI too wide to test ({found})"
        assert found.contains(value), f"{kpi}: exact {value:.5g} outside 99% CI [{found.low:.5g}, {found.high:.5g}]"


def concurrency_chain(agents: int, limit: int, arrival: float, service: float, abandon: float, stretch: float,
                      max_queue: int = 80) -> dict[str, float]:
    """Exact long-run abandonment, mean wait and occupancy of the chat model (see the module docstring)."""
    loads = sorted({tuple(sorted(combo)) for combo in itertools.product(range(limit + 1), repeat=agents)})
    full = (limit,) * agents
    states = [(load, 0) for load in loads] + [(full, waiting) for waiting in range(1, max_queue + 1)]
    index = {state: position for position, state in enumerate(states)}
    generator = np.zeros((len(states), len(states)))

    def rate(sessions: int) -> float:
        return sessions * service / (1.0 + stretch * (sessions - 1)) if sessions else 0.0

    for (load, waiting), row in index.items():
        moves: list[tuple[tuple, int, float]] = []
        if load != full:
            grown = list(load)
            grown[0] += 1  # the least-loaded agent (loads are kept sorted)
            moves.append((tuple(sorted(grown)), 0, arrival))
        elif waiting < max_queue:
            moves.append((load, waiting + 1, arrival))
        if waiting:
            moves.append((load, waiting - 1, sum(rate(j) for j in load) + waiting * abandon))  # next one served
        else:
            for position, sessions in enumerate(load):
                if sessions:
                    shrunk = list(load)
                    shrunk[position] -= 1
                    moves.append((tuple(sorted(shrunk)), 0, rate(sessions)))
        for target_load, target_waiting, value in moves:
            generator[row, index[(target_load, target_waiting)]] += value
            generator[row, row] -= value
    system = np.vstack([generator.T, np.ones(len(states))])
    probabilities = np.linalg.lstsq(system, np.r_[np.zeros(len(states)), 1.0], rcond=None)[0]
    mean_waiting = sum(p * waiting for p, (_, waiting) in zip(probabilities, states))
    busy_agents = sum(p * sum(1 for j in load if j) for p, (load, _) in zip(probabilities, states))
    return {"abandon_rate": abandon * mean_waiting / arrival, "mean_wait_seconds": mean_waiting / arrival,
            "occupancy": busy_agents / agents, "tail": probabilities[-1]}


@pytest.mark.slow  # statistical: replications of two days each
def test_stretched_concurrent_chats_match_the_exact_chain():
    per_hour, handle, patience, stretch = 40.0, 300.0, 240.0, 0.25
    exact = concurrency_chain(2, 3, per_hour / 3600, 1 / handle, 1 / patience, stretch)
    assert exact["tail"] < 1e-12  # the truncated queue loses nothing that matters
    scenario = queue("chat", 2, concurrency=3, per_hour=per_hour, handle=handle, patience=patience, stretch=stretch,
                     days=2)
    estimates = run_experiment(scenario, replications=30, seed=5, workers=1, show_progress=False,
                               keep_contacts=False).estimates(0.99)
    for kpi, width in (("abandon_rate", 0.03), ("mean_wait_seconds", 12.0), ("occupancy", 0.03)):
        found = estimates[kpi]
        assert found.half_width < width, f"{kpi}: CI too wide to test ({found})"
        assert found.contains(exact[kpi]), (f"{kpi}: exact {exact[kpi]:.5g} outside 99% CI "
                                            f"[{found.low:.5g}, {found.high:.5g}]")
    # Without stretch the same chain is M/M/6+M: a check of the chain itself.
    plain = concurrency_chain(2, 3, per_hour / 3600, 1 / handle, 1 / patience, 0.0)
    erlang = erlang_a_metrics(per_hour / 3600, handle, patience, 6, 20.0)
    assert plain["abandon_rate"] == pytest.approx(erlang.abandon_rate, rel=1e-9)
    assert plain["mean_wait_seconds"] == pytest.approx(erlang.mean_wait_seconds, rel=1e-9)
