"""Shared helpers of the experiment tests: a tiny one-day scenario file and sweep files around it."""

from __future__ import annotations

from pathlib import Path

TINY_SCENARIO = """
name = "tiny"
currency = "EUR"

[horizon]
days = 1
interval_minutes = 60
open = "08:00"
close = "11:00"

[service_level]
threshold_seconds = 20
target = 0.8

[demand]
volume = [30, 45, 35]

[[contact_types]]
name = "billing"
share = 0.6
handle_time = { dist = "exponential", mean = 4, unit = "min" }
patience = { dist = "exponential", mean = 3, unit = "min" }

[[contact_types]]
name = "tech"
share = 0.4
handle_time = { dist = "lognormal", mean = 6, sd = 3, unit = "min" }
patience = { dist = "exponential", mean = 5, unit = "min" }

[[agent_groups]]
name = "front"
skills = { billing = 1, tech = 2 }
headcount = [3, 4, 3]
shrinkage = 0.1
first_contact_resolution = 1.0   # no repeat contacts: the same customers whatever the staffing
wage_per_hour = 20.0
on_costs = { social_insurance = 0.2 }

[[agent_groups]]
name = "back"
skills = { tech = 1 }
headcount = [1, 2, 1]
wage_per_hour = 25.0
first_contact_resolution = 1.0

[costs]
fixed_per_day = 500.0
"""


def write_tiny_scenario(directory: Path, name: str = "tiny.toml", replace: dict[str, str] | None = None) -> Path:
    """The tiny scenario as a TOML file, with text replacements applied."""
    text = TINY_SCENARIO
    for old, new in (replace or {}).items():
        assert old in text, old
        text = text.replace(old, new)
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


def write_sweep(directory: Path, body: str, name: str = "sweep.toml", scenario: str = "tiny.toml") -> Path:
    """A sweep file around the tiny scenario (written next to it)."""
    if not (directory / scenario).exists():
        write_tiny_scenario(directory, scenario)
    path = directory / name
    path.write_text(f'base = "{scenario}"\n' + body, encoding="utf-8")
    return path


LHS_SWEEP = """
name = "tiny_lhs"
replications = 3
seed = 7

[design]
kind = "lhs"
samples = 6

[[factors]]
path = "agent_groups.front.wage_per_hour"
low = 18.0
high = 24.0

[[factors]]
path = "contact_types.billing.handle_time.mean"
low = 3.0
high = 5.0

[[factors]]
path = "agent_groups.front.shrinkage"
low = 0.0
high = 0.3
"""
