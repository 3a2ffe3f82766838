"""The results of ``ccsim run``: ``summary.json`` with provenance, the CSV files, and the console text.

``summary.json`` holds the KPIs with their CIs (method in ``ci_method``),
``precision_warnings`` (headline KPIs whose CI is too wide to decide on,
with the replications that would narrow it), the scenario's service
targets with every interval and day that misses them (``target_misses``;
``intervals_below_target`` repeats the service-level misses), the KPIs per
day (``days``), the cost breakdown, provenance (with the versions that
decide bit-identical reruns) and the run's other files with their sizes and
SHA-256 (``files``). Files are written atomically
(:mod:`analysis.outputs.files`) into a results folder opened safely
(:mod:`analysis.outputs.folders`); ``summary.json`` last.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import math
import platform
import sys
from pathlib import Path
from typing import Any

from analysis import __version__
from analysis.metrics.stats import CI_METHOD, precision_warnings
from analysis.metrics.target_misses import day_table, interval_checks, target_summary
from analysis.runs.experiment import ExperimentResult
from analysis.versions import software_versions

from .cost_to_serve import write_cost_to_serve
from .files import write_csv, write_json, write_table
from .folders import ResultsFolder, active_folder, file_entry, scenario_digest
from .interval_table import days_table, interval_table


def package_version() -> str:
    return __version__


def run_inputs(result_or_scenario: Any, seed: int, replications: int) -> dict[str, Any]:
    """What decides a run's results folder (see :class:`~analysis.outputs.folders.ResultsFolder`)."""
    scenario = getattr(result_or_scenario, "scenario", result_or_scenario)
    return {"scenario": scenario_digest(scenario), "scenario_name": scenario.name, "seed": seed,
            "replications": replications}


def provenance(result: ExperimentResult, command: list[str] | None = None) -> dict[str, Any]:
    return {
        "package": "ccsim",
        "version": package_version(),
        "seed": result.seed,
        "replications": result.replications,
        "run_seconds": round(result.wall_seconds, 3),
        "finished_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "versions": software_versions(),
        "command": command if command is not None else sys.argv,
        "scenario": result.scenario.model_dump(mode="json"),
    }


def _interval_sums(result: ExperimentResult) -> list:
    return [output.interval_sums for output in result.outputs]


def intervals_file_table(result: ExperimentResult):
    """The content of ``intervals.csv``."""
    return interval_table(result.scenario, result.intervals(), interval_checks(result.scenario, _interval_sums(result)))


def days_file_table(result: ExperimentResult):
    """The content of ``days.csv`` (and of ``days`` in ``summary.json``)."""
    return days_table(day_table(result.scenario, _interval_sums(result)))


def summary(result: ExperimentResult, command: list[str] | None = None,
            files: dict[str, dict[str, Any]] | None = None) -> dict[str, Any]:
    """The content of ``summary.json`` (see the module docstring)."""
    kpis = {name: {"mean": value.mean, "ci95": [value.low, value.high], "unit": result.unit(name)}
            for name, value in result.estimates(0.95).items()}
    costs = result.cost_table().mean().to_dict()
    misses = target_summary(result.scenario, _interval_sums(result))
    return {"kpis": kpis, "ci_method": CI_METHOD,
            "precision_warnings": [warning.as_dict() for warning in precision_warnings(result.kpi_table())],
            "target_misses": misses,
            "intervals_below_target": misses["service_level"]["intervals"] if "service_level" in misses else [],
            "days": days_file_table(result).to_dict(orient="records"),
            "cost_breakdown": costs, "provenance": provenance(result, command), "files": files or {}}


