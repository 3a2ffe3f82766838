"""Weekly tours, stage 1: how many agents work each shift on each day, and on which days-off pattern.

One mixed-integer programme over the rotation (HiGHS through
``scipy.optimize.milp``). Variables: ``x[c,d,j]`` agents of contract ``c``
working candidate shift ``j`` on day ``d``; ``y[c,p]`` agents of contract
``c`` on days-worked pattern ``p``; with under-coverage allowed, a shortage
``s[d,i]`` per interval that needs agents.

    minimise    sum cost_j x[c,d,j] + penalty * sum s[d,i]
    subject to  sum_{c,j} covers_{j,d,i} x[c,d,j] + s[d,i] >= requirement[d,i]    (coverage)
                everyone at work works one shift (linking, below)
                count limits per template and day, part-time share, max agents per contract

Weekly hours live in the patterns (:func:`.contracts.split_by_shift_length`):
when a contract's shifts differ in paid length and not every mix fits its
weekly hours, a pattern also fixes the length of each day's shift.

Linking and rest. Shifts fall into *classes* (template and start: what rest
and hours depend on). When the contract's rest can never bind (no class
ends so late that a class of the next day starts too early), linking is
``sum_{j of length l} x[c,d,j] = sum_{p works d with length l} y[c,p]``.
Otherwise a variable ``u[c,p,d,k]`` counts the agents of pattern ``p`` on
class ``k`` of day ``d``:

    sum_{j in k} x[c,d,j] = sum_p u[c,p,d,k]        sum_k u[c,p,d,k] = y[c,p]  (p works d)
    sum_{k ends >= e} u[c,p,d,k] <= sum_{k' starts >= e + rest - 24 h} u[c,p,d+1,k']  (p works d and d+1)

All agents of a pattern work both days, ends and starts are ordered, so by
Hall's theorem these threshold inequalities are exactly what a rest-
respecting matching of their day ``d`` to their day ``d+1`` needs, and
matchings of consecutive days chain into tours. Stage 2
(:mod:`.tour_assign`) hands the shifts to individual agents. Cost depends
only on the shifts, which stage 2 keeps, and every roster's shifts satisfy
stage 1; so stage 1's dual bound bounds every roster, and its gap is the
roster's optimality gap.
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import Bounds, milp

from sim.config import MINUTES_PER_DAY, format_minutes_of_day

from .errors import InfeasibleScheduleError, ScheduleSolveError
from .milp_rows import MilpRows
from .shifts import PlannedShift
from .solver import SolverOptions
from .tour_problem import TourProblem, format_weekday

TIE_BREAK = 1e-6
_STATUS = {0: "optimal", 1: "time_limit", 2: "infeasible", 3: "unbounded", 4: "solver_error"}

ClassKey = tuple[str, int]
"""A class of shifts: template name and start (minutes after midnight)."""


@dataclass(frozen=True)
class ShiftColumn:
    """One ``x`` variable: a contract's agents on a candidate shift of a day of the rotation."""

    contract: int
    day: int
    candidate: int


@dataclass(frozen=True)
class ClassColumn:
    """One ``u`` variable: agents of a contract's pattern on a class of shifts of a day."""

    contract: int
    pattern: int
    day: int
    key: ClassKey


@dataclass(frozen=True)
class TourCounts:
    """Stage 1's answer: agents per shift, per pattern and (where rest may bind) per pattern and class."""

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
    class_counts: dict[str, dict[tuple[int, int, ClassKey], int]] = field(default_factory=dict)
    """Per contract whose rest may bind: agents per (pattern, day, class)."""


def class_key(shift: PlannedShift) -> ClassKey:
    return shift.name, shift.start_minutes


