"""Shared helpers: small scenarios built from plain data."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from sim.config import parse_scenario

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"

# In-house agents resolve every contact here (the default is the industry's 70%), so repeat contacts come
# only from the channels a test sets up.
SMALL = {
    "name": "small",
    "horizon": {"days": 1, "interval_minutes": 60, "open": "08:00", "close": "12:00"},
    "demand": {"volume": [30, 40, 40, 30]},
    "contact_types": [
        {"name": "billing", "share": 0.6,
         "handle_time": {"dist": "exponential", "mean": 4, "unit": "min"},
         "patience": {"dist": "exponential", "mean": 3, "unit": "min"}},
        {"name": "tech", "share": 0.4,
         "handle_time": {"dist": "lognormal", "mean": 6, "sd": 3, "unit": "min"},
         "after_call_work": {"dist": "deterministic", "value": 30, "unit": "s"}},
    ],
    "agent_groups": [
        {"name": "front", "skills": {"billing": 1, "tech": 2}, "headcount": [2, 3, 3, 2],
         "first_contact_resolution": 1.0},
        {"name": "back", "skills": ["tech"], "headcount": [1, 1, 2, 1], "wage_per_hour": 20,
         "first_contact_resolution": 1.0},
    ],
}


def small_data(**changes) -> dict:
    """A deep copy of the small scenario with top-level sections replaced."""
    data = copy.deepcopy(SMALL)
    data.update(changes)
    return data


@pytest.fixture
def small_scenario():
    return parse_scenario(small_data())
