"""Sensitivity: Sobol' and Morris indices against closed forms, tornado swings, break-even points."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from analysis.cli import main
from analysis.studies.sensitivity import find_crossing, morris_indices, sobol_indices, tornado
from analysis.studies.sweep.design import build_design
from analysis.studies.sweep.spec import parse_sweep
from sim.config import load_scenario

from .test_experiments_common import write_tiny_scenario


def _design(tmp_path, kind: dict, bounds: list[tuple[float, float]], seed: int = 11) -> tuple[pd.DataFrame, list[str]]:
    names = [f"demand.weekday_factors.x{i}" for i in range(len(bounds))]  # any paths: the design does not run them
    spec = parse_sweep({"name": "t", "base": "x", "seed": seed, "design": kind,
                        "factors": [{"path": n, "low": lo, "high": hi} for n, (lo, hi) in zip(names, bounds)]})
    return build_design(spec, load_scenario(write_tiny_scenario(tmp_path))), names


def _ishigami(x: np.ndarray, a: float = 7.0, b: float = 0.1) -> np.ndarray:
    return np.sin(x[:, 0]) + a * np.sin(x[:, 1]) ** 2 + b * x[:, 2] ** 4 * np.sin(x[:, 0])


def _ishigami_indices(a: float = 7.0, b: float = 0.1) -> tuple[np.ndarray, np.ndarray]:
    pi = math.pi
    v1 = 0.5 * (1 + b * pi**4 / 5) ** 2
    v2 = a**2 / 8
    vt3 = 8 * b**2 * pi**8 / 225
    total = v1 + v2 + vt3
    return np.array([v1, v2, 0.0]) / total, np.array([v1 + vt3, v2, vt3]) / total


def test_sobol_indices_of_ishigami_match_the_closed_form_within_the_bootstrap_ci(tmp_path):
    bounds = [(-math.pi, math.pi)] * 3
    design, names = _design(tmp_path, {"kind": "sobol", "base_samples": 2048}, bounds)
    indices = sobol_indices(names, bounds, _ishigami(design[names].to_numpy()), seed=3)
    first, total = _ishigami_indices()
    assert np.all(np.abs(indices["S1"] - first) <= indices["S1_conf"])
    assert np.all(np.abs(indices["ST"] - total) <= indices["ST_conf"])
    assert np.all(indices["S1_conf"] < 0.1)  # the intervals are informative, not just wide


def test_sobol_indices_of_an_additive_function_match_the_closed_form(tmp_path):
    coefficients = np.array([1.0, 2.0, 3.0])
    bounds = [(0.0, 1.0)] * 3
    design, names = _design(tmp_path, {"kind": "sobol", "base_samples": 1024}, bounds)
    indices = sobol_indices(names, bounds, design[names].to_numpy() @ coefficients, seed=5)
    exact = coefficients**2 / np.sum(coefficients**2)  # Var(a x) = a^2 / 12 for x ~ U(0, 1)
    assert np.all(np.abs(indices["S1"] - exact) <= indices["S1_conf"])
    assert np.all(np.abs(indices["ST"] - exact) <= indices["ST_conf"])


def test_morris_effects_of_a_linear_function_are_its_slopes(tmp_path):
    coefficients = np.array([4.0, -1.0, 0.5])
    bounds = [(0.0, 2.0), (10.0, 20.0), (0.0, 1.0)]
    design, names = _design(tmp_path, {"kind": "morris", "trajectories": 10}, bounds)
    inputs = design[names].to_numpy()
    effects = morris_indices(names, bounds, inputs, inputs @ coefficients, seed=2)
    widths = np.array([hi - lo for lo, hi in bounds])
    # SALib's elementary effects are per unit of the scaled [0, 1] input: slope x range
    assert effects["mu"].to_numpy() == pytest.approx(coefficients * widths)
    assert effects["mu_star"].to_numpy() == pytest.approx(np.abs(coefficients * widths))
    assert effects["sigma"].to_numpy() == pytest.approx(0.0, abs=1e-9)


def test_tornado_reports_each_factors_swing_sorted():
    rows = []
    for variant, varied, a, b, cost in [(0, "(base)", 1.0, 10.0, 100.0), (1, "a", 0.0, 10.0, 90.0),
                                        (2, "a", 2.0, 10.0, 130.0), (3, "b", 1.0, 5.0, 95.0),
                                        (4, "b", 1.0, 15.0, 104.0)]:
        for replication, noise in enumerate((-1.0, 1.0)):
            rows.append({"variant": variant, "replication": replication, "varied": varied, "a": a, "b": b,
                         "total_cost": cost + noise})
    table = tornado(pd.DataFrame(rows), "total_cost")
    assert list(table["factor"]) == ["a", "b"]
    assert table.loc[0, ["kpi_at_low", "kpi_at_high", "base", "swing"]].tolist() == [90.0, 130.0, 100.0, 40.0]
    assert table.loc[1, "swing"] == pytest.approx(9.0)


def test_find_crossing_recovers_a_known_root_with_a_ci():
    rng = np.random.default_rng(1)
    grid = np.linspace(0.0, 4.0, 9)
    offsets = rng.normal(0.0, 0.3, size=(20, 1))  # common random numbers: a shift per replication
    outputs = 2.0 * grid - 3.0 + offsets + rng.normal(0.0, 0.05, size=(20, len(grid)))
    crossing = find_crossing(grid, outputs, target=0.0, degree=1, seed=4)
    mean_offset = offsets.mean()
    assert crossing.low < (3.0 - mean_offset) / 2.0 < crossing.high
    assert crossing.low < crossing.value < crossing.high and crossing.high - crossing.low < 0.3
    paired = find_crossing(grid, outputs, target=offsets.ravel(), degree=1, seed=4)  # paired target removes the shift
    assert paired.high - paired.low < crossing.high - crossing.low
    assert paired.low < 1.5 < paired.high
    missing = find_crossing(grid, outputs, target=100.0)
    assert not missing.found and "does not cross" in missing.message


def test_breakeven_command_finds_the_wage_where_costs_are_equal(tmp_path, capsys):
    scenario = write_tiny_scenario(tmp_path)
    other = write_tiny_scenario(tmp_path, "dearer.toml", {"wage_per_hour = 20.0": "wage_per_hour = 23.5"})
    out = tmp_path / "out"
    assert main(["breakeven", str(scenario), "--param", "agent_groups.front.wage_per_hour", "--range", "15:30:4",
                 "--against", str(other), "--reps", "3", "--workers", "1", "--quiet", "--out", str(out)]) == 0
    assert "equals that of dearer at agent_groups.front.wage_per_hour = 23.5" in capsys.readouterr().out
    study = json.loads((out / "breakeven.json").read_text())
    assert study["value"] == pytest.approx(23.5) and study["low"] == pytest.approx(23.5)
    assert len(pd.read_csv(out / "breakeven.csv")) == 4 * 3
    assert (out / "breakeven.png").stat().st_size > 1000
