"""One-call planning from a template file, and the same demand planned under several rule sets."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd

from .rules import apply_rules
from .schedule import Schedule
from .solver import SolverOptions, schedule_shifts
from .templates import TemplateFile, load_templates
from .timegrid import PlanningGrid


def plan_shifts(templates: TemplateFile | str | Path, requirement: Sequence[float], grid: PlanningGrid,
                rules: Sequence[str] = (), solver: SolverOptions = SolverOptions()) -> Schedule:
    """Cheapest schedule for ``requirement`` from a template file (or its path) under the named rules."""
    template_file = templates if isinstance(templates, TemplateFile) else load_templates(templates)
    return schedule_shifts(apply_rules(template_file, rules), requirement, grid, solver)


def compare_rules(templates: TemplateFile | str | Path, requirement: Sequence[float], grid: PlanningGrid,
                  rule_sets: Mapping[str, Sequence[str]],
                  solver: SolverOptions = SolverOptions()) -> tuple[pd.DataFrame, dict[str, Schedule]]:
    """Plan the same requirement under each named rule set.

    Returns a table (one row per rule set: cost, agents, paid hours, shortage,
    solver status, gap, seconds) and the schedules by rule-set name.
    """
    template_file = templates if isinstance(templates, TemplateFile) else load_templates(templates)
    schedules = {label: plan_shifts(template_file, requirement, grid, rules, solver)
                 for label, rules in rule_sets.items()}
    table = pd.DataFrame([{
        "rule_set": label,
        "rules": ", ".join(schedule.rules),
        "total_cost": schedule.total_cost,
        "agents": schedule.agents,
        "part_time_agents": schedule.part_time_agents(),
        "paid_hours": schedule.paid_hours,
        "agent_intervals_short": float(schedule.shortage.sum()),
        "agent_intervals_over": float(schedule.over_coverage.sum()),
        "status": schedule.status,
        "mip_gap": schedule.mip_gap,
        "solve_seconds": schedule.solve_seconds,
    } for label, schedule in schedules.items()])
    return table, schedules