@dataclass
class _Layout:
    """Where every variable sits in the column vector."""

    shifts: list[ShiftColumn]
    patterns: list[tuple[int, int]]
    classes: list[ClassColumn]
    shortages: list[tuple[int, int]]
    by_contract_day: dict[tuple[int, int], list[int]]

    stoppers: list[tuple[int, int]] = field(default_factory=list)
    """(contract, day): agents at work on the day and off the next, one variable each (keeps rest rows sparse)."""

    @property
    def size(self) -> int:
        return len(self.shifts) + len(self.patterns) + len(self.classes) + len(self.shortages) + len(self.stoppers)

    def stopper_column(self, contract: int, day: int) -> int:
        return self.shortage_offset() + len(self.shortages) + self.stoppers.index((contract, day))

    def pattern_column(self, contract: int, pattern: int) -> int:
        return len(self.shifts) + self._pattern_start[contract] + pattern

    def class_offset(self) -> int:
        return len(self.shifts) + len(self.patterns)

    def shortage_offset(self) -> int:
        return self.class_offset() + len(self.classes)

    def __post_init__(self) -> None:
        self._pattern_start: dict[int, int] = {}
        for position, (contract, _) in enumerate(self.patterns):
            self._pattern_start.setdefault(contract, position)


def solve_tour_counts(problem: TourProblem, solver: SolverOptions = SolverOptions(),
                      exact_rest: bool = True, shifts_of: TourCounts | None = None) -> TourCounts:
    """Stage 1 (see the module docstring); raises :class:`InfeasibleScheduleError` or :class:`ScheduleSolveError`.

    With ``exact_rest=False`` rest is only held in aggregate: per contract and
    pair of days, agents ending late who work the next day need enough late
    starts there, counting those off the next day as free. That relaxation is
    smaller and quick to solve; stage 2 then usually still finds tours, and
    when it does not, the exact model is solved instead. ``shifts_of`` fixes
    the shifts to another answer's (only patterns and classes are chosen).
    """
    layout = _layout(problem, exact_rest)
    if not problem.setup.options.allow_under_coverage:
        _raise_if_uncoverable(problem, layout)
    rest_rows = MilpRows(0)
    if not exact_rest:
        _aggregate_rest_rows(problem, layout, rest_rows)   # adds the stopper variables to the layout
    rows = MilpRows(layout.size)
    _coverage_rows(problem, layout, rows)
    _linking_rows(problem, layout, rows)
    if exact_rest:
        _class_rows(problem, layout, rows)
    rows.extend(rest_rows)
    _limit_rows(problem, layout, rows)
    costs = np.array([problem.shift_costs[_shift(problem, column).name] for column in layout.shifts])
    penalty = problem.setup.options.shortage_penalty or 0.0
    integers = len(layout.shifts) + len(layout.patterns) + len(layout.classes)
    # Among rosters of equal cost, fewer agents (a negligible cost per agent breaks the tie).
    per_agent = TIE_BREAK * (np.median(costs) if len(costs) else 1.0)
    objective = np.concatenate([costs, np.full(len(layout.patterns), per_agent), np.zeros(len(layout.classes)),
                                np.full(len(layout.shortages), penalty), np.zeros(len(layout.stoppers))])
    integrality = np.concatenate([np.ones(integers), np.zeros(len(layout.shortages) + len(layout.stoppers))])
    lower, upper = np.zeros(layout.size), np.full(layout.size, np.inf)
    if shifts_of is not None:
        lower[:len(layout.shifts)] = upper[:len(layout.shifts)] = shifts_of.shift_counts
    started = time.perf_counter()
    result = milp(objective, integrality=integrality, bounds=Bounds(lower, upper), constraints=[rows.constraint()],
                  options={"time_limit": solver.time_limit_seconds, "mip_rel_gap": solver.mip_rel_gap,
                           "disp": solver.show_log})
    seconds = time.perf_counter() - started
    if result.x is None:
        if result.status == 2:
            raise InfeasibleScheduleError(
                "no weekly roster meets the requirement within the contracts' rules, count limits and part-time "
                "share; relax them, or allow under-coverage (options.allow_under_coverage with a shortage_penalty)")
        raise ScheduleSolveError(f"the solver stopped without a roster: {result.message}")
    return _counts(problem, layout, np.rint(result.x).astype(int), costs, penalty, result, seconds)


