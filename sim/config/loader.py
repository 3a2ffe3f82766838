"""Turn a scenario file into a validated, fully resolved :class:`Scenario`.

Three passes, each reporting every problem it finds with the dotted path of
the field: the schema (types, ranges, unknown keys), the files the scenario
references (read and inlined, so a resolved scenario is self-contained), and
the cross-field checks.
"""

from __future__ import annotations

import tomllib
from functools import partial
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from . import files
from .agent_groups import HeadcountRow, Shift
from .agent_roster import is_agent_roster, read_agent_roster
from .checks import find_problems
from .errors import InputError, Problem, ScenarioError, join_path, nesting_problem, validation_problems
from .scenario import Scenario, VolumeRow


def load_scenario(path: str | Path) -> Scenario:
    """Read, validate and resolve a TOML scenario file; raise :class:`ScenarioError` if it cannot run.

    A file may start from another with ``extends = "other.toml"`` (relative to
    it) and give only what differs: tables merge key by key, lists of named
    tables (contact types, agent groups, vendors, ...) merge item by item by
    ``name`` (new names are appended), and any other value replaces the base's.
    ``routing`` is the exception: its rules are tried in order, so a file that
    gives ``routing`` replaces the base's list whole (merging by name would
    append new rules after the base's and silently let them come too late).
    """
    path = Path(path)
    return parse_scenario(_read_with_bases(path, []), base_dir=path.parent, source=str(path))


_FILE_KEYS = ("volume_file", "headcount_file", "roster_file", "file")
MAX_EXTENDS = 16  # scenarios in one extends chain


def read_toml(path: Path, error_type: type[InputError] = ScenarioError) -> dict[str, Any]:
    """A TOML file as data, read with the limits of :func:`files.read_text`; ``error_type`` otherwise."""
    try:
        return tomllib.loads(files.read_text(path))
    except files.FileProblem as error:
        raise error_type([Problem("", f"cannot read {error_type.what}: {error.reason}")], str(path)) from None
    except tomllib.TOMLDecodeError as error:
        raise error_type([Problem("", f"not valid TOML: {error}")], str(path)) from None
    except RecursionError:
        raise error_type([Problem("", "not readable: arrays or tables are nested too deeply")], str(path)) from None


def _read_with_bases(path: Path, chain: list[Path]) -> dict[str, Any]:
    resolved = path.resolve()
    if resolved in chain:
        raise ScenarioError([Problem("extends", f"circular: {' -> '.join(p.name for p in chain + [resolved])}")],
                            str(chain[0]))
    if len(chain) >= MAX_EXTENDS:
        raise ScenarioError([Problem("extends", f"more than {MAX_EXTENDS} scenarios extend each other in a chain")],
                            str(chain[0]))
    raw = read_toml(path)
    base_name = raw.pop("extends", None)
    if base_name is None:
        return raw
    if not isinstance(base_name, str) or "\0" in base_name or not base_name.strip():
        raise ScenarioError([Problem("extends", f"{base_name!r} is not a file name")], str(path))
    base_path = path.parent / base_name
    if not base_path.exists():
        raise ScenarioError([Problem("extends", f"{base_name!r} not found next to {path.name}")], str(path))
    base = _read_with_bases(base_path, chain + [resolved])
    if base_path.parent.resolve() != path.parent.resolve():
        _absolute_files(base, base_path.parent)
    return merge_scenario_data(base, raw)


ORDERED_LISTS = ("routing",)  # top-level lists whose order is meaning: replaced whole, never merged


def merge_scenario_data(base: Any, changes: Any, top_level: bool = True) -> Any:
    """``changes`` laid over ``base`` (see :func:`load_scenario` for the rules)."""
    if isinstance(base, dict) and isinstance(changes, dict):
        merged = dict(base)
        for key, value in changes.items():
            replace = key not in base or (top_level and key in ORDERED_LISTS)
            merged[key] = value if replace else merge_scenario_data(base[key], value, top_level=False)
        return merged
    if _named_tables(base) and _named_tables(changes):
        merged = list(base)
        positions = {item["name"]: index for index, item in enumerate(base)}
        for item in changes:
            if item["name"] in positions:
                merged[positions[item["name"]]] = merge_scenario_data(base[positions[item["name"]]], item,
                                                                         top_level=False)
            else:
                merged.append(item)
        return merged
    return changes


