"""Weekly tours, stage 1: how many agents work each shift on each day, and on which days-off pattern.

One mixed-integer programme over the whole rotation (HiGHS through
``scipy.optimize.milp``). Variables: ``x[c,d,j]`` agents of contract ``c``
working candidate shift ``j`` on day ``d``; ``y[c,p]`` agents of contract
``c`` on days-worked pattern ``p``; with under-coverage allowed, a shortage
``s[d,i]`` per interval that needs agents.

    minimise    sum cost_j x[c,d,j] + penalty * sum s[d,i]
    subject to  sum_{c,j} covers_{j,d,i} x[c,d,j] + s[d,i] >= requirement[d,i]     (coverage)
                sum_j x[c,d,j] = sum_{p works d} y[c,p]                           (everyone at work works one shift)
                late_c,d(e) - off_c,d - early-enough_c,d+1(e) <= 0                (rest, see below)
                min_h sum_p y[c,p] <= sum_{d in week, j} hours_j x[c,d,j] <= max_h sum_p y[c,p]
                                                           (only when a contract's shifts differ in paid hours)
                count limits per template and day, part-time share, max agents per contract

Rest: agents of contract ``c`` ending at ``e`` or later on day ``d`` who
also work day ``d+1`` need a shift there starting ``rest`` after ``e``.
Agents who are off on ``d+1`` (``off_c,d``, fixed by the patterns) can take
the late shifts. Ends and starts are ordered, so by Hall's theorem these
threshold inequalities, one per distinct end time, are exactly what a rest-
respecting matching of day ``d`` to day ``d+1`` needs.

Stage 2 (:mod:`.tour_assign`) hands the shifts to individual agents. Cost
depends only on the shifts, which stage 2 keeps, and every roster's
shifts satisfy stage 1; so stage 1's dual bound bounds every roster and its
gap is the roster's optimality gap.
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

from .contracts import DAYS_PER_WEEK
from .errors import InfeasibleScheduleError, ScheduleSolveError
from .solver import SolverOptions
from .timegrid import MINUTES_PER_DAY, format_time_of_day
from .tour_problem import TourProblem, format_weekday

_STATUS = {0: "optimal", 1: "time_limit", 2: "infeasible", 3: "unbounded", 4: "solver_error"}


@dataclass(frozen=True)
class ShiftColumn:
    """One ``x`` variable: a contract's agents on a candidate shift of a day of the rotation."""

    contract: int
    day: int
    candidate: int


@dataclass(frozen=True)
class TourCounts:
    """Stage 1's answer: agents per (contract, day, candidate shift) and per (contract, pattern)."""

    columns: tuple[ShiftColumn, ...]
    shift_counts: np.ndarray
    pattern_counts: dict[str, np.ndarray]
    shift_cost: float
    shortage: np.ndarray
    """Agents short per (day, interval)."""
    shortage_cost: float
    status: str
    mip_gap: float
    lower_bound: float
    solve_seconds: float


class _Rows:
    """Sparse constraint rows collected one by one: ``lower <= A x <= upper``."""

    def __init__(self, columns: int) -> None:
        self.columns = columns
        self.rows: list[np.ndarray] = []
        self.cols: list[np.ndarray] = []
        self.values: list[np.ndarray] = []
        self.lower: list[float] = []
        self.upper: list[float] = []

    def add(self, cols, values, lower: float, upper: float) -> None:
        cols = np.asarray(cols, dtype=int)
        self.rows.append(np.full(len(cols), len(self.lower)))
        self.cols.append(cols)
        self.values.append(np.broadcast_to(np.asarray(values, dtype=float), cols.shape))
        self.lower.append(lower)
        self.upper.append(upper)

    def constraint(self) -> LinearConstraint:
        matrix = sparse.csr_array((np.concatenate(self.values), (np.concatenate(self.rows), np.concatenate(self.cols))),
                                  shape=(len(self.lower), self.columns))
        return LinearConstraint(matrix, np.array(self.lower), np.array(self.upper))