def _counts(problem: TourProblem, layout: _Layout, values: np.ndarray, costs: np.ndarray, penalty: float,
            result, seconds: float) -> TourCounts:
    shift_counts = values[:len(layout.shifts)]
    pattern_counts = {contract.name: np.zeros(len(problem.patterns[contract.name]), dtype=int)
                      for contract in problem.contracts}
    for position, (contract, pattern) in enumerate(layout.patterns):
        pattern_counts[problem.contracts[contract].name][pattern] = values[len(layout.shifts) + position]
    class_counts: dict[str, dict[tuple[int, int, ClassKey], int]] = defaultdict(dict)
    for position, column in enumerate(layout.classes):
        count = values[layout.class_offset() + position]
        if count:
            class_counts[problem.contracts[column.contract].name][(column.pattern, column.day, column.key)] = count
    shortage = np.maximum(problem.requirement - coverage_of(problem, layout.shifts, shift_counts), 0.0)
    gap, bound = result.get("mip_gap"), result.get("mip_dual_bound")
    total = float(costs @ shift_counts) + (float(penalty * shortage.sum())
                                           if problem.setup.options.allow_under_coverage else 0.0)
    bound = min(float(bound) if bound is not None else float(result.fun), total)  # less the tie-break
    return TourCounts(
        columns=tuple(layout.shifts), shift_counts=shift_counts, pattern_counts=pattern_counts,
        shift_cost=float(costs @ shift_counts), shortage=shortage,
        shortage_cost=float(penalty * shortage.sum()) if problem.setup.options.allow_under_coverage else 0.0,
        status=_STATUS.get(result.status, "solver_error"), mip_gap=float(gap) if gap is not None else 0.0,
        lower_bound=bound, solve_seconds=seconds,
        class_counts=dict(class_counts))


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


def _shift(problem: TourProblem, column: ShiftColumn) -> PlannedShift:
    return problem.candidates[problem.weekday(column.day)].shifts[column.candidate]


def _layout(problem: TourProblem, exact_rest: bool) -> _Layout:
    shifts: list[ShiftColumn] = []
    by_contract_day: dict[tuple[int, int], list[int]] = defaultdict(list)
    for index, contract in enumerate(problem.contracts):
        names = {template.name for template in problem.templates_of(contract)}
        if not len(problem.patterns[contract.name]):
            continue
        for day in range(problem.days):
            for j, shift in enumerate(problem.candidates[problem.weekday(day)].shifts):
                if shift.name in names:
                    by_contract_day[(index, day)].append(len(shifts))
                    shifts.append(ShiftColumn(index, day, j))
    patterns = [(index, p) for index, contract in enumerate(problem.contracts)
                for p in range(len(problem.patterns[contract.name]))]
    layout = _Layout(shifts, patterns, [], [], by_contract_day)
    for index, contract in enumerate(problem.contracts):
        if exact_rest and _rest_may_bind(problem, layout, index):
            layout.classes += _class_columns(problem, layout, index)
    if problem.setup.options.allow_under_coverage:
        layout.shortages = [tuple(cell) for cell in np.argwhere(problem.requirement > 0)]
    return layout


def _classes_of(problem: TourProblem, layout: _Layout, contract: int, day: int) -> dict[ClassKey, PlannedShift]:
    """The classes of a contract's candidate shifts on a day, each with one of its shifts."""
    return {class_key(shift): shift for shift in (_shift(problem, layout.shifts[k])
                                                  for k in layout.by_contract_day.get((contract, day), []))}


def _rest_may_bind(problem: TourProblem, layout: _Layout, contract: int) -> bool:
    rest = problem.contracts[contract].min_rest_hours * 60
    for day in range(problem.days):
        today = _classes_of(problem, layout, contract, day).values()
        tomorrow = _classes_of(problem, layout, contract, (day + 1) % problem.days).values()
        if today and tomorrow and (min(shift.start_minutes for shift in tomorrow) + MINUTES_PER_DAY
                                   - max(shift.end_minutes for shift in today) < rest):
            return True
    return False


