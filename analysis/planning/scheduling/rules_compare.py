"""Scheduling rules compared by simulation: plan each option, simulate the same demand, tabulate.

Every option plans the same requirement with the same templates and
contracts under its own rules as weekly tours (:mod:`.roster_plans`), gets
its roster and scenario written to its own directory, and is simulated with
the same seed and replication numbers as every other option, and as the
scenario's current staffing: common random numbers, so the options see the
same customers and differences come from the policy. Options that cannot be
planned (conflicting rules, infeasible limits) get a row saying why.

Every row prices labor the same way, as the simulator does (paid hours x
loaded wage + training per agent-day): ``planned_labor_cost`` is the
roster's labor over the horizon before any overtime, ``labor_cost`` and
``total_cost`` are simulated. ``intervals_below_target`` counts intervals
with contacts whose service level misses the target at the stated
confidence; the ``current`` row shows the same for the scenario as given.

Written into the output directory (``summary.json`` last):

* per option (in ``<out>/<option>/`` when several are compared, else in
  ``<out>/``): ``roster_agents.csv``, ``roster_<group>.png`` (Gantt chart),
  ``scenario.toml``, ``schedule.csv`` (per interval: requirement, agents on
  the phones, simulated KPIs) and ``schedule.png`` (requirement vs
  scheduled with the achieved service level);
* ``rules_comparison.csv`` and ``rules_comparison.png`` when several options are compared;
* ``summary.json``: the comparison table, the planning notes and what was run.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.metrics.stats import kpi_estimate
from analysis.outputs.files import write_csv, write_json
from analysis.outputs.plots import save_png
from analysis.outputs.results import package_version
from analysis.planning.staffing.evaluation import Evaluation, SimulationRunner
from analysis.planning.staffing.plots import rules_figure, staffing_figure
from analysis.planning.staffing.search import SearchSettings
from analysis.planning.staffing.targets import StaffingTarget
from analysis.planning.staffing.units import StaffedUnit, StaffingError
from sim.config import Scenario, format_time_of_day

from ..scheduling import (
    InfeasibleScheduleError,
    RuleError,
    ScheduleSolveError,
    SolverOptions,
    TemplateFile,
    TemplateFileError,
)
from .roster_plans import ShiftPlan, plan_rosters, write_shift_plan
from .shift_plans import OvertimeSettings, RuleOption

CURRENT = "current"
COMPARED_KPIS = ("total_cost", "labor_cost", "service_level", "abandon_rate", "occupancy", "overtime_hours",
                 "asa_seconds", "agents_paid_hours")


@dataclass
class OptionResult:
    """One option: its plan, the scenario written with it and its simulated replications."""

    plan: ShiftPlan
    scenario: Scenario
    evaluation: Evaluation


@dataclass
class RuleComparison:
    table: pd.DataFrame
    results: dict[str, OptionResult]
    written: list[Path]
    notes: dict[str, tuple[str, ...]]


def compare_rule_options(scenario: Scenario, unit: StaffedUnit, requirement: np.ndarray, templates: TemplateFile,
                         options: Sequence[RuleOption], out: str | Path, targets: Sequence[StaffingTarget],
                         settings: SearchSettings = SearchSettings(), solver: SolverOptions = SolverOptions(),
                         overtime: OvertimeSettings = OvertimeSettings(),
                         command: list[str] | None = None, bounded: bool = True) -> RuleComparison:
    """Plan, write and simulate every option and the current staffing (see the module docstring)."""
    out = Path(out)
    single = len(options) == 1
    rows, results, written, notes = [], {}, [], {}
    with SimulationRunner.for_settings(settings, "simulating rule options") as runner:
        current = runner.evaluate(scenario, settings.seed, range(settings.replications), unit.judged_types,
                                  targets, with_kpis=True)
        rows.append(_current_row(current, targets, settings.confidence))
        for option in options:
            directory = out if single else out / option.label
            runner.note(option.label)
            try:
                plan = plan_rosters(scenario, requirement, templates, option, solver, unit, bounded)
            except (RuleError, TemplateFileError, InfeasibleScheduleError, ScheduleSolveError) as error:
                if single:
                    raise
                rows.append({"option": option.label, "rules": " + ".join(option.rules), "overtime": option.overtime,
                             "status": f"not planned: {error}"})
                continue
            planned = write_shift_plan(plan, scenario, unit, directory, overtime)
            evaluation = runner.evaluate(planned, settings.seed, range(settings.replications), unit.judged_types,
                                         targets, with_kpis=True)
            results[option.label] = OptionResult(plan, planned, evaluation)
            notes[option.label] = plan.notes
            written += _write_option_files(plan, planned, evaluation, directory, targets, settings.confidence)
            rows.append(_row(option, plan, scenario, evaluation, targets, settings.confidence))
    if not results:
        raise StaffingError("no rule option could be planned: " + "; ".join(row["status"] for row in rows[1:]))
    table = pd.DataFrame(rows)
    if not single:
        written.append(write_csv(out / "rules_comparison.csv", table))
        planned_rows = table[table["option"].isin([CURRENT, *results])]
        written.append(save_png(rules_figure(planned_rows.reset_index(drop=True)), out / "rules_comparison.png"))
    summary = {
        "unit": {"label": unit.label, "groups": list(unit.group_names), "shares": list(unit.shares)},
        "targets": [t.label for t in targets], "seed": settings.seed, "replications": settings.replications,
        "currency": scenario.currency,
        "options": table.replace({np.nan: None}).to_dict(orient="records"),
        "notes": {label: list(lines) for label, lines in notes.items()},
        "provenance": {"package": "ccsim", "version": package_version(), "command": command,
                       "scenario": scenario.name,
                       "finished_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")},
    }
    written.append(write_json(out / "summary.json", summary))
    return RuleComparison(table, results, written, notes)


def _simulated(row: dict, evaluation: Evaluation, targets: Sequence[StaffingTarget], confidence: float) -> dict:
    for kpi in COMPARED_KPIS:
        found = kpi_estimate(kpi, [kpis[kpi] for kpis in evaluation.kpis], 0.95)
        row[kpi], row[f"{kpi}_low"], row[f"{kpi}_high"] = found.mean, found.low, found.high
    with_contacts = evaluation.has_contacts()
    failing = evaluation.failing(targets, confidence) & with_contacts
    row["intervals_with_contacts"] = int(with_contacts.sum())
    row["intervals_meeting_target"] = int(with_contacts.sum() - failing.sum())
    row["intervals_below_target"] = int(failing.sum())
    return row


def _current_row(evaluation: Evaluation, targets: Sequence[StaffingTarget], confidence: float) -> dict:
    row = {"option": CURRENT, "rules": "", "overtime": False, "status": "as given"}
    return _simulated(row, evaluation, targets, confidence)


def _row(option: RuleOption, plan: ShiftPlan, scenario: Scenario, evaluation: Evaluation,
         targets: Sequence[StaffingTarget], confidence: float) -> dict:
    row = {
        "option": option.label, "rules": " + ".join(option.rules), "overtime": option.overtime,
        "status": plan.status, "mip_gap": plan.mip_gap, "solve_seconds": plan.solve_seconds,
        "agents": plan.agents, "planned_paid_hours": plan.paid_hours(),
        "planned_labor_cost": plan.labor_cost(scenario), "planned_cost_per_week": plan.cost_per_week(scenario),
        "agent_intervals_short": plan.agent_intervals_short(),
    }
    return _simulated(row, evaluation, targets, confidence)


def _write_option_files(plan: ShiftPlan, planned: Scenario, evaluation: Evaluation, directory: Path,
                        targets: Sequence[StaffingTarget], confidence: float) -> list[Path]:
    interval_seconds = planned.horizon.interval_minutes * 60
    days, per_day = plan.requirement.shape
    level = StaffingTarget("service_level", planned.service_level.target or 0.8,
                           planned.service_level.threshold_seconds)
    ratio, lower, upper = evaluation.bounds(level, confidence)
    coverage = plan.coverage()
    average = plan.coverage(average=True)
    table = pd.DataFrame({
        "day": np.repeat(np.arange(1, days + 1), per_day),
        "weekday": np.repeat(plan.weekdays, per_day),
        "interval_start": [format_time_of_day(i * interval_seconds) for i in range(per_day)] * days,
        "requirement": plan.requirement.ravel(),
        "on_phones": coverage.ravel(),
        "on_phones_average": average.ravel(),
        "simulated_offered": evaluation.counts["offered"].mean(axis=0),
        "simulated_service_level": ratio, "simulated_service_level_low": lower,
        "simulated_service_level_high": upper,
        "meets_target": ~evaluation.failing(targets, confidence),
    })
    written = [directory / "scenario.toml", write_csv(directory / "schedule.csv", table)]
    first = table[table["day"] == 1]
    figure = staffing_figure(list(first["interval_start"]),
                             {"requirement (headcount)": first["requirement"],
                              "scheduled on the phones": first["on_phones"]},
                             first["simulated_service_level"], next((t.value for t in targets
                                                                     if t.kind == "service_level"), None),
                             title=f"{plan.option.label}: planned labor {plan.labor_cost(planned):,.0f} over "
                                   f"{days} day(s), day 1 ({plan.weekdays[0]})")
    written.append(save_png(figure, directory / "schedule.png"))
    return written