@dataclass
class _Layout:
    """Where every variable sits in the column vector."""

    shifts: list[ShiftColumn]
    patterns: list[tuple[int, int]]
    shortages: list[tuple[int, int]]

    @property
    def size(self) -> int:
        return len(self.shifts) + len(self.patterns) + len(self.shortages)

    def pattern_offset(self) -> int:
        return len(self.shifts)

    def shortage_offset(self) -> int:
        return len(self.shifts) + len(self.patterns)


def solve_tour_counts(problem: TourProblem, solver: SolverOptions = SolverOptions()) -> TourCounts:
    """Stage 1 (see the module docstring); raises :class:`InfeasibleScheduleError` or :class:`ScheduleSolveError`."""
    layout = _layout(problem)
    if not problem.setup.options.allow_under_coverage:
        _raise_if_uncoverable(problem, layout)
    rows = _Rows(layout.size)
    _coverage_rows(problem, layout, rows)
    _linking_rows(problem, layout, rows)
    _rest_rows(problem, layout, rows)
    _weekly_hours_rows(problem, layout, rows)
    _limit_rows(problem, layout, rows)
    costs = np.array([problem.shift_costs[_shift(problem, column).name] for column in layout.shifts])
    penalty = problem.setup.options.shortage_penalty or 0.0
    objective = np.concatenate([costs, np.zeros(len(layout.patterns)), np.full(len(layout.shortages), penalty)])
    integrality = np.concatenate([np.ones(len(layout.shifts) + len(layout.patterns)), np.zeros(len(layout.shortages))])
    started = time.perf_counter()
    result = milp(objective, integrality=integrality, bounds=Bounds(0, np.inf), constraints=[rows.constraint()],
                  options={"time_limit": solver.time_limit_seconds, "mip_rel_gap": solver.mip_rel_gap,
                           "disp": solver.show_log})
    seconds = time.perf_counter() - started
    if result.x is None:
        if result.status == 2:
            raise InfeasibleScheduleError(
                "no weekly roster meets the requirement within the contracts' rules, count limits and part-time "
                "share; relax them, or allow under-coverage (options.allow_under_coverage with a shortage_penalty)")
        raise ScheduleSolveError(f"the solver stopped without a roster: {result.message}")
    values = np.rint(result.x).astype(int)
    shift_counts = values[:len(layout.shifts)]
    pattern_values = values[layout.pattern_offset():layout.shortage_offset()]
    pattern_counts = {contract.name: np.zeros(len(problem.patterns[contract.name]), dtype=int)
                      for contract in problem.contracts}
    for (contract, pattern), count in zip(layout.patterns, pattern_values):
        pattern_counts[problem.contracts[contract].name][pattern] = count
    shortage = np.maximum(problem.requirement - coverage_of(problem, layout.shifts, shift_counts), 0.0)
    gap, bound = result.get("mip_gap"), result.get("mip_dual_bound")
    return TourCounts(
        columns=tuple(layout.shifts), shift_counts=shift_counts, pattern_counts=pattern_counts,
        shift_cost=float(costs @ shift_counts), shortage=shortage,
        shortage_cost=float(penalty * shortage.sum()) if problem.setup.options.allow_under_coverage else 0.0,
        status=_STATUS.get(result.status, "solver_error"), mip_gap=float(gap) if gap is not None else 0.0,
        lower_bound=float(bound) if bound is not None else float(result.fun), solve_seconds=seconds)


def coverage_of(problem: TourProblem, columns, counts: np.ndarray) -> np.ndarray:
    """Agents on the phones per (day, interval) for ``counts`` agents on each shift column."""
    per_day = problem.per_day
    coverage = np.zeros((problem.days, per_day))
    for column, count in zip(columns, counts):
        if count:
            covers = problem.candidates[problem.weekday(column.day)].coverage[column.candidate]
            coverage[column.day] += count * covers[:per_day]
            coverage[(column.day + 1) % problem.days] += count * covers[per_day:]
    return coverage


