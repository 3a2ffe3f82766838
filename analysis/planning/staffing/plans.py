"""Put a staffing plan into a scenario: headcount per interval, or rosters of shifts, for the unit's groups.

The in-memory versions here are what searches and comparisons simulate;
:mod:`.scenario_files` writes the same plans as files a scenario references.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from sim.config import STAFFING_KEYS, Scenario, apply_overrides, format_time_of_day

from ..scheduling import ShiftGroup
from .units import StaffedUnit


def headcount_fields(headcount: np.ndarray, interval_seconds: int) -> dict[str, Any]:
    """Scenario fields for one group's headcount matrix (days x intervals of the whole day).

    Identical days give ``headcount = [...]`` (repeated every day, warm-up and
    drain included). Otherwise ``headcount_rows``: rows without a day (the
    first day's profile, used for the warm-up and the drain) overlaid by rows
    for each day.
    """
    matrix = np.asarray(headcount, dtype=int)
    if (matrix == matrix[0]).all():
        return {"headcount": [int(value) for value in matrix[0]]}
    rows = [{"interval": format_time_of_day(index * interval_seconds), "headcount": int(value)}
            for index, value in enumerate(matrix[0])]
    for day, profile in enumerate(matrix):
        rows += [{"interval": format_time_of_day(index * interval_seconds), "headcount": int(value), "day": day + 1}
                 for index, value in enumerate(profile)]
    return {"headcount_rows": rows}


def shift_fields(groups: Sequence[ShiftGroup], weekdays: Sequence[str] | None = None) -> dict[str, Any]:
    """Scenario ``shifts`` for roster rows (as the scenario loader reads a roster file)."""
    shifts = []
    for group in groups:
        shift = group.shift
        entry: dict[str, Any] = {
            "name": shift.name, "start": format_time_of_day(shift.start_minutes * 60),
            "length_hours": shift.length_minutes / 60.0, "count": group.count,
            "breaks": [{"start": format_time_of_day(placed.start_minutes * 60), "minutes": placed.minutes,
                        "paid": placed.paid} for placed in shift.breaks],
        }
        if weekdays is not None:
            entry["weekdays"] = list(weekdays)
        shifts.append(entry)
    return {"shifts": shifts}


def with_group_fields(scenario: Scenario, fields: Mapping[str, Mapping[str, Any]],
                      extra: Mapping[str, Any] | None = None) -> Scenario:
    """The scenario with each named group's staffing source replaced by the given fields."""
    overrides: dict[str, Any] = {}
    for name, values in fields.items():
        for key in STAFFING_KEYS:
            overrides[f"agent_groups.{name}.{key}"] = values.get(key)
    overrides.update(extra or {})
    return apply_overrides(scenario, overrides)


def with_headcount(scenario: Scenario, unit: StaffedUnit, headcount: np.ndarray) -> Scenario:
    """The scenario with the unit staffed by ``headcount`` (days x intervals), split between its groups."""
    interval_seconds = scenario.horizon.interval_minutes * 60
    fields = {group.name: headcount_fields(matrix, interval_seconds)
              for group, matrix in zip(unit.groups, unit.split_matrix(headcount))}
    return with_group_fields(scenario, fields)


def headcount_for_agents(unit: StaffedUnit, agents: np.ndarray) -> np.ndarray:
    """Smallest headcount per cell giving at least ``agents`` on the phones."""
    return np.vectorize(unit.headcount_for, otypes=[int])(np.asarray(agents, dtype=int))
