"""Defaults a scenario relies on that drive comparisons between scenarios.

A planner comparing an in-house team with an AI or a vendor compares
assumptions as much as operations: how often each resolves the issue, how
satisfied customers are with each, how honest the AI's "resolved" is. When
a scenario leaves such a value out, the schema's default decides; this
module lists those defaults (``ccsim validate`` prints them) so what was
assumed is visible. Only values the scenario's files set count as stated;
a value set in a base file (``extends``) is stated too.
"""

from __future__ import annotations

from dataclasses import dataclass

from .economics import Satisfaction
from .errors import join_path
from .scenario import Scenario


@dataclass(frozen=True)
class AssumedDefault:
    """A default the scenario relies on: where it would go, its value and what it decides."""

    path: str
    value: object
    meaning: str

    def line(self) -> str:
        return f"{self.path} = {self.value!r}: {self.meaning}"


_SATISFACTION_MEANING = {
    "inhouse": "satisfaction score when an in-house agent handles the contact",
    "ai": "satisfaction score when the AI resolves the contact",
    "vendor": "satisfaction score when a vendor handles the contact (unless the vendor sets its own)",
    "unresolved_penalty": "satisfaction points lost when the issue is not resolved",
    "repeat_penalty": "satisfaction points lost per earlier attempt of the same customer",
    "escalation_penalty": "satisfaction points lost when the AI hands the customer over",
    "wait_penalty_per_minute": "satisfaction points lost per minute waited",
    "loyal_at_least": "score from which a customer counts as loyal (value kept)",
    "lost_below": "score under which a customer counts as lost (value kept)",
}


def assumed_defaults(scenario: Scenario) -> list[AssumedDefault]:
    """Every comparison-driving default the scenario relies on, in file order."""
    found: list[AssumedDefault] = []
    for index, group in enumerate(scenario.agent_groups):
        if "first_contact_resolution" not in group.model_fields_set:
            found.append(AssumedDefault(
                join_path("agent_groups", index, "first_contact_resolution"), group.first_contact_resolution,
                f"{group.name}: share of contacts resolved (the industry average by post-contact surveys, SQM "
                "Group); the rest come back as repeat contacts"))
    found += _vendor_defaults(scenario)
    found += _ai_defaults(scenario)
    found += _satisfaction_defaults(scenario)
    if "complaints" not in scenario.model_fields_set:
        model = scenario.complaints
        found.append(AssumedDefault("complaints", f"base {model.base:g}, unresolved {model.unresolved:g}, ...",
                                    "chances that a contact ends in a complaint, by cause (defaults calibrated "
                                    "to 4-5% for a center resolving 70% and about 12% for an over-reaching AI)"))
    if "repeat_contacts" not in scenario.model_fields_set and any(
            default.path.endswith("first_contact_resolution") or "false_containment" in default.path
            for default in found):
        repeat = scenario.repeat_contacts
        hours = repeat.delay.mean_seconds() / 3600
        found.append(AssumedDefault("repeat_contacts", f"delay {repeat.delay.dist} mean {hours:g} h, max_repeats "
                                                       f"{repeat.max_repeats}",
                                    f"unresolved customers come back after {hours:g} h on average, at most "
                                    f"{repeat.max_repeats} times"))
    return found


def _vendor_defaults(scenario: Scenario) -> list[AssumedDefault]:
    found = []
    for index, vendor in enumerate(scenario.vendors):
        if "first_contact_resolution" not in vendor.model_fields_set:
            found.append(AssumedDefault(join_path("vendors", index, "first_contact_resolution"),
                                        vendor.first_contact_resolution,
                                        f"{vendor.name}: share of contacts the vendor resolves"))
    return found


def _ai_defaults(scenario: Scenario) -> list[AssumedDefault]:
    if scenario.ai is None:
        return []
    found = []
    for name, outcome in scenario.ai.contact_types.items():
        if "false_containment" not in outcome.model_fields_set:
            found.append(AssumedDefault(join_path("ai.contact_types", name, "false_containment"),
                                        outcome.false_containment,
                                        f"{name}: share of the AI's 'resolved' contacts that were not (they come "
                                        "back as repeats); 0 takes the AI's claims at face value"))
        if "automatable_share" not in outcome.model_fields_set:
            found.append(AssumedDefault(join_path("ai.contact_types", name, "automatable_share"),
                                        outcome.automatable_share,
                                        f"{name}: share of contacts the AI can genuinely resolve; 1 means any "
                                        "containment asked is reached without over-reach"))
    return found


def _satisfaction_defaults(scenario: Scenario) -> list[AssumedDefault]:
    satisfaction = scenario.satisfaction
    relevant = ["inhouse", "unresolved_penalty", "repeat_penalty", "wait_penalty_per_minute", "loyal_at_least",
                "lost_below"]
    if scenario.ai is not None:
        relevant[1:1] = ["ai", "escalation_penalty"]
    if any(vendor.satisfaction is None for vendor in scenario.vendors):
        relevant.insert(1, "vendor")
    return [AssumedDefault(join_path("satisfaction", key), getattr(satisfaction, key), _SATISFACTION_MEANING[key])
            for key in Satisfaction.model_fields if key in relevant and key not in satisfaction.model_fields_set]
