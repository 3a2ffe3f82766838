"""Employment contracts for weekly tours, and the days-off patterns they allow.

A *tour* is one agent's week (or rotation of weeks): the days worked and one
shift on each. A contract (``[[contracts]]`` in a template file) bounds the
tours of its agents:

* which templates they work: ``templates = [...]``, or every template of the
  contract's ``kind`` (templates that scheduling rules add included);
* ``days_per_week``: days worked in each week, exactly, or between
  ``min_days_per_week`` and ``days_per_week``;
* ``consecutive_days_off``: the days off of every week include that many in a
  row (a run may continue from Sunday into the next Monday: tours repeat);
* ``weekend_off_every_weeks``: Saturday and Sunday both off at least once in
  every that many consecutive weeks. The plan then covers a rotation of that
  many weeks, which repeats (agents take turns working the weekends); when
  contracts rotate over different numbers of weeks, the plan covers the least
  common multiple and each contract's tours repeat with their own rotation;
* ``min_weekly_hours`` / ``max_weekly_hours``: paid hours in each week;
* ``min_rest_hours``: from the end of one shift to the start of the next;
* ``max_agents``: at most this many agents on the contract.

Without contracts, a template file plans with :func:`default_contracts`: one
per template kind, five days a week, at most 48 paid hours a week and 11 hours
of rest (the limits of the EU Working Time Directive 2003/88/EC).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

import numpy as np
from pydantic import Field, field_validator, model_validator

from sim.config.types import Count as NonNegativeInt
from sim.config.types import NonNegativeReal, PositiveReal
from sim.config.types import PositiveCount as PositiveInt

from .errors import FieldError
from .fields import FrozenModel, Kind, Name

DAYS_PER_WEEK = 7
SATURDAY, SUNDAY = 5, 6
MAX_ROTATION_WEEKS = 4
MAX_PATTERNS = 3_000
"""Days-off patterns per contract beyond which the rules are too loose to plan with (tighten them)."""

EU_MAX_WEEKLY_HOURS = 48.0
EU_MIN_REST_HOURS = 11.0


class Contract(FrozenModel):
    """Rules for the tours of agents on one kind of contract (see the module docstring)."""

    name: Name
    kind: Kind = "full_time"
    templates: list[Name] | None = Field(
        None, description="Templates these agents work (default: every template of this kind).")
    days_per_week: PositiveInt = 5
    min_days_per_week: PositiveInt | None = None
    consecutive_days_off: NonNegativeInt = 0
    weekend_off_every_weeks: PositiveInt | None = None
    min_weekly_hours: NonNegativeReal = 0.0
    max_weekly_hours: PositiveReal = EU_MAX_WEEKLY_HOURS
    min_rest_hours: NonNegativeReal = Field(EU_MIN_REST_HOURS, le=24)
    max_agents: NonNegativeInt | None = None

    @field_validator("days_per_week", "min_days_per_week")
    @classmethod
    def _within_a_week(cls, days: int | None) -> int | None:
        if days is not None and days > DAYS_PER_WEEK:
            raise ValueError(f"{days} is more than the {DAYS_PER_WEEK} days of a week")
        return days

    @field_validator("weekend_off_every_weeks")
    @classmethod
    def _short_rotation(cls, weeks: int | None) -> int | None:
        if weeks is not None and weeks > MAX_ROTATION_WEEKS:
            raise ValueError(f"{weeks} weeks is a longer rotation than supported (at most {MAX_ROTATION_WEEKS})")
        return weeks

    @model_validator(mode="after")
    def _consistent(self) -> "Contract":
        fewest = self.fewest_days
        if fewest > self.days_per_week:
            raise FieldError("min_days_per_week", f"{fewest} is more than days_per_week {self.days_per_week}")
        if self.consecutive_days_off > DAYS_PER_WEEK - fewest:
            raise FieldError("consecutive_days_off", f"{self.consecutive_days_off} days off in a row do not fit in "
                                                     f"a week of at least {fewest} working days")
        if self.weekend_off_every_weeks is not None and DAYS_PER_WEEK - fewest < 2:
            raise FieldError("weekend_off_every_weeks", f"a weekend off needs two days off, but the contract works "
                                                        f"at least {fewest} days a week")
        if self.min_weekly_hours > self.max_weekly_hours:
            raise FieldError("min_weekly_hours", f"{self.min_weekly_hours:g} is more than max_weekly_hours "
                                                 f"{self.max_weekly_hours:g}")
        return self

    @property
    def fewest_days(self) -> int:
        return self.min_days_per_week if self.min_days_per_week is not None else self.days_per_week

    @property
    def rotation_weeks(self) -> int:
        return self.weekend_off_every_weeks or 1

    def covers(self, template_name: str, template_kind: str) -> bool:
        """True when agents on this contract may work the template."""
        return template_name in self.templates if self.templates is not None else template_kind == self.kind

    def describe(self) -> str:
        """One line for a report, e.g. ``full_time: 5 days/week, 2 days off in a row, 36-40 h/week, rest 11 h``."""
        days = (f"{self.days_per_week}" if self.min_days_per_week in (None, self.days_per_week)
                else f"{self.min_days_per_week}-{self.days_per_week}")
        parts = [f"{days} days/week"]
        if self.consecutive_days_off > 1:
            parts.append(f"{self.consecutive_days_off} days off in a row")
        if self.weekend_off_every_weeks is not None:
            parts.append("every weekend off" if self.weekend_off_every_weeks == 1
                         else f"a weekend off every {self.weekend_off_every_weeks} weeks")
        parts.append(f"{self.min_weekly_hours:g}-{self.max_weekly_hours:g} paid h/week")
        parts.append(f"rest {self.min_rest_hours:g} h")
        if self.max_agents is not None:
            parts.append(f"at most {self.max_agents} agents")
        return f"{self.name}: " + ", ".join(parts)


def default_contracts(kinds: Sequence[str]) -> tuple[Contract, ...]:
    """One contract per template kind: 5 days a week, at most 48 paid hours a week, 11 hours of rest."""
    return tuple(Contract(name=kind, kind=kind) for kind in dict.fromkeys(kinds))


def rotation_weeks(contracts: Sequence[Contract]) -> int:
    """Weeks the plan covers: the least common multiple of the contracts' weekend rotations."""
    weeks = math.lcm(*(contract.rotation_weeks for contract in contracts)) if contracts else 1
    if weeks > MAX_ROTATION_WEEKS:
        rotations = sorted({contract.rotation_weeks for contract in contracts})
        raise ValueError(f"weekend rotations of {', '.join(map(str, rotations))} weeks together need a "
                         f"{weeks}-week plan; at most {MAX_ROTATION_WEEKS} weeks are supported")
    return weeks


