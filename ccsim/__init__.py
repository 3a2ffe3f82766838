"""ccsim's Python API: load a scenario, simulate it, run replications, compare scenarios.

>>> import ccsim
>>> scenario = ccsim.load_scenario("scenarios/baseline.toml")  # doctest: +SKIP
>>> more = ccsim.apply_overrides(scenario, {"agent_groups.generalists.extra_agents": {"early": 5}})  # doctest: +SKIP
>>> result = ccsim.run_experiment(more, replications=5, seed=1)  # doctest: +SKIP
>>> result.kpi_summary()  # one row per KPI: mean, ci_low, ci_high, unit  # doctest: +SKIP
>>> result.intervals()  # per day and interval, averaged over replications  # doctest: +SKIP

Works the same from a script (no ``if __name__ == "__main__":`` guard
needed) and from a notebook: worker processes are fresh interpreters that
import only ccsim, never the caller's script. ``python -m ccsim`` is the
command line (``ccsim``).
"""

from __future__ import annotations

import importlib
from typing import Any

from analysis import __version__

# Imported on first use, so ``python -m ccsim --help`` stays fast.
_EXPORTS = {
    "load_scenario": "sim.config", "parse_scenario": "sim.config", "apply_overrides": "sim.config",
    "Scenario": "sim.config", "ScenarioError": "sim.config",
    "simulate": "sim.run", "SimulationResult": "sim.records",
    "run_experiment": "analysis.runs.experiment", "ExperimentResult": "analysis.runs.experiment",
    "run_comparison": "analysis.runs.compare", "Comparison": "analysis.runs.compare",
    "ExecutionPlan": "analysis.runs.execution", "Runner": "analysis.runs.runner",
    "write_results": "analysis.outputs.results",
}

__all__ = ["__version__", *sorted(_EXPORTS)]


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'ccsim' has no attribute {name!r}")
    return getattr(importlib.import_module(_EXPORTS[name]), name)