def _shift(problem: TourProblem, column: ShiftColumn):
    return problem.candidates[problem.weekday(column.day)].shifts[column.candidate]


def _layout(problem: TourProblem) -> _Layout:
    shifts = []
    for index, contract in enumerate(problem.contracts):
        names = {template.name for template in problem.templates_of(contract)}
        if not len(problem.patterns[contract.name]):
            continue
        for day in range(problem.days):
            candidates = problem.candidates[problem.weekday(day)]
            shifts += [ShiftColumn(index, day, j) for j, shift in enumerate(candidates.shifts) if shift.name in names]
    patterns = [(index, p) for index, contract in enumerate(problem.contracts)
                for p in range(len(problem.patterns[contract.name]))]
    shortages = ([tuple(cell) for cell in np.argwhere(problem.requirement > 0)]
                 if problem.setup.options.allow_under_coverage else [])
    return _Layout(shifts, patterns, shortages)


def _raise_if_uncoverable(problem: TourProblem, layout: _Layout) -> None:
    possible = coverage_of(problem, layout.shifts, np.ones(len(layout.shifts), dtype=int)) > 0
    missing = (problem.requirement > 0) & ~possible
    if missing.any():
        cells = [f"{format_weekday(day)} {format_time_of_day(i * problem.interval_minutes)}"
                 for day, i in np.argwhere(missing)[:8]]
        more = f" and {int(missing.sum()) - 8} more" if missing.sum() > 8 else ""
        raise InfeasibleScheduleError(
            f"no shift a contract allows covers {', '.join(cells)}{more}, which need agents; add templates or starts "
            "reaching them, plan outside opening hours, or allow under-coverage", tuple(cells))


def _coverage_rows(problem: TourProblem, layout: _Layout, rows: _Rows) -> None:
    per_day = problem.per_day
    entries: dict[tuple[int, int], list[int]] = defaultdict(list)
    for position, column in enumerate(layout.shifts):
        covers = problem.candidates[problem.weekday(column.day)].coverage[column.candidate]
        for interval in np.flatnonzero(covers):
            day = column.day if interval < per_day else (column.day + 1) % problem.days
            entries[(day, interval % per_day)].append(position)
    shortage_of = {cell: layout.shortage_offset() + k for k, cell in enumerate(layout.shortages)}
    for day, interval in np.argwhere(problem.requirement > 0):
        cols = entries.get((day, interval), [])
        if (day, interval) in shortage_of:
            cols = cols + [shortage_of[(day, interval)]]
        rows.add(cols, 1.0, float(problem.requirement[day, interval]), np.inf)


def _columns_by_contract_day(layout: _Layout) -> dict[tuple[int, int], list[int]]:
    grouped: dict[tuple[int, int], list[int]] = defaultdict(list)
    for position, column in enumerate(layout.shifts):
        grouped[(column.contract, column.day)].append(position)
    return grouped


def _linking_rows(problem: TourProblem, layout: _Layout, rows: _Rows) -> None:
    grouped = _columns_by_contract_day(layout)
    for index, contract in enumerate(problem.contracts):
        patterns = problem.patterns[contract.name]
        if not len(patterns):
            continue
        offset = layout.pattern_offset() + layout.patterns.index((index, 0))
        for day in range(problem.days):
            working = offset + np.flatnonzero(patterns[:, day])
            shifts = grouped.get((index, day), [])
            rows.add(np.concatenate([shifts, working]).astype(int),
                     np.concatenate([np.ones(len(shifts)), -np.ones(len(working))]), 0.0, 0.0)