def _named_tables(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(
        isinstance(item, dict) and isinstance(item.get("name"), str) for item in value)


def _absolute_files(node: Any, directory: Path) -> None:
    """Make file references of a base scenario independent of the file that extends it."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in _FILE_KEYS and isinstance(value, str):
                node[key] = str((directory / value).resolve())
            else:
                _absolute_files(value, directory)
    elif isinstance(node, list):
        for item in node:
            _absolute_files(item, directory)


def parse_scenario(data: dict[str, Any], base_dir: str | Path | None = None, source: str | None = None) -> Scenario:
    """Validate a scenario given as plain data (files resolved relative to ``base_dir``)."""
    too_deep = nesting_problem(data)
    if too_deep is not None:
        raise ScenarioError([too_deep], source)
    scenario = _validate(data, source)
    # Only what the file set is carried over, so the resolved scenario still knows which values are
    # defaults (see sim.config.defaults).
    resolved, problems = _resolve_files(scenario.model_dump(exclude_unset=True), Path(base_dir or "."))
    if problems:
        raise ScenarioError(problems, source)
    scenario = _validate(resolved, source)
    problems = find_problems(scenario)
    if problems:
        raise ScenarioError(problems, source)
    return scenario


def scenario_json_schema() -> dict[str, Any]:
    """JSON Schema of the scenario format (what ``ccsim schema`` prints)."""
    return Scenario.model_json_schema()


def _validate(data: dict[str, Any], source: str | None) -> Scenario:
    try:
        return Scenario.model_validate(data)
    except ValidationError as error:
        raise ScenarioError(validation_problems(error, Scenario), source) from None


# --- inlining referenced files ---------------------------------------------------------------

def _resolve_files(data: dict[str, Any], base_dir: Path) -> tuple[dict[str, Any], list[Problem]]:
    problems: list[Problem] = []
    demand = data["demand"]
    if demand.get("volume_file"):
        demand["rows"] = _read_rows(base_dir, demand, "volume_file", files.read_volume_rows,
                                    VolumeRow, "demand.volume_file", problems)
        demand["volume_file"] = None
    for index, group in enumerate(data.get("agent_groups", [])):
        base = join_path("agent_groups", index)
        if group.get("headcount_file"):
            group["headcount_rows"] = _read_rows(base_dir, group, "headcount_file", files.read_headcount_rows,
                                                 HeadcountRow, join_path(base, "headcount_file"), problems)
            group["headcount_file"] = None
        if group.get("roster_file"):
            reader = files.read_roster
            if is_agent_roster(base_dir / group["roster_file"]):
                reader = partial(read_agent_roster, group=group["name"])
            group["shifts"] = _read_rows(base_dir, group, "roster_file", reader,
                                         Shift, join_path(base, "roster_file"), problems)
            group["roster_file"] = None
    _inline_empirical(data, "", base_dir, problems)
    return data, problems


def _read_rows(base_dir: Path, section: dict, key: str, reader, row_model: type[BaseModel],
               path: str, problems: list[Problem]) -> list[dict] | None:
    file_path = base_dir / section[key]
    try:
        rows = reader(file_path)
    except files.FileProblem as error:
        problems.append(Problem(path, str(error)))
        return None
    for index, row in enumerate(rows):
        line = getattr(row, "line", index + 2)
        try:
            row_model.model_validate(row)
        except ValidationError as error:
            for problem in validation_problems(error, row_model):
                problems.append(Problem(path, f"{file_path.name} line {line}, {problem}"))
    return rows


def _inline_empirical(node: Any, path: str, base_dir: Path, problems: list[Problem]) -> None:
    """Replace ``file`` of every empirical distribution by the values it holds."""
    if isinstance(node, dict):
        if node.get("dist") == "empirical" and node.get("file"):
            try:
                node["values"] = files.read_samples(base_dir / node["file"], node.get("column"))
                node["file"], node["column"] = None, None
            except files.FileProblem as error:
                problems.append(Problem(join_path(path, "file"), str(error)))
        for key, value in node.items():
            _inline_empirical(value, join_path(path, key), base_dir, problems)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            _inline_empirical(value, join_path(path, index), base_dir, problems)
