"""The HTML report of a results directory: one self-contained page that opens offline.

>>> from analysis.report import write_report
>>> write_report("results/compare_baseline")  # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from analysis.outputs.files import atomic_write
from analysis.outputs.results import package_version
from sim.config.errors import UserInputError

from .page import html_text, render_page
from .sections import all_sections

__all__ = ["NothingToReport", "build_report", "write_report"]


class NothingToReport(UserInputError):
    """The directory holds no results the report knows."""


def build_report(directory: str | Path) -> str:
    """The HTML text of the report of ``directory``."""
    directory = Path(directory)
    if not directory.is_dir():
        raise NothingToReport(f"{directory} is not a directory")
    sections = all_sections(directory)
    if not sections:
        raise NothingToReport(f"{directory} holds no results written by ccsim run, compare, sweep, breakeven, "
                              "staff, schedule, calibrate or backtest (e.g. summary.json, comparison.csv, "
                              "sweep.json, breakeven.json, hourly.csv or a calibration report's index.md)")
    generated = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return render_page(html_text("ccsim report: {}", directory.resolve().name),
                       html_text("Generated {} by ccsim {} from {}", generated, package_version(), directory), sections)


def write_report(directory: str | Path, path: str | Path | None = None) -> Path:
    """Write the report (default ``<directory>/report.html``) atomically and return its path."""
    text = build_report(directory)
    return atomic_write(Path(path) if path else Path(directory) / "report.html", lambda stream: stream.write(text))