def _rest_rows(problem: TourProblem, layout: _Layout, rows: _Rows) -> None:
    grouped = _columns_by_contract_day(layout)
    for index, contract in enumerate(problem.contracts):
        patterns = problem.patterns[contract.name]
        if not len(patterns):
            continue
        offset = layout.pattern_offset() + layout.patterns.index((index, 0))
        rest = round(contract.min_rest_hours * 60)
        for day in range(problem.days):
            following = (day + 1) % problem.days
            today, tomorrow = grouped.get((index, day), []), grouped.get((index, following), [])
            continuing = patterns[:, day] & patterns[:, following]
            if not today or not tomorrow or not continuing.any():
                continue
            ends = np.array([_shift(problem, layout.shifts[k]).end_minutes for k in today])
            starts = np.array([_shift(problem, layout.shifts[k]).start_minutes for k in tomorrow])
            off_next = offset + np.flatnonzero(patterns[:, day] & ~patterns[:, following])
            for end in np.unique(ends):
                earliest = end + rest - MINUTES_PER_DAY
                if earliest <= starts.min():
                    continue  # every shift of the next day starts late enough
                late = np.array(today)[ends >= end]
                early_enough = np.array(tomorrow)[starts >= earliest]
                rows.add(np.concatenate([late, off_next, early_enough]).astype(int),
                         np.concatenate([np.ones(len(late)), -np.ones(len(off_next) + len(early_enough))]),
                         -np.inf, 0.0)


def _weekly_hours_rows(problem: TourProblem, layout: _Layout, rows: _Rows) -> None:
    for index, contract in enumerate(problem.contracts):
        patterns = problem.patterns[contract.name]
        hours = {template.paid_minutes for template in problem.templates_of(contract)}
        if not len(patterns) or len(hours) < 2:
            continue  # equal shifts: the patterns already hold each week's hours within the contract's limits
        offset = layout.pattern_offset() + layout.patterns.index((index, 0))
        agents = offset + np.arange(len(patterns))
        for week in range(problem.weeks):
            days = range(week * DAYS_PER_WEEK, (week + 1) * DAYS_PER_WEEK)
            shifts = [k for k, column in enumerate(layout.shifts) if column.contract == index and column.day in days]
            paid = np.array([_shift(problem, layout.shifts[k]).paid_minutes / 60 for k in shifts])
            cols = np.concatenate([shifts, agents]).astype(int)
            rows.add(cols, np.concatenate([paid, -np.full(len(agents), contract.max_weekly_hours)]), -np.inf, 0.0)
            if contract.min_weekly_hours > 0:
                rows.add(cols, np.concatenate([paid, -np.full(len(agents), contract.min_weekly_hours)]), 0.0, np.inf)


def _limit_rows(problem: TourProblem, layout: _Layout, rows: _Rows) -> None:
    setup = problem.setup
    names = [_shift(problem, column).name for column in layout.shifts]
    for limit in setup.count_limits:
        members = np.array([name in limit.templates for name in names], dtype=bool)
        for day in range(problem.days):
            cols = [k for k in np.flatnonzero(members) if layout.shifts[k].day == day]
            if not cols:
                continue
            lower = float(limit.minimum) if problem.requirement[day].any() else 0.0
            rows.add(cols, 1.0, lower, np.inf if limit.maximum is None else float(limit.maximum))
    pattern_cols = layout.pattern_offset() + np.arange(len(layout.patterns))
    contract_of = np.array([contract for contract, _ in layout.patterns], dtype=int)
    for index, contract in enumerate(problem.contracts):
        if contract.max_agents is not None and (contract_of == index).any():
            rows.add(pattern_cols[contract_of == index], 1.0, 0.0, float(contract.max_agents))
    share = setup.options.max_part_time_share
    if share is None:
        return
    if setup.options.part_time_share_of == "paid_hours":
        kinds = {template.name: template.kind for template in setup.templates}
        weight = np.array([_shift(problem, column).paid_minutes / 60 for column in layout.shifts])
        part = np.array([kinds[name] == "part_time" for name in names], dtype=float)
        if part.any():
            rows.add(np.arange(len(layout.shifts)), weight * (part - share), -np.inf, 0.0)
        return
    part = np.array([problem.contracts[contract].kind == "part_time" for contract in contract_of], dtype=float)
    if part.any():
        rows.add(pattern_cols, part - share, -np.inf, 0.0)