def day_patterns(contract: Contract, weeks: int, workable: Sequence[bool],
                 shift_hours: tuple[float, float]) -> np.ndarray:
    """Every days-worked pattern the contract allows over ``weeks`` weeks, as booleans ``(patterns, 7 x weeks)``.

    ``workable[d]`` (one per weekday, Monday first) is False on weekdays without
    any shift the contract may work; ``shift_hours`` is the (shortest, longest)
    paid hours of its shifts, which bound the hours of a week of k days.
    """
    shortest, longest = shift_hours
    weeks_options = [week for week in range(1, 2 ** DAYS_PER_WEEK)
                     if _week_fits(week, contract, workable, shortest, longest)]
    if len(weeks_options) ** weeks > 50 * MAX_PATTERNS:
        raise ValueError(f"contract {contract.name!r}: {len(weeks_options)} ways to work a week over a {weeks}-week "
                         "rotation are too many patterns; add consecutive_days_off or fix the days per week")
    patterns = []
    for combination in itertools.product(weeks_options, repeat=weeks):
        days = np.array([(week >> day) & 1 for week in combination for day in range(DAYS_PER_WEEK)], dtype=bool)
        if _days_off_fit(days, contract, weeks):
            patterns.append(days)
            if len(patterns) > MAX_PATTERNS:
                raise ValueError(f"contract {contract.name!r} allows more than {MAX_PATTERNS} days-off patterns; "
                                 "tighten its rules (consecutive_days_off, days_per_week)")
    return np.array(patterns, dtype=bool).reshape(len(patterns), DAYS_PER_WEEK * weeks)


