"""Weekly tours, stage 2: hand stage 1's shifts to individual agents.

Per contract, the agents are those stage 1 put on each days-worked pattern.
Each agent takes one shift on each day its pattern works, every shift of
stage 1 goes to exactly one agent, consecutive shifts of an agent leave the
contract's rest, and, when the patterns tell shift lengths apart, each day's
shift has the length the agent's pattern gives (which keeps its weekly
hours). Shifts are handed out by *class*
(template and start: what rest and hours depend on); agents of a class then
take its break placements in turn, which changes neither.

This is a small integer programme per contract. Its objective only orders
the agents: agent ``a``'s relative position among the agents at work on a
day is matched to the relative position of its shift's start among that
day's starts, so each agent keeps an early, middle or late start through the
week instead of jumping around.
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from scipy.optimize import Bounds, milp

from sim.config import MINUTES_PER_DAY

from .contracts import DAYS_PER_WEEK, Contract
from .errors import ScheduleSolveError
from .milp_rows import MilpRows
from .shifts import PlannedShift
from .solver import SolverOptions
from .tour_problem import TourProblem, format_weekday
from .tour_solver import TourCounts, class_key


class RestConflict(ScheduleSolveError):
    """Stage 1's shifts cannot be handed to agents without breaking a contract's rest."""


@dataclass(frozen=True)
class AgentTour:
    """One agent's rotation: the days of the rotation worked and the shift on each."""

    agent: str
    contract: str
    shifts: tuple[tuple[int, PlannedShift], ...]
    group: str | None = None

    def days(self) -> tuple[int, ...]:
        return tuple(day for day, _ in self.shifts)

    def weekly_paid_hours(self, weeks: int) -> list[float]:
        hours = [0.0] * weeks
        for day, shift in self.shifts:
            hours[day // DAYS_PER_WEEK] += shift.paid_minutes / 60
        return hours


def assign_tours(problem: TourProblem, counts: TourCounts, solver: SolverOptions = SolverOptions()) -> tuple[
        tuple[AgentTour, ...], float]:
    """Agents with their shifts, contract by contract, and the seconds it took; agents are named
    ``<contract>_<number>`` (renamed when split between groups)."""
    started = time.perf_counter()
    agents: list[AgentTour] = []
    for index, contract in enumerate(problem.contracts):
        patterns = problem.patterns[contract.name]
        pattern_of = np.repeat(np.arange(len(patterns)), counts.pattern_counts[contract.name])
        if not len(pattern_of):
            continue
        shifts_by_day = _shifts_by_day(problem, counts, index)
        agents += _assign_contract(problem, contract, pattern_of, shifts_by_day, counts.class_counts.get(contract.name),
                                   solver)
    return tuple(agents), time.perf_counter() - started


def _shifts_by_day(problem: TourProblem, counts: TourCounts, contract: int) -> dict[int, list[PlannedShift]]:
    """Stage 1's shifts of one contract per day, one entry per agent, ordered by start."""
    result: dict[int, list[PlannedShift]] = defaultdict(list)
    for column, count in zip(counts.columns, counts.shift_counts):
        if count and column.contract == contract:
            shift = problem.candidates[problem.weekday(column.day)].shifts[column.candidate]
            result[column.day] += [shift] * int(count)
    for day in result:
        result[day].sort(key=lambda shift: (shift.start_minutes, shift.name, [b.start_minutes for b in shift.breaks]))
    return result


def _assign_contract(problem: TourProblem, contract: Contract, pattern_of: np.ndarray,
                     shifts_by_day: dict[int, list[PlannedShift]], class_counts: dict | None,
                     solver: SolverOptions) -> list[AgentTour]:
    """Agents (their patterns in ``pattern_of``) given shifts; ``class_counts`` (pattern, day, class) -> agents,
    from stage 1 where rest may bind, says how many of each pattern's agents take each class."""
    classes = {day: _classes(shifts) for day, shifts in shifts_by_day.items()}
    patterns = problem.patterns[contract.name][pattern_of]
    lengths = problem.lengths[contract.name]
    worked = patterns > 0
    variables: list[tuple[int, int, int]] = []   # (agent, day, class)
    position: dict[tuple[int, int, int], int] = {}
    cost: list[float] = []
    for day in range(problem.days):
        at_work = np.flatnonzero(worked[:, day])
        day_classes = classes.get(day, [])
        total = sum(len(members) for _, members in day_classes)
        if len(at_work) != total:
            raise ScheduleSolveError(f"internal: {len(at_work)} agents but {total} shifts on day {day}")
        middles = np.cumsum([0] + [len(members) for _, members in day_classes])
        for rank, agent in enumerate(at_work):
            for k, (_, members) in enumerate(day_classes):
                if lengths and members[0].paid_minutes != lengths[patterns[agent, day] - 1]:
                    continue  # the agent's pattern gives this day another shift length
                position[(agent, day, k)] = len(variables)
                variables.append((agent, day, k))
                middle = (middles[k] + len(members) / 2) / total
                cost.append(((rank + 0.5) / total - middle) ** 2)
    rows = MilpRows(len(variables))
    _one_shift_a_day(worked, classes, position, rows)
    _every_shift_taken(problem, classes, position, worked, rows)
    if class_counts is not None:
        _pattern_class_counts(classes, position, pattern_of, class_counts, rows)
    _rest(problem, contract, worked, classes, position, rows)
    result = milp(np.array(cost), integrality=np.ones(len(variables)), bounds=Bounds(0, 1),
                  constraints=[rows.constraint()],
                  options={"time_limit": solver.time_limit_seconds, "mip_rel_gap": 0.05, "disp": solver.show_log})
    if result.x is None:
        reason = "no assignment exists" if result.status == 2 else result.message
        raise (RestConflict if result.status == 2 else ScheduleSolveError)(
            f"contract {contract.name!r}: the shifts of the week cannot be handed to agents within the rest and "
            f"weekly-hour rules ({reason}); relax min_rest_hours or the weekly hours, or narrow the start windows")
    chosen = [variables[k] for k in np.flatnonzero(result.x > 0.5)]
    return _tours(contract, worked, classes, chosen)


def _classes(shifts: list[PlannedShift]) -> list[tuple[tuple[str, int], list[PlannedShift]]]:
    grouped: dict[tuple[str, int], list[PlannedShift]] = {}
    for shift in shifts:
        grouped.setdefault(class_key(shift), []).append(shift)
    return sorted(grouped.items(), key=lambda item: (item[0][1], item[0][0]))


def _one_shift_a_day(worked, classes, position, rows: MilpRows) -> None:
    for agent, day in np.argwhere(worked):
        rows.add([position[(agent, day, k)] for k in range(len(classes[day])) if (agent, day, k) in position],
                 1.0, 1.0, 1.0)


def _every_shift_taken(problem: TourProblem, classes, position, worked, rows: MilpRows) -> None:
    for day, day_classes in classes.items():
        at_work = np.flatnonzero(worked[:, day])
        for k, (_, members) in enumerate(day_classes):
            rows.add([position[(agent, day, k)] for agent in at_work if (agent, day, k) in position],
                     1.0, len(members), len(members))


def _pattern_class_counts(classes, position, pattern_of: np.ndarray, class_counts: dict, rows: MilpRows) -> None:
    for day, day_classes in classes.items():
        for k, (key, _) in enumerate(day_classes):
            for pattern in np.unique(pattern_of):
                cols = [position[(agent, day, k)] for agent in np.flatnonzero(pattern_of == pattern)
                        if (agent, day, k) in position]
                if cols:
                    count = class_counts.get((int(pattern), day, key), 0)
                    rows.add(cols, 1.0, count, count)


def _rest(problem: TourProblem, contract: Contract, worked, classes, position, rows: MilpRows) -> None:
    rest = round(contract.min_rest_hours * 60)
    for agent in range(len(worked)):
        days = np.flatnonzero(worked[agent])
        for day, following in zip(days, np.roll(days, -1)):
            gap_days = (following - day) % problem.days or problem.days
            for k, (_, members) in enumerate(classes[day]):
                if (agent, day, k) not in position:
                    continue
                end = members[0].end_minutes
                clashes = [position[(agent, following, m)] for m, (_, later) in enumerate(classes[following])
                           if (agent, following, m) in position
                           and later[0].start_minutes + gap_days * MINUTES_PER_DAY - end < rest]
                if clashes:
                    rows.add([position[(agent, day, k)]] + clashes, 1.0, -np.inf, 1.0)


def _tours(contract: Contract, worked, classes, chosen) -> list[AgentTour]:
    taken: dict[tuple[int, int], list[int]] = defaultdict(list)   # (day, class) -> agents, in agent order
    for agent, day, k in sorted(chosen):
        taken[(day, k)].append(agent)
    shifts_of: dict[int, list[tuple[int, PlannedShift]]] = defaultdict(list)
    for (day, k), agents in taken.items():
        for agent, shift in zip(agents, classes[day][k][1]):
            shifts_of[agent].append((day, shift))
    width = max(3, len(str(len(worked))))
    return [AgentTour(f"{contract.name}_{agent + 1:0{width}d}", contract.name,
                      tuple(sorted(shifts_of[agent], key=lambda item: item[0]))) for agent in range(len(worked))]


def describe_day(day: int) -> str:
    """``monday`` or, in a rotation of several weeks, ``week 2 monday``."""
    week = day // DAYS_PER_WEEK
    return format_weekday(day) if week == 0 else f"week {week + 1} {format_weekday(day)}"
