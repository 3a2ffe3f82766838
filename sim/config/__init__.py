"""Scenario files: schema, validation and loading.

>>> from sim.config import load_scenario
>>> scenario = load_scenario("scenarios/baseline.toml")  # doctest: +SKIP
"""

from .agent_groups import STAFFING_KEYS, AgentGroup, Availability, Break, HeadcountRow, Recall, Shift
from .distributions import Distribution
from .errors import Problem, ScenarioError
from .loader import load_scenario, parse_scenario, scenario_json_schema, validation_problems
from .overrides import apply_overrides, get_value, split_path
from .scenario import (
    ContactType,
    Costs,
    Demand,
    Horizon,
    OpeningHours,
    Retrial,
    Scenario,
    Segment,
    ServiceLevel,
    VolumeRow,
)
from .types import (
    MINUTES_PER_DAY,
    SECONDS_PER_DAY,
    WEEKDAYS,
    factors_by_minute,
    format_minutes_of_day,
    format_time_of_day,
    time_of_day_minutes,
    time_of_day_seconds,
)

__all__ = [
    "AgentGroup", "Availability", "Break", "Recall", "apply_overrides", "get_value", "split_path",
    "ContactType", "Costs", "Demand", "Distribution", "HeadcountRow",
    "MINUTES_PER_DAY", "format_minutes_of_day", "time_of_day_minutes",
    "Horizon", "OpeningHours", "Problem", "Retrial", "SECONDS_PER_DAY", "STAFFING_KEYS", "Scenario", "ScenarioError",
    "Segment", "ServiceLevel", "Shift", "VolumeRow", "WEEKDAYS", "factors_by_minute", "format_time_of_day",
    "load_scenario", "parse_scenario", "scenario_json_schema", "time_of_day_seconds", "validation_problems",
]
