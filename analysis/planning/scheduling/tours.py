"""Weekly tours: individual agents planned over the week (or a rotation of weeks) at least cost.

A documented two-stage decomposition that loses nothing:

1. :mod:`.tour_solver`: one MILP over the rotation chooses how many agents
   work each candidate shift on each day and how many follow each days-off
   pattern of their contract (patterns fix each week's hours), first with
   rest held in aggregate;
2. :mod:`.tour_assign`: the shifts of each day are handed to individual
   agents on those patterns, respecting rest per agent. If that fails, the
   MILP is solved again with rest per pattern, which stage 2 can always
   hand out.

Cost depends only on the shifts (paid hours and agent-days), which stage 2
keeps, so the gap stage 1 proves is the optimality gap of the roster.

Typical use::

    from analysis.planning.scheduling import load_templates, plan_tours

    plan = plan_tours(load_templates("scenarios/shifts/standard.toml"), weekly_requirement, 30,
                      opening=[(480, 1200)] * 5 + [None, None])
    print(plan.summary())
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from sim.config import MINUTES_PER_DAY, format_minutes_of_day

from .contracts import DAYS_PER_WEEK, Contract, default_contracts, rotation_weeks
from .errors import InfeasibleScheduleError, Problem, TemplateFileError
from .plan import PlanSetup
from .rules import apply_rules
from .shifts import PlannedShift
from .solver import SolverOptions
from .templates import ShiftTemplate, TemplateFile
from .timegrid import span_presence
from .tour_assign import AgentTour, RestConflict, assign_tours
from .tour_problem import OpeningHours, TourProblem, TwoDayGrid, format_weekday, tour_problem
from .tour_solver import TourCounts, solve_tour_counts

ROSTER_AGENT_COLUMNS = ("agent", "group", "contract", "week", "weekday", "start", "end", "paid_hours", "breaks")


@dataclass(frozen=True)
class TourPlan:
    """Agents and their shifts over a rotation of ``weeks`` weeks, with what the optimiser proved."""

    problem: TourProblem
    counts: TourCounts
    agents: tuple[AgentTour, ...]
    assign_seconds: float

    @property
    def weeks(self) -> int:
        return self.problem.weeks

    @property
    def days(self) -> int:
        return self.problem.days

    @property
    def requirement(self) -> np.ndarray:
        return self.problem.requirement

    @property
    def status(self) -> str:
        return self.counts.status

    @property
    def mip_gap(self) -> float:
        return self.counts.mip_gap

    @property
    def lower_bound(self) -> float:
        return self.counts.lower_bound

    @property
    def shift_cost(self) -> float:
        """Cost of every shift of the rotation at the planning cost (see :func:`plan_tours`)."""
        return self.counts.shift_cost

    @property
    def total_cost(self) -> float:
        return self.counts.shift_cost + self.counts.shortage_cost

    @property
    def solve_seconds(self) -> float:
        return self.counts.solve_seconds + self.assign_seconds

    @property
    def contracts(self) -> tuple[Contract, ...]:
        return self.problem.contracts

    def coverage(self, average: bool = False) -> np.ndarray:
        """Agents on the phones per (day of the rotation, interval): for the whole interval (the rule the
        optimiser plans with) or, with ``average``, agent-minutes on the phones / interval minutes."""
        grid = TwoDayGrid(self.problem.interval_minutes)
        per_day = grid.per_day
        result = np.zeros((self.days, per_day))
        for tour in self.agents:
            for day, shift in tour.shifts:
                presence = shift.presence(on_phones=True)
                counted = grid.average(presence) if average else grid.covered(presence)
                result[day] += counted[:per_day]
                result[(day + 1) % self.days] += counted[per_day:]
        return result

    def shortage(self) -> np.ndarray:
        return np.maximum(self.requirement - self.coverage(), 0.0)

    def paid_hours(self) -> float:
        return sum(shift.paid_minutes for tour in self.agents for _, shift in tour.shifts) / 60.0

    def agents_per_contract(self) -> dict[str, int]:
        return {contract.name: sum(tour.contract == contract.name for tour in self.agents)
                for contract in self.contracts}

    def with_agents(self, agents: Sequence[AgentTour]) -> "TourPlan":
        return TourPlan(self.problem, self.counts, tuple(agents), self.assign_seconds)

    def roster_table(self) -> pd.DataFrame:
        """One row per agent and working day (columns :data:`ROSTER_AGENT_COLUMNS`)."""
        rows = []
        for tour in self.agents:
            for day, shift in tour.shifts:
                rows.append({
                    "agent": tour.agent, "group": tour.group or "", "contract": tour.contract,
                    "week": day // DAYS_PER_WEEK + 1, "weekday": format_weekday(day),
                    "start": format_minutes_of_day(shift.start_minutes),
                    "end": format_minutes_of_day(shift.end_minutes),
                    "paid_hours": shift.paid_minutes / 60, "breaks": format_agent_breaks(shift),
                })
        return pd.DataFrame(rows, columns=list(ROSTER_AGENT_COLUMNS))

    def summary(self) -> str:
        contracts = ", ".join(f"{count} {name}" for name, count in self.agents_per_contract().items())
        rotation = f"{self.weeks}-week rotation" if self.weeks > 1 else "week"
        return (f"{self.status}: {len(self.agents)} agents ({contracts}) over a {rotation}, "
                f"{self.paid_hours():,.1f} paid hours, cost {self.total_cost:,.2f}, "
                f"{self.shortage().sum():g} agent-intervals short, gap {self.mip_gap:.2%} "
                f"(bound {self.lower_bound:,.2f}), {self.solve_seconds:.1f} s")


def format_agent_breaks(shift: PlannedShift) -> str:
    """``10:00/15 paid;12:30/30 unpaid``: the roster notation of a shift's breaks."""
    return ";".join(f"{placed.label()} {'paid' if placed.paid else 'unpaid'}" for placed in shift.breaks)


