"""The fit report written next to a calibrated scenario: ``<stem>_report/`` with a Markdown page and PNG plots.

Plots: arrivals by hour (observed days against the fitted expectation) per
day type, handle-time histogram with the fitted densities per contact type,
patience survival (Kaplan-Meier and fits) and abandonment hazard per contact
type, and inferred staffing per day type; optionally a check of the scenario
against its own log (``ccsim calibrate --check-reps``: the share of agents
talking by callers waiting and the wait distribution, observed and
simulated). Every file is written atomically.
"""

from __future__ import annotations

import io
import os
import tempfile
from pathlib import Path

from matplotlib.figure import Figure

from analysis.outputs.files import atomic_write

from .fit_tables import write_fit_tables
from .fitting import CalibrationResult
from .plots import (
    plot_abandonment_hazard,
    plot_arrivals_by_hour,
    plot_handle_time,
    plot_patience_survival,
    plot_staffing,
)
from .summary import format_summary


def _save_png(figure: Figure, path: Path) -> None:
    """Render to memory, then write to a temporary name and rename (PNG is binary, so not atomic_write)."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(buffer.getvalue())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _figures(result: CalibrationResult, scenario_types: list[str]) -> list[tuple[str, str, Figure]]:
    """(file name, caption, figure) for every plot of the report."""
    figures: list[tuple[str, str, Figure]] = []
    profile = result.arrivals
    for day_type in profile.day_types.labels:
        if profile.days_observed.get(day_type, 0):
            slug = day_type.replace(" ", "_")
            figures.append((f"arrivals_{slug}.png", f"Arrivals by hour, {day_type}: observed days vs fitted",
                            plot_arrivals_by_hour(profile, day_type)))
            figures.append((f"staffing_{slug}.png", f"Agents on duty (inferred), {day_type}",
                            plot_staffing(result.staffing, day_type)))
    for name in scenario_types:
        fit = result.handle_time.get(name)
        if fit is not None and fit.candidates:
            figures.append((f"handle_time_{name}.png", f"Handle time, {name}: histogram and fitted densities",
                            plot_handle_time(fit)))
        estimate = result.patience.get(name)
        if estimate is not None and estimate.abandoned:
            figures.append((f"patience_{name}.png", f"Patience, {name}: Kaplan-Meier and fits",
                            plot_patience_survival(estimate)))
            figures.append((f"hazard_{name}.png", f"Abandonment hazard, {name}",
                            plot_abandonment_hazard(estimate)))
    return figures


def write_fit_report(result: CalibrationResult, directory: str | Path, scenario_file: str,
                     scenario_comments: dict[str, list[str]], scenario_types: list[str],
                     progress=None, check: tuple[list[str], list[tuple[str, str, Figure]]] | None = None) -> Path:
    """Write the plots, the fit tables (``fit_*.csv``) and ``index.md`` into ``directory``; return the page's
    path. ``check``: lines and (file name, caption, figure) of a simulation of the scenario against its own log,
    in a section of their own."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    write_fit_tables(result, directory)
    lines = [f"# Calibration report: {scenario_file}", "",
             f"Log: {result.parse_report.source if result.parse_report else 'in memory'}; "
             f"{result.contacts} contacts, {result.first_date} to {result.last_date}.", "",
             "## Summary", "", "```", format_summary(result), "```", ""]
    if result.parse_report is not None:
        lines += ["## Reading the log", "", "```", result.parse_report.format(), "```", ""]
    lines += ["## Where the scenario's numbers come from", ""]
    for section, comment in scenario_comments.items():
        if comment:
            lines += [f"**{section}**", ""] + [f"- {line}" for line in comment] + [""]
    figures = _figures(result, scenario_types)
    if check is not None:
        check_lines, check_figures = check
        lines += ["## The scenario against its own log", "", "```", *check_lines, "```", ""]
        for name, caption, figure in check_figures:
            _save_png(figure, directory / name)
            lines += [f"### {caption}", "", f"![{caption}]({name})", ""]
    lines += ["## Plots", ""]
    for index, (name, caption, figure) in enumerate(figures):
        _save_png(figure, directory / name)
        lines += [f"### {caption}", "", f"![{caption}]({name})", ""]
        if progress is not None:
            progress((index + 1) / len(figures))
    page = directory / "index.md"
    atomic_write(page, lambda stream: stream.write("\n".join(lines)))
    return page
