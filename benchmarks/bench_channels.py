"""Throughput of an omnichannel center against voice-only centers, in one run.

Contacts per second, end to end (``run_experiment`` of one replication in
this process: arrivals, engine, collector, KPIs including those by channel,
interval table; no contact records), of:

* ``scenarios/omnichannel.toml``: calls with callbacks and channel switching,
  chats behind an AI with three at a time and stretch, silent abandonment,
  emails and SMS blended into idle time with pre-emption, carried over days;
* its voice-only twin: the same demand, agents and AI with every contact type
  a call and no channel rules (what the channel logic costs on the same center);
* ``scenarios/baseline.toml``: the project's voice-only baseline.

Runs are interleaved and timed in CPU time of this process
(``time.process_time``); the best of ``--repeats`` counts. The goal (issue
11): the omnichannel center no worse than 1.5x slower per contact than the
voice-only baseline; both voice-only references are printed, the twin
isolating what the channel logic costs.

Run: ``python benchmarks/bench_channels.py [--days 5] [--repeats 3]``.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from analysis.runs.experiment import run_experiment
from sim.config import Scenario, apply_overrides, load_scenario, parse_scenario

ROOT = Path(__file__).resolve().parent.parent
CHANNEL_RULES = ("channel", "silent_abandonment", "deferred_target", "callback", "switch")


def voice_twin(scenario: Scenario) -> Scenario:
    """The same center with every contact type a call and no channel rules."""
    data = scenario.model_dump(mode="json")
    data["name"] = f"{scenario.name}_voice_only"
    data["channels"] = {}
    for contact_type in data["contact_types"]:
        for key in CHANNEL_RULES:
            contact_type.pop(key, None)
    for group in data["agent_groups"]:
        group["concurrency"] = {}
        group["realtime_preempts_backlog"] = False
    return parse_scenario(data)


def rate(scenario: Scenario, seed: int) -> tuple[float, int]:
    started = time.process_time()
    result = run_experiment(scenario, replications=1, seed=seed, workers=1, show_progress=False, keep_contacts=False)
    result.intervals()
    elapsed = time.process_time() - started
    contacts = int(result.outputs[0].kpis["contacts_offered"])
    return contacts / elapsed, contacts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    days = {"horizon.days": args.days}
    omnichannel = apply_overrides(load_scenario(ROOT / "scenarios" / "omnichannel.toml"), days)
    models = {"omnichannel": omnichannel, "omnichannel, voice-only twin": voice_twin(omnichannel),
              "baseline (voice only)": apply_overrides(load_scenario(ROOT / "scenarios" / "baseline.toml"), days)}
    best = dict.fromkeys(models, 0.0)
    contacts = dict.fromkeys(models, 0)
    for repeat in range(args.repeats):
        for name, scenario in models.items():
            found, contacts[name] = rate(scenario, repeat)
            best[name] = max(best[name], found)
    print(f"{args.days} day(s), best of {args.repeats}, CPU time, one replication end to end")
    for name in models:
        print(f"  {name:30s} {contacts[name]:>8,} contacts {best[name]:>10,.0f} contacts/s")
    for reference in ("omnichannel, voice-only twin", "baseline (voice only)"):
        print(f"  time per contact, omnichannel / {reference}: {best[reference] / best['omnichannel']:.2f}x "
              "(goal: at most 1.5x)")


if __name__ == "__main__":
    main()
