"""``ccsim schedule``: shifts for a requirement, a roster and a scenario using it; rules compared by simulation."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from analysis.cli.planning_options import (
    add_target_options,
    output_directory,
    overtime_option,
    reporting_input_errors,
    round_printer,
    settings_from,
    targets_from,
)
from analysis.outputs.files import write_csv
from analysis.outputs.folders import scenario_digest
from analysis.planning.scheduling import SolverOptions, load_templates
from analysis.planning.scheduling.rules_compare import RuleComparison, compare_rule_options
from analysis.planning.scheduling.shift_plans import OvertimeSettings, parse_rule_options, read_requirement
from analysis.planning.staffing import METHODS, select_unit
from analysis.planning.staffing.analytic import analytic_agents
from analysis.planning.staffing.plans import headcount_for_agents
from analysis.planning.staffing.search import simulation_staffing
from sim.config import format_time_of_day

from .common import (
    add_output_options,
    add_run_options,
    command_line,
    file_input,
    load_with_options,
    option_inputs,
    positive_seconds,
    results_folder,
)


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "schedule", help="plan shifts for a requirement, write a roster and a scenario using it; compare rules",
        description="Plan the cheapest shifts from a template file (MILP) that put the required headcount on "
                    "the phones in every interval, write the roster CSV(s) and a scenario using them "
                    "(roster_file), and simulate it. The requirement comes from --requirement (a CSV such as "
                    "ccsim staff writes) or is worked out for --target by --method. With --rules, each "
                    "comma-separated option (scheduling rules joined by '+', and 'overtime') is planned, "
                    "simulated on the same seeds, and tabulated side by side.")
    parser.add_argument("scenario", help="scenario TOML file")
    parser.add_argument("--shifts", required=True, help="shift-template TOML file (see scenarios/shifts/standard.toml)")
    parser.add_argument("--requirement", help="requirement CSV with interval_start and headcount (or agents) "
                                              "columns, optionally day")
    parser.add_argument("--method", choices=METHODS, default="erlang-a",
                        help="without --requirement: how to work it out (default erlang-a)")
    parser.add_argument("--rules", help="options to compare, e.g. on_the_hour,staggered_15,overtime,"
                                        "staggered_15+part_time_peak (default: the templates as written)")
    parser.add_argument("--overtime", type=overtime_option, default=OvertimeSettings(), metavar="QUEUE/MIN/PREMIUM",
                        help="the overtime option: stay on while more than QUEUE contacts wait, at most MIN "
                             "minutes, paid at 1 + PREMIUM (default 3/30/0.5)")
    parser.add_argument("--time-limit", type=positive_seconds, default=60.0, help="solver time limit per plan in seconds "
                                                                      "(default 60; hitting it is reported)")
    add_target_options(parser)
    add_output_options(parser, "results/schedule_<scenario file name without .toml>")
    add_run_options(parser, default_reps=10)
    parser.set_defaults(handler=_schedule)


@reporting_input_errors
def _schedule(args) -> int:
    scenario = load_with_options(args.scenario, args)
    targets = targets_from(args, scenario)
    settings = settings_from(args)
    templates = load_templates(args.shifts)
    options = parse_rule_options(args.rules)
    out = output_directory(args, "schedule")
    unit = select_unit(scenario, args.group, args.headcount_rounding)
    inputs = option_inputs(args, scenario=scenario_digest(scenario), shifts=file_input(args.shifts),
                           requirement=file_input(args.requirement))
    with results_folder(out, "schedule", inputs, args) as folder:
        if args.requirement:
            requirement = read_requirement(args.requirement, scenario, unit)
        elif args.method == "simulation":
            requirement = simulation_staffing(scenario, unit, targets, settings,
                                              on_round=round_printer(args)).headcount
        else:
            agents, _ = analytic_agents(unit.workload(scenario), targets, args.method)
            requirement = headcount_for_agents(unit, agents)
        write_csv(out / "requirements.csv", _requirement_table(requirement, scenario.horizon.interval_minutes * 60))
        comparison = compare_rule_options(scenario, unit, requirement, templates, options, out, targets, settings,
                                          SolverOptions(time_limit_seconds=args.time_limit), args.overtime,
                                          command=command_line(args))
        folder.finish()
    print(f"{scenario.name}: shifts for {unit.label} ({', '.join(unit.group_names)}), "
          f"{settings.replications} replication(s) per option on common random numbers, seed {settings.seed}")
    print(comparison_text(comparison, scenario.currency))
    print(f"results written to {out}/")
    return 0


def _requirement_table(requirement: np.ndarray, interval_seconds: int) -> pd.DataFrame:
    days, per_day = requirement.shape
    return pd.DataFrame({"day": np.repeat(np.arange(1, days + 1), per_day),
                         "interval_start": [format_time_of_day(i * interval_seconds) for i in range(per_day)] * days,
                         "headcount": requirement.ravel().astype(int)})


def comparison_text(comparison: RuleComparison, currency: str) -> str:
    """The rules table for the console: plan cost and status, simulated KPIs with 95% CIs."""
    def cell(row, kpi: str, share: bool) -> str:
        mean, low, high = row.get(kpi), row.get(f"{kpi}_low"), row.get(f"{kpi}_high")
        if mean is None or (isinstance(mean, float) and math.isnan(mean)):
            return "-"
        text = (lambda v: f"{v:.1%}") if share else (lambda v: f"{v:,.0f}")
        return f"{text(mean)} [{text(low)}, {text(high)}]" if not math.isnan(low) else text(mean)

    header = (f"{'option':<28} {'status':<10} {'shift cost':>11} {'total cost (' + currency + ')':>28} "
              f"{'service level':>24} {'abandoned':>22} {'occupancy':>22} {'overtime h':>10}")
    lines = [header]
    for row in comparison.table.to_dict(orient="records"):
        if str(row.get("status", "")).startswith("not planned"):
            lines.append(f"{row['option']:<28} {row['status']}")
            continue
        lines.append(f"{row['option']:<28} {row['status']:<10} {row['shift_cost']:>11,.0f} "
                     f"{cell(row, 'total_cost', False):>28} {cell(row, 'service_level', True):>24} "
                     f"{cell(row, 'abandon_rate', True):>22} {cell(row, 'occupancy', True):>22} "
                     f"{row['overtime_hours']:>10.1f}")
    return "\n".join(lines)
