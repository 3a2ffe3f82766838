"""Shift plans from a requirement: the MILP scheduler, rosters per group, and a scenario using them.

The requirement is the *headcount* to have on the phones per interval
(inflated for shrinkage: the simulator makes round(scheduled x (1 -
shrinkage)) of the rostered agents available), for every day of the
horizon. Plans are single-day, so days are grouped into day types: one plan
for every day when all weekdays need the same, otherwise one plan per
weekday (the most any day of that weekday needs) and a roster with a
``weekdays`` column. The planning grid spans the intervals from the first to
the last with a requirement; a requirement around the clock plans a
repeating day (``wrap``).

A rule option is a named set of scheduling rules from
:data:`analysis.scheduling.RULES` joined by ``+`` (e.g.
``staggered_15+part_time_peak``), optionally with ``overtime``: the engine's
group option that keeps agents on past their shift end while the queue is
long (:class:`sim.config.scenario.Overtime`), set on the planned groups.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.outputs.files import atomic_write
from analysis.planning.staffing.scenario_files import write_scenario_file
from analysis.planning.staffing.units import StaffedUnit
from sim.calendar import Calendar
from sim.config import SECONDS_PER_DAY, Scenario, format_minutes_of_day, time_of_day_seconds
from sim.config.errors import UserInputError
from sim.config.files import FileProblem, read_text

from ..scheduling import (
    RULES,
    PlanningGrid,
    RuleError,
    Schedule,
    ShiftGroup,
    SolverOptions,
    TemplateFile,
    format_breaks,
    plan_shifts,
    write_roster,
)

OVERTIME = "overtime"
EVERY_DAY = "every_day"


class RequirementFileError(UserInputError):
    """A requirement CSV that does not fit the scenario."""


@dataclass(frozen=True)
class RuleOption:
    """A named scheduling policy: scheduling rules and whether agents work overtime when the queue is long."""

    label: str
    rules: tuple[str, ...] = ()
    overtime: bool = False


@dataclass(frozen=True)
class OvertimeSettings:
    """The engine's overtime option for planned groups (see :class:`sim.config.scenario.Overtime`)."""

    queue_above: int = 3
    max_minutes: float = 30.0
    premium: float = 0.5

    def fields(self) -> dict[str, float]:
        return {"queue_above": self.queue_above, "max_minutes": self.max_minutes, "premium": self.premium}


def parse_rule_options(text: str | None) -> list[RuleOption]:
    """``on_the_hour,staggered_15,overtime,staggered_15+part_time_peak`` -> options; None -> templates as written."""
    if text is None or not text.strip():
        return [RuleOption("as_written")]
    options = []
    for label in (part.strip() for part in text.split(",")):
        if not label:
            continue
        names = [name.strip() for name in label.split("+") if name.strip()]
        unknown = [name for name in names if name not in RULES and name != OVERTIME]
        if unknown or not names:
            raise RuleError(f"unknown rule(s) {', '.join(map(repr, unknown or [label]))} in --rules "
                            f"(known: {', '.join(RULES)}, {OVERTIME}; join several with '+')")
        options.append(RuleOption(label, tuple(name for name in names if name != OVERTIME), OVERTIME in names))
    if len({option.label for option in options}) != len(options):
        raise RuleError("--rules names the same option twice")
    return options


