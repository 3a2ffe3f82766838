"""Weekly tours for a scenario: planned for its staffed unit, split between its groups, written as a roster.

The scenario's horizon gives the week: each weekday needs the most any
horizon day of that weekday needs (weekdays outside the horizon need
nobody), each weekday's opening hours bound the shifts (unless planning is
told to ignore them), and a shift costs what the simulator will charge for
it: paid hours x the loaded wage (wage x (1 + on-cost rates)) plus the
training cost of an agent-day, at the unit's mix of groups. Only when the
unit's groups have no wages and no training cost do the template file's
own rates price the shifts.

Agents are then handed to the unit's groups one by one, in roster order,
each to the group furthest below its share, so every group gets its share
of every kind of tour. The roster (``roster_agents.csv``, one row per agent
and working day) is what the written scenario simulates: each group's
``roster_file`` names it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from analysis.outputs.files import write_csv
from analysis.outputs.plots import save_png
from analysis.planning.staffing.scenario_files import write_scenario_file
from analysis.planning.staffing.units import StaffedUnit, select_unit
from sim.calendar import Calendar
from sim.config import WEEKDAYS, Scenario, format_minutes_of_day

from .contracts import DAYS_PER_WEEK, default_contracts
from .contracts import rotation_weeks as rotation_weeks_of
from .errors import RuleError
from .gantt import plot_roster_gantt
from .rules import apply_rules
from .shift_plans import OVERTIME, OvertimeSettings, RuleOption
from .solver import SolverOptions
from .templates import ShiftTemplate, TemplateFile
from .tour_assign import AgentTour
from .tour_problem import OpeningHours, allowed_starts, opening_text
from .tours import TourPlan, paid_minutes_outside, plan_tours, weekly_problem

ROSTER_FILE = "roster_agents.csv"


@dataclass(frozen=True)
class PlanningCost:
    """What one shift costs in the plan: paid hours x ``hourly`` + ``per_shift``; ``source`` says whose rates."""

    hourly: float
    per_shift: float
    source: str

    def of(self, template: ShiftTemplate) -> float:
        return template.paid_minutes / 60 * self.hourly + self.per_shift


def planning_cost(unit: StaffedUnit) -> PlanningCost | None:
    """The unit's loaded wage and training cost at its mix of groups; None when the groups cost nothing."""
    groups = unit.groups
    if not any(group.wage_per_hour or group.training_cost_per_agent_day for group in groups):
        return None
    hourly = sum(share * loaded_wage(group) for share, group in zip(unit.shares, groups))
    training = sum(share * group.training_cost_per_agent_day for share, group in zip(unit.shares, groups))
    return PlanningCost(hourly, training, "scenario")


def loaded_wage(group) -> float:
    """Wage per paid hour with the group's on-costs."""
    return group.wage_per_hour * (1.0 + sum(group.on_costs.values()))


@dataclass(frozen=True)
class ShiftPlan:
    """One rule option planned as weekly tours for the scenario's horizon."""

    option: RuleOption
    tours: TourPlan
    requirement: np.ndarray
    """Headcount per (horizon day, interval of the whole day)."""
    weekdays: tuple[str, ...]
    rotation_days: tuple[int, ...]
    """The day of the rotation each horizon day is."""
    notes: tuple[str, ...]

    @property
    def status(self) -> str:
        return self.tours.status

    @property
    def mip_gap(self) -> float:
        return self.tours.mip_gap

    @property
    def solve_seconds(self) -> float:
        return self.tours.solve_seconds

    @property
    def agents(self) -> int:
        return len(self.tours.agents)

    def coverage(self, average: bool = False) -> np.ndarray:
        """Agents on the phones per (horizon day, interval) (see :meth:`TourPlan.coverage`)."""
        return self.tours.coverage(average)[list(self.rotation_days)]

    def shifts_in_horizon(self):
        """(agent tour, shift) for every shift worked on a horizon day."""
        for tour in self.tours.agents:
            for day, shift in tour.shifts:
                for _ in range(self.rotation_days.count(day)):
                    yield tour, shift

    def paid_hours(self) -> float:
        return sum(shift.paid_minutes for _, shift in self.shifts_in_horizon()) / 60

    def labor_cost(self, scenario: Scenario) -> float:
        """Wages, on-costs and training of the horizon's shifts, as the simulator charges them (no overtime)."""
        return sum(_shift_cost(scenario, tour, shift) for tour, shift in self.shifts_in_horizon())

    def cost_per_week(self, scenario: Scenario) -> float:
        """Labor of a week of the roster (the rotation's average), priced like :meth:`labor_cost`."""
        return sum(_shift_cost(scenario, tour, shift) for tour in self.tours.agents
                   for _, shift in tour.shifts) / self.tours.weeks

    def agent_intervals_short(self) -> float:
        return float(np.maximum(self.requirement - self.coverage(), 0.0).sum())


