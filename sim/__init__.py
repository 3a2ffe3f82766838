"""ccsim's model and engine: scenario files in, contact records and time series out.

>>> from sim import load_scenario, simulate
>>> result = simulate(load_scenario("scenarios/baseline.toml"), seed=1)  # doctest: +SKIP
>>> result.contacts.head()  # doctest: +SKIP
"""

from .config import Scenario, ScenarioError, apply_overrides, load_scenario, parse_scenario
from .records import SimulationResult
from .run import simulate

__all__ = ["Scenario", "ScenarioError", "SimulationResult", "apply_overrides", "load_scenario",
           "parse_scenario", "simulate"]
