"""Peak memory of a long run against a one-day run, without contact records.

Each run happens in a fresh process (so the peak is that run's alone) and
reports its maximum resident set size. Memory must not grow with the number
of contacts: the goal (issue 13) is a 90-day baseline run within 1.5x of a
one-day run. A one-day run with contact records is shown for contrast.

Run: ``python benchmarks/bench_memory.py [--days 90] [--scenario scenarios/baseline.toml]``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHILD = """
import json, resource, sys, time
from analysis.runs.experiment import run_experiment
from sim.config import apply_overrides, load_scenario
scenario = apply_overrides(load_scenario(sys.argv[1]), {"horizon.days": int(sys.argv[2])})
started = time.process_time()
result = run_experiment(scenario, replications=1, seed=0, workers=1, show_progress=False,
                        keep_contacts=sys.argv[3] == "records")
result.intervals()
print(json.dumps({"peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "contacts": result.outputs[0].kpis["contacts_offered"],
                  "cpu_seconds": time.process_time() - started}))
"""


def measure(scenario: str, days: int, mode: str) -> dict:
    output = subprocess.run([sys.executable, "-c", CHILD, scenario, str(days), mode], cwd=ROOT, check=True,
                            capture_output=True, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--scenario", default=str(ROOT / "scenarios" / "baseline.toml"))
    args = parser.parse_args()
    one_day = measure(args.scenario, 1, "none")
    long_run = measure(args.scenario, args.days, "none")
    with_records = measure(args.scenario, 1, "records")
    print(f"{Path(args.scenario).name}, one replication, peak resident memory of a fresh process")
    for label, run in (("1 day, no records", one_day), (f"{args.days} days, no records", long_run),
                       ("1 day, contact records", with_records)):
        print(f"  {label:24s} {run['peak_mib']:7.1f} MiB  {run['contacts']:>11,.0f} contacts  "
              f"{run['cpu_seconds']:6.1f} s CPU")
    print(f"  ratio {args.days} days / 1 day: {long_run['peak_mib'] / one_day['peak_mib']:.2f} (goal: at most 1.5)")


if __name__ == "__main__":
    main()