def _class_columns(problem: TourProblem, layout: _Layout, contract: int) -> list[ClassColumn]:
    name = problem.contracts[contract].name
    patterns, lengths = problem.patterns[name], problem.lengths[name]
    columns = []
    for day in range(problem.days):
        classes = _classes_of(problem, layout, contract, day)
        for pattern in np.flatnonzero(patterns[:, day]):
            for key, shift in classes.items():
                if not lengths or shift.paid_minutes == lengths[patterns[pattern, day] - 1]:
                    columns.append(ClassColumn(contract, int(pattern), day, key))
    return columns


def _raise_if_uncoverable(problem: TourProblem, layout: _Layout) -> None:
    possible = coverage_of(problem, layout.shifts, np.ones(len(layout.shifts), dtype=int)) > 0
    missing = (problem.requirement > 0) & ~possible
    if missing.any():
        cells = [f"{format_weekday(day)} {format_minutes_of_day(i * problem.interval_minutes)}"
                 for day, i in np.argwhere(missing)[:8]]
        more = f" and {int(missing.sum()) - 8} more" if missing.sum() > 8 else ""
        raise InfeasibleScheduleError(
            f"no shift a contract allows covers {', '.join(cells)}{more}, which need agents; add templates or starts "
            "reaching them, plan outside opening hours, or allow under-coverage", tuple(cells))


def _coverage_rows(problem: TourProblem, layout: _Layout, rows: MilpRows) -> None:
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


def _linking_rows(problem: TourProblem, layout: _Layout, rows: MilpRows) -> None:
    """Contracts whose rest cannot bind: agents at work on a day = shifts that day (per length, when
    patterns tell lengths apart)."""
    with_classes = {column.contract for column in layout.classes}
    for index, contract in enumerate(problem.contracts):
        patterns = problem.patterns[contract.name]
        if not len(patterns) or index in with_classes:
            continue
        lengths = problem.lengths[contract.name]
        for day in range(problem.days):
            shifts = np.array(layout.by_contract_day.get((index, day), []), dtype=int)
            paid = np.array([_shift(problem, layout.shifts[k]).paid_minutes for k in shifts])
            pairs = [(patterns[:, day] > 0, np.ones(len(shifts), dtype=bool))] if not lengths else [
                (patterns[:, day] == position + 1, paid == length) for position, length in enumerate(lengths)]
            for working, matching in pairs:
                agents = [layout.pattern_column(index, p) for p in np.flatnonzero(working)]
                rows.add(np.concatenate([shifts[matching], agents]).astype(int),
                         np.concatenate([np.ones(int(matching.sum())), -np.ones(len(agents))]), 0.0, 0.0)


def _class_rows(problem: TourProblem, layout: _Layout, rows: MilpRows) -> None:
    """Contracts whose rest may bind: shifts per class, classes per pattern, and rest per pattern."""
    members: dict[tuple[int, int, ClassKey], list[int]] = defaultdict(list)
    for position, column in enumerate(layout.classes):
        members[(column.contract, column.day, column.key)].append(layout.class_offset() + position)
    of_pattern: dict[tuple[int, int, int], dict[ClassKey, int]] = defaultdict(dict)
    for position, column in enumerate(layout.classes):
        of_pattern[(column.contract, column.pattern, column.day)][column.key] = layout.class_offset() + position
    for contract, day in {(column.contract, column.day) for column in layout.classes}:
        by_key: dict[ClassKey, list[int]] = defaultdict(list)
        for k in layout.by_contract_day[(contract, day)]:
            by_key[class_key(_shift(problem, layout.shifts[k]))].append(k)
        for key, shifts in by_key.items():
            classes = members.get((contract, day, key), [])
            rows.add(shifts + classes, np.concatenate([np.ones(len(shifts)), -np.ones(len(classes))]), 0.0, 0.0)
    for (contract, pattern, day), columns in of_pattern.items():
        cols = list(columns.values()) + [layout.pattern_column(contract, pattern)]
        rows.add(cols, np.concatenate([np.ones(len(columns)), [-1.0]]), 0.0, 0.0)
    for (contract, pattern, day), today in of_pattern.items():
        tomorrow = of_pattern.get((contract, pattern, (day + 1) % problem.days))
        if tomorrow:
            _rest_cuts(problem, layout, contract, day, today, tomorrow, rows)