def weekly_problem(templates: TemplateFile | PlanSetup, requirement: np.ndarray | None, interval_minutes: int,
                   opening: Sequence[OpeningHours] | None = None, bounded: bool = True, rules: Sequence[str] = (),
                   contracts: Sequence[Contract] | None = None,
                   shift_cost: Callable[[ShiftTemplate], float] | None = None) -> TourProblem:
    """The tour problem :func:`plan_tours` solves (arguments as there); ``requirement`` None needs nobody,
    which checks the contracts can be planned at all without solving anything. Raises
    :class:`TemplateFileError` naming the contracts when they cannot."""
    setup = templates if isinstance(templates, PlanSetup) else apply_rules(templates, rules)
    defaults = contracts is None and not (isinstance(templates, TemplateFile) and templates.contracts)
    if contracts is None:
        contracts = (default_contracts([template.kind for template in setup.templates]) if defaults
                     else templates.contracts)
    _check_every_template_on_a_contract(setup, contracts)
    try:
        weeks = rotation_weeks(contracts)
    except ValueError as error:
        raise TemplateFileError([Problem("contracts", str(error))]) from None
    opening = list(opening) if opening is not None else [(0, MINUTES_PER_DAY)] * DAYS_PER_WEEK
    if requirement is None:
        requirement = np.zeros((DAYS_PER_WEEK, MINUTES_PER_DAY // interval_minutes))
    return tour_problem(setup, contracts, weeks, requirement, interval_minutes, opening, bounded, shift_cost,
                        default_contracts=defaults)


def plan_tours(templates: TemplateFile | PlanSetup, requirement: np.ndarray, interval_minutes: int,
               opening: Sequence[OpeningHours] | None = None, bounded: bool = True, rules: Sequence[str] = (),
               contracts: Sequence[Contract] | None = None,
               shift_cost: Callable[[ShiftTemplate], float] | None = None,
               solver: SolverOptions = SolverOptions()) -> TourPlan:
    """Cheapest weekly tours putting ``requirement`` agents on the phones (see the module docstring).

    ``requirement`` has one row per weekday (Monday first) and one column per
    interval of the whole day. ``opening`` gives each weekday's opening hours
    in minutes (None: closed; default: open around the clock), which bound
    shift starts and ends when ``bounded``. Contracts come from ``contracts``,
    else the template file's, else :func:`.contracts.default_contracts`.
    ``shift_cost`` prices one shift of a template (default: the template
    file's costs).
    """
    problem = weekly_problem(templates, requirement, interval_minutes, opening, bounded, rules, contracts, shift_cost)
    counts = solve_tour_counts(problem, solver, exact_rest=False)
    try:
        agents, seconds = assign_tours(problem, counts, solver)
    except RestConflict:
        counts, agents, seconds = _with_exact_rest(problem, counts, solver)
    return TourPlan(problem, counts, agents, seconds)


def _with_exact_rest(problem: TourProblem, relaxed: TourCounts, solver: SolverOptions):
    """Rest per pattern: first on the relaxed answer's shifts (if they fit, they are optimal: the relaxed
    model bounds the exact one), else over again."""
    try:
        counts = solve_tour_counts(problem, solver, exact_rest=True, shifts_of=relaxed)
        counts = replace(counts, lower_bound=relaxed.lower_bound, mip_gap=relaxed.mip_gap, status=relaxed.status)
    except InfeasibleScheduleError:
        counts = solve_tour_counts(problem, solver, exact_rest=True)
    counts = replace(counts, solve_seconds=counts.solve_seconds + relaxed.solve_seconds)
    agents, seconds = assign_tours(problem, counts, solver)
    return counts, agents, seconds


def _check_every_template_on_a_contract(setup: PlanSetup, contracts: Sequence[Contract]) -> None:
    orphans = [template.name for template in setup.templates
               if not any(contract.covers(template.name, template.kind) for contract in contracts)]
    if orphans:
        raise TemplateFileError([Problem("contracts", f"template(s) {', '.join(map(repr, orphans))} are on no "
                                                      "contract; add a contract of their kind or list them in a "
                                                      "contract's templates")])


def paid_minutes_outside(shift: PlannedShift, today: OpeningHours, tomorrow: OpeningHours) -> int:
    """Paid minutes of ``shift`` outside the opening hours of its day and (past midnight) the next day."""
    paid = span_presence(np.array([shift.start_minutes]), np.array([shift.end_minutes]))[0]
    for placed in shift.unpaid_breaks():
        paid[placed.start_minutes:placed.end_minutes] = False
    open_minutes = np.zeros_like(paid)
    for offset, hours in ((0, today), (MINUTES_PER_DAY, tomorrow)):
        if hours is not None:
            open_minutes[offset + hours[0]:offset + hours[1]] = True
    return int((paid & ~open_minutes).sum())
