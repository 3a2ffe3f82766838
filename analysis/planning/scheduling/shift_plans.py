"""Inputs of ``ccsim schedule``: the requirement of a scenario's unit and the rule options to compare.

The requirement is the *headcount* to have on the phones per interval
(inflated for shrinkage: the simulator makes round(scheduled x (1 -
shrinkage)) of the rostered agents available), for every day of the
horizon; :mod:`.roster_plans` turns it into weekly tours.

A rule option is a named set of scheduling rules from
:data:`analysis.scheduling.RULES` joined by ``+`` (e.g.
``staggered_15+part_time_peak``), optionally with ``overtime``: the engine's
group option that keeps agents on past their shift end while the queue is
long (:class:`sim.config.agent_groups.Overtime`), set on the planned groups.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.planning.staffing.units import StaffedUnit
from sim.config import SECONDS_PER_DAY, Scenario, time_of_day_seconds
from sim.config.errors import UserInputError
from sim.config.files import FileProblem, read_text

from .errors import RuleError
from .rules import RULES

OVERTIME = "overtime"


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
    """The engine's overtime option for planned groups (see :class:`sim.config.agent_groups.Overtime`)."""

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
