"""Shift scheduling: from agents required per interval to a costed roster of shifts.

Typical use::

    from analysis.planning.scheduling import PlanningGrid, load_templates, plan_shifts, write_roster

    grid = PlanningGrid.full_day(30)                      # 48 half-hour intervals
    schedule = plan_shifts(load_templates("scenarios/shifts/standard.toml"),
                           requirement, grid, rules=["staggered_15"])
    write_roster("roster.csv", schedule.shifts)           # the scenario's agent group can use it

Modules: :mod:`.timegrid` (times, grid and the coverage rule),
:mod:`.templates` (template files), :mod:`.rules` (scheduling policies),
:mod:`.solver` (the MILP), :mod:`.roster` (CSV rosters), :mod:`.plot`.
"""

from .errors import FieldError, InfeasibleScheduleError, Problem, RuleError, ScheduleSolveError, TemplateFileError
from .plan import CountLimit, PlanSetup
from .planner import compare_rules, plan_shifts
from .plot import plot_coverage, plot_schedule
from .roster import ROSTER_COLUMNS, RosterError, format_breaks, read_roster, roster_coverage, write_roster
from .rules import RULES, SchedulingRule, apply_rules, describe_rules, reference_hourly_cost
from .schedule import Schedule
from .shifts import PlacedBreak, PlannedShift, ShiftGroup
from .solver import SolverOptions, schedule_shifts
from .templates import (
                     BreakWindow,
                     PartTimePeakSettings,
                     PlanOptions,
                     RuleSettings,
                     ShiftTemplate,
                     SplitShiftSettings,
                     StartWindow,
                     TemplateFile,
                     load_templates,
                     parse_templates,
                     template_cost,
)
from .timegrid import PlanningGrid

__all__ = [
    "BreakWindow", "CountLimit", "FieldError", "InfeasibleScheduleError", "PartTimePeakSettings", "PlacedBreak",
    "PlanOptions", "PlannedShift", "PlanningGrid", "PlanSetup", "Problem", "ROSTER_COLUMNS", "RULES",
    "RosterError", "RuleError", "RuleSettings", "Schedule", "ScheduleSolveError", "SchedulingRule",
    "ShiftGroup", "ShiftTemplate", "SolverOptions", "SplitShiftSettings", "StartWindow", "TemplateFile",
    "TemplateFileError", "apply_rules", "compare_rules", "describe_rules", "format_breaks",
    "load_templates", "parse_templates", "plan_shifts",
    "plot_coverage", "plot_schedule", "read_roster", "reference_hourly_cost", "roster_coverage",
    "schedule_shifts", "template_cost", "write_roster",
]
