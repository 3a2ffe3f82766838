"""What an initiative changes in the baseline scenario (the plan-level changes are read in :mod:`.evaluate`).

Applied in this order, each on the result of the previous:

* ``add_vendors``: vendor tables added to the scenario (as in a scenario file);
* ``set``: any scenario field by dotted path (as ``apply_overrides`` and sweeps);
* ``merge_groups``: groups merged into one (:class:`.spec.MergeGroups`);
* ``handle_time``: handle time x (1 + change), for some contact types (their
  distributions scaled, so every customer's draw scales: common random
  numbers) or some in-house groups (their handle-time multiplier);
* ``first_contact_resolution``: points added to in-house groups' resolution (within 0-1);
* ``containment``: points of AI containment per contact type, taken from escalation;
* ``overtime``: an overtime rule per group (an empty table removes it);
* ``vendor_share``: a routing rule sending a share of new contacts to a vendor, tried first.

Problems name the field under ``changes`` they come from.
"""

from __future__ import annotations

import copy
import math
from typing import Any

from sim.config import Problem, Scenario, ScenarioError, apply_overrides, parse_scenario
from sim.config.errors import join_path

from .spec import Changes, MergeGroups


def apply_changes(scenario: Scenario, changes: Changes, replan: bool = True) -> tuple[Scenario | None, list[Problem]]:
    """The scenario after the changes, or None and the problems found (paths relative to ``changes``).

    ``replan``: staffing will be re-planned, so merged groups need no staffing of their own.
    """
    try:
        if changes.add_vendors:
            data = scenario.model_dump(mode="json")
            data["vendors"] = data["vendors"] + copy.deepcopy(changes.add_vendors)
            scenario = _parse(data, "add_vendors")
        if changes.set:
            scenario = _overrides(scenario, changes.set)
    except _Refused as refused:
        return None, refused.problems
    data = scenario.model_dump(mode="json")
    problems: list[Problem] = []
    if changes.merge_groups is not None:
        problems += _merge_groups(data, changes.merge_groups, replan)
    if changes.handle_time is not None:
        problems += _handle_time(data, changes.handle_time)
    if changes.first_contact_resolution is not None:
        problems += _resolution(data, changes.first_contact_resolution)
    problems += _containment(data, changes.containment)
    problems += _overtime(data, changes.overtime)
    if changes.vendor_share is not None:
        problems += _vendor_share(data, changes.vendor_share)
    if problems:
        return None, problems
    try:
        return _parse(data, ""), []
    except _Refused as refused:
        return None, refused.problems


