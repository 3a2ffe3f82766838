"""Engine speed against a minimal idiomatic SimPy model of the same queue.

Both simulate scenarios/validation/erlang_a.toml (M/M/90+M, 1000 contacts per
hour, mean handle 300 s, mean patience 180 s) in the same process:

* ccsim: ``sim.run.simulate`` end to end (arrivals, engine, record frames);
* minimal: one process per call, ``simpy.Resource`` for the agents, patience
  raced against the request with ``AnyOf`` (``request | timeout``), waits
  collected in a list.

Run: ``python benchmarks/bench_engine.py [--days 5] [--repeats 3]``. Prints
contacts simulated per second for both and their ratio (best of repeats).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import simpy

from sim.config import apply_overrides, load_scenario
from sim.run import simulate

SCENARIO = Path(__file__).resolve().parent.parent / "scenarios" / "validation" / "erlang_a.toml"


def minimal_model(days: int, seed: int) -> int:
    """The textbook SimPy M/M/c+M; returns the number of contacts simulated."""
    rng = np.random.default_rng(seed)
    rate, mean_handle, mean_patience, agents_count = 1000 / 3600, 300.0, 180.0, 90
    horizon = days * 86_400.0
    count = int(rate * horizon * 1.1) + 100
    gaps = rng.exponential(1 / rate, count).tolist()
    handles = rng.exponential(mean_handle, count).tolist()
    patiences = rng.exponential(mean_patience, count).tolist()
    env = simpy.Environment()
    agents = simpy.Resource(env, capacity=agents_count)
    waits: list[float] = []
    abandoned: list[float] = []

    def call(handle: float, patience: float):
        arrived = env.now
        with agents.request() as request:
            outcome = yield request | env.timeout(patience)
            if request in outcome:
                waits.append(env.now - arrived)
                yield env.timeout(handle)
            else:
                abandoned.append(env.now - arrived)

    def source():
        for index in range(count):
            yield env.timeout(gaps[index])
            if env.now >= horizon:
                return
            env.process(call(handles[index], patiences[index]))

    env.process(source())
    env.run()
    return len(waits) + len(abandoned)


def ccsim_model(days: int, seed: int) -> int:
    scenario = apply_overrides(load_scenario(SCENARIO), {"horizon.days": days, "horizon.warmup_minutes": 0})
    return len(simulate(scenario, seed=seed).contacts)


def best_rate(model, days: int, repeats: int) -> tuple[float, int]:
    best = 0.0
    contacts = 0
    for repeat in range(repeats):
        started = time.perf_counter()
        contacts = model(days, repeat)
        best = max(best, contacts / (time.perf_counter() - started))
    return best, contacts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    minimal_rate, minimal_contacts = best_rate(minimal_model, args.days, args.repeats)
    ccsim_rate, ccsim_contacts = best_rate(ccsim_model, args.days, args.repeats)
    print(f"erlang_a, {args.days} day(s), best of {args.repeats}")
    print(f"  minimal SimPy model: {minimal_rate:10,.0f} contacts/s ({minimal_contacts:,} contacts)")
    print(f"  ccsim engine:        {ccsim_rate:10,.0f} contacts/s ({ccsim_contacts:,} contacts)")
    print(f"  ratio ccsim/minimal: {ccsim_rate / minimal_rate:.2f}")


if __name__ == "__main__":
    main()
