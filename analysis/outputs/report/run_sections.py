"""Report sections of a run (``ccsim run``, or one scenario of a comparison) and of a comparison.

A run folder holds ``summary.json``, ``intervals.csv`` and ``days.csv``;
folders written before ``days.csv`` and the target fields existed still
get every section their files support.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd

from analysis.outputs import plots
from analysis.studies.budget import TOTAL

from .formatting import blank_missing, column_kind, format_value, formatted, formatted_by_row, interval_text
from .page import Section, html_text

INTERVAL_COLUMNS = ("day", "weekday", "interval_start", "offered", "answered", "abandon_rate", "service_level",
                    "asa_seconds", "agents_on_duty", "occupancy", "targets_missed")
DAY_COLUMNS = ("day", "weekday", "offered", "answered", "abandoned", "abandon_rate", "service_level",
               "asa_seconds", "occupancy", "paid_hours", "targets_missed")
MAX_INTERVAL_ROWS = 3000


def read_json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def scenario_of(summary: dict) -> dict:
    return summary.get("provenance", {}).get("scenario") or {}


def currency_of(summary: dict) -> str:
    return str(scenario_of(summary).get("currency") or summary.get("currency") or "")


def with_ci_column(table: pd.DataFrame, kpi: str, currency: str = "") -> pd.DataFrame:
    """``<kpi>_ci_low``/``_ci_high`` replaced by one ``<kpi> 95% CI`` text column after the KPI."""
    low, high = f"{kpi}_ci_low", f"{kpi}_ci_high"
    if kpi not in table or low not in table or high not in table:
        return table
    table = table.copy()
    text = [interval_text(a, b, column_kind(kpi), currency) for a, b in zip(table[low], table[high])]
    table = table.drop(columns=[low, high])
    table.insert(table.columns.get_loc(kpi) + 1, f"{kpi} 95% CI", text)
    return table


def kpi_section(summary: dict, label: str) -> Section:
    """KPIs with their CIs (shares as %, money in the currency), the CI method, precision warnings, costs."""
    currency = currency_of(summary)
    section = Section(html_text("{}: KPIs", label))
    provenance = summary.get("provenance", {})
    scenario = scenario_of(summary)
    if scenario.get("name"):
        described = [scenario["description"]] if scenario.get("description") else []
        section.add_text(html_text("Scenario {}" + (": {}" if described else ""), scenario["name"], *described))
    section.add_text(f"{provenance.get('replications', '?')} replication(s), seed {provenance.get('seed', '?')}, "
                     f"ccsim {provenance.get('version', '?')}. 95% CI: "
                     + summary.get("ci_method", "Student t interval over replications."))
    for warning in summary.get("precision_warnings", []):
        section.add_warning(f"Precision: {warning.get('text', warning)}")
    rows = [{"KPI": name, "mean": value.get("mean"), "low": (value.get("ci95") or [None, None])[0],
             "high": (value.get("ci95") or [None, None])[1], "unit": value.get("unit", "")}
            for name, value in summary.get("kpis", {}).items()]
    if rows:
        table = formatted_by_row(pd.DataFrame(rows), "unit", ["mean", "low", "high"], currency)
        table["95% CI"] = [f"[{low}, {high}]" if low != "-" else "-" for low, high in zip(table["low"], table["high"])]
        section.add_table(table[["KPI", "mean", "95% CI"]], max_rows=200)
    costs = summary.get("cost_breakdown")
    if costs:
        breakdown = pd.DataFrame([costs], index=pd.Index([label], name="scenario"))
        breakdown[TOTAL] = breakdown.sum(axis=1)
        section.add_table(formatted(breakdown.reset_index(), currency), "Mean cost per component")
    return section


def target_section(summary: dict, label: str) -> Section | None:
    """How many open intervals and days miss each target, and the worst interval."""
    misses = summary.get("target_misses")
    if not misses:
        return None
    section = Section(html_text("{}: service targets", label))
    for kpi, found in misses.items():
        side = "below" if found.get("direction") == "at least" else "above"
        text = (f"{found.get('description', kpi)}: {side} target in {found.get('intervals_missed')} of "
                f"{found.get('intervals_judged')} open intervals ({found.get('intervals_clearly_missed')} with the "
                f"whole 95% CI {side}) and {found.get('days_missed')} of {found.get('days_judged')} days.")
        worst = found.get("worst")
        if worst:
            kind = column_kind(kpi)
            text += (f" Worst: day {worst['day']} ({worst['weekday']}) {worst['interval_start']}, "
                     f"{format_value(worst[kpi], kind)} "
                     f"{interval_text(*(worst.get('ci95') or [None, None]), kind)}.")
        section.add_text(text)
    section.add_text("Intervals and days that miss a target are highlighted in the tables below.")
    return section


def _marked(table: pd.DataFrame) -> list[bool]:
    if "targets_missed" not in table:
        return [False] * len(table)
    return [isinstance(value, str) and bool(value.strip()) for value in table["targets_missed"]]


def _shown(table: pd.DataFrame, columns: tuple[str, ...], currency: str) -> pd.DataFrame:
    kept = table[[column for column in columns if column in table] +
                 [column for column in table.columns if column.endswith(("_ci_low", "_ci_high"))]]
    for kpi in ("service_level", "abandon_rate", "asa_seconds"):
        kept = with_ci_column(kept, kpi, currency)
    kept = kept[[column for column in kept.columns if not column.endswith(("_ci_low", "_ci_high"))]]
    if "targets_missed" in kept:
        kept = kept.assign(targets_missed=blank_missing(kept[["targets_missed"]])["targets_missed"])
    return formatted(kept, currency)


def day_section(folder: Path, summary: dict | None, label: str) -> Section | None:
    path = folder / "days.csv"
    if path.exists():
        days = pd.read_csv(path)
    elif summary and summary.get("days"):
        days = pd.DataFrame(summary["days"])
    else:
        return None
    section = Section(html_text("{}: per day", label))
    section.add_table(_shown(days, DAY_COLUMNS, currency_of(summary or {})),
                      "KPIs per simulated day, pooled over replications", max_rows=400, marked=_marked(days))
    return section


def interval_section(intervals: pd.DataFrame, summary: dict | None, label: str) -> Section:
    """The per-interval table (open intervals, misses highlighted) and the interval charts."""
    target = scenario_of(summary or {}).get("service_level", {}).get("target")
    shown = plots.open_rows(intervals)
    if "targets_missed" not in shown and target is not None and "service_level" in shown:
        shown = shown.assign(targets_missed=["service_level" if value < target else ""
                                             for value in shown["service_level"].fillna(math.inf)])
    section = Section(html_text("{}: per interval", label))
    section.add_figure(plots.interval_service_level_figure(intervals, target, f"{label}: service level"),
                       "Service level and abandon rate per open interval (pooled over replications)")
    section.add_figure(plots.staffing_figure(intervals, f"{label}: demand and staffing"),
                       "Contacts offered and agents scheduled, available and on duty per open interval")
    caption = "Open intervals, pooled over replications"
    if len(shown) > MAX_INTERVAL_ROWS:  # a long horizon: the misses are what a planner reads first
        missed = _marked(shown)
        caption = f"Open intervals that miss a target ({sum(missed)} of {len(shown)}; intervals.csv has them all)"
        shown = shown[missed]
    section.add_table(_shown(shown, INTERVAL_COLUMNS, currency_of(summary or {})), caption,
                      max_rows=MAX_INTERVAL_ROWS, marked=_marked(shown))
    return section


def run_sections(folder: Path, label: str) -> list[Section]:
    """KPIs, targets, per-day and per-interval tables and charts of one run folder."""
    sections = []
    summary_path, intervals_path = folder / "summary.json", folder / "intervals.csv"
    summary = read_json(summary_path) if summary_path.exists() else None
    if summary is not None:
        sections.append(kpi_section(summary, label))
        targets = target_section(summary, label)
        if targets is not None:
            sections.append(targets)
    days = day_section(folder, summary, label)
    if days is not None:
        sections.append(days)
    if intervals_path.exists():
        sections.append(interval_section(pd.read_csv(intervals_path), summary, label))
    return sections


def comparison_sections(folder: Path) -> list[Section]:
    path = folder / "comparison.csv"
    if not path.exists():
        return []
    meta = read_json(folder / "comparison.json") if (folder / "comparison.json").exists() else {}
    table = pd.read_csv(path)
    currency = next((unit for unit in table["unit"].dropna().unique() if str(unit).isupper()), "")
    section = Section("Scenario comparison")
    section.add_text(html_text("{} replication(s) per scenario on common random numbers (seed {}); differences are "
                               "paired against {}, differences of shares in percentage points (pp). A difference "
                               "whose 95% CI contains zero is not distinguishable from noise.",
                               meta.get("replications", "?"), meta.get("seed", "?"),
                               meta.get("reference", "the first")))
    text = formatted_by_row(table, "unit", ["mean", "ci_low", "ci_high", "diff", "diff_low", "diff_high"],
                            currency, signed=("diff", "diff_low", "diff_high"))
    reference = table["scenario"] == meta.get("reference", table["scenario"].iloc[0])
    shown = pd.DataFrame({
        "KPI": table["kpi"], "scenario": table["scenario"], "mean": text["mean"],
        "95% CI": [f"[{a}, {b}]" if a != "-" else "-" for a, b in zip(text["ci_low"], text["ci_high"])],
        "difference": text["diff"].where(~reference, ""),
        "difference 95% CI": [f"[{a}, {b}]" if a != "-" else "-" for a, b in zip(text["diff_low"], text["diff_high"])],
        "verdict": [_verdict(flag) for flag in table["distinguishable"]],
    })
    shown.loc[reference, "difference 95% CI"] = ""
    section.add_table(shown, max_rows=len(shown))
    return [section]


def _verdict(flag) -> str:
    if pd.isna(flag):
        return ""
    return "" if str(flag) == "True" else "not distinguishable from noise"
