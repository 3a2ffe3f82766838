"""Where contacts go, in expectation: the scenario's routing rules read statically.

The engine tries the ordered routing rules for every contact and takes the
first whose conditions hold (:mod:`sim.engine.routing`). Conditions on the
contact type, segment, origin and a random ``share`` can be evaluated
exactly in expectation; conditions on the queue at that moment
(``queue_longer_than``, ``expected_wait_above_seconds``,
``oldest_wait_above_seconds``) cannot, and are read as "does not fire".
That is the right reading for planning: such overflow rules only fire when
the queue is long, which a center staffed to its target avoids. The
simulation-based method sees them in action.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sim.config import Scenario
from sim.config.channels import AI_HANDLER as AI
from sim.config.channels import INHOUSE, RoutingRule


@dataclass(frozen=True)
class RoutingView:
    """Static facts about a scenario's routing, and the rules that could not be read statically."""

    scenario: Scenario

    @property
    def rules(self) -> list[RoutingRule]:
        return self.scenario.routing_rules()

    def dynamic_rules(self) -> list[str]:
        """Labels of rules with queue conditions (left out of the analytic view)."""
        return [rule.label(index) for index, rule in enumerate(self.rules) if _is_dynamic(rule)]

    def serves(self, destination: str, contact_type: str) -> bool:
        """True when a human destination (``inhouse``, a dedicated group, a vendor) takes the type."""
        if destination == INHOUSE:
            return any(contact_type in group.skills for group in self.scenario.agent_groups if not group.dedicated)
        for group in self.scenario.agent_groups:
            if group.name == destination:
                return contact_type in group.skills
        for vendor in self.scenario.vendors:
            if vendor.name == destination:
                return contact_type in vendor.skills
        return False

    def ai_eligible(self, contact_type: str, segment: str) -> bool:
        ai = self.scenario.ai
        return (ai is not None and contact_type in ai.contact_types
                and (ai.segments is None or segment in ai.segments))

    def segment_split(self, contact_type: str, segment: str, origin: str, allow_ai: bool) -> dict[str, float]:
        """Expected share of a type's contacts from one segment going to each destination (``ai`` included).

        ``origin`` is ``new`` for arrivals and ``escalated`` after the AI;
        ``allow_ai`` is False once a contact has been to (or was refused by) the AI.
        """
        remaining = 1.0
        shares: dict[str, float] = defaultdict(float)
        for rule in self.rules:
            if remaining <= 0:
                break
            if rule.to == AI and not (allow_ai and self.ai_eligible(contact_type, segment)):
                continue
            if not self._static_match(rule, contact_type, segment, origin):
                continue
            fires = rule.share if rule.share is not None else 1.0
            shares[rule.to] += remaining * fires
            remaining *= 1.0 - fires
        if remaining > 0:
            shares[self.fallback(contact_type)] += remaining
        return dict(shares)

    def _static_match(self, rule: RoutingRule, contact_type: str, segment: str, origin: str) -> bool:
        if _is_dynamic(rule):
            return False
        if rule.contact_types is not None and contact_type not in rule.contact_types:
            return False
        if rule.segments is not None and segment not in rule.segments:
            return False
        if rule.origins is not None and origin not in rule.origins:
            return False
        return rule.to == AI or self.serves(rule.to, contact_type)

    def fallback(self, contact_type: str) -> str:
        """Where a contact no rule took goes: the shared in-house groups, else the first vendor serving it."""
        if self.serves(INHOUSE, contact_type):
            return INHOUSE
        return next(vendor.name for vendor in self.scenario.vendors if contact_type in vendor.skills)


def _is_dynamic(rule: RoutingRule) -> bool:
    return (rule.queue_longer_than is not None or rule.expected_wait_above_seconds is not None
            or rule.oldest_wait_above_seconds is not None)
