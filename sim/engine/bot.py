"""The AI virtual agent: a limited number of concurrent sessions, and per
contact type the chance of resolving, escalating or losing the contact."""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable

from simpy.events import Timeout

from ..calendar import Calendar
from ..config import Scenario
from ..random import BufferedDraws, RandomStreams
from ..records import AI_ABANDONED, CONTAINED
from .contact import Contact

AI_HANDLER = "ai"


class AIStage:
    """Sessions of the AI; hands escalations and overflow back to the engine."""

    def __init__(self, scenario: Scenario, calendar: Calendar, streams: RandomStreams, env,
                 to_human: Callable[[Contact], None], repeat: Callable[[Contact], None]) -> None:
        ai = scenario.ai
        assert ai is not None
        self.env = env
        self.capacity = ai.capacity
        self.wait_when_full = ai.when_full == "wait"
        self.active = 0
        self.waiting: deque[Contact] = deque()
        self._to_human = to_human
        self._repeat = repeat
        self._days = calendar.days
        names = scenario.contact_type_names()
        self._outcomes = [ai.contact_types.get(name) for name in names]
        self._false_containment = [
            BufferedDraws(streams.get(f"ai/false_containment/{name}"), lambda g, n: g.random(n)) for name in names]

    def enter(self, contact: Contact) -> None:
        contact.ai_entry_time = self.env.now
        if self.active < self.capacity:
            self._start(contact)
        elif self.wait_when_full:
            contact.waiting = True
            self.waiting.append(contact)
            if contact.patience != math.inf:
                Timeout(self.env, contact.patience, contact).callbacks.append(self._on_patience_end)
        else:
            contact.route += "/ai_full"
            self._to_human(contact)

    def _start(self, contact: Contact) -> None:
        self.active += 1
        contact.waiting = False
        contact.ai_start_time = self.env.now
        Timeout(self.env, contact.ai_session_time, contact).callbacks.append(self._on_session_end)

    def _on_patience_end(self, event: Timeout) -> None:
        contact: Contact = event._value
        if contact.waiting:
            contact.waiting = False
            contact.outcome = AI_ABANDONED
            contact.end_time = self.env.now

    def probabilities(self, type_index: int, time: float) -> tuple[float, float]:
        """(containment, escalation) in force at ``time``, following the rollout ramp by day."""
        outcome = self._outcomes[type_index]
        containment = outcome.containment
        if outcome.containment_start is not None:
            day = min(max(int(time // 86_400), 0), self._days - 1)
            progress = day / (self._days - 1) if self._days > 1 else 1.0
            containment = outcome.containment_start + (outcome.containment - outcome.containment_start) * progress
        # Whatever the ramp has not yet contained is escalated.
        return containment, outcome.escalation + (outcome.containment - containment)

    def _on_session_end(self, event: Timeout) -> None:
        contact: Contact = event._value
        self.active -= 1
        self._start_next()
        containment, escalation = self.probabilities(contact.contact_type, contact.ai_start_time)
        if contact.ai_outcome < containment:
            self._contain(contact)
        elif contact.ai_outcome < containment + escalation:
            contact.escalated = True
            self._to_human(contact)
        else:
            contact.outcome = AI_ABANDONED
            contact.end_time = self.env.now

    def _contain(self, contact: Contact) -> None:
        contact.outcome = CONTAINED
        contact.handler = AI_HANDLER
        contact.handler_kind = AI_HANDLER
        contact.end_time = self.env.now
        rate = self._outcomes[contact.contact_type].false_containment
        contact.resolved = not (rate > 0 and self._false_containment[contact.contact_type].next() < rate)
        if not contact.resolved:
            self._repeat(contact)

    def _start_next(self) -> None:
        while self.waiting and self.active < self.capacity:
            contact = self.waiting.popleft()
            if contact.waiting:
                self._start(contact)

    @property
    def waiting_count(self) -> int:
        return sum(1 for contact in self.waiting if contact.waiting)