def _week_fits(week: int, contract: Contract, workable: Sequence[bool], shortest: float, longest: float) -> bool:
    days = [bool((week >> day) & 1) for day in range(DAYS_PER_WEEK)]
    worked = sum(days)
    if not contract.fewest_days <= worked <= contract.days_per_week:
        return False
    if any(works and not workable[day] for day, works in enumerate(days)):
        return False
    tolerance = 1e-9
    return worked * shortest <= contract.max_weekly_hours + tolerance and \
        worked * longest >= contract.min_weekly_hours - tolerance


def _days_off_fit(days: np.ndarray, contract: Contract, weeks: int) -> bool:
    total = len(days)
    run = contract.consecutive_days_off
    if run > 1:
        off = ~days
        for week in range(weeks):
            starts = range(week * DAYS_PER_WEEK, (week + 1) * DAYS_PER_WEEK)
            if not any(all(off[(start + step) % total] for step in range(run)) for start in starts):
                return False
    every = contract.weekend_off_every_weeks
    if every is not None:
        weekend_off = [not days[week * DAYS_PER_WEEK + SATURDAY] and not days[week * DAYS_PER_WEEK + SUNDAY]
                       for week in range(weeks)]
        for first in range(weeks):
            if not any(weekend_off[(first + step) % weeks] for step in range(min(every, weeks))):
                return False
    return True


def split_by_shift_length(patterns: np.ndarray, contract: Contract, paid_minutes: Sequence[int]) -> tuple[
        np.ndarray, tuple[int, ...]]:
    """Days-worked patterns refined by the paid length of each day's shift, when weekly hours need it.

    Returns integer patterns (0 off, else 1 + the index of the day's length in
    the returned lengths) and the lengths. When the contract's shifts all
    fit its weekly hours whatever their mix (one length, or loose limits),
    patterns stay as they are (1 = works a shift of any length) and the
    lengths are empty; otherwise every mix of lengths whose hours fit each
    week becomes a pattern of its own, so each agent's week keeps its hours.
    """
    lengths = tuple(sorted(set(paid_minutes)))
    counts = range(contract.fewest_days, contract.days_per_week + 1)
    low, high = contract.min_weekly_hours * 60 - 1e-6, contract.max_weekly_hours * 60 + 1e-6
    if all(low <= k * lengths[0] and k * lengths[-1] <= high for k in counts):
        return patterns.astype(np.int8), ()
    refined = []
    for pattern in patterns:
        weeks = []
        for week in range(len(pattern) // DAYS_PER_WEEK):
            days = np.flatnonzero(pattern[week * DAYS_PER_WEEK:(week + 1) * DAYS_PER_WEEK]) + week * DAYS_PER_WEEK
            weeks.append([(days, mix) for mix in itertools.product(range(len(lengths)), repeat=len(days))
                          if low <= sum(lengths[i] for i in mix) <= high])
        for choice in itertools.product(*weeks):
            row = np.zeros(len(pattern), dtype=np.int8)
            for days, mix in choice:
                row[days] = np.array(mix, dtype=np.int8) + 1
            refined.append(row)
            if len(refined) > MAX_PATTERNS:
                raise ValueError(f"contract {contract.name!r}: more than {MAX_PATTERNS} mixes of shift lengths fit "
                                 "its weekly hours; use fewer shift lengths or looser weekly hours")
    return np.array(refined, dtype=np.int8).reshape(len(refined), patterns.shape[1]), lengths