class _Refused(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(problems)
        self.problems = problems


def _parse(data: dict, where: str) -> Scenario:
    try:
        return parse_scenario(data, source="changes")
    except ScenarioError as error:
        found = [Problem(where, f"the changed scenario is not valid: {problem}") for problem in error.problems]
        raise _Refused(found) from None


def _overrides(scenario: Scenario, values: dict[str, Any]) -> Scenario:
    try:
        return apply_overrides(scenario, values)
    except ScenarioError as error:
        raise _Refused([Problem(join_path("set", problem.path) if error.source == "overrides" else "set",
                                problem.message) for problem in error.problems]) from None


def scale_distribution(distribution: dict[str, Any], factor: float) -> dict[str, Any]:
    """A distribution (as in a scenario file) with every draw multiplied by ``factor``."""
    scaled = dict(distribution)
    kind = scaled["dist"]
    if kind == "lognormal":
        if scaled.get("mean") is not None:
            scaled["mean"], scaled["sd"] = scaled["mean"] * factor, scaled["sd"] * factor
        else:
            scaled["mu"] = scaled["mu"] + math.log(factor)
    elif kind == "gamma" and scaled.get("scale") is None:
        scaled["mean"], scaled["sd"] = scaled["mean"] * factor, scaled["sd"] * factor
    elif kind == "mixture":
        scaled["components"] = [dict(component, distribution=scale_distribution(component["distribution"], factor))
                                for component in scaled["components"]]
    else:
        key = {"exponential": ("mean",), "gamma": ("scale",), "weibull": ("scale",), "deterministic": ("value",),
               "uniform": ("low", "high")}.get(kind)
        if kind == "empirical":
            scaled["values"] = [value * factor for value in scaled["values"]]
        for name in key or ():
            scaled[name] = scaled[name] * factor
    return scaled


def _named(items: list[dict], names: list[str] | None, path: str, what: str) -> tuple[list[dict], list[Problem]]:
    """The items with the given names (all items when None), and problems for unknown names."""
    if names is None:
        return items, []
    known = {item["name"]: item for item in items}
    problems = [Problem(join_path(path, index), f"{name!r} is not {what} (known: {', '.join(known)})")
                for index, name in enumerate(names) if name not in known]
    return [known[name] for name in names if name in known], problems


def _in_house(data: dict) -> list[dict]:
    return data["agent_groups"]


def _handle_time(data: dict, change) -> list[Problem]:
    factor = 1.0 + change.change
    if change.contact_types is not None:
        types, problems = _named(data["contact_types"], change.contact_types, "handle_time.contact_types",
                                 "a contact type")
        for contact_type in types:
            contact_type["handle_time"] = scale_distribution(contact_type["handle_time"], factor)
        return problems
    groups, problems = _named(_in_house(data), change.groups, "handle_time.groups", "an agent group")
    for group in groups:
        group["handle_time_multiplier"] = group["handle_time_multiplier"] * factor
    return problems


def _resolution(data: dict, change) -> list[Problem]:
    points, names = (change, None) if isinstance(change, float | int) else (change.change, change.groups)
    groups, problems = _named(_in_house(data), names, "first_contact_resolution.groups", "an agent group")
    for group in groups:
        group["first_contact_resolution"] = min(max(group["first_contact_resolution"] + points, 1e-6), 1.0)
    return problems


def _containment(data: dict, changes: dict[str, float]) -> list[Problem]:
    if not changes:
        return []
    if data.get("ai") is None:
        return [Problem("containment", "the scenario has no [ai] section")]
    problems = []
    for name, points in changes.items():
        outcome = data["ai"]["contact_types"].get(name)
        if outcome is None:
            problems.append(Problem(join_path("containment", name),
                                    f"{name!r} is not a contact type the AI handles "
                                    f"(known: {', '.join(data['ai']['contact_types'])})"))
            continue
        moved = min(points, outcome["escalation"]) if points > 0 else max(points, -outcome["containment"])
        outcome["containment"] += moved
        outcome["escalation"] -= moved
        if outcome.get("containment_start") is not None:
            outcome["containment_start"] = min(max(outcome["containment_start"] + moved, 0.0), outcome["containment"])
    return problems


def _overtime(data: dict, rules: dict[str, dict | None]) -> list[Problem]:
    groups, problems = _named(_in_house(data), list(rules), "overtime", "an agent group")
    for group in groups:
        group["overtime"] = rules[group["name"]] or None
    return problems


def _vendor_share(data: dict, share) -> list[Problem]:
    known = [vendor["name"] for vendor in data["vendors"]]
    if share.vendor not in known:
        return [Problem("vendor_share.vendor", f"{share.vendor!r} is not a vendor of the scenario "
                                               f"(known: {', '.join(known) or 'none'}; add one with add_vendors)")]
    rule = {"name": f"share_to_{share.vendor}", "to": share.vendor, "share": share.share, "origins": ["new"]}
    if share.contact_types is not None:
        rule["contact_types"] = share.contact_types
    if share.segments is not None:
        rule["segments"] = share.segments
    rules = data.get("routing")
    if rules is None:
        # Without rules, contacts the AI handles go to it first: keep that after the new rule.
        rules = [{"name": "ai_first", "to": "ai"}] if data.get("ai") is not None else []
    data["routing"] = [rule, *rules]
    return []


def _merge_groups(data: dict, merge: MergeGroups, replan: bool) -> list[Problem]:
    groups, problems = _named(_in_house(data), merge.groups, "merge_groups.groups", "an agent group")
    if problems:
        return problems
    if len({group["dedicated"] for group in groups}) > 1:
        return [Problem("merge_groups.groups", "cannot merge dedicated and shared groups")]
    first = groups[0]

    def mean(key: str) -> float:
        return sum(group[key] for group in groups) / len(groups)

    skills: dict[str, int] = {}
    for group in groups:
        for name, priority in group["skills"].items():
            skills[name] = min(priority, skills.get(name, priority))
    resolution = min(max(mean("first_contact_resolution") + merge.first_contact_resolution_change, 1e-6), 1.0)
    merged = dict(first, name=merge.into, skills=skills, wage_per_hour=merge.wage_per_hour,
                  handle_time_multiplier=mean("handle_time_multiplier") * (1.0 + merge.handle_time_change),
                  shrinkage=merge.shrinkage if merge.shrinkage is not None else mean("shrinkage"),
                  first_contact_resolution=resolution,
                  training_cost_per_agent_day=mean("training_cost_per_agent_day"))
    for key in ("headcount", "headcount_rows", "headcount_file", "shifts", "roster_file"):
        merged[key] = None
    if all(group["shifts"] is not None for group in groups):
        merged["shifts"] = [shift for group in groups for shift in group["shifts"]]
    elif all(group["headcount"] is not None and len(group["headcount"]) == len(first["headcount"]) for group in groups):
        merged["headcount"] = [sum(values) for values in zip(*(group["headcount"] for group in groups))]
    elif replan:  # a placeholder: the merged group is staffed by the re-planned requirement
        merged["headcount"] = [0] * (24 * 60 // data["horizon"]["interval_minutes"])
    else:
        return [Problem("merge_groups.groups", "the groups' staffing cannot be added up (give all shifts or all "
                                               "headcount lists of the same length), or use staffing = \"replan\"")]
    position = data["agent_groups"].index(first)
    names = set(merge.groups)
    data["agent_groups"] = [group for group in data["agent_groups"] if group["name"] not in names]
    data["agent_groups"].insert(position, merged)
    for rule in data.get("routing") or []:
        if rule.get("to") in names:
            rule["to"] = merge.into
    return []
