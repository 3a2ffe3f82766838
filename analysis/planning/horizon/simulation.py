"""``ccsim plan --simulate``: one representative week per period, simulated on common random numbers.

Every simulation of every period uses the same seed and replication
numbers, so staffing levels within a period are compared on the same
customers. Staffing is the Erlang A interval requirement of each unit (see
:mod:`.requirements`) scaled by a factor ``k`` and rounded, as a headcount
profile per group. Per period:

1. simulate ``k = 1`` (the Erlang requirement) and the plan file's own
   staffing (each unit scaled by its available / required FTE);
2. guess the ``k`` whose service level over the week meets the target,
   from the simulated level at ``k = 1`` and Erlang's slope, and simulate it;
3. the requirement is ``k*`` x the Erlang requirement, ``k*`` interpolated
   (or extrapolated, within 0.5-2) between the two simulated points on the
   mean service level over replications;
4. the fewest-hires plan for that requirement is simulated too.

Service level, abandonment, AI and vendor costs of both plans then come from
their simulations (mean and 95% CI over replications).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from analysis.metrics.stats import estimate
from analysis.planning.staffing import headcount_for_agents, with_headcount
from analysis.runs.execution import ExecutionPlan
from analysis.runs.experiment import ReplicationOutput, ReplicationTask, run_replication
from analysis.runs.runner import Runner
from sim.config import Scenario

from .costs import WeeklyChannelCosts
from .requirements import PeriodWeek, Service, ServiceCache, predicted_service, staffing_scale

K_RANGE = (0.5, 2.0)
GUESS_RANGE = (0.7, 1.3)
SLOPE_STEP = 0.05


@dataclass(frozen=True)
class SimulationSettings:
    replications: int = 10
    seed: int = 0
    plan: ExecutionPlan = ExecutionPlan()
    show_progress: bool = True


def staffed_scenario(week: PeriodWeek, scales: Sequence[float]) -> Scenario:
    """The period's week with each unit staffed at ``scale`` x its Erlang requirement (agents rounded)."""
    scenario = week.scenario
    for unit_week, scale in zip(week.units, scales):
        agents = np.floor(unit_week.agents * scale + 0.5).astype(int)
        scenario = with_headcount(scenario, unit_week.unit, headcount_for_agents(unit_week.unit, agents))
    return scenario


def open_runner(settings: SimulationSettings, description: str, expected_tasks: int) -> Runner:
    """One runner (workers started once) for every batch of simulated weeks of a command."""
    return Runner(settings.plan, description, unit="week", show_progress=settings.show_progress,
                  expected_tasks=expected_tasks)


def simulate_weeks(runner: Runner, scenarios: list[Scenario], settings: SimulationSettings,
                   note: str) -> list[list[ReplicationOutput]]:
    """Replications of every scenario on the same seed and replication numbers."""
    reps = settings.replications
    tasks = [ReplicationTask(scenario, settings.seed, replication)
             for scenario in scenarios for replication in range(reps)]
    runner.note(note)
    found = runner.run_all(run_replication, tasks)
    return [found[start:start + reps] for start in range(0, len(tasks), reps)]


def mean_kpi(outputs: list[ReplicationOutput], name: str) -> float:
    return float(np.nanmean([output.kpis[name] for output in outputs]))


def interpolate_scale(points: list[tuple[float, float]], target: float) -> float:
    """The ``k`` where the line through two (k, service level) points reaches ``target``, within K_RANGE."""
    (k1, s1), (k2, s2) = points
    if k1 == k2 or s1 == s2 or np.isnan(s1) or np.isnan(s2):
        return float(np.clip(k1 if s1 >= target else max(k1, k2), *K_RANGE))
    return float(np.clip(k1 + (target - s1) * (k2 - k1) / (s2 - s1), *K_RANGE))


def simulated_service(outputs: list[ReplicationOutput]) -> tuple[Service, tuple[float, float]]:
    level = estimate([output.kpis["service_level"] for output in outputs])
    return (Service(level.mean, mean_kpi(outputs, "abandon_rate"), mean_kpi(outputs, "offered_to_queue")),
            (level.low, level.high))


def simulated_channels(outputs: list[ReplicationOutput], fixed: float) -> WeeklyChannelCosts:
    return WeeklyChannelCosts(ai=float(np.mean([output.costs["ai"] for output in outputs])), vendor_usage={},
                              fixed=fixed, vendors_simulated=float(np.mean([o.costs["vendors"] for o in outputs])))