def read_requirement(path: str | Path, scenario: Scenario, unit: StaffedUnit) -> np.ndarray:
    """Headcount per (day, interval of the whole day) from a CSV such as ``ccsim staff`` writes.

    Columns: ``interval_start`` (HH:MM) and ``headcount`` (or ``agents`` on
    the phones, turned into headcount with the unit's shrinkage); optionally
    ``day`` (1, 2, ...). Without days, or with a single day, the profile
    applies to every day of the horizon; intervals not listed need nobody.
    """
    path = Path(path)
    try:
        table = pd.read_csv(io.StringIO(read_text(path)))
    except (FileProblem, pd.errors.ParserError, pd.errors.EmptyDataError) as error:
        raise RequirementFileError(f"{path}: cannot read the requirement: {error}") from None
    if table.empty:
        raise RequirementFileError(f"{path}: no rows")
    value_column = "headcount" if "headcount" in table else "agents" if "agents" in table else None
    if "interval_start" not in table or value_column is None:
        raise RequirementFileError(f"{path}: needs columns interval_start and headcount (or agents); "
                                   f"found {', '.join(map(str, table.columns))}")
    interval_seconds = scenario.horizon.interval_minutes * 60
    per_day = SECONDS_PER_DAY // interval_seconds
    days = scenario.horizon.days
    values = pd.to_numeric(table[value_column], errors="coerce").to_numpy(float)
    if not np.all(np.isfinite(values)) or (values < 0).any():
        raise RequirementFileError(f"{path}: column {value_column} must hold numbers >= 0")
    positions = []
    for text in table["interval_start"].astype(str):
        try:
            seconds = time_of_day_seconds(text.strip())
        except ValueError as error:
            raise RequirementFileError(f"{path}: {error}") from None
        if seconds % interval_seconds or seconds >= SECONDS_PER_DAY:
            raise RequirementFileError(f"{path}: {text!r} is not the start of a "
                                       f"{scenario.horizon.interval_minutes}-minute interval of the scenario")
        positions.append(seconds // interval_seconds)
    listed_days = np.ones(len(table), dtype=int)
    if "day" in table:
        days_given = pd.to_numeric(table["day"], errors="coerce").to_numpy(float)
        if not (np.isfinite(days_given).all() and (days_given == np.round(days_given)).all()):
            raise RequirementFileError(f"{path}: column day must hold whole numbers")
        listed_days = np.clip(days_given, 0, days + 1).astype(int)  # out-of-range days are reported below
    if listed_days.min() < 1 or listed_days.max() > days:
        raise RequirementFileError(f"{path}: days {sorted(set(listed_days))} do not fit the horizon of {days} day(s)")
    distinct = sorted(set(listed_days))
    if len(distinct) not in (1, days):
        raise RequirementFileError(f"{path}: gives days {distinct}; give one day (used for all) or all {days}")
    if value_column == "agents":
        values = np.array([unit.headcount_for(math.ceil(value - 1e-9)) for value in values], dtype=float)
    matrix = np.zeros((days, per_day))
    for day, position, value in zip(listed_days, positions, values):
        if len(distinct) == 1:
            matrix[:, position] = value
        else:
            matrix[day - 1, position] = value
    if not (matrix > 0).any():
        raise RequirementFileError(f"{path}: the requirement is zero everywhere; nothing to schedule")
    return np.ceil(matrix - 1e-9)


@dataclass
class ShiftPlan:
    """One rule option planned for every day type of the horizon."""

    option: RuleOption
    grid: PlanningGrid
    requirement: np.ndarray
    day_types: dict[str, tuple[str, ...]]
    schedules: dict[str, Schedule]
    weekdays: tuple[str, ...]

    def day_type(self, day: int) -> str:
        return next(label for label, days in self.day_types.items() if self.weekdays[day] in days)

    def per_day(self, value) -> float:
        return float(sum(value(self.schedules[self.day_type(day)]) for day in range(len(self.weekdays))))

    @property
    def status(self) -> str:
        statuses = {schedule.status for schedule in self.schedules.values()}
        return "optimal" if statuses == {"optimal"} else ", ".join(sorted(statuses - {"optimal"}))

    def coverage(self) -> np.ndarray:
        """Agents on the phones per (day, interval of the whole day), under the whole-interval rule."""
        first = self.grid.first_interval_minutes // self.grid.interval_minutes
        result = np.zeros_like(self.requirement, dtype=float)
        for day in range(len(self.weekdays)):
            result[day, first:first + self.grid.intervals] = self.schedules[self.day_type(day)].coverage
        return result


def plan_rosters(scenario: Scenario, requirement: np.ndarray, templates: TemplateFile, option: RuleOption,
                 solver: SolverOptions = SolverOptions()) -> ShiftPlan:
    """The cheapest shifts covering ``requirement`` (days x intervals) under the option's scheduling rules."""
    weekdays = _weekdays(scenario)
    grid = _grid(requirement, scenario.horizon.interval_minutes)
    first = grid.first_interval_minutes // grid.interval_minutes
    profiles = {day: requirement[[d for d in range(len(weekdays)) if weekdays[d] == day]].max(axis=0)
                for day in dict.fromkeys(weekdays)}
    if all((profile == next(iter(profiles.values()))).all() for profile in profiles.values()):
        day_types = {EVERY_DAY: tuple(profiles)}
        needs = {EVERY_DAY: next(iter(profiles.values()))}
    else:
        day_types = {day: (day,) for day in profiles}
        needs = profiles
    schedules = {label: plan_shifts(templates, need[first:first + grid.intervals], grid, option.rules, solver)
                 for label, need in needs.items()}
    return ShiftPlan(option, grid, requirement, day_types, schedules, weekdays)


def _weekdays(scenario: Scenario) -> tuple[str, ...]:
    calendar = Calendar.from_scenario(scenario)
    return tuple(calendar.weekday(day) for day in range(calendar.days))


def _grid(requirement: np.ndarray, interval_minutes: int) -> PlanningGrid:
    needed = np.flatnonzero((requirement > 0).any(axis=0))
    first, last = int(needed[0]), int(needed[-1]) + 1
    if first == 0 and last == requirement.shape[1]:
        return PlanningGrid.full_day(interval_minutes, wrap=True)  # around the clock: a repeating day
    return PlanningGrid(interval_minutes, last - first, first * interval_minutes)


def split_between_groups(unit: StaffedUnit, rows: list[ShiftGroup]) -> list[list[ShiftGroup]]:
    """Roster rows per group of the unit: agents handed out one by one to the group furthest below
    its share, so every shift's agents add up and each group gets its share overall."""
    totals = [0] * len(unit.groups)
    handed = 0
    result: list[list[ShiftGroup]] = [[] for _ in unit.groups]
    for row in rows:
        counts = [0] * len(unit.groups)
        for _ in range(row.count):
            handed += 1
            index = int(np.argmax([share * handed - total for share, total in zip(unit.shares, totals)]))
            totals[index] += 1
            counts[index] += 1
        for index, count in enumerate(counts):
            if count:
                result[index].append(ShiftGroup(row.shift, count))
    return result


def write_shift_plan(plan: ShiftPlan, scenario: Scenario, unit: StaffedUnit, directory: str | Path,
                     overtime: OvertimeSettings = OvertimeSettings()) -> Scenario:
    """Write the rosters and ``scenario.toml`` using them into ``directory``; returns the scenario loaded back."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    fields = {}
    for index, group in enumerate(unit.groups):
        name = "roster.csv" if len(unit.groups) == 1 else f"roster_{group.name}.csv"
        rows = []
        for label, schedule in plan.schedules.items():
            weekdays = None if label == EVERY_DAY else plan.day_types[label]
            rows += [(row, weekdays) for row in split_between_groups(unit, list(schedule.shifts))[index]]
        _write_roster_rows(directory / name, rows)
        fields[group.name] = {"roster_file": name}
        if plan.option.overtime:
            fields[group.name]["overtime"] = overtime.fields()
    rules = " + ".join(plan.option.rules + ((OVERTIME,) if plan.option.overtime else ())) or "templates as written"
    return write_scenario_file(directory / "scenario.toml", scenario, fields, name=f"{scenario.name}_{plan.option.label}",
                               description=f"{scenario.name} on planned shifts ({rules})")


def _write_roster_rows(path: Path, rows: list[tuple[ShiftGroup, tuple[str, ...] | None]]) -> None:
    """A roster CSV; with a ``weekdays`` column only when some row is limited to certain weekdays."""
    if all(weekdays is None for _, weekdays in rows):
        write_roster(path, [row for row, _ in rows])
        return
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["name", "start", "length_hours", "count", "unpaid_breaks", "paid_breaks", "weekdays"])
    for row, weekdays in rows:
        shift = row.shift
        writer.writerow([shift.name, format_minutes_of_day(shift.start_minutes), f"{shift.length_minutes / 60:.6f}".rstrip("0").rstrip("."),
                         row.count, format_breaks(shift.unpaid_breaks()), format_breaks(shift.paid_breaks()),
                         ";".join(weekdays or ())])
    atomic_write(path, lambda stream: stream.write(buffer.getvalue()))