def _rest_cuts(problem: TourProblem, layout: _Layout, contract: int, day: int, today: dict[ClassKey, int],
               tomorrow: dict[ClassKey, int], rows: MilpRows) -> None:
    rest = round(problem.contracts[contract].min_rest_hours * 60)
    shifts_today = _classes_of(problem, layout, contract, day)
    shifts_tomorrow = _classes_of(problem, layout, contract, (day + 1) % problem.days)
    ends = {key: shifts_today[key].end_minutes for key in today}
    starts = {key: shifts_tomorrow[key].start_minutes for key in tomorrow}
    first_start = min(starts.values())
    for end in sorted(set(ends.values())):
        earliest = end + rest - MINUTES_PER_DAY
        if earliest <= first_start:
            continue  # every class of the next day starts late enough
        late = [today[key] for key, value in ends.items() if value >= end]
        early_enough = [tomorrow[key] for key, value in starts.items() if value >= earliest]
        rows.add(late + early_enough, np.concatenate([np.ones(len(late)), -np.ones(len(early_enough))]),
                 -np.inf, 0.0)


def _aggregate_rest_rows(problem: TourProblem, layout: _Layout, rows: MilpRows) -> None:
    """Rest in aggregate: agents of a contract ending at ``e`` or later on day ``d`` are at most those off on
    ``d+1`` plus the shifts of ``d+1`` starting ``rest`` after ``e``."""
    cuts = []
    for index, contract in enumerate(problem.contracts):
        patterns = problem.patterns[contract.name] > 0
        if not len(patterns):
            continue
        rest = round(contract.min_rest_hours * 60)
        for day in range(problem.days):
            following = (day + 1) % problem.days
            today = layout.by_contract_day.get((index, day), [])
            tomorrow = layout.by_contract_day.get((index, following), [])
            if not today or not tomorrow or not (patterns[:, day] & patterns[:, following]).any():
                continue
            ends = np.array([_shift(problem, layout.shifts[k]).end_minutes for k in today])
            starts = np.array([_shift(problem, layout.shifts[k]).start_minutes for k in tomorrow])
            for end in np.unique(ends):
                earliest = end + rest - MINUTES_PER_DAY
                if earliest > starts.min():
                    cuts.append((index, day, np.array(today)[ends >= end], np.array(tomorrow)[starts >= earliest]))
    layout.stoppers = list(dict.fromkeys((index, day) for index, day, _, _ in cuts))
    for index, day in layout.stoppers:
        # The stopper variable is exactly the agents of the contract at work on ``day`` and off the next day.
        patterns = problem.patterns[problem.contracts[index].name] > 0
        stopping = [layout.pattern_column(index, p)
                    for p in np.flatnonzero(patterns[:, day] & ~patterns[:, (day + 1) % problem.days])]
        rows.add(stopping + [layout.stopper_column(index, day)],
                 np.concatenate([np.ones(len(stopping)), [-1.0]]), 0.0, 0.0)
    for index, day, late, early_enough in cuts:
        rows.add(np.concatenate([late, early_enough, [layout.stopper_column(index, day)]]).astype(int),
                 np.concatenate([np.ones(len(late)), -np.ones(len(early_enough) + 1)]), -np.inf, 0.0)


def _limit_rows(problem: TourProblem, layout: _Layout, rows: MilpRows) -> None:
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
    pattern_cols = len(layout.shifts) + np.arange(len(layout.patterns))
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
