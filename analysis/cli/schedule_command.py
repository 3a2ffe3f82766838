"""``ccsim schedule``: shifts for a requirement, a roster and a scenario using it; rules compared by simulation."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from analysis.cli.planning_options import (
    add_target_options,
    output_directory,
    overtime_option,
    reporting_input_errors,
    round_printer,
    settings_from,
    targets_from,
)
from analysis.planning.staffing.options import METHODS

if TYPE_CHECKING:  # the planning modules load SciPy, the solver and the simulator: imported where used
    import numpy as np
    import pandas as pd

    from analysis.planning.scheduling.rules_compare import RuleComparison

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
        description="Plan the cheapest weekly tours of individual agents from a template file (shift templates "
                    "and contracts: days off, weekly hours, rest) that put the required headcount on the phones "
                    "in every interval, write the roster (roster_agents.csv, a Gantt chart per group) and a "
                    "scenario using it, and simulate it next to the scenario's current staffing. The requirement "
                    "comes from --requirement (a CSV such as ccsim staff writes) or is worked out for --target by "
                    "--method. With --rules, each comma-separated option (scheduling rules joined by '+', and "
                    "'overtime') is planned, simulated on the same seeds, and tabulated side by side.")
    parser.add_argument("scenario", help="scenario TOML file")
    parser.add_argument("--shifts", required=True, help="shift-template TOML file (see scenarios/shifts/standard.toml)")
    parser.add_argument("--requirement", help="requirement CSV with interval_start and headcount (or agents) "
                                              "columns, optionally day")
    parser.add_argument("--method", choices=METHODS, default="erlang-a",
                        help="without --requirement: how to work it out (default erlang-a)")
    parser.add_argument("--rules", help="options to compare, e.g. on_the_hour,staggered_15,overtime,"
                                        "staggered_15+part_time_peak (default: the templates as written)")
    parser.add_argument("--overtime", type=overtime_option, metavar="QUEUE/MIN/PREMIUM",
                        help="the overtime option: stay on while more than QUEUE contacts wait, at most MIN "
                             "minutes, paid at 1 + PREMIUM (default 3/30/0.5)")
    parser.add_argument("--time-limit", type=positive_seconds, default=60.0,
                        help="solver time limit per plan in seconds (default 60; hitting it is reported)")
    parser.add_argument("--outside-hours", action="store_true",
                        help="let shifts start before opening and end after closing (default: shifts lie within "
                             "each weekday's opening hours); the paid hours outside them are reported")
    add_target_options(parser)
    add_output_options(parser, "results/schedule_<scenario file name without .toml>")
    add_run_options(parser, default_reps=10)
    parser.set_defaults(handler=_schedule)


@reporting_input_errors
def _schedule(args) -> int:
    from analysis.outputs.files import write_csv
    from analysis.outputs.folders import scenario_digest
    from analysis.planning.scheduling import SolverOptions, load_templates
    from analysis.planning.scheduling.rules_compare import compare_rule_options
    from analysis.planning.scheduling.shift_plans import OvertimeSettings, parse_rule_options, read_requirement
    from analysis.planning.staffing import analytic_agents, headcount_for_agents, select_unit, simulation_staffing

    scenario = load_with_options(args.scenario, args)
    targets = targets_from(args, scenario)
    settings = settings_from(args)
    templates = load_templates(args.shifts)
    options = parse_rule_options(args.rules)
    out = output_directory(args, "schedule")
    unit = select_unit(scenario, args.group, args.headcount_rounding)
    _check_options(scenario, templates, options, bounded=not args.outside_hours)
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
                                          SolverOptions(time_limit_seconds=args.time_limit),
                                          args.overtime or OvertimeSettings(),
                                          command=command_line(args), bounded=not args.outside_hours)
        folder.finish()
    print(f"{scenario.name}: shifts for {unit.label} ({', '.join(unit.group_names)}), "
          f"{settings.replications} replication(s) per option on common random numbers, seed {settings.seed}")
    print(comparison_text(comparison, scenario.currency))
    print(f"results written to {out}/")
    return 0


def _check_options(scenario, templates, options, bounded: bool) -> None:
    """Refuse before any work when no option can be planned (its contracts fit no week of the opening hours);
    options that cannot while others can are reported as not planned in the table."""
    from analysis.planning.scheduling.roster_plans import check_plannable
    from sim.config.errors import UserInputError

    problems = []
    for option in options:
        try:
            check_plannable(scenario, templates, option, bounded)
        except UserInputError as error:
            problems.append(error)
    if problems and len(problems) == len(options):
        raise problems[0]


def _requirement_table(requirement: np.ndarray, interval_seconds: int) -> pd.DataFrame:
    import numpy as np
    import pandas as pd

    from sim.config import format_time_of_day

    days, per_day = requirement.shape
    return pd.DataFrame({"day": np.repeat(np.arange(1, days + 1), per_day),
                         "interval_start": [format_time_of_day(i * interval_seconds) for i in range(per_day)] * days,
                         "headcount": requirement.ravel().astype(int)})


def comparison_text(comparison: RuleComparison, currency: str) -> str:
    """The rules table for the console, the current staffing first, then each option's planning notes.

    One cost definition throughout: labor is paid hours x loaded wage + training per agent-day, planned
    (the roster, before overtime) and simulated (with overtime); total adds AI, vendors and fixed costs.
    """
    def cell(row, kpi: str, share: bool) -> str:
        mean, low, high = row.get(kpi), row.get(f"{kpi}_low"), row.get(f"{kpi}_high")
        if mean is None or (isinstance(mean, float) and math.isnan(mean)):
            return "-"
        text = (lambda v: f"{v:.1%}") if share else (lambda v: f"{v:,.0f}")
        return f"{text(mean)} [{text(low)}, {text(high)}]" if not math.isnan(low) else text(mean)

    def number(row, key: str, form: str) -> str:
        value = row.get(key)
        return "-" if value is None or (isinstance(value, float) and math.isnan(value)) else format(value, form)

    header = (f"{'option':<28} {'status':<10} {'gap':>6} {'agents':>6} {'planned labor':>13} "
              f"{'labor (' + currency + ')':>24} {'total cost (' + currency + ')':>26} {'service level':>22} "
              f"{'abandoned':>20} {'below target':>12} {'overtime h':>10}")
    lines = [header]
    for row in comparison.table.to_dict(orient="records"):
        if str(row.get("status", "")).startswith("not planned"):
            lines.append(f"{row['option']:<28} {row['status']}")
            continue
        gap = "-" if row.get("mip_gap") is None or math.isnan(row.get("mip_gap", math.nan)) else f"{row['mip_gap']:.2%}"
        below = f"{row['intervals_below_target']}/{row['intervals_with_contacts']}"
        lines.append(f"{row['option']:<28} {row['status']:<10} {gap:>6} {number(row, 'agents', ',.0f'):>6} "
                     f"{number(row, 'planned_labor_cost', ',.0f'):>13} {cell(row, 'labor_cost', False):>24} "
                     f"{cell(row, 'total_cost', False):>26} {cell(row, 'service_level', True):>22} "
                     f"{cell(row, 'abandon_rate', True):>20} {below:>12} {row['overtime_hours']:>10.1f}")
    for label, notes in comparison.notes.items():
        lines.append(f"{label}:")
        lines += [f"  {note}" for note in notes]
    return "\n".join(lines)
