"""What a weekly tour plan is made of: the week's requirement, opening hours, contracts and candidate shifts.

Days of the plan run over a rotation of ``weeks`` weeks (Monday first) that
repeats: the day after the last Sunday is the first Monday, so a shift past
midnight on the last day covers the first morning, and rest and days off
wrap around too. Agents count under the whole-interval rule of
:mod:`.timegrid`, on a two-day timeline: a shift covers intervals of its own
day and, past midnight, of the next.

Candidate shifts of a weekday are every (template, start, break placement)
that the weekday's opening hours allow (a shift starts at or after opening
and ends by closing, unless planning is told to ignore opening hours), less
those that can never be better: break placements of the same start whose
covered intervals are a subset of another's, and duplicates. A start that
covers nothing needed keeps one candidate, since a contract may have to
work that day anyway.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from sim.config import MINUTES_PER_DAY, format_minutes_of_day

from .contracts import DAYS_PER_WEEK, Contract, day_patterns, split_by_shift_length
from .errors import Problem, TemplateFileError
from .patterns import _best_rows, _break_footprints, _non_overlapping_placements, _shift
from .plan import PlanSetup
from .shifts import PlannedShift
from .templates import ShiftTemplate
from .timegrid import TIMELINE_MINUTES, span_presence

OpeningHours = tuple[int, int] | None
"""Minutes after midnight (open, close) of a weekday, or None when closed."""


@dataclass(frozen=True)
class TwoDayGrid:
    """Intervals of a day and the next one: what one day's shift can cover under the whole-interval rule."""

    interval_minutes: int

    @property
    def intervals(self) -> int:
        return TIMELINE_MINUTES // self.interval_minutes

    @property
    def per_day(self) -> int:
        return MINUTES_PER_DAY // self.interval_minutes

    def _view(self, presence: np.ndarray) -> np.ndarray:
        presence = np.asarray(presence, dtype=bool)
        return presence.reshape(*presence.shape[:-1], self.intervals, self.interval_minutes)

    def covered(self, presence: np.ndarray) -> np.ndarray:
        return self._view(presence).all(axis=-1)

    def touched(self, presence: np.ndarray) -> np.ndarray:
        return self._view(presence).any(axis=-1)

    def average(self, presence: np.ndarray) -> np.ndarray:
        return self._view(presence).mean(axis=-1)


@dataclass(frozen=True)
class Candidates:
    """Candidate shifts of one weekday and the intervals of that day and the next each covers."""

    shifts: tuple[PlannedShift, ...]
    coverage: np.ndarray
    """Boolean ``(len(shifts), 2 x intervals per day)``."""


@dataclass(frozen=True)
class TourProblem:
    """Everything the tour optimiser needs; built by :func:`tour_problem`."""

    setup: PlanSetup
    contracts: tuple[Contract, ...]
    weeks: int
    interval_minutes: int
    requirement: np.ndarray
    """Agents needed on the phones per (day of the rotation, interval of the whole day)."""
    opening: tuple[OpeningHours, ...]
    """Per weekday (Monday first): opening hours, or None when closed (no shifts)."""
    bounded: bool
    """True when shifts must start and end within opening hours."""
    candidates: tuple[Candidates, ...]
    """Per weekday."""
    shift_costs: dict[str, float]
    """Cost of one shift per template."""
    patterns: dict[str, np.ndarray] = field(default_factory=dict)
    """Per contract: days-worked patterns ``(patterns, days)``: 0 off, else 1 + the index of the day's shift
    length in ``lengths`` (1 = any length when ``lengths`` is empty)."""
    lengths: dict[str, tuple[int, ...]] = field(default_factory=dict)
    """Per contract: the paid minutes its patterns tell apart (empty when any mix fits its weekly hours)."""
    default_contracts: bool = False
    """True when the contracts are the defaults (one per template kind), not the template file's."""

    @property
    def days(self) -> int:
        return DAYS_PER_WEEK * self.weeks

    @property
    def per_day(self) -> int:
        return MINUTES_PER_DAY // self.interval_minutes

    def weekday(self, day: int) -> int:
        return day % DAYS_PER_WEEK

    def templates_of(self, contract: Contract) -> list[ShiftTemplate]:
        return [template for template in self.setup.templates if contract.covers(template.name, template.kind)]

    def template(self, name: str) -> ShiftTemplate:
        return next(template for template in self.setup.templates if template.name == name)


def tour_problem(setup: PlanSetup, contracts: Sequence[Contract], weeks: int, requirement: np.ndarray,
                 interval_minutes: int, opening: Sequence[OpeningHours], bounded: bool = True,
                 shift_cost: Callable[[ShiftTemplate], float] | None = None,
                 default_contracts: bool = False) -> TourProblem:
    """The weekly problem for ``requirement`` (one row per weekday, Monday first, intervals of the whole day).

    ``opening`` gives the opening hours per weekday (None: closed, no
    shifts); with ``bounded`` shifts start and end within them.
    ``shift_cost`` prices a template's shift (default: the template file's
    own cost). Raises :class:`TemplateFileError` naming the contract
    (``contracts[i]``) when no days-off pattern fits its rules and the days
    its templates can be worked.
    """
    weekly = np.asarray(requirement, dtype=float)
    per_day = MINUTES_PER_DAY // interval_minutes
    if weekly.shape != (DAYS_PER_WEEK, per_day):
        raise ValueError(f"requirement has shape {weekly.shape}; expected ({DAYS_PER_WEEK}, {per_day})")
    grid = TwoDayGrid(interval_minutes)
    needed = weekly > 0
    candidates = []
    for weekday in range(DAYS_PER_WEEK):
        relevant = np.concatenate([needed[weekday], needed[(weekday + 1) % DAYS_PER_WEEK]])
        candidates.append(weekday_candidates(setup.templates, opening[weekday], bounded, grid, relevant))
    costs = {template.name: (shift_cost(template) if shift_cost else setup.template_costs()[template.name])
             for template in setup.templates}
    problem = TourProblem(setup, tuple(contracts), weeks, interval_minutes, np.tile(weekly, (weeks, 1)),
                          tuple(opening), bounded, tuple(candidates), costs, default_contracts=default_contracts)
    for contract in contracts:
        problem.patterns[contract.name], problem.lengths[contract.name] = _contract_patterns(problem, contract)
    return problem