def _shift_cost(scenario: Scenario, tour: AgentTour, shift) -> float:
    group = next(group for group in scenario.agent_groups if group.name == tour.group)
    return shift.paid_minutes / 60 * loaded_wage(group) + group.training_cost_per_agent_day


def plan_rosters(scenario: Scenario, requirement: np.ndarray, templates: TemplateFile, option: RuleOption,
                 solver: SolverOptions = SolverOptions(), unit: StaffedUnit | None = None,
                 bounded: bool = True) -> ShiftPlan:
    """Weekly tours covering ``requirement`` (horizon days x intervals) under the option's scheduling rules."""
    unit = unit or select_unit(scenario)
    calendar = Calendar.from_scenario(scenario)
    weekdays = tuple(calendar.weekday(day) for day in range(calendar.days))
    opening = _opening_hours(calendar)
    weekly, stand_ins = weekly_requirement(np.asarray(requirement, dtype=float), weekdays, opening)
    costs = planning_cost(unit)
    setup = _setup(templates, option)
    tours = plan_tours(setup, weekly, scenario.horizon.interval_minutes, opening, bounded,
                       contracts=templates.contracts or None, shift_cost=costs.of if costs else None, solver=solver)
    tours = tours.with_agents(split_between_groups(unit, tours.agents))
    rotation = [((calendar.start_weekday + day) // DAYS_PER_WEEK % tours.weeks) * DAYS_PER_WEEK
                + (calendar.start_weekday + day) % DAYS_PER_WEEK for day in range(calendar.days)]
    notes = [cost_note(unit, costs), *contract_notes(tours), *opening_notes(setup.templates, opening, bounded, tours)]
    if stand_ins:
        notes.append("weekdays outside the horizon planned like horizon days: "
                     + ", ".join(f"{missing} like {model}" for missing, model in stand_ins.items()))
    return ShiftPlan(option, tours, np.asarray(requirement, dtype=float), weekdays, tuple(rotation), tuple(notes))


def check_plannable(scenario: Scenario, templates: TemplateFile, option: RuleOption, bounded: bool = True) -> None:
    """Refuse, before anything is worked out or simulated, an option whose contracts no week of the
    scenario's opening hours can satisfy (the same refusal :func:`plan_rosters` would give)."""
    weekly_problem(_setup(templates, option), None, scenario.horizon.interval_minutes,
                   _opening_hours(Calendar.from_scenario(scenario)), bounded, contracts=templates.contracts or None)


def _opening_hours(calendar: Calendar) -> list[OpeningHours]:
    return [None if calendar.opening[weekday] is None else
            (calendar.opening[weekday][0] // 60, calendar.opening[weekday][1] // 60) for weekday in WEEKDAYS]


def _setup(templates: TemplateFile, option: RuleOption):
    """The option's templates; refuses weekend rotations, which the simulator cannot run yet."""
    setup = apply_rules(templates, option.rules)
    contracts = templates.contracts or default_contracts([template.kind for template in setup.templates])
    if rotation_weeks_of(contracts) > 1:
        raise RuleError("weekend rotations over several weeks (weekend_off_every_weeks) can be planned with "
                        "analysis.planning.scheduling.plan_tours but not yet simulated; remove them to plan "
                        "a scenario's roster")
    return setup


def weekly_requirement(requirement: np.ndarray, weekdays: tuple[str, ...],
                       opening: list[OpeningHours]) -> tuple[np.ndarray, dict[str, str]]:
    """The requirement per weekday (Monday first): the most any horizon day of that weekday needs.

    Closed weekdays need nobody. Open weekdays the horizon does not include
    are planned like the horizon's days in turn (a one-day horizon stands for
    every open day), so tours of several days still face a sensible week;
    the second value names each such stand-in.
    """
    weekly = np.zeros((DAYS_PER_WEEK, requirement.shape[1]))
    for day, weekday in enumerate(weekdays):
        index = WEEKDAYS.index(weekday)
        weekly[index] = np.maximum(weekly[index], requirement[day])
    missing = [index for index in range(DAYS_PER_WEEK)
               if WEEKDAYS[index] not in weekdays and opening[index] is not None]
    stand_ins = {}
    for turn, index in enumerate(missing):
        model = turn % len(weekdays)
        weekly[index] = requirement[model]
        stand_ins[WEEKDAYS[index]] = weekdays[model]
    return weekly, stand_ins


def split_between_groups(unit: StaffedUnit, agents: tuple[AgentTour, ...]) -> list[AgentTour]:
    """Agents handed one by one, in roster order, to the group furthest below its share, and renamed
    ``<group>_<number>``."""
    totals = [0] * len(unit.groups)
    result = []
    width = max(3, len(str(len(agents))))
    for handed, tour in enumerate(agents, start=1):
        index = int(np.argmax([share * handed - total for share, total in zip(unit.shares, totals)]))
        totals[index] += 1
        group = unit.groups[index].name
        result.append(AgentTour(f"{group}_{totals[index]:0{width}d}", tour.contract, tour.shifts, group))
    return result


def cost_note(unit: StaffedUnit, costs: PlanningCost | None) -> str:
    if costs is None:
        return "costs: the template file's rates (the scenario's groups have no wages)"
    groups = ", ".join(f"{group.name} {loaded_wage(group):.2f}/h + {group.training_cost_per_agent_day:g}/agent-day"
                       for group in unit.groups)
    mix = f"; planned at the groups' mix: {costs.hourly:.2f}/h + {costs.per_shift:.2f}" if len(unit.groups) > 1 else ""
    return f"costs: the scenario's loaded wages and training ({groups}){mix}; the template file's rates are not used"


def contract_notes(tours: TourPlan) -> list[str]:
    return [f"contract {contract.describe()}: {tours.agents_per_contract()[contract.name]} agents"
            for contract in tours.contracts]


def opening_notes(templates, opening: list[OpeningHours], bounded: bool, tours: TourPlan) -> list[str]:
    """What opening hours did to the plan: starts kept within them (bounded) or paid hours outside them."""
    if not bounded:
        outside = sum(paid_minutes_outside(shift, opening[day % DAYS_PER_WEEK], opening[(day + 1) % DAYS_PER_WEEK])
                      for tour in tours.agents for day, shift in tour.shifts) / 60
        total = tours.paid_hours()
        if outside <= 0:
            return []
        return [f"warning: {outside:,.1f} of {total:,.1f} paid hours ({outside / total:.1%}) fall outside opening "
                "hours (planned with --outside-hours)"]
    days_by_hours: dict[OpeningHours, list[str]] = {}
    for weekday, hours in zip(WEEKDAYS, opening):
        if hours is not None:
            days_by_hours.setdefault(hours, []).append(weekday)
    notes = []
    for template in templates:
        cut = []
        for hours, days in days_by_hours.items():
            kept = allowed_starts(template, hours, True)
            if len(kept) < len(template.start_minutes()):
                cut.append(f"{_weekday_span(days)} {opening_text(hours)}: "
                           + (f"starts {_ranges(kept)}" if kept else "no start fits"))
        if cut:
            notes.append(f"template {template.name!r} ({template.length_hours:g} h, starts "
                         f"{_ranges(template.start_minutes())}) kept within opening hours: " + "; ".join(cut))
    return notes


def _weekday_span(days: list[str]) -> str:
    """``monday-friday`` for consecutive weekdays, else ``monday, wednesday``."""
    indices = [WEEKDAYS.index(day) for day in days]
    if len(days) > 2 and indices == list(range(indices[0], indices[0] + len(days))):
        return f"{days[0]}-{days[-1]}"
    return ", ".join(days)


def _ranges(minutes: list[int]) -> str:
    """``06:00-07:30, 12:00-13:30`` for sorted start times: runs at the smallest step are joined."""
    step = min(np.diff(minutes)) if len(minutes) > 1 else 0
    runs = [[minutes[0]]]
    for minute in minutes[1:]:
        if minute - runs[-1][-1] == step:
            runs[-1].append(minute)
        else:
            runs.append([minute])
    return ", ".join(format_minutes_of_day(run[0]) if len(run) == 1 else
                     f"{format_minutes_of_day(run[0])}-{format_minutes_of_day(run[-1])}" for run in runs)


def write_shift_plan(plan: ShiftPlan, scenario: Scenario, unit: StaffedUnit, directory: str | Path,
                     overtime: OvertimeSettings = OvertimeSettings()) -> Scenario:
    """Write ``roster_agents.csv``, a Gantt chart per group and ``scenario.toml`` using the roster into
    ``directory``; returns the scenario loaded back."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    table = plan.tours.roster_table()
    write_csv(directory / ROSTER_FILE, table)
    fields = {}
    for group in unit.groups:
        tours = [tour for tour in plan.tours.agents if tour.group == group.name]
        figure = plot_roster_gantt(tours, plan.tours.weeks, title=f"{group.name}: {len(tours)} agents "
                                                                  f"({plan.option.label})")
        save_png(figure, directory / f"roster_{group.name}.png")
        fields[group.name] = {"roster_file": ROSTER_FILE}
        if plan.option.overtime:
            fields[group.name]["overtime"] = overtime.fields()
    rules = " + ".join(plan.option.rules + ((OVERTIME,) if plan.option.overtime else ())) or "templates as written"
    return write_scenario_file(directory / "scenario.toml", scenario, fields,
                               name=f"{scenario.name}_{plan.option.label}",
                               description=f"{scenario.name} on planned weekly tours ({rules})")

