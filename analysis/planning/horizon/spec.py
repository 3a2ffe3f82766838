"""Plan files: a horizon of months or weeks over a scenario's typical week.

A plan file is TOML validated with pydantic (unknown keys are errors); every
problem is reported at once with its dotted path, the bad value and what is
allowed::

    name = "baseline_2026"
    scenario = "../baseline.toml"   # the typical week, relative to the plan file
    periods = 12                    # months (or weeks with period = "week")
    start = 2026-01-01
    target = "sl:0.8/20"            # default: the scenario's [service_level]
    hours_per_fte_week = 40
    roster_efficiency = 0.84        # Erlang hours / rostered paid hours

    [demand]
    growth_per_year = 0.05
    seasonality = [1.1, 1.05, 1.0, 0.95, 0.95, 0.9, 0.85, 0.9, 1.0, 1.05, 1.1, 1.15]

    [ai]                            # containment ramps linearly over the periods
    first_period = 1
    last_period = 12
    containment = { billing = { start = 0.0, end = 0.3 } }

    [[groups]]
    name = "generalists"
    headcount = 83
    attrition_per_month = 0.02
    early_attrition_per_month = 0.06
    training_weeks = 4
    learning_curve = { slower = 0.4, weeks = 12 }
    recruiting_cost_per_hire = 2500
    training_cost_per_hire = 3000
    hires = [{ period = 4, count = 10 }]

The scenario's horizon is the typical week: its days are the days the center
opens in a week (at most 7). Details of every field are in the model
docstrings below and in README "Budget planning".
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from analysis.planning.staffing.targets import StaffingTarget, TargetError, parse_targets, scenario_targets
from sim.config import Problem, Scenario, load_scenario
from sim.config.errors import InputError, join_path, nesting_problem, validation_problems
from sim.config.loader import read_toml
from sim.config.types import NonNegativeReal, PositiveCount, PositiveReal

MAX_PERIODS = 120
DAYS_PER_MONTH = 365.25 / 12


class PlanFileError(InputError):
    """A plan that cannot run; ``problems`` lists every issue found."""

    what = "plan"


class _Strict(BaseModel):
    # As in scenario files: numbers finite and written as numbers.
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)


class DemandGrowth(_Strict):
    """Demand of period p = the typical week x (1 + ``growth_per_year``)^(years from the start to the
    period's middle) x ``seasonality`` of the calendar month of the period's middle x ``factors[p]``."""

    growth_per_year: float = Field(0.0, gt=-1, le=10)
    seasonality: list[NonNegativeReal] | None = Field(
        None, description="12 factors, January to December (default all 1).")
    factors: list[NonNegativeReal] | None = Field(None, description="One extra factor per period.")


class Ramp(_Strict):
    start: float = Field(ge=0, le=1)
    end: float = Field(ge=0, le=1)


class AIAdoption(_Strict):
    """AI containment per contact type rising linearly from ``start`` in ``first_period`` to ``end``
    in ``last_period`` (flat before and after). The scenario's give-up share is kept and the rest
    of the AI's contacts are escalated."""

    first_period: PositiveCount = 1
    last_period: PositiveCount | None = Field(None, description="Default: the last period.")
    containment: dict[str, Ramp] = Field(min_length=1)


class LearningCurve(_Strict):
    """New agents handle contacts ``slower`` (0.4 = 40% longer) when they start taking contacts after
    training, falling linearly to 0 over ``weeks``."""

    slower: NonNegativeReal = Field(0.0, le=5)
    weeks: PositiveReal = 12.0


class HiringClass(_Strict):
    period: PositiveCount = Field(description="Period (1 = first) at whose start the class joins.")
    count: int = Field(ge=0)


class GroupPlan(_Strict):
    """Headcount flow of one agent group (the scenario's group of the same name)."""

    name: str
    headcount: NonNegativeReal | None = Field(
        None, description="Employees at the start (default: the scenario's weekly paid hours / hours_per_fte_week).")
    attrition_per_month: float = Field(0.0, ge=0, lt=1)
    early_attrition_per_month: float | None = Field(
        None, ge=0, lt=1, description="Attrition in the first early_tenure_months (default attrition_per_month).")
    early_tenure_months: NonNegativeReal = 3.0
    training_weeks: NonNegativeReal = Field(0.0, le=52, description="Weeks a new hire is paid but not on the phones.")
    learning_curve: LearningCurve = Field(default_factory=LearningCurve)
    recruiting_cost_per_hire: NonNegativeReal = 0.0
    training_cost_per_hire: NonNegativeReal = Field(
        0.0, description="Trainers, material (wages in training are paid anyway).")
    hires: list[HiringClass] = Field(default_factory=list)
    hiring_periods: list[PositiveCount] | None = Field(
        None, description="Periods a class may start in the fewest-hires plan (default: every period).")
    max_class_size: PositiveCount = 500

    @property
    def early_rate(self) -> float:
        return self.attrition_per_month if self.early_attrition_per_month is None else self.early_attrition_per_month


class PlanSpec(_Strict):
    """A validated plan file (``scenario`` already resolved against the file's folder)."""

    name: str = Field(min_length=1)
    description: str = ""
    scenario: str = Field(min_length=1, description="the typical week: a scenario file, relative to the plan file")
    periods: PositiveCount = Field(12, le=MAX_PERIODS)
    period: Literal["month", "week"] = "month"
    start: dt.date = Field(description="First day of the first period (the 1st of a month for months).")
    target: str | None = Field(None, description="e.g. sl:0.8/20 (default: the scenario's [service_level])")
    hours_per_fte_week: PositiveReal = Field(40.0, le=80)
    days_per_fte_week: PositiveReal = Field(5.0, le=7)
    roster_efficiency: float = Field(1.0, gt=0, le=1, description="Erlang requirement hours / rostered paid hours.")
    demand: DemandGrowth = Field(default_factory=DemandGrowth)
    ai: AIAdoption | None = None
    groups: list[GroupPlan] = Field(default_factory=list)

    def group(self, name: str) -> GroupPlan:
        """The plan of a scenario group (defaults when the plan does not list it)."""
        return next((group for group in self.groups if group.name == name), GroupPlan(name=name))


def load_plan_file(path: str | Path) -> tuple[PlanSpec, Scenario, tuple[StaffingTarget, ...]]:
    """Read and validate a plan file and its scenario; raise :class:`PlanFileError` naming every bad field."""
    path = Path(path)
    raw = read_toml(path, PlanFileError)  # a regular UTF-8 file of bounded size, as scenarios are read
    if isinstance(raw.get("scenario"), str) and "\0" not in raw["scenario"]:
        raw["scenario"] = str((path.parent / raw["scenario"]).resolve())
    raw.setdefault("name", path.stem)
    return parse_plan(raw, source=str(path))


def parse_plan(data: dict[str, Any], source: str | None = None,
               scenario: Scenario | None = None) -> tuple[PlanSpec, Scenario, tuple[StaffingTarget, ...]]:
    """Validate a plan given as plain data (and load its scenario unless given)."""
    too_deep = nesting_problem(data)
    if too_deep is not None:
        raise PlanFileError([too_deep], source)
    try:
        spec = PlanSpec.model_validate(data)
    except ValidationError as error:
        raise PlanFileError(validation_problems(error, PlanSpec), source) from None
    if scenario is None:
        if not Path(spec.scenario).exists():
            raise PlanFileError([Problem("scenario", f"{spec.scenario!r} not found")], source)
        scenario = load_scenario(spec.scenario)
    problems = plan_problems(spec, scenario)
    targets: tuple[StaffingTarget, ...] = ()
    try:
        targets = parse_targets(spec.target) if spec.target else scenario_targets(scenario)
    except TargetError as error:
        problems.append(Problem("target", str(error)))
    if problems:
        raise PlanFileError(problems, source)
    return spec, scenario, targets


def plan_problems(spec: PlanSpec, scenario: Scenario) -> list[Problem]:
    """Checks between the plan's fields and against its scenario."""
    problems: list[Problem] = []
    if scenario.horizon.days > 7:
        problems.append(Problem("scenario", f"the scenario simulates {scenario.horizon.days} days; a plan's "
                                            "scenario is its typical week (at most 7 days)"))
    if spec.period == "month" and spec.start.day != 1:
        problems.append(Problem("start", f"{spec.start.isoformat()} is not the first day of a month "
                                         "(monthly periods are calendar months)"))
    problems += _demand_problems(spec)
    problems += _ai_problems(spec, scenario)
    problems += _group_problems(spec, scenario)
    return problems


def _demand_problems(spec: PlanSpec) -> list[Problem]:
    found = []
    if spec.demand.seasonality is not None and len(spec.demand.seasonality) != 12:
        found.append(Problem("demand.seasonality",
                             f"has {len(spec.demand.seasonality)} entries; give 12 (January to December)"))
    if spec.demand.factors is not None and len(spec.demand.factors) != spec.periods:
        found.append(Problem("demand.factors",
                             f"has {len(spec.demand.factors)} entries; give one per period ({spec.periods})"))
    return found


def _ai_problems(spec: PlanSpec, scenario: Scenario) -> list[Problem]:
    adoption = spec.ai
    if adoption is None:
        return []
    if scenario.ai is None:
        return [Problem("ai", "the scenario has no [ai] section to ramp up")]
    found = []
    last = adoption.last_period or spec.periods
    for key, value in (("first_period", adoption.first_period), ("last_period", last)):
        if value > spec.periods:
            found.append(Problem(join_path("ai", key), f"{value} is beyond the {spec.periods} periods"))
    if adoption.first_period > last:
        found.append(Problem("ai.last_period", f"{last} is before first_period ({adoption.first_period})"))
    for name, ramp in adoption.containment.items():
        where = join_path("ai", "containment", name)
        outcome = scenario.ai.contact_types.get(name)
        if outcome is None:
            known = ", ".join(scenario.ai.contact_types)
            found.append(Problem(where, f"{name!r} is not a contact type the AI handles (known: {known})"))
            continue
        room = 1.0 - outcome.give_up_probability
        for key in ("start", "end"):
            if getattr(ramp, key) > room + 1e-9:
                found.append(Problem(join_path(where, key), f"{getattr(ramp, key):g} leaves no room for the scenario's "
                                                            f"give-up share ({1 - room:g}); at most {room:g}"))
    return found


def _group_problems(spec: PlanSpec, scenario: Scenario) -> list[Problem]:
    found = []
    known = [group.name for group in scenario.agent_groups]
    seen: set[str] = set()
    for index, group in enumerate(spec.groups):
        where = join_path("groups", index)
        if group.name not in known:
            found.append(Problem(join_path(where, "name"),
                                 f"{group.name!r} is not an agent group of the scenario (known: {', '.join(known)})"))
        if group.name in seen:
            found.append(Problem(join_path(where, "name"), f"{group.name!r} is planned twice"))
        seen.add(group.name)
        for position, hiring in enumerate(group.hires):
            if hiring.period > spec.periods:
                found.append(Problem(join_path(where, "hires", position, "period"),
                                     f"{hiring.period} is beyond the {spec.periods} periods"))
        for position, period in enumerate(group.hiring_periods or []):
            if period > spec.periods:
                found.append(Problem(join_path(where, "hiring_periods", position),
                                     f"{period} is beyond the {spec.periods} periods"))
    return found
