"""Report sections of calibration results: the fit report folder of ``ccsim calibrate`` (``index.md``,
``fit_*.csv``, plots) and a ``ccsim backtest`` directory (period, errors and hourly tables, plots)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd

from .formatting import format_value, formatted, interval_text
from .page import Section

_IMAGE = re.compile(r"^!\[(?P<caption>[^\]]*)\]\((?P<file>[^)]+)\)$")
FIT_TABLES = (("fit_arrivals.csv", "Arrivals per day type"), ("fit_handle_time.csv", "Handle time per contact type"),
              ("fit_patience.csv", "Patience per contact type (censored by answers)"),
              ("fit_patience_by_queue.csv", "Extra early hang-up rate by callers ahead at arrival"),
              ("fit_type_order.csv", "Queue boost per contact type from agents' choices"))
BACKTEST_PANELS = {"offered": None, "abandon_rate": "share", "abandon_rate_waited": "share",
                   "service_level": "share", "asa_seconds": "seconds"}


def fit_report_folders(folder: Path) -> list[Path]:
    """The calibration report folders in ``folder``: itself, or ``<scenario>_report/`` beside a scenario."""
    if (folder / "index.md").exists():
        return [folder]
    return sorted(path.parent for path in folder.glob("*_report/index.md"))


def calibration_sections(folder: Path) -> list[Section]:
    """Fit tables, then the report page's own parts (summary, log reading, provenance, plots)."""
    sections = []
    for report in fit_report_folders(folder):
        label = report.name.removesuffix("_report")
        fits = Section(f"Calibration {label}: fitted numbers")
        for name, caption in FIT_TABLES:
            if (report / name).exists():
                fits.add_table(formatted(pd.read_csv(report / name)), caption, max_rows=200)
        if fits.blocks:
            sections.append(fits)
        sections.extend(markdown_sections(report / "index.md", report, f"Calibration {label}"))
    return sections


def markdown_sections(page: Path, folder: Path, prefix: str) -> list[Section]:
    """The subset of Markdown the fit report writes: ``##`` sections, code blocks, bullets, images."""
    sections: list[Section] = []
    current = Section(prefix)
    code: list[str] | None = None
    for line in page.read_text(encoding="utf-8").splitlines():
        if code is not None:
            if line.startswith("```"):
                current.add_preformatted("\n".join(code))
                code = None
            else:
                code.append(line)
            continue
        image = _IMAGE.match(line.strip())
        if line.startswith("```"):
            code = []
        elif line.startswith("## "):
            if current.blocks:
                sections.append(current)
            current = Section(f"{prefix}: {line[3:].strip()}")
        elif image and (folder / image["file"]).is_file() and (folder / image["file"]).suffix == ".png":
            current.add_png(folder / image["file"], image["caption"])
        elif line.strip() and not line.startswith(("# ", "### ")):
            current.add_text(line.strip().removeprefix("- ").replace("**", ""))
    if current.blocks:
        sections.append(current)
    return sections


def is_backtest(folder: Path) -> bool:
    return (folder / "hourly.csv").exists() and (folder / "period.csv").exists()