def simulate_plan(result, tables, given_hires, settings: SimulationSettings) -> None:
    """Fill ``result`` (a :class:`.plan.PlanResult` evaluated by Erlang A) from simulations."""
    from .plan import evaluate_hiring, fewest_hires_plan  # the plan module imports this one lazily

    target = next((t.value for t in result.targets if t.kind == "service_level"), None)
    if target is None:
        raise ValueError("--simulate needs a service level target (sl:SHARE/SECONDS)")
    weeks: list[PeriodWeek] = result.weeks
    given = result.plans["given"]
    erlang_scales = [[staffing_scale(unit, given.available(index), _required(result, index)) for unit in week.units]
                     for index, week in enumerate(weeks)]
    with open_runner(settings, "plan", 2 * len(weeks) * settings.replications) as runner:
        first = simulate_weeks(runner, [staffed_scenario(week, [1.0] * len(week.units)) for week in weeks]
                               + [staffed_scenario(week, scales) for week, scales in zip(weeks, erlang_scales)],
                               settings, "Erlang staffing and the plan file's")
        at_one, given_runs = first[:len(weeks)], first[len(weeks):]
        cache = ServiceCache(_threshold(result))
        guesses = [_guess(week, mean_kpi(outputs, "service_level"), target, cache)
                   for week, outputs in zip(weeks, at_one)]
        second = simulate_weeks(runner, [staffed_scenario(week, [k] * len(week.units))
                                         for week, k in zip(weeks, guesses)], settings, "requirement check")
        scales = [interpolate_scale([(1.0, mean_kpi(a, "service_level")), (k, mean_kpi(b, "service_level"))], target)
                  for a, k, b in zip(at_one, guesses, second)]
        result.required = {name: values * np.array(scales) for name, values in result.erlang_required.items()}
        fixed = [week.scenario.costs.fixed_per_day * week.scenario.horizon.days for week in weeks]
        _fill(given, given_runs, fixed)
        hires = fewest_hires_plan(result, tables)
        fewest = evaluate_hiring(result, tables, hires, "fewest_hires", given.weekly_channels)
        fewest_scales = [[staffing_scale(unit, fewest.available(index), _required(result, index))
                          for unit in week.units] for index, week in enumerate(weeks)]
        fewest_runs = simulate_weeks(runner, [staffed_scenario(week, s) for week, s in zip(weeks, fewest_scales)],
                                     settings, "fewest-hires plan")
    _fill(fewest, fewest_runs, fixed)
    result.plans["fewest_hires"] = fewest
    result.method = "simulation"
    result.simulation = {
        "replications": settings.replications, "seed": settings.seed,
        "scale_checked": guesses, "scale_required": scales,
        "service_level_at_erlang": [mean_kpi(outputs, "service_level") for outputs in at_one],
        "service_level_at_check": [mean_kpi(outputs, "service_level") for outputs in second],
    }


@dataclass(frozen=True)
class ScaledWeeks:
    """Weeks staffed at the multiple ``scales[i]`` of their Erlang requirement that meets the target
    in simulation, with the replications at that staffing and the two levels tried to find it."""

    scales: list[float]
    outputs: list[list[ReplicationOutput]]
    tried: list[list[tuple[float, float]]]  # (k, mean simulated service level) per week


def scale_to_target(runner: Runner, weeks: list[PeriodWeek], target: float, settings: SimulationSettings,
                    cache: ServiceCache) -> ScaledWeeks:
    """Staff each week so that its mean simulated service level over replications meets ``target``:
    simulate k = 1 and a guess from Erlang's slope, interpolate, and simulate the result."""
    at_one = simulate_weeks(runner, [staffed_scenario(week, [1.0] * len(week.units)) for week in weeks], settings,
                            "Erlang staffing")
    guesses = [_guess(week, mean_kpi(outputs, "service_level"), target, cache) for week, outputs in zip(weeks, at_one)]
    checks = simulate_weeks(runner, [staffed_scenario(week, [k] * len(week.units)) for week, k in zip(weeks, guesses)],
                            settings, "staffing check")
    tried = [[(1.0, mean_kpi(a, "service_level")), (k, mean_kpi(b, "service_level"))]
             for a, k, b in zip(at_one, guesses, checks)]
    scales = [interpolate_scale(points, target) for points in tried]
    final = simulate_weeks(runner, [staffed_scenario(week, [k] * len(week.units)) for week, k in zip(weeks, scales)],
                           settings, "staffed to the target")
    return ScaledWeeks(scales, final, tried)


def _required(result, index: int) -> dict[str, float]:
    return {name: float(values[index]) for name, values in result.erlang_required.items()}


def _threshold(result) -> float:
    from .plan import service_threshold as threshold

    return threshold(result.targets, result.scenario)


def _guess(week: PeriodWeek, simulated: float, target: float, cache: ServiceCache) -> float:
    """Where the target should be, from the simulated level at k = 1 and Erlang's slope there."""
    units = len(week.units)
    at_one = predicted_service(week, [1.0] * units, cache).service_level
    below = predicted_service(week, [1.0 - SLOPE_STEP] * units, cache).service_level
    slope = (at_one - below) / SLOPE_STEP
    if not slope > 0 or np.isnan(simulated):
        return 1.0 - SLOPE_STEP
    guess = 1.0 + (target - simulated) / slope
    if abs(guess - 1.0) < SLOPE_STEP / 2:  # too close to k = 1 to read a slope from two simulations
        guess = 1.0 - SLOPE_STEP if simulated >= target else 1.0 + SLOPE_STEP
    return float(np.clip(guess, *GUESS_RANGE))


def _fill(plan, runs: list[list[ReplicationOutput]], fixed: list[float]) -> None:
    services = [simulated_service(outputs) for outputs in runs]
    plan.service = [service for service, _ in services]
    plan.service_intervals = [interval for _, interval in services]
    plan.weekly_channels = [simulated_channels(outputs, cost) for outputs, cost in zip(runs, fixed)]
