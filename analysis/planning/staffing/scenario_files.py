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

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from analysis.outputs.files import atomic_write, write_csv
from analysis.outputs.toml_text import toml_document
from sim.config import STAFFING_KEYS, Scenario, load_scenario, parse_scenario

from .plans import headcount_fields
from .units import StaffedUnit


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
