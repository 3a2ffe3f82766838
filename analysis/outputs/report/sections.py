"""Report sections for whatever a results directory holds.

Recognised files (as written by ``ccsim run``, ``compare``, ``sweep`` and
``breakeven``): ``summary.json`` and ``intervals.csv`` (a run, at the top
or one per scenario folder), ``comparison.csv``/``comparison.json``,
``budget.csv``, ``sweep.json``/``variants.csv``/``frontier.csv``,
``tornado_*.csv``, ``sobol_*.csv``, ``morris_*.csv`` and
``breakeven.json``/``breakeven.csv``. Figures are drawn again from the
tables, so a directory without PNG files still gets its charts.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from analysis.outputs import plots
from analysis.studies.budget import TOTAL

from .page import Section

MAX_BUDGET_BARS = 40


def _read_json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def run_sections(folder: Path, label: str) -> list[Section]:
    """KPIs, costs and interval charts of one run folder (``summary.json`` and/or ``intervals.csv``)."""
    sections = []
    summary_path, intervals_path = folder / "summary.json", folder / "intervals.csv"
    if summary_path.exists():
        summary = _read_json(summary_path)
        section = Section(f"{label}: KPIs")
        provenance = summary.get("provenance", {})
        section.add_text(f"{provenance.get('replications', '?')} replication(s), seed {provenance.get('seed', '?')}, "
                         f"ccsim {provenance.get('version', '?')}")
        kpis = pd.DataFrame([{"KPI": name, "mean": value["mean"],
                              "95% CI low": (value.get("ci95") or [None, None])[0],
                              "95% CI high": (value.get("ci95") or [None, None])[1], "unit": value.get("unit", "")}
                             for name, value in summary.get("kpis", {}).items()]).astype({"mean": float})
        section.add_table(kpis.fillna(float("nan")), max_rows=200)
        costs = summary.get("cost_breakdown")
        if costs:
            breakdown = pd.DataFrame([costs], index=pd.Index([label], name="scenario"))
            breakdown[TOTAL] = breakdown.sum(axis=1)
            section.add_table(breakdown.reset_index(), "Mean cost per component")
        sections.append(section)
    if intervals_path.exists():
        intervals = pd.read_csv(intervals_path)
        target = None
        if summary_path.exists():
            target = _read_json(summary_path).get("provenance", {}).get("scenario", {}) \
                .get("service_level", {}).get("target")
        section = Section(f"{label}: intervals")
        section.add_figure(plots.interval_service_level_figure(intervals, target, f"{label}: service level"),
                           "Service level and abandon rate per interval (pooled over replications)")
        section.add_figure(plots.staffing_figure(intervals, f"{label}: demand and staffing"),
                           "Contacts offered and agents scheduled, available and on duty per interval")
        sections.append(section)
    return sections


def comparison_sections(folder: Path) -> list[Section]:
    path = folder / "comparison.csv"
    if not path.exists():
        return []
    meta = _read_json(folder / "comparison.json") if (folder / "comparison.json").exists() else {}
    table = pd.read_csv(path)
    section = Section("Scenario comparison")
    section.add_text(f"{meta.get('replications', '?')} replication(s) per scenario on common random numbers "
                     f"(seed {meta.get('seed', '?')}); differences are paired against "
                     f"{meta.get('reference', 'the first')}. "
                     "A difference whose 95% CI contains zero is not distinguishable from noise.")
    shown = table[["kpi", "scenario", "mean", "ci_low", "ci_high", "diff", "diff_low", "diff_high", "distinguishable"]]
    section.add_table(shown, max_rows=len(shown))
    return [section]


def budget_sections(folder: Path, by: str) -> list[Section]:
    path = folder / "budget.csv"
    if not path.exists():
        return []
    budget = pd.read_csv(path)
    key = budget.columns[0]
    section = Section("Budget")
    section.add_table(budget, f"Mean cost per component and {by}")
    if len(budget) <= MAX_BUDGET_BARS:
        section.add_figure(plots.cost_breakdown_figure(budget.set_index(key), key), "Cost breakdown")
    return [section]


def sweep_sections(folder: Path) -> list[Section]:
    if not (folder / "sweep.json").exists():
        return []
    meta = _read_json(folder / "sweep.json")
    spec = meta.get("spec", {})
    section = Section(f"Sweep {meta.get('name', '')}")
    section.add_text(f"{spec.get('design', {}).get('kind', '?')} design: {meta.get('variants', '?')} variant(s) x "
                     f"{meta.get('replications', '?')} replication(s), seed {meta.get('seed', '?')}, "
                     f"common random numbers across variants.")
    factors = pd.DataFrame(spec.get("factors", []))
    if not factors.empty:
        section.add_table(factors.dropna(axis=1, how="all"), "Factors")
    if not (folder / "results.csv").exists():
        section.add_text("The sweep has not finished: results.csv is missing.")
    if (folder / "variants.csv").exists():
        section.add_table(pd.read_csv(folder / "variants.csv"), "Mean KPIs per variant", max_rows=40)
    sections = [section]
    sections.extend(budget_sections(folder, "variant"))
    sections.extend(frontier_sections(folder))
    sections.extend(sensitivity_sections(folder))
    return sections


def frontier_sections(folder: Path) -> list[Section]:
    path = folder / "frontier.csv"
    if not path.exists():
        return []
    frontier = pd.read_csv(path)
    cost, benefit = [column for column in frontier.columns if column not in ("variant", "efficient")][:2]
    section = Section("Cost and benefit")
    section.add_figure(plots.frontier_figure(frontier, cost, benefit),
                       f"Mean {benefit} against mean {cost} per variant; the line joins the efficient variants")
    section.add_table(frontier[frontier["efficient"]], "Efficient variants (no other is cheaper and better)")
    return [section]


def sensitivity_sections(folder: Path) -> list[Section]:
    sections = []
    for path in sorted(folder.glob("tornado_*.csv")):
        kpi = path.stem.removeprefix("tornado_")
        table = pd.read_csv(path)
        section = Section(f"Tornado: {kpi}")
        section.add_figure(plots.tornado_figure(table, kpi), f"Swing of {kpi} as each factor moves alone")
        section.add_table(table)
        sections.append(section)
    for kind, label in (("sobol", "Sobol' indices"), ("morris", "Morris screening")):
        for path in sorted(folder.glob(f"{kind}_*.csv")):
            kpi = path.stem.removeprefix(f"{kind}_")
            table = pd.read_csv(path)
            section = Section(f"{label}: {kpi}")
            section.add_figure(plots.indices_figure(table, kpi), f"{label} of {kpi} with 95% bootstrap CIs")
            section.add_table(table)
            sections.append(section)
    return sections


def break_even_sections(folder: Path) -> list[Section]:
    path = folder / "breakeven.json"
    if not path.exists():
        return []
    study = _read_json(path)
    section = Section("Break-even")
    goal = f"equals that of {study['against']}" if study.get("against") else f"reaches {study.get('target')}"
    value = study.get("value")
    if value is None:
        section.add_text(f"{study['kpi']} never {goal} in the grid of {study['parameter']}: {study.get('message', '')}")
    else:
        section.add_text(f"{study['kpi']} {goal} at {study['parameter']} = {value:.6g} "
                         f"(95% CI {study['low']:.6g} .. {study['high']:.6g}, "
                         f"{study['replications']} replications per grid value).")
    grid = pd.Series(study["grid"], dtype=float).to_numpy()
    gap = pd.Series(study["mean_gap"], dtype=float).to_numpy()
    nan = float("nan")
    section.add_figure(plots.crossing_figure(grid, gap, value if value is not None else nan,
                                             study.get("low") or nan, study.get("high") or nan, study["kpi"]),
                       "Mean gap to the target over the grid, and the break-even point with its CI")
    return [section]


def all_sections(folder: Path) -> list[Section]:
    """Every section the folder supports, in reading order."""
    if (folder / "comparison.csv").exists():
        sections = comparison_sections(folder) + budget_sections(folder, "scenario")
        for label in _read_json(folder / "comparison.json").get("scenarios", []) \
                if (folder / "comparison.json").exists() else []:
            sections.extend(run_sections(folder / label, label))
    elif (folder / "sweep.json").exists():
        sections = sweep_sections(folder)
    else:
        sections = run_sections(folder, folder.name)
    return sections + break_even_sections(folder)
