"""``ccsim staff``: agents needed per interval for a target, and a scenario staffed with them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from analysis.cli.planning_options import (
    add_target_options,
    output_directory,
    reporting_input_errors,
    round_printer,
    settings_from,
    targets_from,
)
from analysis.planning.staffing.options import METHODS

if TYPE_CHECKING:  # the planning modules load SciPy and the simulator: imported where used
    from analysis.planning.staffing.staff import StaffingOutcome

from .common import (
    add_output_options,
    add_run_options,
    command_line,
    load_with_options,
    option_inputs,
    results_folder,
)


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "staff", help="agents needed per interval (Erlang C, Erlang A or simulation) and a scenario using them",
        description="Work out the agents needed per interval to meet a service target and write "
                    "requirements.csv, a scenario staffed with them (headcount per interval for the group, "
                    "inflated for its shrinkage), staffing.png and summary.json. erlang-c and erlang-a treat each "
                    "interval as a stationary queue; simulation searches, on common random numbers, for the cheapest "
                    "headcount whose simulated KPIs meet the target with the stated confidence, starting from "
                    "Erlang A, and confirms it on fresh replications. The plan is simulated with --reps "
                    "replications to show what it achieves.")
    parser.add_argument("scenario", help="scenario TOML file")
    parser.add_argument("--method", choices=METHODS, default="erlang-a", help="how to find the requirement "
                                                                            "(default erlang-a)")
    add_target_options(parser)
    add_output_options(parser, "results/staff_<scenario file name without .toml>")
    add_run_options(parser, default_reps=10)
    parser.set_defaults(handler=_staff)


@reporting_input_errors
def _staff(args) -> int:
    from analysis.outputs.folders import scenario_digest
    from analysis.planning.staffing import run_staffing

    scenario = load_with_options(args.scenario, args)
    targets = targets_from(args, scenario)
    settings = settings_from(args)
    out = output_directory(args, "staff")
    with results_folder(out, "staff", option_inputs(args, scenario=scenario_digest(scenario)), args) as folder:
        outcome = run_staffing(scenario, targets, out, args.method, args.group, settings, round_printer(args),
                               command=command_line(args), rounding=args.headcount_rounding)
        folder.finish()
    print(staffing_text(outcome))
    print(f"results written to {out}/ ({', '.join(path.name for path in outcome.written)})")
    return 0


def staffing_text(outcome: StaffingOutcome) -> str:
    """Totals per method, the search's record and the simulated KPIs, for the console."""
    from analysis.outputs.report.formatting import column_kind, format_value, interval_text

    summary = outcome.summary
    currency = summary["currency"]
    lines = [f"{outcome.scenario.name}: staffing {summary['unit']['label']} "
             f"({', '.join(summary['unit']['groups'])}) for {', '.join(summary['targets'])} by {outcome.method}",
             f"{'plan':<10} {'agent-hours':>12} {'headcount-hours':>16} {'labor cost':>14}"]
    for label, totals in summary["plans"].items():
        if label == "chosen" and outcome.method != "simulation":
            continue  # the same as the analytic row above
        name = outcome.method if label == "chosen" else label
        lines.append(f"{name:<10} {totals['agent_hours_on_phones']:>12,.1f} {totals['headcount_hours']:>16,.1f} "
                     f"{totals['labor_cost']:>10,.0f} {currency}")
    search = summary.get("search")
    if search:
        lines.append(f"search: {search['simulations']} simulations in {search['rounds']} rounds, "
                     f"{search['wall_seconds']:.1f} s, {'converged' if search['converged'] else 'NOT converged'}")
        lines += [f"  {message}" for message in search["messages"]]
    rounding = summary["headcount_rounding"]
    example = rounding["example"]
    other = next(key for key in example if key.startswith("headcount_"))
    lines.append(f"headcount = {rounding['text']}")
    lines.append(f"  busiest interval (day {example['day']} {example['interval_start']}): {example['agents']} agents "
                 f"/ {1 - example['shrinkage']:.2f} = {example['exact_headcount']:.2f} -> {example['headcount']} "
                 f"(--headcount-rounding {other.removeprefix('headcount_')}: {example[other]})")
    simulated = summary["simulated"]
    kind = "fresh replications (held out from the search)" if simulated["held_out"] else "replications"
    lines.append(f"simulated on {len(simulated['replications'])} {kind}: {simulated['check_text']}")
    for name, value in simulated["kpis_ci95"].items():
        kind = column_kind(name)
        mean = format_value(value["mean"], kind, currency)
        lines.append(f"  {name:<18} {mean:>14}  {interval_text(*value['ci95'], kind, currency)}")
    lines += [f"note: {note}" for note in summary["notes"]]
    return "\n".join(lines)
