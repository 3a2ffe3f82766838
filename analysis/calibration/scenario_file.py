"""Write a :class:`~analysis.calibration.scenario_build.CalibratedScenario` as a commented TOML file plus CSVs.

Files, next to ``<stem>.toml``: ``<stem>_volume.csv`` (interval, volume,
weekday, contact_type), ``<stem>_headcount.csv`` (interval, headcount,
weekday) and, when used, ``<stem>_handle_time.csv`` / ``<stem>_patience.csv``
(one column of equal-probability points per contact type).

Everything is first written to a temporary directory beside the target and
loaded with :func:`sim.config.load_scenario`; only a scenario that loads is
moved into place (CSVs first, the TOML last), so a failed or interrupted run
never leaves a scenario that looks complete but does not run.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from sim.config import Scenario, load_scenario

from ..output import atomic_write, write_csv
from .scenario_build import CalibratedScenario

_INLINE_LIST_LIMIT = 8  # longer lists are written one chunk per line


@dataclass(frozen=True)
class WrittenScenario:
    """Paths written and the scenario as loaded back (proof that it runs)."""

    scenario_path: Path
    files: list[Path]
    scenario: Scenario


def _toml_scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{value} cannot be written to a scenario file")
        return repr(round(value, 6)) if abs(value) >= 1e-3 or value == 0 else f"{value:.6g}"
    if isinstance(value, str):
        return json.dumps(value)  # a JSON string is a valid TOML basic string
    raise TypeError(f"cannot write {type(value).__name__} to TOML")


def _is_table(value: Any) -> bool:
    return isinstance(value, dict)


def _is_table_list(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(item, dict) for item in value)


def _toml_value(value: Any) -> str:
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{_key(k)} = {_toml_value(v)}" for k, v in value.items()) + " }"
    if isinstance(value, list):
        if len(value) <= _INLINE_LIST_LIMIT:
            return "[" + ", ".join(_toml_value(item) for item in value) + "]"
        items = [_toml_value(item) for item in value]
        lines = [", ".join(items[start:start + 10]) for start in range(0, len(items), 10)]
        return "[\n  " + ",\n  ".join(lines) + ",\n]"
    return _toml_scalar(value)


def _key(name: str) -> str:
    return name if name.replace("_", "").replace("-", "").isalnum() else json.dumps(name)


def _needs_own_table(value: Any, commented: bool = False) -> bool:
    """A table gets its own [section] when it carries comments, long lists or several sub-tables;
    small ones are written inline."""
    if not _is_table(value):
        return False
    if commented:
        return True
    long_list = any(isinstance(item, list) and len(item) > _INLINE_LIST_LIMIT for item in value.values())
    sub_tables = sum(_is_table(item) for item in value.values())
    return long_list or sub_tables > 1 or any(_needs_own_table(item) for item in value.values())


def _comment_lines(lines: list[str]) -> list[str]:
    return [f"# {line}" for line in lines]


def _render_table(path: str, table: dict, comments: dict[str, list[str]], out: list[str]) -> None:
    """Scalars and inline values of ``table`` first, then its sub-tables and lists of tables."""
    later: list[tuple[str, Any]] = []
    for key, value in table.items():
        if value is None:
            continue
        child = f"{path}.{key}" if path else key
        if _needs_own_table(value, child in comments) or _is_table_list(value):
            later.append((key, value))
        else:
            out.append(f"{_key(key)} = {_toml_value(value)}")
    for key, value in later:
        child = f"{path}.{key}" if path else key
        if _is_table_list(value):
            for position, item in enumerate(value):
                out.append("")
                if position == 0:
                    out.extend(_comment_lines(comments.get(child, [])))
                out.extend(_comment_lines(comments.get(f"{child}.{item.get('name')}", [])))
                out.append(f"[[{child}]]")
                _render_table(child, item, comments, out)
        else:
            out.append("")
            out.extend(_comment_lines(comments.get(child, [])))
            out.append(f"[{child}]")
            _render_table(child, value, comments, out)


def render_toml(data: dict, comments: dict[str, list[str]], header: list[str]) -> str:
    """The scenario as TOML text, each section preceded by its comment lines."""
    out = _comment_lines(header)
    out.append("")
    _render_table("", data, comments, out)
    return "\n".join(out) + "\n"


def _with_file_references(calibrated: CalibratedScenario, stem: str) -> tuple[dict, dict[str, pd.DataFrame]]:
    """The scenario data pointing at its CSV files, and those files' tables by file name."""
    data = json.loads(json.dumps(calibrated.data))  # deep copy of plain data
    tables = {f"{stem}_volume.csv": calibrated.volume, f"{stem}_headcount.csv": calibrated.headcount}
    data["demand"] = {"volume_file": f"{stem}_volume.csv", **data["demand"]}
    data["agent_groups"][0]["headcount_file"] = f"{stem}_headcount.csv"
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
    text = render_toml(data, calibrated.comments, (header or []) + [f"Note: {note}" for note in calibrated.notes])
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
