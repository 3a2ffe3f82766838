"""Time the weekly tour schedule of the baseline center open seven days, both agent groups together.

    python benchmarks/bench_tours.py [--time-limit 60] [--rules staggered_15] [--outside-hours]

``scenarios/weekend_open.toml`` (the baseline weekdays plus a shorter,
quieter Saturday and Sunday) with ``scenarios/shifts/standard.toml`` (day,
evening and six-hour templates; full-time contracts of five days with two
days off together, part-time of three to five days, 11 hours of rest):
the Erlang A requirement for 80/20 over the week is planned as individual
tours for both groups, with the solver's default time limit (60 s). Prints
the agents, paid hours, cost, the proven gap and the time of each stage,
and fails (exit 1) unless the gap is within ``--max-gap`` (default 1%) in
the time limit.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from analysis.planning.scheduling import SolverOptions, load_templates
from analysis.planning.scheduling.roster_plans import plan_rosters
from analysis.planning.scheduling.shift_plans import RuleOption
from analysis.planning.staffing import analytic_agents, headcount_for_agents, parse_targets, select_unit
from sim.config import load_scenario

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--time-limit", type=float, default=SolverOptions().time_limit_seconds)
    parser.add_argument("--rules", default="", help="scheduling rules joined by '+', e.g. staggered_15")
    parser.add_argument("--outside-hours", action="store_true")
    parser.add_argument("--max-gap", type=float, default=0.01)
    args = parser.parse_args()

    scenario = load_scenario(ROOT / "scenarios" / "weekend_open.toml")
    templates = load_templates(ROOT / "scenarios" / "shifts" / "standard.toml")
    unit = select_unit(scenario)
    agents, _ = analytic_agents(unit.workload(scenario), parse_targets("sl:0.8/20"), "erlang-a")
    requirement = headcount_for_agents(unit, agents)
    rules = tuple(name for name in args.rules.split("+") if name)
    started = time.perf_counter()
    plan = plan_rosters(scenario, requirement, templates, RuleOption(args.rules or "as_written", rules),
                        SolverOptions(time_limit_seconds=args.time_limit), unit, bounded=not args.outside_hours)
    seconds = time.perf_counter() - started
    tours = plan.tours
    print(f"{scenario.name}: {unit.label} ({', '.join(unit.group_names)}), 7 days, "
          f"{int((requirement > 0).sum())} intervals needing agents, rules: {args.rules or 'as written'}")
    print(tours.summary())
    print(f"stage 1 (MILP) {tours.counts.solve_seconds:.1f} s, stage 2 (agents) {tours.assign_seconds:.1f} s, "
          f"{seconds:.1f} s in all; cost per week {plan.cost_per_week(scenario):,.0f} {scenario.currency}")
    for note in plan.notes:
        print(f"  {note}")
    within = tours.mip_gap <= args.max_gap and tours.counts.solve_seconds <= args.time_limit * 1.05
    print(f"gap {tours.mip_gap:.2%} {'within' if within else 'NOT within'} {args.max_gap:.0%} "
          f"in the {args.time_limit:g} s limit")
    return 0 if within else 1


if __name__ == "__main__":
    sys.exit(main())
