"""Report sections of studies: sweeps (variants, budget, frontier, KPI against each factor,
sensitivity) and break-even searches."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from analysis.metrics.kpis import KPI_UNITS
from analysis.outputs import plots
from analysis.studies.sweep.factor_effects import FACTOR_KPIS, crossing_table, factor_lines, is_numeric, targets_of

from .formatting import blank_missing, column_kind, format_value, formatted, interval_text
from .page import Section, html_text
from .run_sections import read_json

MAX_BUDGET_BARS = 40
VARIANT_KPIS = ("service_level", "abandon_rate", "asa_seconds", "occupancy", "csat_mean", "agents_paid_hours",
                "labor_cost", "total_cost", "cost_per_contact")


def budget_sections(folder: Path, by: str, currency: str = "") -> list[Section]:
    path = folder / "budget.csv"
    if not path.exists():
        return []
    budget = pd.read_csv(path)
    key = budget.columns[0]
    section = Section("Budget")
    section.add_table(formatted(budget, currency, kinds={key: None}), f"Mean cost per component and {by}")
    if len(budget) <= MAX_BUDGET_BARS:
        section.add_figure(plots.cost_breakdown_figure(budget.set_index(key), key), "Cost breakdown")
    return [section]


def sweep_sections(folder: Path) -> list[Section]:
    if not (folder / "sweep.json").exists():
        return []
    meta = read_json(folder / "sweep.json")
    spec = meta.get("spec", {})
    currency = str((meta.get("base_scenario") or {}).get("currency") or "")
    section = Section(html_text("Sweep {}", meta.get("name", "")))
    if spec.get("description"):
        section.add_text(html_text("{}", spec["description"]))
    restaff = meta.get("restaff")
    section.add_text(f"{spec.get('design', {}).get('kind', '?')} design: {meta.get('variants', '?')} variant(s) x "
                     f"{meta.get('replications', '?')} replication(s), seed {meta.get('seed', '?')}, "
                     "common random numbers across variants."
                     + (f" Every variant re-staffed to the scenario's targets by {restaff} before it ran."
                        if restaff else ""))
    factors = pd.DataFrame(spec.get("factors", []))
    if not factors.empty:
        section.add_table(factors.dropna(axis=1, how="all").astype(str), "Factors")
    if not (folder / "results.csv").exists():
        section.add_text("The sweep has not finished: results.csv is missing.")
    sections = [section]
    if (folder / "variants.csv").exists():
        variants = pd.read_csv(folder / "variants.csv")
        section.add_table(variant_table(variants, currency), "KPIs per variant: mean and 95% CI over replications "
                          "(headline KPIs; variants.csv has every KPI and cost column)", max_rows=40)
        sections.extend(factor_sections(folder, variants, meta))
    sections.extend(budget_sections(folder, "variant", currency))
    sections.extend(frontier_sections(folder))
    sections.extend(sensitivity_sections(folder, currency))
    return sections


def variant_table(variants: pd.DataFrame, currency: str = "") -> pd.DataFrame:
    """The parameters of each variant, then each headline KPI with its CI as one column."""
    estimated = {column.removesuffix("_ci_low") for column in variants.columns if column.endswith("_ci_low")}
    estimated |= set(KPI_UNITS) & set(variants.columns)  # files written before the CI columns existed
    parameters = [column for column in variants.columns
                  if column not in estimated and not column.endswith(("_ci_low", "_ci_high"))
                  and column.split(":")[0] != "cost"]
    shown = variants[parameters + [kpi for kpi in VARIANT_KPIS if kpi in variants]]
    text = formatted(shown, currency, kinds={column: None for column in parameters})
    for kpi in VARIANT_KPIS:
        if f"{kpi}_ci_low" in variants:
            kind = column_kind(kpi)
            text.insert(text.columns.get_loc(kpi) + 1, f"{kpi} 95% CI",
                        [interval_text(low, high, kind, currency)
                         for low, high in zip(variants[f"{kpi}_ci_low"], variants[f"{kpi}_ci_high"])])
    return text


def factor_sections(folder: Path, variants: pd.DataFrame, meta: dict) -> list[Section]:
    """Each headline KPI against each numeric factor, with the targets and where the KPIs cross them."""
    spec = meta.get("spec", {})
    currency = str((meta.get("base_scenario") or {}).get("currency") or "")
    factors = [(factor["path"], factor.get("label") or factor["path"]) for factor in spec.get("factors", [])]
    kind = spec.get("design", {}).get("kind", "")
    summary = read_json(folder / "summary.json") if (folder / "summary.json").exists() else {}
    targets = summary.get("targets") or targets_of((meta.get("base_scenario") or {}).get("service_level"))
    path = folder / "crossings.csv"
    crossings = pd.read_csv(path) if path.exists() else crossing_table(variants, factors, kind, targets)
    section = Section("KPIs against the factors")
    for factor_path, label in factors:
        if factor_path not in variants or not is_numeric(variants[factor_path]):
            continue
        lines = factor_lines(variants, [p for p, _ in factors], factor_path, kind)
        section.add_figure(plots.kpi_factor_figure(variants, factor_path, label, FACTOR_KPIS, lines, targets,
                                                   crossings, currency=currency),
                           html_text("Headline KPIs against {}: mean and 95% CI per variant, targets dashed, "
                                     "crossings dotted", label))
    if not section.blocks:
        return []
    if len(crossings):
        shown = crossings.copy()
        shown["target"] = [format_value(value, column_kind(kpi)) for value, kpi in zip(shown["target"],
                                                                                        shown["kpi"])]
        section.add_table(blank_missing(shown.drop(columns=["path"])),
                          "Where a KPI crosses its target: linear between neighbouring variants; band: where the "
                          "95% CI limits cross it")
    elif targets:
        section.add_text("No KPI crosses its target within the factors' ranges.")
    return [section]


def frontier_sections(folder: Path) -> list[Section]:
    path = folder / "frontier.csv"
    if not path.exists():
        return []
    frontier = pd.read_csv(path)
    cost, benefit = [column for column in frontier.columns if column not in ("variant", "efficient")][:2]
    section = Section("Cost and benefit")
    section.add_figure(plots.frontier_figure(frontier, cost, benefit),
                       html_text("Mean {} against mean {} per variant; the line joins the efficient variants",
                                 benefit, cost))
    section.add_table(frontier[frontier["efficient"]], "Efficient variants (no other is cheaper and better)")
    return [section]


def sensitivity_sections(folder: Path, currency: str = "") -> list[Section]:
    sections = []
    for path in sorted(folder.glob("tornado_*.csv")):
        kpi = path.stem.removeprefix("tornado_")
        table = pd.read_csv(path)
        section = Section(html_text("Tornado: {}", kpi))
        section.add_figure(plots.tornado_figure(table, kpi), html_text("Swing of {} as each factor moves alone", kpi))
        kind = column_kind(kpi)
        section.add_table(formatted(table, currency, kinds={"base": kind, "kpi_at_low": kind, "kpi_at_high": kind,
                                                             "swing": kind, "low_value": None, "high_value": None},
                                    signed=("swing",) if kind == "share" else ()),
                          "KPI at each factor's low and high value; swings of shares in percentage points")
        sections.append(section)
    for kind, label in (("sobol", "Sobol' indices"), ("morris", "Morris screening")):
        for path in sorted(folder.glob(f"{kind}_*.csv")):
            kpi = path.stem.removeprefix(f"{kind}_")
            table = pd.read_csv(path)
            section = Section(html_text(label + ": {}", kpi))
            section.add_figure(plots.indices_figure(table, kpi),
                               html_text(label + " of {} with 95% bootstrap CIs", kpi))
            section.add_table(table)
            sections.append(section)
    return sections


def break_even_sections(folder: Path) -> list[Section]:
    path = folder / "breakeven.json"
    if not path.exists():
        return []
    study = read_json(path)
    section = Section("Break-even")
    against = study.get("against")
    goal, other = ("equals that of {}", against) if against else ("reaches {}", study.get("target"))
    value = study.get("value")
    if value is None:
        section.add_text(html_text("{} never " + goal + " in the grid of {}: {}", study["kpi"], other,
                                   study["parameter"], study.get("message", "")))
    else:
        section.add_text(html_text("{} " + goal + " at {} = {} (95% CI {} .. {}, {} replications per grid value).",
                                   study["kpi"], other, study["parameter"], f"{value:.6g}", f"{study['low']:.6g}",
                                   f"{study['high']:.6g}", study["replications"]))
    grid = pd.Series(study["grid"], dtype=float).to_numpy()
    gap = pd.Series(study["mean_gap"], dtype=float).to_numpy()
    nan = float("nan")
    section.add_figure(plots.crossing_figure(grid, gap, value if value is not None else nan,
                                             study.get("low") or nan, study.get("high") or nan, study["kpi"]),
                       "Mean gap to the target over the grid, and the break-even point with its CI")
    if (folder / "breakeven.csv").exists():
        runs = pd.read_csv(folder / "breakeven.csv")
        means = runs.groupby(study["parameter"], sort=True)[[study["kpi"], "gap"]].mean().reset_index()
        section.add_table(formatted(means, kinds={study["parameter"]: None}),
                          "Mean KPI and gap per grid value")
    return [section]
