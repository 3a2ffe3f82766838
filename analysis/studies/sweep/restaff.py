"""Re-staffing sweep variants: each variant is staffed to the base scenario's targets before it runs,
so a sweep answers "what does the center cost at constant service level" as a factor moves.

Modes (``restaff`` in the sweep file, or ``ccsim sweep --restaff``):

* ``erlang-a``: per interval, the fewest agents meeting every target of the
  scenario's ``[service_level]`` by Erlang A, for the variant's own human
  workload (AI escalations and routing included, see
  :mod:`analysis.planning.staffing.workload`), turned into headcount
  (shrinkage, rounded up). Quick: done for every variant before anything runs.
* ``simulation``: the simulation staffing search of ``ccsim staff --method
  simulation`` (every interval meets the targets with 95% confidence in
  simulation), with the sweep's seed and replications. Slow: each variant
  is a search; the plans are kept in ``OUT/restaffed/`` so a resumed sweep
  does not search again.

The staffed agents are the variant's shared in-house groups (all of them
together, split by workload; dedicated groups such as a VIP desk keep their
staffing), put on a headcount per interval in place of their shifts.
``OUT/restaffed/variant-NNNNNN.csv`` holds each variant's plan (day,
interval, agents on the phones, headcount).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.outputs.files import write_csv
from analysis.planning.staffing.analytic import analytic_agents
from analysis.planning.staffing.plans import headcount_for_agents, with_headcount
from analysis.planning.staffing.search import SearchSettings, simulation_staffing
from analysis.planning.staffing.targets import TargetError, scenario_targets
from analysis.planning.staffing.units import StaffingError, select_unit
from analysis.runs.execution import ExecutionPlan
from sim.config import Problem, Scenario, format_time_of_day

from .spec import SweepFileError, SweepSpec

RESTAFF_MODES = ("erlang-a", "simulation")
FOLDER = "restaffed"


def check_restaff(spec: SweepSpec, base: Scenario) -> None:
    """Raise a SweepFileError when the variants cannot be re-staffed (no target, nothing to staff)."""
    if spec.restaff is None:
        return
    try:
        scenario_targets(base)
        select_unit(base)
    except (TargetError, StaffingError) as error:
        raise SweepFileError([Problem("restaff", f"{spec.restaff!r}: {error}")], spec.name) from None


def plan_path(directory: Path, variant: int) -> Path:
    return Path(directory) / FOLDER / f"variant-{variant:06d}.csv"


def restaffed(scenario: Scenario, mode: str, settings: SearchSettings) -> tuple[Scenario, pd.DataFrame]:
    """The scenario staffed to its own targets by ``mode``, and the plan (one row per day and interval)."""
    unit = select_unit(scenario)
    targets = scenario_targets(scenario)
    workload = unit.workload(scenario)
    if not (workload.volume > 0).any():
        return scenario, pd.DataFrame(columns=["day", "interval_start", "agents", "headcount"])
    if mode == "erlang-a":
        agents, _ = analytic_agents(workload, targets, "erlang-a")
    elif mode == "simulation":
        agents = simulation_staffing(scenario, unit, targets, settings, workload).agents
    else:
        raise StaffingError(f"restaff must be one of {', '.join(RESTAFF_MODES)}, got {mode!r}")
    headcount = headcount_for_agents(unit, agents)
    days, per_day = headcount.shape
    plan = pd.DataFrame({"day": np.repeat(np.arange(1, days + 1), per_day),
                         "interval_start": [format_time_of_day(i * workload.interval_seconds)
                                            for i in range(per_day)] * days,
                         "agents": np.asarray(agents).ravel(), "headcount": headcount.ravel()})
    return with_headcount(scenario, unit, headcount), plan


def _from_plan(scenario: Scenario, plan: pd.DataFrame) -> Scenario:
    """The scenario on a plan written earlier (a resumed sweep)."""
    unit = select_unit(scenario)
    days = scenario.horizon.days
    return with_headcount(scenario, unit, plan["headcount"].to_numpy(int).reshape(days, -1))


def restaff_variants(scenarios: Mapping[int, Scenario], spec: SweepSpec, directory: str | Path,
                     plan: ExecutionPlan = ExecutionPlan(), show_progress: bool = True,
                     restart: bool = False) -> dict[int, Scenario]:
    """Every variant staffed by ``spec.restaff`` (unchanged when it is None); plans written (or reused) in
    ``directory/restaffed/``."""
    if spec.restaff is None:
        return dict(scenarios)
    settings = SearchSettings(replications=max(spec.replications, 2), seed=spec.seed, workers=plan.workers,
                              scheduler=plan.scheduler, show_progress=show_progress, execution=plan)
    staffed = {}
    for variant, scenario in scenarios.items():
        path = plan_path(Path(directory), variant)
        if spec.restaff == "simulation" and path.exists() and not restart:
            staffed[variant] = _from_plan(scenario, pd.read_csv(path))
            continue
        try:
            staffed[variant], written = restaffed(scenario, spec.restaff, settings)
        except (StaffingError, TargetError) as error:
            raise SweepFileError([Problem("restaff", f"variant {variant}: {error}")], spec.name) from None
        write_csv(path, written)
    return staffed
