"""The results of ``ccsim run``: ``summary.json`` with provenance, the CSV files, and the console table.

Files are written atomically (:mod:`analysis.outputs.files`); ``summary.json`` last.
"""

from __future__ import annotations

import datetime as dt
import math
import platform
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

from analysis.runs.experiment import ExperimentResult

from .files import write_csv, write_json


def package_version() -> str:
    try:
        return metadata.version("ccsim")
    except metadata.PackageNotFoundError:
        return "unknown"


def provenance(result: ExperimentResult, command: list[str] | None = None) -> dict[str, Any]:
    return {
        "package": "ccsim",
        "version": package_version(),
        "seed": result.seed,
        "replications": result.replications,
        "run_seconds": round(result.wall_seconds, 3),
        "finished_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "command": command if command is not None else sys.argv,
        "scenario": result.scenario.model_dump(mode="json"),
    }


def summary(result: ExperimentResult, command: list[str] | None = None) -> dict[str, Any]:
    """The content of ``summary.json``: every KPI's mean, 95% CI and unit, plus provenance."""
    kpis = {name: {"mean": value.mean, "ci95": [value.low, value.high], "unit": result.unit(name)}
            for name, value in result.estimates(0.95).items()}
    costs = result.cost_table().mean().to_dict()
    return {"kpis": kpis, "cost_breakdown": costs, "provenance": provenance(result, command)}


def write_results(result: ExperimentResult, directory: str | Path, command: list[str] | None = None) -> list[Path]:
    """Write intervals.csv, contacts.csv and (last) summary.json into ``directory``."""
    directory = Path(directory)
    written = [write_csv(directory / "intervals.csv", result.intervals())]
    if result.first_contacts is not None:
        written.append(write_csv(directory / "contacts.csv", result.first_contacts))
    written.append(write_json(directory / "summary.json", summary(result, command)))
    return written


def _format_number(value: float, unit: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if unit == "share":
        return f"{value:.2%}"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.3g}" if abs(value) < 10 else f"{value:.1f}"


def kpi_table_text(result: ExperimentResult) -> str:
    """The KPI table printed by ``ccsim run``: mean and 95% CI per KPI."""
    rows = []
    for name, value in result.estimates(0.95).items():
        unit = result.unit(name)
        interval = "-" if math.isnan(value.low) else \
            f"[{_format_number(value.low, unit)}, {_format_number(value.high, unit)}]"
        rows.append((name, _format_number(value.mean, unit), interval, "" if unit == "share" else unit))
    widths = [max(len(row[i]) for row in rows + [("KPI", "mean", "95% CI", "unit")]) for i in range(4)]
    header = ("KPI", "mean", "95% CI", "unit")
    lines = ["  ".join((header[0].ljust(widths[0]), header[1].rjust(widths[1]), header[2].rjust(widths[2]), header[3]))]
    lines.append("  ".join("-" * width for width in widths))
    for row in rows:
        lines.append("  ".join((row[0].ljust(widths[0]), row[1].rjust(widths[1]), row[2].rjust(widths[2]), row[3])))
    return "\n".join(lines)
