"""End-to-end throughput of ccsim against the reference queue models, in one run.

All models simulate the same M/M/90+M queue (``scenarios/validation/erlang_a.toml``:
1000 contacts per hour, mean handle 300 s, mean patience 180 s):

* ccsim end to end: ``run_experiment`` of one replication in this process
  (arrivals, engine, collector, KPIs, interval table; no contact records);
* the reference models of ``../shared/bench/reference_models.py``: a
  pure-Python heap loop (the CPython floor), an idiomatic SimPy model (a
  process per caller), a tuned SimPy model (patience armed only when the
  caller queues) and Ciw if installed.

Runs are interleaved (model A, model B, ... then again) and timed in CPU time
of this process (``time.process_time``), so other work on the machine skews
the ratios little; the best of ``--repeats`` counts. Prints contacts per
second and ccsim's ratio to each model. The goal for ccsim (issue 13): at
least 4x the idiomatic SimPy model and 3x the tuned one.

Run: ``python benchmarks/bench_throughput.py [--days 4] [--repeats 5] [--ciw]``.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import time
from pathlib import Path

from analysis.runs.experiment import run_experiment
from sim.config import apply_overrides, load_scenario

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = ROOT / "scenarios" / "validation" / "erlang_a.toml"
REFERENCE = ROOT.parent / "shared" / "bench" / "reference_models.py"


def load_reference():
    if not REFERENCE.exists():
        sys.exit(f"reference models not found at {REFERENCE} (they live beside the project in ../shared/bench)")
    spec = importlib.util.spec_from_file_location("reference_models", REFERENCE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def ccsim_rate(days: int, seed: int) -> tuple[float, int]:
    scenario = apply_overrides(load_scenario(SCENARIO), {"horizon.days": days, "horizon.warmup_minutes": 0})
    started = time.process_time()
    result = run_experiment(scenario, replications=1, seed=seed, workers=1, show_progress=False,
                            keep_contacts=False)
    result.intervals()
    elapsed = time.process_time() - started
    contacts = int(result.outputs[0].kpis["contacts_offered"])
    return contacts / elapsed, contacts


def reference_rate(run, arrivals: int, seed: int) -> float:
    started = time.process_time()
    run(arrivals, seed)
    return arrivals / (time.process_time() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=4, help="days of the erlang_a scenario (24,000 contacts each)")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--ciw", action="store_true", help="also run the Ciw model (slow)")
    args = parser.parse_args()
    reference = load_reference()
    models = {"heap loop": reference.run_heapq, "SimPy": reference.run_simpy, "SimPy tuned": reference.run_simpy_tuned}
    if args.ciw:
        models["Ciw"] = reference.run_ciw
    best = {name: 0.0 for name in ["ccsim", *models]}
    contacts = 0
    for repeat in range(args.repeats):
        rate, contacts = ccsim_rate(args.days, repeat)
        best["ccsim"] = max(best["ccsim"], rate)
        for name, run in models.items():
            best[name] = max(best[name], reference_rate(run, contacts, repeat))
    print(f"erlang_a (M/M/90+M), {contacts:,} contacts, best of {args.repeats}, CPU time")
    for name, rate in best.items():
        ratio = "" if name == "ccsim" else f"   ccsim / {name}: {best['ccsim'] / rate:5.2f}"
        print(f"  {name:12s} {rate:12,.0f} contacts/s{ratio}")


if __name__ == "__main__":
    main()
