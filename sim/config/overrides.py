"""Change fields of a validated scenario by dotted path, then validate again.

Paths use the scenario's own keys; list items are addressed by index or by
name: ``horizon.days``, ``agent_groups[0].wage_per_hour``,
``agent_groups.generalists.wage_per_hour``, ``contact_types.billing.handle_time.mean``.
Used by ``--days``, sweeps and sensitivity studies.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from .errors import Problem, ScenarioError
from .loader import parse_scenario
from .scenario import Scenario

_INDEX = re.compile(r"^(?P<key>[^\[\]]+)((?:\[\d+\])*)$")


def split_path(path: str) -> list[str | int]:
    """``agent_groups[0].shifts[1].count`` -> ``['agent_groups', 0, 'shifts', 1, 'count']``."""
    parts: list[str | int] = []
    for token in path.split("."):
        match = _INDEX.match(token)
        if match is None:
            raise ValueError(f"{path!r} is not a dotted path")
        parts.append(match.group("key"))
        parts.extend(int(index) for index in re.findall(r"\[(\d+)\]", token))
    return parts


def _child(node: Any, part: str | int, path: str) -> tuple[Any, str | int]:
    """The container key for ``part`` in ``node`` (list items may be addressed by their name)."""
    if isinstance(node, list):
        if isinstance(part, int):
            if part >= len(node):
                raise KeyError(f"index {part} out of range ({len(node)} items)")
            return node, part
        for index, item in enumerate(node):
            if isinstance(item, dict) and item.get("name") == part:
                return node, index
        names = [item.get("name") for item in node if isinstance(item, dict)]
        raise KeyError(f"no item named {part!r} (names: {', '.join(map(str, names))})")
    if isinstance(node, dict):
        if part not in node:
            raise KeyError(f"no key {part!r} (keys: {', '.join(sorted(map(str, node)))})")
        return node, part
    raise KeyError(f"{part!r} cannot be looked up in a {type(node).__name__}")


def apply_overrides(scenario: Scenario, overrides: dict[str, Any]) -> Scenario:
    """A new scenario with the given fields replaced; every problem is reported with its path."""
    data = copy.deepcopy(scenario.model_dump(mode="json"))
    problems = []
    for path, value in overrides.items():
        try:
            parts = split_path(path)
            node: Any = data
            for part in parts[:-1]:
                container, key = _child(node, part, path)
                node = container[key]
            last = parts[-1]
            if isinstance(node, dict) and isinstance(last, str) and last not in node:
                node[last] = value  # optional keys absent from the dump (e.g. a new on-cost)
            else:
                container, key = _child(node, last, path)
                container[key] = value
        except (KeyError, ValueError) as error:
            problems.append(Problem(path, f"cannot override: {error.args[0]}"))
    if problems:
        raise ScenarioError(problems, "overrides")
    return parse_scenario(data, source="overrides")


def get_value(scenario: Scenario, path: str) -> Any:
    """The current value at a dotted path (same addressing as :func:`apply_overrides`)."""
    node: Any = scenario.model_dump(mode="json")
    for part in split_path(path):
        container, key = _child(node, part, path)
        node = container[key]
    return node
