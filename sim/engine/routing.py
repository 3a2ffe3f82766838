"""Routing rules compiled for the engine: where a contact goes when it arrives
and, after the AI or when the AI is full, which human destination takes it."""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..config import Scenario
from ..config.channels import RoutingRule
from ..random import BufferedDraws, RandomStreams
from .contact import Contact
from .destinations import HumanDestination

AI_TARGET = "ai"


def _indices(names: list[str] | None, lookup: dict[str, int]) -> frozenset[int] | None:
    return frozenset(lookup[name] for name in names) if names is not None else None


@dataclass
class CompiledRule:
    label: str
    target: object  # AI_TARGET or a HumanDestination
    types: frozenset[int] | None
    segments: frozenset[int] | None
    origins: frozenset[str] | None
    queue_longer_than: int | None
    expected_wait_above: float | None
    oldest_wait_above: float | None
    share: float | None
    share_draws: BufferedDraws | None


class Router:
    """Evaluates the ordered rules; the first rule whose conditions all hold decides."""

    def __init__(self, scenario: Scenario, inhouse: HumanDestination | None, others: list[HumanDestination],
                 streams: RandomStreams) -> None:
        self.inhouse = inhouse
        names = scenario.contact_type_names()
        self._type_index = {name: index for index, name in enumerate(names)}
        self._segment_index = {segment.name: index for index, segment in enumerate(scenario.segments)}
        self._destinations = {destination.name: destination for destination in others}
        if inhouse is not None:
            self._destinations["inhouse"] = inhouse
        ai = scenario.ai
        self._ai_types = frozenset(self._type_index[name] for name in ai.contact_types) if ai else frozenset()
        self._ai_segments = (frozenset(self._segment_index[name] for name in ai.segments)
                             if ai and ai.segments is not None else None)
        self._mean_handle = [t.handle_time.mean_seconds() for t in scenario.contact_types]
        self.rules = [self._compile(rule, index, streams) for index, rule in enumerate(scenario.routing_rules())]
        vendors = [destination for destination in others if destination.kind == "vendor"]
        self._fallback = [self._default_destination(index, vendors) for index in range(len(names))]

    def _compile(self, rule: RoutingRule, index: int, streams: RandomStreams) -> CompiledRule:
        label = rule.label(index)
        return CompiledRule(
            label=label,
            target=AI_TARGET if rule.to == AI_TARGET else self._destinations[rule.to],
            types=_indices(rule.contact_types, self._type_index),
            segments=_indices(rule.segments, self._segment_index),
            origins=frozenset(rule.origins) if rule.origins is not None else None,
            queue_longer_than=rule.queue_longer_than,
            expected_wait_above=rule.expected_wait_above_seconds,
            oldest_wait_above=rule.oldest_wait_above_seconds,
            share=rule.share,
            share_draws=(BufferedDraws(streams.get(f"routing/{label}"), lambda g, n: g.random(n))
                         if rule.share is not None else None),
        )

    def _default_destination(self, type_index: int, vendors: list[HumanDestination]) -> HumanDestination:
        if self.inhouse is not None and self.inhouse.serves(type_index):
            return self.inhouse
        return next(vendor for vendor in vendors if vendor.serves(type_index))

    def direct_destinations(self) -> list[HumanDestination | None]:
        """Per contact type, its default destination when no rule can ever apply to it (it goes there
        without asking the rules), else None."""
        return [None if any(self._may_apply(rule, index) for rule in self.rules) else destination
                for index, destination in enumerate(self._fallback)]

    def _may_apply(self, rule: CompiledRule, type_index: int) -> bool:
        """Whether a rule could ever match a contact of the type (its other conditions aside)."""
        if rule.types is not None and type_index not in rule.types:
            return False
        if rule.target is AI_TARGET:
            return type_index in self._ai_types
        return rule.target.serves(type_index)

    # --- decisions -------------------------------------------------------------------------

    def entry(self, contact: Contact, now: float) -> tuple[str, object]:
        """Target of a contact that just arrived: the AI or a human destination."""
        return self._first_match(contact, now, allow_ai=True, origin=contact.origin)

    def human(self, contact: Contact, now: float) -> tuple[str, HumanDestination]:
        """Human destination of a contact the AI escalated or could not take."""
        origin = "escalated" if contact.escalated else contact.origin
        return self._first_match(contact, now, allow_ai=False, origin=origin)

    def _first_match(self, contact: Contact, now: float, allow_ai: bool, origin: str):
        for rule in self.rules:
            if rule.target is AI_TARGET and not (allow_ai and self._ai_eligible(contact)):
                continue
            if self._matches(rule, contact, now, origin):
                return rule.label, rule.target
        return "default", self._fallback[contact.contact_type]

    def _ai_eligible(self, contact: Contact) -> bool:
        return contact.contact_type in self._ai_types and (
            self._ai_segments is None or contact.segment in self._ai_segments)

    def _matches(self, rule: CompiledRule, contact: Contact, now: float, origin: str) -> bool:
        type_index = contact.contact_type
        if rule.types is not None and type_index not in rule.types:
            return False
        if rule.segments is not None and contact.segment not in rule.segments:
            return False
        if rule.origins is not None and origin not in rule.origins:
            return False
        if rule.target is not AI_TARGET and not rule.target.serves(type_index):
            return False
        if not self._queue_conditions_hold(rule, type_index, now):
            return False
        # Draw only for contacts that reach the split, so the split's share is exact among them.
        return rule.share is None or rule.share_draws.next() < rule.share

    def _queue_conditions_hold(self, rule: CompiledRule, type_index: int, now: float) -> bool:
        if rule.queue_longer_than is None and rule.expected_wait_above is None and rule.oldest_wait_above is None:
            return True
        inhouse = self.inhouse
        queue = inhouse.queues[type_index] if inhouse is not None else None
        waiting = queue.waiting if queue is not None else 0
        if rule.queue_longer_than is not None and waiting <= rule.queue_longer_than:
            return False
        if rule.expected_wait_above is not None and self.expected_wait(type_index) <= rule.expected_wait_above:
            return False
        if rule.oldest_wait_above is not None:
            head = queue.head_entry_time() if queue is not None else None
            if head is None or now - head <= rule.oldest_wait_above:
                return False
        return True

    def expected_wait(self, type_index: int) -> float:
        """In-house expected wait for the type: 0 when an agent is idle, else
        (contacts waiting + 1) x mean handle time / agents on duty for the type."""
        if self.inhouse is None:
            return math.inf
        if self.inhouse.has_idle_agent(type_index):
            return 0.0
        agents = self.inhouse.agents_on_duty(type_index)
        if agents <= 0:
            return math.inf
        return (self.inhouse.queues[type_index].waiting + 1) * self._mean_handle[type_index] / agents
