"""Evaluate initiatives alone and together against the baseline, on common random numbers.

Every variant (the baseline, each initiative alone, the listed combinations
and, unless switched off, all of them together) is the baseline scenario
with the initiatives' changes (:mod:`.changes`). With ``staffing =
"replan"`` each variant is staffed to the same service level: its Erlang A
interval requirement (as ``ccsim plan`` works it out) times the factor
whose simulated service level over the week meets the target (found from
two simulations, then simulated; retrials, repeat contacts and overflow
count), so an initiative that shortens handle time saves the agent hours it
no longer needs; with ``"keep"`` the scenario's own staffing stays and the
gain shows as service and customer value. Every variant's typical
week is simulated with the same seed and replication numbers, so replication
``r`` of each variant sees the same customers and two identical variants
differ by exactly 0.

Per replication and month ``m`` (``d`` days, demand factor ``f`` of the plan;
without a plan months of 30.44 days and ``f = 1``), the full effect is

* savings = (baseline weekly cost - variant weekly cost) x d / 7 x f, where
  with re-planned staffing the labor cost (wages, on-costs, training) is
  divided by the roster efficiency (the plan's, plus an initiative's change);
* customer value = (variant value kept - baseline value kept) x d / 365.25 x f
  (value kept is a year's figure, :mod:`analysis.metrics.value`);
* workforce (initiatives changing attrition; needs a plan): the plan's
  monthly labor and hiring cost with the fewest hires meeting the baseline
  requirement, baseline attrition minus changed attrition.

The gain of month ``m`` is the full effect times the share of the effect
reached (:func:`.finance.ramp_shares`; for a combination the members' shares
weighted by their own gains). ROI, payback month and NPV follow
(:mod:`.finance`), each per replication, with Student t 95% CIs.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from analysis.metrics.stats import Estimate, estimate
from analysis.planning.horizon import load_plan_file, parse_plan, run_plan
from analysis.planning.horizon.costs import GROUP_COMPONENTS, group_costs
from analysis.planning.horizon.hiring import fewest_hires
from analysis.planning.horizon.plan import PlanResult, cost_per_hire
from analysis.planning.horizon.requirements import ServiceCache, period_week
from analysis.planning.horizon.simulation import SimulationSettings, open_runner, scale_to_target, simulate_weeks
from analysis.planning.horizon.spec import DAYS_PER_MONTH, GroupPlan, PlanSpec
from analysis.planning.horizon.workforce import cohort_table, group_flow
from analysis.planning.staffing import StaffingTarget
from analysis.planning.staffing.targets import TargetError, parse_targets, scenario_targets
from analysis.runs.experiment import ReplicationOutput
from sim.config import Problem, Scenario, load_scenario
from sim.config.errors import join_path

from .changes import apply_changes
from .finance import CashFlows, npv, payback_month, ramp_shares, recurring_costs, roi
from .spec import Changes, Initiative, InitiativesFileError, InitiativesSpec

BASELINE = "baseline"
ALL = "all"
DEFAULT_DISCOUNT_RATE = 0.08
LABOR_COMPONENTS = ("wages", "on_costs", "training")


@dataclass(frozen=True)
class Variant:
    label: str
    members: tuple[Initiative, ...]
    scenario: Scenario
    roster_efficiency: float
    attrition_factor: float


@dataclass(frozen=True)
class Months:
    labels: tuple[str, ...]
    days: np.ndarray
    factors: np.ndarray


@dataclass
class Prepared:
    spec: InitiativesSpec
    baseline: Scenario
    targets: tuple[StaffingTarget, ...]
    variants: list[Variant]
    months: Months
    discount_rate: float
    plan: PlanSpec | None = None


@dataclass
class VariantResult:
    variant: Variant
    outputs: list[ReplicationOutput]
    weekly_cost: np.ndarray        # per replication, labor adjusted for the roster efficiency
    value_kept: np.ndarray         # per replication, a year
    agent_hours: float             # paid in-house agent hours of the simulated week
    staffing_scale: float          # re-planned: the multiple of the Erlang requirement meeting the target
    flows: list[CashFlows] = field(default_factory=list)
    savings: np.ndarray = field(default_factory=lambda: np.zeros(0))      # per replication, over the horizon
    value: np.ndarray = field(default_factory=lambda: np.zeros(0))
    workforce: float = 0.0
    ramp: np.ndarray = field(default_factory=lambda: np.zeros(0))


@dataclass
class Evaluation:
    prepared: Prepared
    results: dict[str, VariantResult]
    wall_seconds: float = 0.0

    def estimate(self, label: str, measure: str) -> Estimate:
        """95% CI over replications of ``roi``, ``npv``, ``payback_month``, ``gain``, ``savings``, ``value``."""
        result = self.results[label]
        rate = self.prepared.discount_rate
        values = {"roi": [roi(f) for f in result.flows], "npv": [npv(f, rate) for f in result.flows],
                  "payback_month": [payback_month(f) for f in result.flows],
                  "gain": [f.total_gain for f in result.flows], "savings": result.savings, "value": result.value,
                  "weekly_saving": self.results[BASELINE].weekly_cost - result.weekly_cost}[measure]
        return estimate(values)

    def ranked(self) -> list[str]:
        """Variants other than the baseline, best NPV first."""
        labels = [label for label in self.results if label != BASELINE]
        return sorted(labels, key=lambda label: -np.nan_to_num(self.estimate(label, "npv").mean, nan=-math.inf))


# --- preparation --------------------------------------------------------------------------------

def prepare(spec: InitiativesSpec, source: str | None = None) -> Prepared:
    """Load the baseline (and plan), build every variant; raise :class:`InitiativesFileError` naming every problem."""
    problems: list[Problem] = []
    plan_spec, targets = None, ()
    if spec.scenario is not None and not Path(spec.scenario).exists():
        raise InitiativesFileError([Problem("scenario", f"{spec.scenario!r} not found")], source)
    if spec.plan is not None and not Path(spec.plan).exists():
        raise InitiativesFileError([Problem("plan", f"{spec.plan!r} not found")], source)
    if spec.plan is not None:
        plan_spec, plan_scenario, targets = load_plan_file(spec.plan)
        baseline = load_scenario(spec.scenario) if spec.scenario is not None else plan_scenario
        if spec.scenario is not None:
            plan_spec, baseline, targets = parse_plan(plan_spec.model_dump(mode="python"), spec.plan, baseline)
        if plan_spec.period != "month":
            problems.append(Problem("plan", "the plan must be in months (period = \"month\")"))
        if spec.months is not None and spec.months > plan_spec.periods:
            problems.append(Problem("months", f"{spec.months} is beyond the plan's {plan_spec.periods} months"))
    else:
        baseline = load_scenario(spec.scenario)
    if spec.baseline_changes != Changes():
        changed, found = apply_changes(baseline, spec.baseline_changes, replan=spec.staffing == "replan")
        problems += [Problem(join_path("baseline_changes", problem.path), problem.message) for problem in found]
        baseline = changed or baseline
        if spec.baseline_changes.changes_workforce or spec.baseline_changes.roster_efficiency:
            problems.append(Problem("baseline_changes", "change the plan file for attrition and roster efficiency"))
    try:
        targets = parse_targets(spec.target) if spec.target else (targets or scenario_targets(baseline))
    except TargetError as error:
        problems.append(Problem("target", str(error)))
    if spec.staffing == "replan" and targets and not any(t.kind == "service_level" for t in targets):
        problems.append(Problem("target", "staffing = \"replan\" staffs every variant to a service level target "
                                          "(sl:SHARE/SECONDS)"))
    variants, found = build_variants(spec, baseline, plan_spec)
    problems += found
    if problems:
        raise InitiativesFileError(problems, source)
    months = _months(spec, plan_spec)
    rate = spec.discount_rate if spec.discount_rate is not None else (
        baseline.value.discount_rate if baseline.value is not None else DEFAULT_DISCOUNT_RATE)
    return Prepared(spec, baseline, tuple(targets), variants, months, rate, plan_spec)


def build_variants(spec: InitiativesSpec, baseline: Scenario,
                   plan: PlanSpec | None) -> tuple[list[Variant], list[Problem]]:
    problems: list[Problem] = []
    by_name: dict[str, Initiative] = {}
    for index, initiative in enumerate(spec.initiatives):
        if initiative.name in (BASELINE, ALL) or initiative.name in by_name:
            problems.append(Problem(join_path("initiatives", index, "name"),
                                    f"{initiative.name!r} is used twice or reserved ({BASELINE}, {ALL})"))
        by_name[initiative.name] = initiative
        if initiative.changes.changes_workforce and plan is None:
            problems.append(Problem(join_path("initiatives", index, "changes", "attrition"),
                                    "needs a plan (headcount and attrition rates come from it)"))
        if spec.months is not None and initiative.start_month > spec.months:
            problems.append(Problem(join_path("initiatives", index, "start_month"),
                                    f"{initiative.start_month} is beyond the {spec.months} months"))
    groups: list[tuple[str, tuple[Initiative, ...], str]] = [(BASELINE, (), "")]
    groups += [(initiative.name, (initiative,), join_path("initiatives", index))
               for index, initiative in enumerate(spec.initiatives)]
    for index, names in enumerate(spec.combinations):
        unknown = [name for name in names if name not in by_name]
        for name in unknown:
            problems.append(Problem(join_path("combinations", index), f"{name!r} is not an initiative"))
        if len(set(names)) < 2:
            problems.append(Problem(join_path("combinations", index), "name at least two different initiatives"))
        elif not unknown:
            groups.append(("+".join(names), tuple(by_name[name] for name in names), join_path("combinations", index)))
    if spec.all_together and len(spec.initiatives) > 1:
        groups.append((ALL, tuple(spec.initiatives), "all_together"))
    variants = []
    efficiency = plan.roster_efficiency if plan is not None else 1.0
    for label, members, where in groups:
        scenario, found = baseline, []
        for member in members:
            scenario, own = apply_changes(scenario, member.changes, replan=spec.staffing == "replan")
            found += own
            if scenario is None:
                break
        member_path = where if len(members) <= 1 else where + f" ({label})"
        problems += [Problem(join_path(member_path, "changes", problem.path) if len(members) == 1
                             else member_path, problem.message) for problem in found]
        if scenario is None:
            continue
        roster = min(max(efficiency + sum(m.changes.roster_efficiency for m in members), 1e-3), 1.0)
        attrition = float(np.prod([1.0 + m.changes.attrition for m in members]))
        variants.append(Variant(label, members, scenario, roster, attrition))
    return variants, problems


def _months(spec: InitiativesSpec, plan: PlanSpec | None) -> Months:
    if plan is None:
        count = spec.months or 12
        return Months(tuple(f"M{month}" for month in range(1, count + 1)), np.full(count, DAYS_PER_MONTH),
                      np.ones(count))
    from analysis.planning.horizon.periods import demand_factors, plan_periods

    periods = plan_periods(plan)
    count = spec.months or plan.periods
    return Months(periods.labels[:count], periods.days[:count], demand_factors(plan, periods)[:count])


# --- evaluation ---------------------------------------------------------------------------------

def evaluate(prepared: Prepared, settings: SimulationSettings) -> Evaluation:
    started = time.perf_counter()
    spec = prepared.spec
    scales: list[float] = [math.nan] * len(prepared.variants)
    variants = len(prepared.variants)
    with open_runner(settings, spec.name, variants * settings.replications) as runner:
        if spec.staffing == "replan":
            target = next(t for t in prepared.targets if t.kind == "service_level")
            weeks = [period_week(variant.scenario, prepared.targets) for variant in prepared.variants]
            scaled = scale_to_target(runner, weeks, target.value, settings,
                                     ServiceCache(float(target.threshold_seconds)))
            runs, scales = scaled.outputs, scaled.scales
        else:
            runs = simulate_weeks(runner, [variant.scenario for variant in prepared.variants], settings, "variants")
    results = {}
    for variant, outputs, scale in zip(prepared.variants, runs, scales):
        hours = float(np.mean([output.kpis["agents_paid_hours"] for output in outputs]))
        results[variant.label] = VariantResult(variant, outputs, _weekly_cost(outputs, variant, spec.staffing),
                                               _value(outputs), hours, scale)
    evaluation = Evaluation(prepared, results)
    workforce = _workforce_savings(prepared)
    _cash_flows(evaluation, workforce)
    evaluation.wall_seconds = time.perf_counter() - started
    return evaluation


def _weekly_cost(outputs: list[ReplicationOutput], variant: Variant, staffing: str) -> np.ndarray:
    costs = []
    for output in outputs:
        total = output.kpis["total_cost"]
        if staffing == "replan":
            labor = sum(output.costs.get(name, 0.0) for name in LABOR_COMPONENTS)
            total += labor / variant.roster_efficiency - labor
        costs.append(total)
    return np.array(costs)


def _value(outputs: list[ReplicationOutput]) -> np.ndarray:
    return np.array([output.kpis.get("value_kept", 0.0) for output in outputs])


def _workforce_savings(prepared: Prepared) -> dict[float, np.ndarray]:
    """Monthly labor and hiring cost saved against the baseline, per attrition factor in use."""
    factors = {variant.attrition_factor for variant in prepared.variants if variant.attrition_factor != 1.0}
    count = len(prepared.months.days)
    if not factors or prepared.plan is None:
        return {}
    result = run_plan(prepared.plan, prepared.baseline, prepared.targets)
    base = plan_labor_costs(result, 1.0)[:count]
    return {factor: base - plan_labor_costs(result, factor)[:count] for factor in factors}


def plan_labor_costs(result: PlanResult, attrition_factor: float) -> np.ndarray:
    """Monthly labor and hiring cost of the fewest hires meeting the plan's requirement, attrition scaled."""
    spec, periods = result.spec, result.periods
    total = np.zeros(len(periods))
    tables = {}
    for group in result.scenario.agent_groups:
        own = _scaled_attrition(spec.group(group.name), attrition_factor)
        tables[group.name] = cohort_table(own, periods)
    costs = cost_per_hire(spec, result.scenario, tables, periods)
    for group in result.scenario.agent_groups:
        own = _scaled_attrition(spec.group(group.name), attrition_factor)
        hires = fewest_hires(own, tables[group.name], result.initial[group.name], result.required[group.name],
                             costs[group.name]).hires
        flow = group_flow(own, tables[group.name], result.initial[group.name], hires)
        components = group_costs(group, own, flow, periods, spec)
        total += sum(components[name] for name in GROUP_COMPONENTS)
    return total


