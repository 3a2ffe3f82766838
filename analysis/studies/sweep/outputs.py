"""What a finished sweep writes besides ``results.csv``: per-variant means, budget, frontier, sensitivity.

Files (all atomic): ``variants.csv`` (mean of every KPI and cost column per
variant, with the factors), ``budget.csv`` (cost breakdown per variant),
``frontier.csv`` + ``frontier.png`` (cost against satisfaction or service
level, Pareto-efficient variants flagged), and by design: ``tornado_<kpi>``
(one-at-a-time), ``sobol_<kpi>`` or ``morris_<kpi>`` (``.csv`` and
``.png``) for total cost and service level.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from analysis.outputs import plots

from ..budget import cost_breakdown_table, frontier_axes, frontier_table
from ..sensitivity import morris_indices, sobol_indices, tornado
from .design import VARIED
from .journal import write_table
from .runner import KEY_COLUMNS, SweepOutcome

SENSITIVITY_KPIS = ("total_cost", "service_level")
MAX_BARS = 40  # a stacked bar per variant stops being readable beyond this


def variant_means(outcome: SweepOutcome) -> pd.DataFrame:
    """One row per variant: its factor values and the mean of every KPI and cost column."""
    results = outcome.results
    factor_columns = [c for c in results.columns if c in outcome.factor_paths or c == VARIED]
    numeric = [c for c in results.columns if c not in factor_columns and c not in KEY_COLUMNS]
    grouped = results.groupby("variant", sort=True)
    return pd.concat([grouped[factor_columns].first(), grouped[numeric].mean()], axis=1).reset_index()


def write_sweep_outputs(outcome: SweepOutcome, frontier_kpis: tuple[str | None, str | None] = (None, None),
                        ) -> list[Path]:
    """Write the per-variant, budget, frontier and sensitivity files into the sweep's directory."""
    directory, results = outcome.directory, outcome.results
    written = [write_table(directory / "variants.csv", variant_means(outcome))]
    budget = cost_breakdown_table(results, by="variant")
    written.append(write_table(directory / "budget.csv", budget.reset_index()))
    if len(budget) <= MAX_BARS:
        written.append(plots.save_png(plots.cost_breakdown_figure(budget, "variant"), directory / "budget.png"))
    cost, benefit = frontier_axes(results.columns, *frontier_kpis)
    frontier = frontier_table(results, "variant", cost, benefit)
    written.append(write_table(directory / "frontier.csv", frontier.reset_index()))
    written.append(plots.save_png(plots.frontier_figure(frontier, cost, benefit), directory / "frontier.png"))
    for kpi in SENSITIVITY_KPIS:
        written.extend(_sensitivity_files(outcome, kpi))
    return written


def _sensitivity_files(outcome: SweepOutcome, kpi: str) -> list[Path]:
    kind, directory = outcome.spec.design.kind, outcome.directory
    if kpi not in outcome.results.columns:
        return []
    if kind == "oat":
        table = tornado(outcome.results, kpi)
    elif kind in ("sobol", "morris"):
        table = _indices(outcome, kpi)
    else:
        return []
    labels = {factor.path: factor.name for factor in outcome.spec.factors}
    table.insert(1, "label", table["factor"].map(labels))
    figure = plots.tornado_figure(table, kpi) if kind == "oat" else plots.indices_figure(table, kpi)
    stem = f"{'tornado' if kind == 'oat' else kind}_{kpi}"
    return [write_table(directory / f"{stem}.csv", table), plots.save_png(figure, directory / f"{stem}.png")]


def _indices(outcome: SweepOutcome, kpi: str) -> pd.DataFrame:
    spec = outcome.spec
    names = spec.factor_paths
    bounds = [(factor.low, factor.high) for factor in spec.factors]
    means = outcome.results.groupby("variant", sort=True)[kpi].mean().to_numpy(float)
    if spec.design.kind == "sobol":
        return sobol_indices(names, bounds, means, second_order=spec.design.second_order, seed=spec.seed)
    inputs = outcome.design[names].to_numpy(float)
    return morris_indices(names, bounds, inputs, means, levels=spec.design.levels, seed=spec.seed)


def sweep_summary_text(outcome: SweepOutcome) -> str:
    """A short console summary: variants run, skipped, and the range of the headline KPIs."""
    lines = [f"{outcome.spec.name}: {len(outcome.design)} variant(s) x {outcome.spec.replications} "
             f"replication(s); ran {len(outcome.ran)}, reused {len(outcome.skipped)} already finished; "
             f"{outcome.wall_seconds:.1f} s"]
    means = outcome.results.groupby("variant")[[k for k in SENSITIVITY_KPIS if k in outcome.results]].mean()
    for kpi in means.columns:
        values = means[kpi].to_numpy(float)
        lines.append(f"  {kpi}: {np.nanmin(values):.6g} .. {np.nanmax(values):.6g} over variants")
    return "\n".join(lines)
