"""Time the simulation-based staffing search on a one-day, 48-interval center.

    python benchmarks/bench_staffing.py [--reps 10] [--workers 2] [--scope interval|daily]

The center is the baseline Monday with 15-minute intervals (08:00-20:00, the
baseline's half-hourly volume split evenly), so carry-over between intervals,
abandonment and retrials are all in play. Prints the search's rounds,
simulations, wall time and the plan's cost against the Erlang C and Erlang A
plans, and how the plan did on fresh (held-out) replications.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from analysis.planning.staffing import SearchSettings, analytic_agents, parse_targets, select_unit, simulation_staffing
from sim.config import apply_overrides, load_scenario

BASELINE = Path(__file__).resolve().parent.parent / "scenarios" / "baseline.toml"


def quarter_hour_day():
    """The baseline Monday on 48 fifteen-minute intervals."""
    scenario = load_scenario(BASELINE)
    half_hourly = np.asarray(scenario.demand.volume, dtype=float)
    return apply_overrides(scenario, {"horizon.days": 1, "horizon.interval_minutes": 15,
                                      "demand.volume": list(np.repeat(half_hourly / 2, 2))})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--scope", choices=("interval", "daily"), default="interval")
    parser.add_argument("--target", default="sl:0.8/20")
    args = parser.parse_args()

    scenario = quarter_hour_day()
    unit = select_unit(scenario)
    targets = parse_targets(args.target)
    settings = SearchSettings(replications=args.reps, workers=args.workers, scope=args.scope)
    started = time.perf_counter()
    result = simulation_staffing(scenario, unit, targets, settings)
    seconds = time.perf_counter() - started

    with_contacts = result.confirmation.has_contacts()
    print(f"{scenario.name}: {int(with_contacts.sum())} intervals with contacts, "
          f"target {args.target} per {args.scope}, "
          f"{args.reps} replications per round, {args.workers} worker(s)")
    print(f"search: {len(result.rounds)} rounds, {result.simulations} simulations, {seconds:.1f} s, "
          f"{'converged' if result.converged else 'NOT converged'}")
    interval_hours = scenario.horizon.interval_minutes / 60
    for method in ("erlang-c", "erlang-a"):
        agents, _ = analytic_agents(unit.workload(scenario), targets, method)
        print(f"{method:<10} {agents.sum() * interval_hours:8.1f} agent-hours on the phones")
    print(f"{'simulation':<10} {result.agents.sum() * interval_hours:8.1f} agent-hours on the phones")
    confirmed = result.confirmed()
    not_missing = result.confirmation.not_shown_to_miss(targets, settings.confidence, args.scope)
    if args.scope == "interval":
        confirmed, not_missing = confirmed & with_contacts, not_missing[with_contacts]
    missing = int((~not_missing).sum())
    print(f"held out, of {not_missing.size} with contacts: {int(confirmed.sum())} meet the target, {missing} miss "
          f"it and {not_missing.size - int(confirmed.sum()) - missing} cannot be told apart from it at "
          f"{settings.confidence:.0%} confidence")


if __name__ == "__main__":
    main()