def _scaled_attrition(group: GroupPlan, factor: float) -> GroupPlan:
    return group.model_copy(update={
        "attrition_per_month": min(group.attrition_per_month * factor, 0.99),
        "early_attrition_per_month": min(group.early_rate * factor, 0.99)})


def _cash_flows(evaluation: Evaluation, workforce: dict[float, np.ndarray]) -> None:
    prepared = evaluation.prepared
    months = prepared.months
    base = evaluation.results[BASELINE]
    count = len(months.days)
    operations = months.days / 7.0 * months.factors
    value_share = months.days / 365.25 * months.factors
    alone: dict[str, float] = {}
    for label, result in evaluation.results.items():
        saving = (base.weekly_cost - result.weekly_cost)[:, None] * operations[None, :]
        value = (result.value_kept - base.value_kept)[:, None] * value_share[None, :]
        labor = workforce.get(result.variant.attrition_factor, np.zeros(count))
        full = saving + value + labor[None, :]
        members = result.variant.members
        shares = [ramp_shares(member.start_month, member.ramp_weeks, months.days) for member in members]
        weights = [abs(alone.get(member.name, 1.0)) for member in members]
        if len(members) == 1:
            alone[label] = float(full.mean(axis=0).sum())
        ramp = (np.average(shares, axis=0, weights=weights) if members and sum(weights) > 0
                else (np.mean(shares, axis=0) if members else np.zeros(count)))
        recurring = sum((recurring_costs(m.recurring_per_month, m.start_month, count) for m in members),
                        np.zeros(count))
        investment = sum(member.investment for member in members)
        result.ramp = ramp
        result.flows = [CashFlows(investment, row * ramp, recurring) for row in full]
        result.savings = (saving * ramp).sum(axis=1)
        result.value = (value * ramp).sum(axis=1)
        result.workforce = float((labor * ramp).sum())
