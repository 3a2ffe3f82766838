"""Staffing and scheduling policies: from a scenario to agent requirements, shifts and rule comparisons.

Data flows one way: scenario -> requirements -> schedule -> scenario -> simulation -> comparison.

* :mod:`.targets`: ``sl:0.8/20``, ``abandon:0.05``, ``asa:30``.
* :mod:`.workload`, :mod:`.routing`: expected human workload per interval
  (AI escalations, static routing), and what the analytic view leaves out.
* :mod:`.units`: which agents are planned (one group, or all shared groups
  scaled together) and how headcount turns into agents after shrinkage.
* :mod:`.analytic`: Erlang C / Erlang A requirements per interval.
* :mod:`.search`: simulation-based staffing on common random numbers, with
  confidence bounds and a held-out confirmation.
* :mod:`.staff`: ``ccsim staff`` end to end; :mod:`.scenario_files`: written scenarios.

Typical use::

    from sim.config import load_scenario
    from analysis.planning.staffing import parse_targets, run_staffing, SearchSettings

    scenario = load_scenario("scenarios/baseline.toml")
    outcome = run_staffing(scenario, parse_targets("sl:0.8/20"), "results/staff", method="simulation",
                           settings=SearchSettings(replications=20))
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from analysis.lazy import lazy_attributes

# Submodules load on first use of a name (PEP 562), so the command line can read the option words in
# :mod:`.options` without importing SciPy and the simulator.
_SOURCES = {
    "analytic": ("agents_matrix", "analytic_agents", "analytic_requirements", "predicted_metrics"),
    "evaluation": ("Evaluation", "SimulationRunner", "ratio_bound"),
    "options": ("ALL_GROUPS", "METHODS", "SCOPES"),
    "plans": ("headcount_for_agents", "with_headcount"),
    "scenario_files": ("write_headcount_scenario", "write_scenario_file"),
    "search": ("SearchResult", "SearchRound", "SearchSettings", "simulation_staffing"),
    "staff": ("StaffingOutcome", "run_staffing"),
    "targets": ("StaffingTarget", "TargetError", "parse_target", "parse_targets", "scenario_targets"),
    "units": ("StaffedUnit", "StaffingError", "select_unit"),
    "workload": ("Workload", "destination_demand", "unit_workload"),
}

if TYPE_CHECKING:
    from .analytic import agents_matrix, analytic_agents, analytic_requirements, predicted_metrics
    from .evaluation import Evaluation, SimulationRunner, ratio_bound
    from .options import ALL_GROUPS, METHODS, SCOPES
    from .plans import headcount_for_agents, with_headcount
    from .scenario_files import write_headcount_scenario, write_scenario_file
    from .search import SearchResult, SearchRound, SearchSettings, simulation_staffing
    from .staff import StaffingOutcome, run_staffing
    from .targets import StaffingTarget, TargetError, parse_target, parse_targets, scenario_targets
    from .units import StaffedUnit, StaffingError, select_unit
    from .workload import Workload, destination_demand, unit_workload


__getattr__ = lazy_attributes(__name__, globals(), _SOURCES)


__all__ = [
    "ALL_GROUPS", "Evaluation", "METHODS",
    "SCOPES", "SearchResult", "SearchRound", "SearchSettings", "SimulationRunner", "StaffedUnit",
    "StaffingError", "StaffingOutcome", "StaffingTarget", "TargetError", "Workload", "agents_matrix",
    "analytic_agents", "analytic_requirements", "destination_demand",
    "headcount_for_agents", "parse_target", "parse_targets",
    "predicted_metrics", "ratio_bound", "run_staffing", "scenario_targets", "select_unit",
    "simulation_staffing", "unit_workload", "with_headcount", "write_headcount_scenario",
    "write_scenario_file",
]