def write_results(result: ExperimentResult, directory: str | Path, command: list[str] | None = None,
                  overwrite: bool = False, contacts_format: str = "csv") -> list[Path]:
    """Write intervals.csv, days.csv, the kept contact records (contacts.csv, or contacts.parquet with
    ``contacts_format="parquet"``), the cost-to-serve files and (last) summary.json into ``directory``.

    Unless a results folder is already open there (the command line opens
    it before running), the directory is opened as one: a folder holding
    another run is refused unless ``overwrite``.
    """
    directory = Path(directory)
    opened = None
    if active_folder(directory) is None:
        opened = ResultsFolder(directory, "run", run_inputs(result, result.seed, result.replications),
                               overwrite=overwrite, argv=command)
    with opened or contextlib.nullcontext():
        written = [write_csv(directory / "intervals.csv", intervals_file_table(result)),
                   write_csv(directory / "days.csv", days_file_table(result))]
        contacts = result.contacts()
        if contacts is not None:
            written.append(write_table(directory / f"contacts.{contacts_format}", contacts, contacts_format))
        written += write_cost_to_serve(result, directory)
        files = {path.name: file_entry(path) for path in written}
        written.append(write_json(directory / "summary.json", summary(result, command, files)))
        if opened is not None:
            opened.finish()
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


def _value_text(value: float, kpi: str) -> str:
    return f"{value:.0f} s" if kpi == "asa_seconds" else f"{value:.1%}"


def time_spans(starts: list[str], interval_minutes: int) -> str:
    """Consecutive interval starts (HH:MM, in order) merged into ``HH:MM-HH:MM`` spans ending where the last
    interval ends."""
    minutes = [int(text[:2]) * 60 + int(text[3:5]) for text in starts]
    spans, first = [], 0
    for index in range(1, len(minutes) + 1):
        if index == len(minutes) or minutes[index] != minutes[index - 1] + interval_minutes:
            end = minutes[index - 1] + interval_minutes
            spans.append(f"{starts[first]}-{end // 60:02d}:{end % 60:02d}")
            first = index
    return ", ".join(spans)


def target_miss_text(misses: dict[str, dict], interval_minutes: int, max_days: int = 7) -> str:
    """The console block: per target, how many open intervals and days miss it, the worst, and when."""
    lines = []
    for kpi, found in misses.items():
        side = "below" if found["direction"] == "at least" else "above"
        judged = "open intervals" if found["intervals_judged"] == found["open_intervals"] else \
            "open intervals with contacts"
        head = (f"{side} target ({found['description']}): {found['intervals_missed']} of "
                f"{found['intervals_judged']} {judged}, {found['days_missed']} of {found['days_judged']} days")
        worst = found["worst"]
        if worst is not None:
            interval = "" if worst["ci95"] is None else \
                f" [{_value_text(worst['ci95'][0], kpi)}, {_value_text(worst['ci95'][1], kpi)}]"
            head += (f"; worst {worst['weekday'][:3].title()} {worst['interval_start']} (day {worst['day']}) "
                     f"{_value_text(worst[kpi], kpi)}{interval}")
        lines.append(head)
        by_day: dict[tuple[int, str], list[str]] = {}
        for record in found["intervals"]:
            by_day.setdefault((record["day"], record["weekday"]), []).append(record["interval_start"])
        for (day, weekday), starts in list(by_day.items())[:max_days]:
            lines.append(f"  day {day} ({weekday[:3].title()}): {time_spans(starts, interval_minutes)}")
        if len(by_day) > max_days:
            lines.append(f"  ... and {len(by_day) - max_days} more days (target_misses in summary.json)")
    return "\n".join(lines)


def run_text(result: ExperimentResult) -> str:
    """What ``ccsim run`` prints: the KPI table, precision warnings and the target misses."""
    parts = [kpi_table_text(result)]
    warnings = precision_warnings(result.kpi_table())
    if warnings:
        parts.append("\n".join(f"warning: {warning.text()}" for warning in warnings))
    misses = target_miss_text(target_summary(result.scenario, _interval_sums(result)),
                              result.scenario.horizon.interval_minutes)
    if misses:
        parts.append(misses)
    return "\n\n".join(parts)
