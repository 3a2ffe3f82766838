"""The same seed gives the same KPIs as the engine of December 2026 (before the streaming collector).

``tests/data/pinned/`` holds frozen copies of bundled scenarios (with every
default that later work may change written out, e.g. in-house
first-contact resolution) and ``kpis.json`` the KPI means of 2 replications,
seed 11, one day, computed by the engine that kept every contact as a
record. A refactoring of the engine, the collector or the KPIs must
reproduce them to rounding; a change that is meant to move the numbers must
say why in its commit and regenerate the file.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from analysis.runs.experiment import run_experiment
from sim.config import apply_overrides, load_scenario

PINNED = Path(__file__).parent / "data" / "pinned"
EXPECTED = json.loads((PINNED / "kpis.json").read_text())
INTERVAL_SUMS = ("service_level", "occupancy", "asa_seconds")


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_same_seed_same_kpis_as_the_pinned_engine(name: str) -> None:
    scenario = apply_overrides(load_scenario(PINNED / f"{name}.toml"), {"horizon.days": 1})
    result = run_experiment(scenario, replications=2, seed=11, workers=1, show_progress=False, keep_contacts=False)
    estimates = result.estimates()
    intervals = result.intervals()
    for key, expected in EXPECTED[name].items():
        if key.startswith("intervals."):
            column = key.split(".")[1]
            actual = float(intervals[column].fillna(0).sum())
        else:
            actual = estimates[key].mean
        if expected is None:
            assert math.isnan(actual), f"{name}: {key} = {actual}, expected undefined"
        else:
            assert actual == pytest.approx(expected, rel=1e-9, abs=1e-9), f"{name}: {key}"
