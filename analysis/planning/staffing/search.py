"""Simulation-based staffing: the cheapest headcount per interval whose simulated KPIs meet the targets.

The analytic view treats intervals as independent stationary queues. In a
simulated day they are not: contacts waiting at the end of an interval and
agents still busy carry over, customers abandon and retry, the AI hands
contacts back late and vendors take overflow. This search staffs against the
simulator itself.

* Start from the Erlang A requirement (agents on the phones per interval).
* Every round simulates the current plan with the *same* replications
  (common random numbers: the same customers every round, so a change in
  the KPIs is caused by the change in staffing, not by noise).
* Per-interval scope: an interval fails when the one-sided confidence bound
  of its KPI misses the target (:mod:`.evaluation`). Failing intervals get
  one more agent. When every interval passes, intervals with slack lose one
  agent, in batches of non-adjacent intervals; if that breaks an interval,
  the removal at or most recently before it is blamed (an interval can only
  be hurt by staffing at or before it: later intervals depend on earlier
  ones, never the reverse) and put back, and that interval is not trimmed
  below that level again.
* Daily scope: the whole day's KPI must meet the target. Agents are added
  where the Erlang A model predicts the largest gain and removed where it
  predicts the smallest loss, in batches sized by the simulated shortfall or
  slack; a batch that breaks the target is undone and the next is halved.
* The cheapest plan that passed is confirmed on fresh replications
  (replication numbers the search never used) and reported as it did there.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from analysis.runs.execution import ExecutionPlan
from sim.config import Scenario

from .analytic import analytic_agents
from .evaluation import Evaluation, SimulationRunner
from .marginal import MAX_STEP, MarginalModel
from .options import SCOPES
from .plans import headcount_for_agents, with_headcount
from .targets import StaffingTarget
from .units import StaffedUnit, StaffingError
from .workload import Workload

Scope = Literal["interval", "daily"]


@dataclass(frozen=True)
class SearchSettings:
    """How hard to look and how sure to be.

    ``replications`` per round (the same ones every round); ``confidence`` of
    the one-sided bound; ``confirmation_replications`` fresh ones at the end
    (default: as many as the search used). ``workers`` local processes, or
    ``scheduler``, the address of a Dask cluster; neither changes the result.
    """

    replications: int = 10
    confidence: float = 0.95
    scope: Scope = "interval"
    seed: int = 0
    confirmation_replications: int | None = None
    max_rounds: int = 60
    workers: int | None = None
    scheduler: str | None = None
    show_progress: bool = True
    execution: ExecutionPlan | None = None  # wins over workers and scheduler (e.g. with Dask timeouts)

    def execution_plan(self) -> ExecutionPlan:
        return self.execution or ExecutionPlan(workers=self.workers, scheduler=self.scheduler)

    def __post_init__(self) -> None:
        if self.replications < 2:
            raise StaffingError("simulation-based staffing needs at least 2 replications for a confidence bound")
        if not 0.5 <= self.confidence < 1:
            raise StaffingError(f"confidence must be in [0.5, 1), got {self.confidence!r}")
        if self.scope not in SCOPES:
            raise StaffingError(f"scope must be one of {', '.join(SCOPES)}, got {self.scope!r}")


@dataclass(frozen=True)
class SearchRound:
    """One simulated plan: what was done to reach it and how it fared."""

    round: int
    phase: str
    agent_intervals: int
    failing: int
    simulations: int
    seconds: float

    def describe(self, scope: str) -> str:
        unit = "interval(s)" if scope == "interval" else "day(s)"
        return (f"round {self.round:>2} {self.phase:<6} {self.agent_intervals:>5} agent-intervals, "
                f"{self.failing:>2} {unit} failing, {self.simulations} simulations, {self.seconds:.0f} s")


@dataclass
class SearchResult:
    """The plan found (agents on the phones and headcount per day and interval) and how it was found."""

    agents: np.ndarray
    headcount: np.ndarray
    start_agents: np.ndarray
    evaluation: Evaluation
    confirmation: Evaluation
    rounds: list[SearchRound]
    simulations: int
    wall_seconds: float
    converged: bool
    settings: SearchSettings
    targets: tuple[StaffingTarget, ...]
    messages: list[str] = field(default_factory=list)

    def confirmed(self) -> np.ndarray:
        """Per interval (or day): True where the fresh replications meet every target at the stated confidence."""
        return ~self.confirmation.failing(self.targets, self.settings.confidence, self.settings.scope)


def simulation_staffing(scenario: Scenario, unit: StaffedUnit, targets: Sequence[StaffingTarget],
                        settings: SearchSettings = SearchSettings(), workload: Workload | None = None,
                        on_round: Callable[[SearchRound], None] | None = None) -> SearchResult:
    """Search for the cheapest plan meeting ``targets`` in simulation (see the module docstring)."""
    workload = workload if workload is not None else unit.workload(scenario)
    if not (workload.offered_load() > 0).any():
        raise StaffingError(f"no contacts reach {unit.label!r}; nothing to staff")
    start, _ = analytic_agents(workload, targets, "erlang-a")
    started = time.perf_counter()
    with SimulationRunner.for_settings(settings, f"staffing {unit.label}") as runner:
        search = _Search(scenario, unit, tuple(targets), settings, workload, runner, started, on_round)
        if settings.scope == "interval":
            converged = search.per_interval(start.ravel())
        else:
            converged = search.daily(start.ravel())
        if search.best is None:
            raise StaffingError(f"no plan met {', '.join(t.label for t in targets)} within {settings.max_rounds} "
                                "rounds; the target may be out of reach (see the failing intervals)")
        best_agents, best_evaluation = search.best
        confirmation_count = settings.confirmation_replications or settings.replications
        fresh = range(settings.replications, settings.replications + confirmation_count)
        runner.note("confirming on fresh replications")
        confirmation = runner.evaluate(search.scenario_for(best_agents), settings.seed, fresh, unit.judged_types,
                                       targets, with_kpis=True)
        simulations = runner.simulations
    shape = workload.volume.shape
    agents = best_agents.reshape(shape)
    messages = [] if converged else [f"stopped after {settings.max_rounds} rounds before the search settled; "
                                     "the cheapest plan that met the targets is reported"]
    return SearchResult(agents, headcount_for_agents(unit, agents), start, best_evaluation, confirmation,
                        search.rounds, simulations, time.perf_counter() - started, converged, settings,
                        tuple(targets), messages)


class _Search:
    """State of one search: the replications it reuses, the rounds so far and the cheapest passing plan."""

    def __init__(self, scenario: Scenario, unit: StaffedUnit, targets: tuple[StaffingTarget, ...],
                 settings: SearchSettings, workload: Workload, runner: SimulationRunner, started: float,
                 on_round: Callable[[SearchRound], None] | None) -> None:
        self.scenario, self.unit, self.targets, self.settings = scenario, unit, targets, settings
        self.workload, self.runner, self.started, self.on_round = workload, runner, started, on_round
        self.rounds: list[SearchRound] = []
        self.best: tuple[np.ndarray, Evaluation] | None = None
        self._best_cost = math.inf
        self._interval_hours = workload.interval_seconds / 3600.0
        self.model = MarginalModel(workload, targets)
        self.minimum = workload.minimum_agents().ravel()  # what the backlog work needs, whatever the queue

    # --- simulation ------------------------------------------------------------------------

    def scenario_for(self, agents: np.ndarray) -> Scenario:
        headcount = headcount_for_agents(self.unit, agents.reshape(self.workload.volume.shape))
        return with_headcount(self.scenario, self.unit, headcount)

    def evaluate(self, agents: np.ndarray, phase: str) -> Evaluation:
        evaluation = self.runner.evaluate(self.scenario_for(agents), self.settings.seed,
                                          range(self.settings.replications), self.unit.judged_types, self.targets)
        failing = int(evaluation.failing(self.targets, self.settings.confidence, self.settings.scope).sum())
        record = SearchRound(len(self.rounds) + 1, phase, int(agents.sum()), failing, self.runner.simulations,
                             time.perf_counter() - self.started)
        self.rounds.append(record)
        self.runner.note(f"round {record.round} {phase}: {record.agent_intervals} agent-intervals, {failing} failing")
        if self.on_round is not None:
            self.on_round(record)
        return evaluation

    def keep_if_cheapest(self, agents: np.ndarray, evaluation: Evaluation) -> None:
        headcount = headcount_for_agents(self.unit, agents.reshape(self.workload.volume.shape))
        cost = self.unit.labor_cost(headcount, self._interval_hours)
        if cost < self._best_cost:
            self.best, self._best_cost = (agents.copy(), evaluation), cost

    # --- per-interval targets --------------------------------------------------------------

    def per_interval(self, agents: np.ndarray) -> bool:
        """Add where the bound fails, trim where there is slack; True once nothing more can be trimmed."""
        agents = agents.copy()
        # Never trim an interval to a level whose trial broke something, nor below what its backlog work needs.
        floor = np.minimum(self.minimum, agents)
        cap = 2 * agents + 20
        pending: dict[int, tuple[int, int]] = {}  # cell -> (level before the trim, agents cut), not yet confirmed
        phase = "start"
        for _ in range(self.settings.max_rounds):
            evaluation = self.evaluate(agents, phase)
            fails = evaluation.failing(self.targets, self.settings.confidence)
            if not fails.any():
                self.keep_if_cheapest(agents, evaluation)
                pending = {cell: (int(agents[cell]), cut)
                           for cell, cut in self._trim_plan(agents, floor, evaluation).items()}
                if not pending:
                    return True
                for cell, (level, cut) in pending.items():
                    agents[cell] = level - cut
                phase = "trim"
                continue
            blamed = _blame(np.flatnonzero(fails), np.array(sorted(pending), dtype=int))
            if blamed.size:
                for cell in map(int, blamed):
                    level, cut = pending.pop(cell)
                    # Cutting `cut` broke it: never cut that deep again, and try half as deep.
                    floor[cell] = max(floor[cell], level - cut + 1)
                    agents[cell] = level - cut // 2
                    if cut // 2:
                        pending[cell] = (level, cut // 2)
                phase = "revert"
                continue  # judge what still fails once the removals are (partly) back
            grow = self._add_plan(agents, evaluation, fails, cap)
            if not grow.any():
                return False  # the failing intervals are at their cap: the target is out of reach there
            agents += grow
            pending, phase = {}, "add"
        return False

    def _shortfalls(self, evaluation: Evaluation, scope: str) -> list[dict[StaffingTarget, float]]:
        """Per interval (or day): how far each target's bound is on the wrong (+) or right (-) side."""
        bounds = {t: bound for t, (_, bound) in self._bounds(evaluation, scope).items()}
        size = len(next(iter(bounds.values())))
        return [{t: -t.slack(bounds[t][index]) for t in self.targets} for index in range(size)]

    def _bounds(self, evaluation: Evaluation, scope: str) -> dict[StaffingTarget, tuple[np.ndarray, np.ndarray]]:
        return {t: evaluation.estimate(t, self.settings.confidence, scope) for t in self.targets}

    def _model_step(self, cell: int, agents: int, bounds, only_failing: bool) -> int | None:
        """The model's step for one interval over all targets (None when no target has an estimate)."""
        steps = []
        for target, (estimate, bound) in bounds.items():
            observed, lower = float(estimate[cell]), float(bound[cell])
            if math.isnan(observed) or (only_failing and target.is_met(lower)):
                continue
            steps.append(self.model.step(cell, target, observed, abs(observed - lower), agents + MAX_STEP))
        return max(steps) if steps else None

    def _add_plan(self, agents: np.ndarray, evaluation: Evaluation, fails: np.ndarray, cap: np.ndarray) -> np.ndarray:
        """Agents to add: the model's step at the first failing interval of each run of failing intervals,
        half of it at the others (their shortfall is partly carried over from the earlier ones)."""
        bounds = self._bounds(evaluation, "interval")
        grow = np.zeros_like(agents)
        for cell in np.flatnonzero(fails & (agents < cap)):
            first_of_run = cell == 0 or not fails[cell - 1]
            step = self._model_step(int(cell), int(agents[cell]), bounds, only_failing=True) or 1
            step = max(1, min(step if first_of_run else step // 2, MAX_STEP))
            grow[cell] = min(step, cap[cell] - agents[cell])
        return grow

    def _trim_plan(self, agents: np.ndarray, floor: np.ndarray, evaluation: Evaluation) -> dict[int, int]:
        """Agents to remove per interval: as many as the model says the simulated slack absorbs,
        in intervals that are not adjacent (so a failure can be blamed), largest cuts first."""
        bounds = self._bounds(evaluation, "interval")
        cuts = {}
        for cell in np.flatnonzero(agents > floor):
            step = self._model_step(int(cell), int(agents[cell]), bounds, only_failing=False)
            spare = int(agents[cell] - floor[cell]) if step is None else min(-step, int(agents[cell] - floor[cell]))
            if spare > 0:
                cuts[int(cell)] = min(spare, MAX_STEP)
        chosen: dict[int, int] = {}
        for cell in sorted(cuts, key=lambda c: (-cuts[c], c)):
            if all(abs(cell - other) > 1 for other in chosen):
                chosen[cell] = cuts[cell]
        return chosen

    # --- daily targets ---------------------------------------------------------------------

    def daily(self, agents: np.ndarray) -> bool:
        """Add where the model predicts most gain, trim where it predicts least loss; True once settled."""
        agents = agents.copy()
        per_day = self.workload.intervals_per_day
        budget = 0.8  # share of the simulated slack a trim may use up, by the model's prediction
        changed: np.ndarray | None = None
        phase = "start"
        for _ in range(self.settings.max_rounds):
            evaluation = self.evaluate(agents, phase)
            fails = evaluation.failing(self.targets, self.settings.confidence, "daily")
            shortfalls = self._shortfalls(evaluation, "daily")
            if not fails.any():
                self.keep_if_cheapest(agents, evaluation)
                changed = self._daily_moves(agents, shortfalls, remove=True, budget=budget)
                if not changed.any():
                    return True
                agents -= changed
                phase = "trim"
                continue
            if changed is not None and changed.any():
                undo = changed * np.repeat(fails, per_day)  # only the failing days' removals
                agents += undo
                budget /= 2  # the model was too optimistic about what could go
                changed, phase = None, "revert"
                continue
            agents += self._daily_moves(agents, shortfalls, remove=False, budget=1.0)
            changed, phase = None, "add"
        return False

    def _daily_moves(self, agents: np.ndarray, shortfalls: list[dict[StaffingTarget, float]], remove: bool,
                     budget: float) -> np.ndarray:
        """Greedy marginal analysis per day, one agent at a time: on failing days add where the model
        predicts the largest gain until it closes the shortfall; on passing days remove where it predicts
        the smallest loss while the loss stays within ``budget`` x the slack."""
        per_day = self.workload.intervals_per_day
        volume = self.workload.volume.ravel()
        moves = np.zeros_like(agents)
        sign = -1 if remove else 1

        def effect(cell: int, target: StaffingTarget) -> float:
            """Predicted loss (when removing) or gain (when adding) of one more move in ``cell``."""
            current = int(agents[cell] + sign * moves[cell])
            return sign * self.model.daily_effect(cell, current, sign, target)

        for day, gaps in enumerate(shortfalls):
            if remove == any(gap > 0 for gap in gaps.values()):
                continue  # add only on failing days, remove only on passing ones
            cells = [cell for cell in range(day * per_day, (day + 1) * per_day) if volume[cell] > 0]
            scale = ({t: max(-gap, 1e-12) for t, gap in gaps.items()} if remove
                     else {t: gap for t, gap in gaps.items() if gap > 0})
            used = dict.fromkeys(scale, 0.0)
            for _ in range(2 * len(cells)):  # at most two agents per interval and round
                live = [cell for cell in cells if not remove or agents[cell] - moves[cell] > self.minimum[cell]]
                if not live:
                    break
                if remove:
                    score = {cell: max(effect(cell, t) / scale[t] for t in scale) for cell in live}
                    cell = min(score, key=score.get)
                    if max((used[t] + effect(cell, t)) / scale[t] for t in scale) > budget:
                        break
                else:
                    score = {cell: sum(effect(cell, t) / scale[t] for t in scale) for cell in live}
                    cell = max(score, key=score.get)
                for target in scale:
                    used[target] += effect(cell, target)
                moves[cell] += 1
                if not remove and all(used[t] >= scale[t] for t in scale):
                    break
        return moves


def _blame(failing: np.ndarray, trimmed: np.ndarray) -> np.ndarray:
    """For each failing interval, the latest trimmed interval at or before it (carry-over runs forward)."""
    blamed = set()
    for index in failing:
        earlier = trimmed[trimmed <= index]
        if earlier.size:
            blamed.add(int(earlier.max()))
    return np.array(sorted(blamed), dtype=int)
