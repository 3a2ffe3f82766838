"""Break-even studies: the parameter value where a KPI reaches a target or matches another scenario.

The scenario is run at every value of a grid of the parameter (and the
reference scenario once), all on the same seed and replication numbers, so
each replication's curve over the grid and its reference value share their
random numbers. :func:`analysis.sensitivity.find_crossing` then fits a
low-degree polynomial to the mean gap over the grid, solves it for zero
and bootstraps whole replications for the CI.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.outputs.files import write_json
from analysis.outputs.plots import crossing_figure, save_png
from analysis.runs.execution import ExecutionPlan
from analysis.runs.runner import Runner
from analysis.studies.sensitivity import Crossing, find_crossing
from analysis.studies.sweep.journal import write_table
from analysis.studies.sweep.runner import evaluate_variants
from sim.config import Scenario, apply_overrides


@dataclass(frozen=True)
class BreakEven:
    """Grid values, the KPI per (replication, grid value), the target per replication, and the crossing."""

    parameter: str
    kpi: str
    grid: np.ndarray
    outputs: np.ndarray
    target: np.ndarray
    crossing: Crossing
    against: str | None = None

    def table(self) -> pd.DataFrame:
        """One row per grid value and replication: the KPI, the target and their gap."""
        replications, points = self.outputs.shape
        return pd.DataFrame({
            self.parameter: np.tile(self.grid, replications),
            "replication": np.repeat(np.arange(replications), points),
            self.kpi: self.outputs.ravel(),
            "target": np.repeat(self.target, points),
            "gap": (self.outputs - self.target[:, None]).ravel(),
        })


def run_break_even(scenario: Scenario, parameter: str, grid: list[float], kpi: str,
                   target: float | None = None, against: Scenario | None = None, replications: int = 10,
                   seed: int = 0, plan: ExecutionPlan = ExecutionPlan(), degree: int | None = None,
                   show_progress: bool = True, against_label: str | None = None) -> BreakEven:
    """Where ``kpi`` of ``scenario`` crosses ``target``, or equals ``kpi`` of ``against``, as ``parameter`` varies.

    ``against_label`` names the reference scenario in outputs (default: its ``name``).
    """
    if (target is None) == (against is None):
        raise ValueError("give exactly one of target and against")
    variants = {index: apply_overrides(scenario, {parameter: value}) for index, value in enumerate(grid)}
    reference = len(grid)
    if against is not None:
        variants[reference] = against
    with Runner(plan, "break-even", show_progress=show_progress) as runner:
        rows = dict(evaluate_variants(runner, variants, seed, replications))
    outputs = np.column_stack([rows[index][kpi].to_numpy(float) for index in range(len(grid))])
    goal = rows[reference][kpi].to_numpy(float) if against is not None else np.full(replications, float(target))
    crossing = find_crossing(np.asarray(grid, dtype=float), outputs, goal, degree=degree, seed=seed)
    return BreakEven(parameter, kpi, np.asarray(grid, dtype=float), outputs, goal, crossing,
                     (against_label or against.name) if against is not None else None)


def write_break_even(study: BreakEven, directory: str | Path) -> list[Path]:
    """``breakeven.csv`` (every run), ``breakeven.png`` and, last, ``breakeven.json`` (the answer)."""
    directory = Path(directory)
    mean_gap = (study.outputs - study.target[:, None]).mean(axis=0)
    figure = crossing_figure(study.grid, mean_gap, study.crossing.value, study.crossing.low,
                             study.crossing.high, study.kpi)
    return [write_table(directory / "breakeven.csv", study.table()),
            save_png(figure, directory / "breakeven.png"),
            write_json(directory / "breakeven.json", {
                "parameter": study.parameter, "kpi": study.kpi, "against": study.against,
                "target": None if study.against else float(study.target[0]),
                "replications": int(study.outputs.shape[0]), "grid": study.grid.tolist(),
                "mean_gap": mean_gap.tolist(), **asdict(study.crossing)})]


def break_even_text(study: BreakEven) -> str:
    crossing = study.crossing
    goal = f"equals that of {study.against}" if study.against else f"reaches {study.target[0]:g}"
    if not crossing.found:
        return f"{study.kpi} never {goal} for {study.parameter} in [{study.grid.min():g}, {study.grid.max():g}]: " \
               f"{crossing.message}"
    failures = f"; {crossing.bootstrap_failures}/{crossing.resamples} bootstrap fits did not cross" \
        if crossing.bootstrap_failures else ""
    return (f"{study.kpi} {goal} at {study.parameter} = {crossing.value:.6g} "
            f"(95% CI [{crossing.low:.6g}, {crossing.high:.6g}], degree-{crossing.degree} fit over "
            f"{len(study.grid)} values x {study.outputs.shape[0]} replications{failures})")
