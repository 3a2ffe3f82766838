"""Report sections for whatever a results directory holds.

Every directory the command line writes is recognised by its files:

* ``ccsim run``: ``summary.json`` with ``kpis``, ``intervals.csv``, ``days.csv``;
* ``ccsim compare``: ``comparison.csv``/``comparison.json``, ``budget.csv``, one run folder per scenario;
* ``ccsim sweep``: ``sweep.json``, ``variants.csv``, ``crossings.csv``, ``budget.csv``, ``frontier.csv``,
  ``tornado_*``/``sobol_*``/``morris_*`` tables;
* ``ccsim breakeven``: ``breakeven.json``/``breakeven.csv``;
* ``ccsim staff``: ``summary.json`` with ``plans``, ``requirements.csv``, ``staffing*.png``;
* ``ccsim schedule``: ``summary.json`` with ``options``, rosters and ``schedule.csv`` per option;
* ``ccsim calibrate``: the ``<scenario>_report/`` folder (``index.md``, ``fit_*.csv``, plots), or the
  folder holding it;
* ``ccsim backtest``: ``hourly.csv``, ``period.csv``, ``errors.csv``, ``backtest*.png``.

Charts of runs and studies are drawn again from the tables, so a directory
without PNG files still gets them; staffing, scheduling and calibration
plots are embedded as written. A part that cannot be read (a damaged or
foreign file) becomes a section saying so instead of stopping the report.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from .calibration_sections import backtest_sections, calibration_sections, fit_report_folders, is_backtest
from .page import Section
from .planning_sections import is_schedule, is_staffing, schedule_sections, staffing_sections
from .run_sections import comparison_sections, read_json, run_sections
from .study_sections import break_even_sections, budget_sections, sweep_sections

KINDS = ("run", "compare", "sweep", "breakeven", "staff", "schedule", "calibrate", "backtest")


def result_kind(folder: Path) -> str | None:
    """Which command wrote ``folder`` (one of :data:`KINDS`), or None."""
    summary = _summary(folder)
    if (folder / "comparison.csv").exists():
        return "compare"
    if (folder / "sweep.json").exists():
        return "sweep"
    if is_staffing(summary):
        return "staff"
    if is_schedule(summary):
        return "schedule"
    if is_backtest(folder):
        return "backtest"
    if (folder / "breakeven.json").exists():
        return "breakeven"
    if "kpis" in summary or (folder / "intervals.csv").exists():
        return "run"
    if fit_report_folders(folder):
        return "calibrate"
    return None


def _summary(folder: Path) -> dict:
    path = folder / "summary.json"
    try:
        return read_json(path) if path.exists() else {}
    except ValueError:
        return {}


def _comparison(folder: Path) -> list[Section]:
    labels = read_json(folder / "comparison.json").get("scenarios", []) if (folder / "comparison.json").exists() \
        else []
    sections = _safely("comparison", comparison_sections, folder)
    currency = next((_currency(folder / label) for label in labels if _currency(folder / label)), "")
    sections += _safely("budget", lambda path: budget_sections(path, "scenario", currency), folder)
    for label in labels:
        sections += _safely(f"scenario {label}", lambda path, name=label: run_sections(path / name, name), folder)
    return sections


def _currency(folder: Path) -> str:
    return str((_summary(folder).get("provenance", {}).get("scenario") or {}).get("currency") or "")


BUILDERS: dict[str, Callable[[Path], list[Section]]] = {
    "run": lambda folder: run_sections(folder, folder.resolve().name),
    "compare": _comparison,
    "sweep": sweep_sections,
    "breakeven": break_even_sections,
    "staff": lambda folder: staffing_sections(folder, _summary(folder)),
    "schedule": lambda folder: schedule_sections(folder, _summary(folder)),
    "calibrate": calibration_sections,
    "backtest": backtest_sections,
}


def _safely(what: str, build: Callable[[Path], list[Section]], folder: Path) -> list[Section]:
    """The sections ``build`` makes, or one saying what could not be read."""
    try:
        return build(folder)
    except (OSError, ValueError, KeyError, IndexError, TypeError) as error:
        section = Section(f"{what}: could not be read")
        section.add_warning(f"{type(error).__name__}: {error}")
        return [section]


def all_sections(folder: Path) -> list[Section]:
    """Every section the folder supports, in reading order."""
    kind = result_kind(folder)
    if kind is None:
        return []
    sections = _safely(kind, BUILDERS[kind], folder)
    if kind != "breakeven":  # a break-even answer written into another kind's folder
        sections += _safely("break-even", break_even_sections, folder)
    return sections
