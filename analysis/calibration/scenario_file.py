"""Write a :class:`~analysis.calibration.scenario_build.CalibratedScenario` as a commented TOML file plus CSVs.

Files, next to ``<stem>.toml``: ``<stem>_volume.csv`` (interval, volume,
weekday, contact_type), ``<stem>_headcount.csv`` (interval, headcount,
weekday; ``<stem>_headcount_<group>.csv`` per group when there are several) and,
when used, ``<stem>_handle_time.csv`` / ``<stem>_patience.csv``
(one column of equal-probability points per contact type).

Everything is first written to a temporary directory beside the target and
loaded with :func:`sim.config.load_scenario`; only a scenario that loads is
moved into place (CSVs first, the TOML last), so a failed or interrupted run
never leaves a scenario that looks complete but does not run.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis.outputs.files import atomic_write, write_csv
from analysis.outputs.toml_text import toml_document
from sim.config import Scenario, load_scenario

from .scenario_build import CalibratedScenario


@dataclass(frozen=True)
class WrittenScenario:
    """Paths written and the scenario as loaded back (proof that it runs)."""

    scenario_path: Path
    files: list[Path]
    scenario: Scenario


def _with_file_references(calibrated: CalibratedScenario, stem: str) -> tuple[dict, dict[str, pd.DataFrame]]:
    """The scenario data pointing at its CSV files, and those files' tables by file name."""
    data = json.loads(json.dumps(calibrated.data))  # deep copy of plain data
    tables = {f"{stem}_volume.csv": calibrated.volume}
    data["demand"] = {"volume_file": f"{stem}_volume.csv", **data["demand"]}
    single = len(data["agent_groups"]) == 1
    for group in data["agent_groups"]:
        name = f"{stem}_headcount.csv" if single else f"{stem}_headcount_{group['name']}.csv"
        tables[name] = calibrated.headcount[group["name"]]
        group["headcount_file"] = name
    for kind, points in (("handle_time", calibrated.handle_time_points), ("patience", calibrated.patience_points)):
        if points is None:
            continue
        name = f"{stem}_{kind}.csv"
        tables[name] = points
        for entry in data["contact_types"]:
            spec = entry.get(kind)
            if spec is not None and spec.get("dist") == "empirical" and "column" in spec:
                entry[kind] = {"dist": "empirical", "file": name, "column": spec["column"], "unit": "s"}
    return data, tables


def write_calibrated_scenario(calibrated: CalibratedScenario, path: str | Path,
                              header: list[str] | None = None) -> WrittenScenario:
    """Write the TOML and its CSVs, load them back, and move them into place only if they load."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    data, tables = _with_file_references(calibrated, path.stem)
    text = toml_document(data, calibrated.comments, (header or []) + [f"Note: {note}" for note in calibrated.notes],
                         float_digits=6)  # fitted values: six decimals are plenty and read better
    staging = Path(tempfile.mkdtemp(prefix=f".{path.stem}.", dir=path.parent))
    try:
        for name, table in tables.items():
            write_csv(staging / name, table)
        atomic_write(staging / path.name, lambda stream: stream.write(text))
        scenario = load_scenario(staging / path.name)  # raises ScenarioError if it would not run
        final = []
        for name in [*tables, path.name]:  # the TOML last: it is what makes the set usable
            os.replace(staging / name, path.parent / name)
            final.append(path.parent / name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return WrittenScenario(scenario_path=path, files=final, scenario=scenario)
