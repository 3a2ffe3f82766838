"""The AI virtual agent: a limited number of concurrent sessions, and per
contact type the chance of resolving, escalating or losing the contact."""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable

from ..calendar import Calendar
from ..config import SECONDS_PER_DAY, Scenario
from ..random import BufferedDraws, RandomStreams
from ..records import AI_ABANDONED, CONTAINED
from .clock import Clock, Due
from .contact import Contact

AI_HANDLER = "ai"


class AIStage:
    """Sessions of the AI; hands escalations and overflow back to the engine."""

    def __init__(self, scenario: Scenario, calendar: Calendar, streams: RandomStreams, clock: Clock,
                 to_human: Callable[[Contact], None], repeat: Callable[[Contact], None],
                 finish: Callable[[Contact], None]) -> None:
        ai = scenario.ai
        assert ai is not None
        self.env = clock.env
        self.clock = clock
        self.capacity = ai.capacity
        self.wait_when_full = ai.when_full == "wait"
        self.active = 0
        self.waiting: deque[Contact] = deque()
        self._to_human = to_human
        self._repeat = repeat
        self._finish = finish
        self.in_session: dict[int, Contact] = {}  # by contact id
        self._session_end_callback = (self._on_session_end,)
        self._patience_callback = (self._on_patience_end,)
        self._days = calendar.days
        names = scenario.contact_type_names()
        self._outcomes = [ai.contact_types.get(name) for name in names]
        self._false_containment = [
            BufferedDraws(streams.get(f"ai/false_containment/{name}"), lambda g, n: g.random(n)) for name in names]
        # Over-reach: containment asked above what the AI can resolve (a stream of its own, so the draws of
        # every other stream stay as they were).
        self._automatable = [outcome.automatable_share if outcome else 1.0 for outcome in self._outcomes]
        self._excess_draws = [
            BufferedDraws(streams.get(f"ai/over_reach/{name}"), lambda g, n: g.random(n)) for name in names]

    def enter(self, contact: Contact) -> None:
        contact.ai_entry_time = self.env.now
        if self.active < self.capacity:
            self._start(contact)
        elif self.wait_when_full:
            contact.waiting = True
            self.waiting.append(contact)
            if contact.patience != math.inf:
                self.clock.after(contact.patience, contact, self._patience_callback)
        else:
            contact.route += "/ai_full"
            self._to_human(contact)

    def _start(self, contact: Contact) -> None:
        self.active += 1
        contact.waiting = False
        contact.ai_start_time = self.env.now
        self.in_session[contact.contact_id] = contact
        self.clock.after(contact.ai_session_time, contact, self._session_end_callback)

    def _on_patience_end(self, event: Due) -> None:
        contact: Contact = event.value
        # Only while still waiting for a session: once one started, the contact may be waiting in a human
        # queue, where its own patience applies.
        if contact.waiting and contact.ai_start_time != contact.ai_start_time:
            contact.waiting = False
            contact.outcome = AI_ABANDONED
            contact.end_time = self.env.now
            self._finish(contact)

    def probabilities(self, type_index: int, time: float) -> tuple[float, float]:
        """(containment, escalation) in force at ``time``, following the rollout ramp by day."""
        outcome = self._outcomes[type_index]
        containment = outcome.containment
        if outcome.containment_start is not None:
            day = min(max(int(time // SECONDS_PER_DAY), 0), self._days - 1)
            progress = day / (self._days - 1) if self._days > 1 else 1.0
            containment = outcome.containment_start + (outcome.containment - outcome.containment_start) * progress
        # Whatever the ramp has not yet contained is escalated.
        return containment, outcome.escalation + (outcome.containment - containment)

    def _on_session_end(self, event: Due) -> None:
        contact: Contact = event.value
        self.active -= 1
        del self.in_session[contact.contact_id]
        self._start_next()
        type_index = contact.contact_type
        containment, escalation = self.probabilities(type_index, contact.ai_start_time)
        if contact.ai_outcome < containment:
            # An issue the AI over-reached on before stays beyond it when the customer comes back.
            if contact.ai_outcome < self._automatable[type_index] and not contact.beyond_ai:
                self._contain(contact)
            else:
                contact.beyond_ai = True
                if self._excess_draws[type_index].next() < self._outcomes[type_index].excess_false_share:
                    self._contain(contact, falsely=True)
                else:
                    contact.escalated = True
                    contact.frustrated = True
                    self._to_human(contact)
        elif contact.ai_outcome < containment + escalation:
            contact.escalated = True
            self._to_human(contact)
        else:
            contact.outcome = AI_ABANDONED
            contact.end_time = self.env.now
            self._finish(contact)

    def _contain(self, contact: Contact, falsely: bool = False) -> None:
        """The AI reports the contact resolved: genuinely, unless its false-containment draw says otherwise,
        or falsely when it over-reached."""
        contact.outcome = CONTAINED  # handled by the AI (AI_HANDLER in the contacts table)
        contact.end_time = self.env.now
        rate = self._outcomes[contact.contact_type].false_containment
        contact.resolved = not falsely and not (
            rate > 0 and self._false_containment[contact.contact_type].next() < rate)
        self._finish(contact)
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

    def unfinished(self) -> list[Contact]:
        """Contacts in a session or waiting for one (at the end of the run)."""
        return list(self.in_session.values()) + [contact for contact in self.waiting if contact.waiting]
