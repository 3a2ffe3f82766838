"""ccsim's model and engine: scenario files in, contact records and time series out.

>>> from sim import load_scenario, simulate
>>> result = simulate(load_scenario("scenarios/baseline.toml"), seed=1)  # doctest: +SKIP
>>> result.contacts.head()  # doctest: +SKIP
"""

from __future__ import annotations

import importlib
from typing import Any

# Names are imported on first use, so ``import sim.config`` (validation only) does not pay for the
# engine, numpy and pandas.
_EXPORTS = {
    "Scenario": "sim.config", "ScenarioError": "sim.config", "apply_overrides": "sim.config",
    "load_scenario": "sim.config", "parse_scenario": "sim.config",
    "SimulationResult": "sim.records", "simulate": "sim.run",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'sim' has no attribute {name!r}")
    return getattr(importlib.import_module(_EXPORTS[name]), name)