def _contract_patterns(problem: TourProblem, contract: Contract) -> tuple[np.ndarray, tuple[int, ...]]:
    templates = problem.templates_of(contract)
    if not templates:
        return np.zeros((0, problem.days), dtype=np.int8), ()
    names = {template.name for template in templates}
    workable = [any(shift.name in names for shift in problem.candidates[weekday].shifts)
                for weekday in range(DAYS_PER_WEEK)]
    hours = [template.paid_minutes / 60 for template in templates]
    try:
        # A contract's tours repeat with its own rotation; a longer plan (another contract rotates over
        # more weeks) repeats them, which keeps the patterns few.
        patterns = day_patterns(contract, contract.rotation_weeks, workable, (min(hours), max(hours)))
        patterns, lengths = split_by_shift_length(patterns, contract, [t.paid_minutes for t in templates])
    except ValueError as error:
        raise contract_problem(problem, contract, str(error)) from None
    patterns = np.tile(patterns, (1, problem.weeks // contract.rotation_weeks))
    if not len(patterns):
        days = [format_weekday(day) for day in range(DAYS_PER_WEEK) if workable[day]]
        why = f"no week fits its rules ({contract.describe()}) on the days its templates can be worked " \
              f"({', '.join(days) or 'none'})"
        if problem.bounded and not all(workable[day] or problem.opening[day] is None for day in range(DAYS_PER_WEEK)):
            why += "; shifts must start and end within the opening hours, so templates longer than a day's " \
                   "opening cannot be worked that day (plan with --outside-hours, or add shorter templates)"
        raise contract_problem(problem, contract, why)
    return patterns, lengths


def contract_problem(problem: TourProblem, contract: Contract, message: str) -> TemplateFileError:
    """A refusal naming the contract in the template file (or the default contract of a template kind)."""
    if problem.default_contracts:
        return TemplateFileError([Problem("contracts", f"the default contract of {contract.kind} templates "
                                                       f"(none in the file): {message}")])
    index = next((i for i, given in enumerate(problem.contracts) if given.name == contract.name), 0)
    return TemplateFileError([Problem(f"contracts[{index}]", f"{contract.name!r}: {message}")])


def format_weekday(weekday: int) -> str:
    return ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")[weekday % DAYS_PER_WEEK]


def allowed_starts(template: ShiftTemplate, hours: OpeningHours, bounded: bool) -> list[int]:
    """Starts of ``template`` on a day with these opening hours: within them unless ``bounded`` is False."""
    if hours is None:
        return []
    starts = template.start_minutes()
    if not bounded:
        return starts
    open_at, close_at = hours
    return [start for start in starts if start >= open_at and start + template.length_minutes <= close_at]


def weekday_candidates(templates: Sequence[ShiftTemplate], hours: OpeningHours, bounded: bool,
                       grid: TwoDayGrid, relevant: np.ndarray) -> Candidates:
    """Useful candidate shifts on one weekday (see the module docstring).

    ``hours`` are the day's opening hours (None: closed, no shifts), which
    bound starts and ends when ``bounded``; ``relevant`` marks the intervals
    (of the day and the next) that need agents.
    """
    if hours is None:
        return Candidates((), np.zeros((0, grid.intervals), dtype=bool))
    shifts: list[PlannedShift] = []
    rows: list[np.ndarray] = []
    for template in templates:
        starts = np.array(allowed_starts(template, hours, bounded), dtype=int)
        if not len(starts):
            continue
        on_shift = grid.covered(span_presence(starts, starts + template.length_minutes))
        placements = _non_overlapping_placements(template.breaks)
        seen: set[tuple[int, bytes]] = set()
        for start, shift_coverage in zip(starts, on_shift):
            coverage = (shift_coverage & ~_break_footprints(template.breaks, placements, int(start), grid)) & relevant
            # A start covering nothing that is needed stays as one candidate: a contract may still have to
            # work that day (five days a week when only three need agents).
            best = _best_rows(coverage) if coverage.any() else [0]
            for row in best:
                key = (int(start), coverage[row].tobytes())
                if key in seen:
                    continue
                seen.add(key)
                shifts.append(_shift(template, int(start), placements[row]))
                rows.append(coverage[row])
    return Candidates(tuple(shifts), np.array(rows, dtype=bool).reshape(len(rows), grid.intervals))


def opening_text(hours: OpeningHours) -> str:
    return "closed" if hours is None else f"{format_minutes_of_day(hours[0])}-{_end_text(hours[1])}"


def _end_text(minutes: int) -> str:
    return "24:00" if minutes == MINUTES_PER_DAY else format_minutes_of_day(minutes)
