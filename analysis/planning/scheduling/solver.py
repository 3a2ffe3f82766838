"""Shift scheduling as a mixed-integer programme solved with ``scipy.optimize.milp`` (HiGHS).

Formulation (explicit breaks): one integer variable per candidate shift
(template, start, break placement; see :mod:`.patterns`) counting the agents
who work it, and, when under-coverage is allowed, one continuous shortage
variable per interval with a requirement.

    minimise    sum_j cost_j x_j + penalty * sum_i short_i
    subject to  sum_j covers_ij x_j + short_i >= requirement_i   (every interval i)
                min_L <= sum_{j in L} x_j <= max_L               (every count limit L)
                sum_{j part-time} w_j x_j <= share * sum_j w_j x_j  (w_j = 1 or paid hours)
                x_j integer >= 0, short_i >= 0 (short_i absent unless under-coverage is allowed)
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, OptimizeResult, milp

from .errors import InfeasibleScheduleError, ScheduleSolveError
from .patterns import CandidateShifts, candidate_shifts
from .plan import PlanSetup
from .schedule import Schedule
from .shifts import ShiftGroup
from .timegrid import PlanningGrid

_STATUS = {0: "optimal", 1: "time_limit", 2: "infeasible", 3: "unbounded", 4: "solver_error"}


@dataclass(frozen=True)
class SolverOptions:
    """HiGHS settings: stop after ``time_limit_seconds`` or once within ``mip_rel_gap`` of optimal.

    The default gap is HiGHS's own (0.01%); use 0 to insist on a proven optimum.
    """

    time_limit_seconds: float = 60.0
    mip_rel_gap: float = 1e-4
    show_log: bool = False


@dataclass(frozen=True)
class _Problem:
    """The matrices handed to ``milp`` and what their columns mean."""

    candidates: CandidateShifts
    costs: np.ndarray
    objective: np.ndarray
    integrality: np.ndarray
    constraints: list[LinearConstraint]


def schedule_shifts(setup: PlanSetup, requirement: Sequence[float], grid: PlanningGrid,
                    solver: SolverOptions = SolverOptions()) -> Schedule:
    """The cheapest shifts from ``setup`` that put ``requirement[i]`` agents on the phones in interval ``i``.

    Raises :class:`InfeasibleScheduleError` (naming the intervals at fault when
    it can) if the requirement cannot be met and under-coverage is not allowed.
    """
    required = _checked_requirement(requirement, grid)
    candidates = candidate_shifts(setup, grid)
    if not setup.options.allow_under_coverage:
        _raise_if_uncoverable(required, candidates, grid)
    problem = _build_problem(setup, required, candidates)
    started = time.perf_counter()
    result = milp(problem.objective, integrality=problem.integrality, bounds=Bounds(0, np.inf),
                  constraints=problem.constraints,
                  options={"time_limit": solver.time_limit_seconds, "mip_rel_gap": solver.mip_rel_gap,
                           "disp": solver.show_log})
    seconds = time.perf_counter() - started
    if result.x is None:
        _raise_without_solution(result, setup, required, candidates, grid)
    return _schedule_from(result, problem, setup, required, grid, seconds)


def _checked_requirement(requirement: Sequence[float], grid: PlanningGrid) -> np.ndarray:
    required = np.asarray(requirement, dtype=float)
    if required.shape != (grid.intervals,):
        raise ValueError(f"requirement has {required.size} values; the grid has {grid.intervals} intervals")
    if not np.all(np.isfinite(required)) or np.any(required < 0):
        raise ValueError("requirement values must be finite and not negative")
    return required


def _raise_if_uncoverable(required: np.ndarray, candidates: CandidateShifts, grid: PlanningGrid) -> None:
    uncovered = (required > 0) & ~candidates.coverage.any(axis=0)
    if uncovered.any():
        labels = tuple(np.array(grid.labels())[uncovered])
        raise InfeasibleScheduleError(
            f"no shift template covers the interval(s) {', '.join(labels)}, which need agents; add templates or "
            "start times reaching them, or set options.allow_under_coverage with a shortage_penalty", labels)


def _build_problem(setup: PlanSetup, required: np.ndarray, candidates: CandidateShifts) -> _Problem:
    template_costs = setup.template_costs()
    costs = np.array([template_costs[shift.name] for shift in candidates.shifts])
    with_shortage = setup.options.allow_under_coverage
    shortages = int(np.count_nonzero(required > 0)) if with_shortage else 0
    objective = np.concatenate([costs, np.full(shortages, setup.options.shortage_penalty or 0.0)])
    integrality = np.concatenate([np.ones(len(costs)), np.zeros(shortages)])
    constraints = [_coverage_constraint(required, candidates, with_shortage)]
    constraints += _count_limit_constraints(setup, candidates, shortages)
    share = _part_time_share_constraint(setup, candidates, shortages)
    if share is not None:
        constraints.append(share)
    return _Problem(candidates, costs, objective, integrality, constraints)


def _coverage_constraint(required: np.ndarray, candidates: CandidateShifts, with_shortage: bool) -> LinearConstraint:
    rows = np.flatnonzero(required > 0)   # intervals needing nobody are met by any schedule
    matrix = sparse.csr_array(candidates.coverage[:, rows].T.astype(float))
    if with_shortage:
        # One shortage variable per interval with a requirement, in the order of the rows.
        matrix = sparse.hstack([matrix, sparse.eye_array(len(rows), format="csr")], format="csr")
    return LinearConstraint(matrix, required[rows], np.inf)


def _count_limit_constraints(setup: PlanSetup, candidates: CandidateShifts,
                             shortage_columns: int) -> list[LinearConstraint]:
    if not setup.count_limits:
        return []
    members = np.array([np.concatenate([candidates.columns_of(limit.templates), np.zeros(shortage_columns, bool)])
                        for limit in setup.count_limits], dtype=float)
    lower = [limit.minimum for limit in setup.count_limits]
    upper = [np.inf if limit.maximum is None else limit.maximum for limit in setup.count_limits]
    return [LinearConstraint(members, lower, upper)]


def _part_time_share_constraint(setup: PlanSetup, candidates: CandidateShifts,
                                shortage_columns: int) -> LinearConstraint | None:
    share = setup.options.max_part_time_share
    kinds = {template.name: template.kind for template in setup.templates}
    part_time = np.array([kinds[shift.name] == "part_time" for shift in candidates.shifts], dtype=float)
    if share is None or not part_time.any():
        return None
    if setup.options.part_time_share_of == "paid_hours":
        weight = np.array([shift.paid_minutes / 60.0 for shift in candidates.shifts])
    else:
        weight = np.ones(len(candidates.shifts))
    # part-time weight <= share * total weight  <=>  sum_j w_j (is_part_time_j - share) <= 0
    row = np.concatenate([weight * (part_time - share), np.zeros(shortage_columns)])
    return LinearConstraint(row[None, :], -np.inf, 0.0)


def _raise_without_solution(result: OptimizeResult, setup: PlanSetup, required: np.ndarray,
                            candidates: CandidateShifts, grid: PlanningGrid) -> None:
    if result.status != 2:
        raise ScheduleSolveError(f"the solver stopped without a schedule: {result.message}")
    capped = _intervals_beyond_count_limits(setup, required, candidates)
    if capped.any() and not setup.options.allow_under_coverage:
        labels = tuple(np.array(grid.labels())[capped])
        raise InfeasibleScheduleError(
            f"the max_count limits allow too few agents in interval(s) {', '.join(labels)}", labels)
    limits = ", ".join(f"{limit.name} {limit.minimum}..{'' if limit.maximum is None else limit.maximum}"
                       for limit in setup.count_limits) or "none"
    raise InfeasibleScheduleError(
        f"no schedule satisfies the count limits ({limits}) and max_part_time_share "
        f"({setup.options.max_part_time_share}) together with the requirement")


def _intervals_beyond_count_limits(setup: PlanSetup, required: np.ndarray, candidates: CandidateShifts) -> np.ndarray:
    """Intervals needing more agents than the max counts of the templates covering them allow (an upper bound)."""
    bound = np.zeros(len(required))
    tightest: dict[str, tuple[str, float]] = {}
    for template in setup.templates:
        caps = [(limit.name, float(limit.maximum)) for limit in setup.count_limits
                if template.name in limit.templates and limit.maximum is not None]
        tightest[template.name] = min(caps, key=lambda cap: cap[1]) if caps else ("", np.inf)
    for interval in range(len(required)):
        covering = {candidates.shifts[column].name for column in np.flatnonzero(candidates.coverage[:, interval])}
        # Templates sharing their tightest limit share its cap, so count each limit once.
        caps = {tightest[name] for name in covering}
        bound[interval] = sum(cap for _, cap in caps)
    return bound < required


def _schedule_from(result: OptimizeResult, problem: _Problem, setup: PlanSetup, required: np.ndarray,
                   grid: PlanningGrid, seconds: float) -> Schedule:
    candidates = problem.candidates
    counts = np.rint(result.x[:len(candidates.shifts)]).astype(int)
    coverage = candidates.coverage.T.astype(int) @ counts
    groups = [ShiftGroup(candidates.shifts[column], int(counts[column])) for column in np.flatnonzero(counts)]
    groups.sort(key=lambda group: (group.shift.start_minutes, group.shift.name,
                                   [placed.start_minutes for placed in group.shift.breaks]))
    penalty = setup.options.shortage_penalty if setup.options.allow_under_coverage else 0.0
    shortage_cost = float(penalty * np.maximum(required - coverage, 0.0).sum())
    gap = result.get("mip_gap")
    bound = result.get("mip_dual_bound")
    return Schedule(
        grid=grid, requirement=required, shifts=tuple(groups), coverage=coverage.astype(float),
        cost_per_shift=setup.template_costs(), kind={template.name: template.kind for template in setup.templates},
        shift_cost=float(problem.costs @ counts), shortage_cost=shortage_cost,
        status=_STATUS.get(result.status, "solver_error"),
        mip_gap=float(gap) if gap is not None else 0.0,
        lower_bound=float(bound) if bound is not None else float(result.fun),
        solve_seconds=seconds, rules=setup.rules)