def backtest_sections(folder: Path) -> list[Section]:
    section = Section("Back-test")
    summary_path = folder / "summary.json"
    if summary_path.exists():
        summary = json.loads(summary_path.read_text(encoding="utf-8"))
        dates = summary.get("dates") or ["?", "?"]
        section.add_text(f"{dates[0]} to {dates[-1]} ({summary.get('days', '?')} days), "
                         f"{summary.get('replications', '?')} replications; observed against simulated, with the "
                         "simulated mean's 95% CI and a 95% prediction interval for one more replication.")
    period = pd.read_csv(folder / "period.csv")
    section.add_table(_with_intervals(period, (("ci_low", "ci_high", "simulated 95% CI"),)), "The whole period")
    if (folder / "errors.csv").exists():
        errors = pd.read_csv(folder / "errors.csv")
        section.add_table(_by_kpi(errors, ["mean_absolute_error", "mean_error", "observed_mean"],
                                  {"inside_interval": "share", "hours": None}),
                          "Hourly errors (hours with enough contacts behind the ratio)")
    for path in sorted(folder.glob("backtest*.png")):
        section.add_png(path, f"Observed against simulated by hour ({path.stem})")
    sections = [section, *_availability_sections(folder)]
    hourly = pd.read_csv(folder / "hourly.csv")
    for day_type, rows in hourly.groupby("day_type", sort=False):
        rows = rows[rows.groupby("hour")["observed"].transform("max").fillna(0) > 0]
        if rows.empty:
            continue
        hours = Section(f"Back-test by hour: {day_type}")
        shown = _with_intervals(rows.drop(columns=["day_type"]).rename(columns={"observed_base": "contacts_behind"}),
                                (("ci_low", "ci_high", "simulated 95% CI"), ("pi_low", "pi_high", "95% PI")))
        outside = ~rows["inside"].astype(bool).to_numpy() & rows["pi_low"].notna().to_numpy()
        hours.add_table(shown.drop(columns=["inside"]), "Per hour and KPI; observed values outside the 95% "
                        "prediction interval of one simulated period highlighted",
                        max_rows=24 * len(BACKTEST_PANELS), marked=list(outside))
        sections.append(hours)
    return sections


def _availability_sections(folder: Path) -> list[Section]:
    """Waits, share of agents talking by callers waiting, hours left out and parameter drift, when written."""
    section = Section("Back-test: waits, agents and drift")
    summary_path = folder / "summary.json"
    summary = json.loads(summary_path.read_text(encoding="utf-8")) if summary_path.exists() else {}
    for row in summary.get("anomalous_hours") or []:
        section.add_text(f"Left out of the errors below: {row['date']} {row['hour']:02d}h, {row['calls']} calls "
                         f"with a mean talk time of {row['observed_mean']:.0f} s against {row['expected_mean']:.0f} s "
                         f"expected (z = {row['z']:.1f}): the scenario cannot reproduce that hour.")
    if summary.get("anomalous_hours"):
        errors = pd.DataFrame([{"kpi": kpi, **values} for kpi, values in
                               summary["errors_main_day_type"]["errors_without_anomalies"].items()])
        section.add_table(_by_kpi(errors, ["mean_absolute_error", "mean_error", "observed_mean"],
                                  {"inside_interval": "share", "hours": None}),
                          f"Hourly errors of {summary['errors_main_day_type']['day_type']} without those hours")
    for name, caption in (("waits.csv", "P(wait > t) of contacts reaching agents: observed, simulated and its 95% CI"),
                          ("talking.csv", "Share of agents on duty talking, by callers waiting"),
                          ("drift.csv", "How parameters moved between the scenario and the tested period")):
        if (folder / name).exists():
            section.add_table(pd.read_csv(folder / name).round(4), caption)
    if (folder / "availability.png").exists():
        section.add_png(folder / "availability.png", "Waits and share of agents talking: log and simulation")
    return [section] if section.blocks else []


def _with_intervals(table: pd.DataFrame, pairs: tuple[tuple[str, str, str], ...]) -> pd.DataFrame:
    """Observed and simulated values formatted by KPI, each (low, high) pair as one ``[low, high]`` column."""
    shown = _by_kpi(table, [column for column in ("observed", "simulated") if column in table])
    for low, high, title in pairs:
        shown[title] = [interval_text(a, b, BACKTEST_PANELS.get(kpi)) for a, b, kpi in
                        zip(table[low], table[high], table["kpi"])]
        shown = shown.drop(columns=[low, high])
    return shown


def _by_kpi(table: pd.DataFrame, columns: list[str], fixed: dict[str, str | None] | None = None) -> pd.DataFrame:
    """Values formatted by the KPI each row is about (rates as %, ASA in seconds); ``fixed``: columns of
    one kind whatever the row."""
    shown = table.copy().astype(object)
    for column in columns:
        shown[column] = [format_value(value, BACKTEST_PANELS.get(kpi)) for value, kpi in zip(table[column],
                                                                                            table["kpi"])]
    for column, kind in (fixed or {}).items():
        if column in table:
            shown[column] = [format_value(value, kind) for value in table[column]]
    return shown
