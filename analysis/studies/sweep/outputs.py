"""What a finished sweep writes besides ``results.csv``: per-variant KPIs, KPIs against each factor,
target crossings, budget, frontier, sensitivity.

Files (all atomic):

* ``variants.csv``: one row per variant: one numeric column per parameter
  the variant sets (factors, linked parameters; a factor whose values are
  tables gets one column per entry, ``path.key``), then for every KPI and
  cost column its mean (the KPI's name), ``<kpi>_ci_low`` and
  ``<kpi>_ci_high`` (95% CI over replications, within the KPI's range);
* ``factor_<n>.png`` per numeric factor: the headline KPIs against it with
  their CIs, the targets and where they are crossed (:mod:`.factor_effects`);
  ``crossings.csv`` lists the crossings;
* ``budget.csv`` (cost breakdown per variant), ``frontier.csv`` +
  ``frontier.png`` (cost against satisfaction or service level,
  Pareto-efficient variants flagged), and by design: ``tornado_<kpi>``
  (one-at-a-time), ``sobol_<kpi>`` or ``morris_<kpi>`` (``.csv`` and
  ``.png``) for total cost and service level;
* ``summary.json`` (last): what ran, the targets, the crossings and the
  range of the headline KPIs.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.metrics.stats import CI_METHOD, kpi_estimate
from analysis.outputs import plots
from analysis.outputs.files import write_json

from ..budget import cost_breakdown_table, frontier_axes, frontier_table
from ..sensitivity import morris_indices, sobol_indices, tornado
from .design import VARIED
from .factor_effects import FACTOR_KPIS, crossing_table, crossing_text, factor_lines, is_numeric, targets_of
from .journal import write_table
from .runner import KEY_COLUMNS, SweepOutcome

SENSITIVITY_KPIS = ("total_cost", "service_level")
MAX_BARS = 40  # a stacked bar per variant stops being readable beyond this


def parameter_columns(design: pd.DataFrame) -> pd.DataFrame:
    """The parameters each variant sets, one column each: table values become ``path.key`` columns,
    lists are written as JSON text (never a Python repr)."""
    columns: dict[str, list] = {}
    for column in design.columns:
        if column == VARIED:
            columns[column] = list(design[column])
            continue
        flat = [_flatten(column, value) for value in design[column]]
        names = list(dict.fromkeys(name for entry in flat for name in entry))
        for name in names:
            columns[name] = [entry.get(name) for entry in flat]
    return pd.DataFrame({name: _numeric_if_possible(values) for name, values in columns.items()}, index=design.index)


def _numeric_if_possible(values: list) -> pd.Series:
    try:
        return pd.to_numeric(pd.Series(values))
    except (ValueError, TypeError):
        return pd.Series(values, dtype=object)


def _flatten(path: str, value) -> dict[str, object]:
    if isinstance(value, dict):
        return {name: leaf for key, item in value.items() for name, leaf in _flatten(f"{path}.{key}", item).items()}
    if isinstance(value, (list, tuple)):
        return {path: json.dumps(value)}
    return {path: value}


def variant_means(outcome: SweepOutcome) -> pd.DataFrame:
    """One row per variant: the parameters it sets, then per KPI and cost column the mean and 95% CI."""
    results = outcome.results
    parameter_names = set(outcome.spec.parameter_paths) | {VARIED}
    numeric = [c for c in results.columns if c not in parameter_names and c not in KEY_COLUMNS
               and pd.api.types.is_numeric_dtype(results[c])]
    rows = []
    for variant, group in results.groupby("variant", sort=True):
        row = {"variant": variant}
        for column in numeric:
            found = kpi_estimate(column, group[column].to_numpy(float))
            row.update({column: found.mean, f"{column}_ci_low": found.low, f"{column}_ci_high": found.high})
        rows.append(row)
    estimates = pd.DataFrame(rows).set_index("variant")
    return pd.concat([parameter_columns(outcome.design), estimates], axis=1).rename_axis("variant").reset_index()


def write_sweep_outputs(outcome: SweepOutcome, frontier_kpis: tuple[str | None, str | None] = (None, None),
                        ) -> list[Path]:
    """Write the per-variant, factor, crossing, budget, frontier and sensitivity files, then ``summary.json``."""
    directory, results = outcome.directory, outcome.results
    variants = variant_means(outcome)
    written = [write_table(directory / "variants.csv", variants)]
    crossings = sweep_crossings(outcome, variants)
    written.append(write_table(directory / "crossings.csv", crossings))
    written.extend(_factor_figures(outcome, variants, crossings))
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
    written.append(write_json(directory / "summary.json", sweep_summary(outcome, variants, crossings)))
    return written


def sweep_targets(outcome: SweepOutcome) -> dict[str, float]:
    """The base scenario's targets, by KPI."""
    return targets_of(outcome.base.service_level.model_dump())


def sweep_crossings(outcome: SweepOutcome, variants: pd.DataFrame) -> pd.DataFrame:
    factors = [(factor.path, factor.name) for factor in outcome.spec.factors]
    return crossing_table(variants, factors, outcome.spec.design.kind, sweep_targets(outcome))


def _factor_figures(outcome: SweepOutcome, variants: pd.DataFrame, crossings: pd.DataFrame) -> list[Path]:
    written = []
    paths = outcome.spec.factor_paths
    for number, factor in enumerate(outcome.spec.factors, start=1):
        if factor.path not in variants or not is_numeric(variants[factor.path]):
            continue
        lines = factor_lines(variants, paths, factor.path, outcome.spec.design.kind)
        figure = plots.kpi_factor_figure(variants, factor.path, factor.name, FACTOR_KPIS, lines,
                                         sweep_targets(outcome), crossings, currency=outcome.base.currency)
        written.append(plots.save_png(figure, outcome.directory / f"factor_{number}.png"))
    return written


def sweep_summary(outcome: SweepOutcome, variants: pd.DataFrame, crossings: pd.DataFrame) -> dict:
    """The content of the sweep's ``summary.json``."""
    ranges = {kpi: {"min": float(np.nanmin(variants[kpi])), "max": float(np.nanmax(variants[kpi]))}
              for kpi in FACTOR_KPIS if kpi in variants and variants[kpi].notna().any()}
    return {"name": outcome.spec.name, "variants": len(outcome.design), "replications": outcome.spec.replications,
            "seed": outcome.spec.seed, "design": outcome.spec.design.kind, "restaff": outcome.spec.restaff,
            "targets": sweep_targets(outcome), "crossings": crossings.to_dict(orient="records"),
            "kpi_ranges": ranges, "ci_method": CI_METHOD}


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
    if outcome.spec.restaff:
        lines.append(f"every variant re-staffed to the base scenario's targets by {outcome.spec.restaff} "
                     f"(plans in {outcome.directory / 'restaffed'}/)")
    means = outcome.results.groupby("variant")[[k for k in SENSITIVITY_KPIS if k in outcome.results]].mean()
    for kpi in means.columns:
        values = means[kpi].to_numpy(float)
        lines.append(f"  {kpi}: {np.nanmin(values):.6g} .. {np.nanmax(values):.6g} over variants")
    variants = variant_means(outcome)
    crossings = sweep_crossings(outcome, variants)
    if len(crossings):
        lines.append("target crossings (linear between neighbouring variants):")
        lines.extend(crossing_text(crossings))
    elif sweep_targets(outcome) and outcome.spec.design.kind in ("grid", "oat"):
        lines.append("no KPI crosses its target within the factors' ranges "
                     f"(targets: {', '.join(f'{k} {v:g}' for k, v in sweep_targets(outcome).items())})")
    return "\n".join(lines)
