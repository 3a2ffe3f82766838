"""Write a scenario whose groups are staffed by a plan: TOML plus the CSV files it references.

The written scenario is the input scenario fully resolved (files it read
are inlined, so it runs on its own), with the planned groups' staffing
replaced by a headcount per interval (inline, or a ``headcount_file``) or a
``roster_file``, referenced by a path relative to the scenario. Referenced
files are written first, then the scenario is validated against them, and
only then written (atomically) and loaded back with
:func:`sim.config.load_scenario` as proof that it runs.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.config import Scenario, load_scenario, parse_scenario

from ..output import atomic_write, write_csv
from .plans import STAFFING_KEYS, headcount_fields
from .units import StaffedUnit

_BARE_KEY = re.compile(r"^[A-Za-z0-9_\-]+$")
_LINE_ITEMS = 16  # numbers per line in long arrays


def write_scenario_file(path: str | Path, scenario: Scenario, group_fields: Mapping[str, Mapping[str, Any]],
                        name: str | None = None, description: str | None = None) -> Scenario:
    """Write ``scenario`` with each named group's staffing replaced by ``group_fields[group]``.

    Files named in the fields (``headcount_file``, ``roster_file``) must
    already exist next to ``path``. Returns the scenario as loaded back.
    """
    path = Path(path)
    data = scenario.model_dump(mode="json", exclude_none=True)
    if name is not None:
        data["name"] = name
    if description is not None:
        data["description"] = description
    groups = {group["name"]: group for group in data["agent_groups"]}
    for group_name, fields in group_fields.items():
        group = groups[group_name]
        for key in STAFFING_KEYS:
            group.pop(key, None)
        group.update({key: value for key, value in fields.items() if value is not None})
    parse_scenario(data, base_dir=path.parent, source=str(path))  # fails before anything is written over
    atomic_write(path, lambda stream: stream.write(toml_document(data)))
    return load_scenario(path)


def write_headcount_scenario(path: str | Path, scenario: Scenario, unit: StaffedUnit, headcount: np.ndarray,
                             name: str | None = None, description: str | None = None) -> Scenario:
    """Write a scenario with the unit staffed by ``headcount`` (days x intervals of the whole day).

    A plan that is the same every day is written inline (``headcount = [...]``);
    otherwise each group gets ``<scenario stem>_<group>_headcount.csv``.
    """
    path = Path(path)
    interval_seconds = scenario.horizon.interval_minutes * 60
    fields: dict[str, dict[str, Any]] = {}
    for group, matrix in zip(unit.groups, unit.split_matrix(headcount)):
        values = headcount_fields(matrix, interval_seconds)
        if "headcount_rows" in values:
            file_name = f"{path.stem}_{group.name}_headcount.csv"
            rows = pd.DataFrame(values["headcount_rows"], columns=["interval", "headcount", "day"])
            rows["day"] = rows["day"].astype("Int64")
            write_csv(path.parent / file_name, rows)
            values = {"headcount_file": file_name}
        fields[group.name] = values
    return write_scenario_file(path, scenario, fields, name, description)


# --- TOML --------------------------------------------------------------------------------------

def toml_document(data: Mapping[str, Any]) -> str:
    """TOML text for plain data (dicts, lists, strings, numbers, booleans); no None values."""
    lines = _table_lines(data, [])
    return "\n".join(lines).strip() + "\n"


def _table_lines(table: Mapping[str, Any], path: list[str]) -> list[str]:
    lines = [f"{_key(key)} = {_value(value)}" for key, value in table.items()
             if not isinstance(value, dict) and not _is_table_list(value)]
    for key, value in table.items():
        if isinstance(value, dict):
            lines += ["", f"[{'.'.join(_key(part) for part in path + [key])}]"]
            lines += _table_lines(value, path + [key])
    for key, value in table.items():
        if _is_table_list(value):
            for item in value:
                lines += ["", f"[[{'.'.join(_key(part) for part in path + [key])}]]"]
                lines += [f"{_key(k)} = {_value(v)}" for k, v in item.items()]
    return lines


def _is_table_list(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(item, dict) for item in value)


def _key(key: str) -> str:
    return key if _BARE_KEY.match(key) else json.dumps(key)


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            raise ValueError("NaN cannot be written to a scenario file")
        return ("inf" if value > 0 else "-inf") if math.isinf(value) else repr(value)
    if isinstance(value, str):
        return json.dumps(value)  # a JSON string is a valid TOML basic string
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{_key(k)} = {_value(v)}" for k, v in value.items()) + " }"
    if isinstance(value, list):
        return _array(value)
    raise TypeError(f"cannot write {type(value).__name__} to TOML")


def _array(values: list) -> str:
    items = [_value(item) for item in values]
    if all(not isinstance(item, (dict, list)) for item in values) and len(items) <= _LINE_ITEMS:
        return "[" + ", ".join(items) + "]"
    if all(not isinstance(item, (dict, list)) for item in values):
        chunks = [", ".join(items[start:start + _LINE_ITEMS]) for start in range(0, len(items), _LINE_ITEMS)]
        return "[\n  " + ",\n  ".join(chunks) + ",\n]"
    return "[\n  " + ",\n  ".join(items) + ",\n]"
