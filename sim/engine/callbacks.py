"""Callbacks (virtual hold) for voice contact types.

A caller about to queue whose expected wait at the destination ((waiting + 1)
x mean handle time / agents on duty for the type; unbounded with nobody on
duty) exceeds the type's ``offer_when_wait_above_seconds`` is offered a
callback and accepts with ``accept_probability`` (a draw from the type's own
stream). An accepted callback no longer abandons and its handle time grows by
the dialling time.

* ``keep_place``: the callback keeps the caller's place in line and is dialled
  when an agent reaches it; the promise is the expected wait quoted.
* ``scheduled``: the caller leaves the line and is promised a call
  ``promise_minutes`` later; at that time an idle agent dials at once, else the
  callback goes to the head of the line (behind earlier due callbacks). Its
  wait counts from the promised time.

Counted per contact (collector columns): offered, accepted, completed
(dialled), promises kept (dialled no later than promise + tolerance), time
from the offer to the dial, and abandonment saved: completed callbacks whose
caller's own patience would have run out before that dial.
"""

from __future__ import annotations

from ..config import Scenario
from ..random import BufferedDraws, RandomStreams
from .clock import Due
from .columns import COLUMN_INDEX
from .contact import Contact
from .destinations import HumanDestination

KEEPING_PLACE, SCHEDULED, DUE = 1, 2, 3

_OFFERED, _ACCEPTED, _COMPLETED, _KEPT, _SAVED, _WAIT = (
    COLUMN_INDEX[name] for name in ("callbacks_offered", "callbacks_accepted", "callbacks_completed",
                                    "callback_promises_kept", "abandonment_saved", "callback_wait_seconds"))


class CallbackDesk:
    """Offers, keeps and dials the callbacks of one engine (see the module docstring)."""

    def __init__(self, engine, scenario: Scenario, streams: RandomStreams) -> None:
        self.engine = engine
        self.env = engine.env
        self.clock = engine.clock
        self.collector = engine.collector
        self.rules = [contact_type.callback for contact_type in scenario.contact_types]
        self._accept = [BufferedDraws(streams.get(f"callback/accept/{contact_type.name}"), lambda g, n: g.random(n))
                        if contact_type.callback else None for contact_type in scenario.contact_types]
        self._mean_handle = [contact_type.handle_time.mean_seconds()
                             + (contact_type.after_call_work.mean_seconds() if contact_type.after_call_work else 0.0)
                             for contact_type in scenario.contact_types]
        self.pending: dict[int, Contact] = {}  # scheduled callbacks not yet due, by contact id
        self._due_callback = (self._on_due,)

    def hook(self, contact: Contact, destination: HumanDestination, now: float, offset: float) -> bool:
        """Queue hook of a voice type: put a due callback at the head of the line, or offer a callback to
        a caller about to queue. True when the contact was taken care of (it does not queue as usual)."""
        contact_type = contact.contact_type
        if contact.callback_state == SCHEDULED:
            contact.callback_state = DUE
            contact.waiting = True
            contact.queue.push_front(contact)
            self.engine.queue_grew(destination, contact_type, now)
            return True
        rule = self.rules[contact_type]
        if rule is None or contact.callback_state:
            return False
        expected = self._expected_wait(destination, contact_type)
        if expected <= rule.offer_when_wait_above_seconds:
            return False
        self.collector.count(contact, _OFFERED)
        if self._accept[contact_type].next() >= rule.accept_probability:
            return False
        self.collector.count(contact, _ACCEPTED)
        contact.callback_offer_time = now
        contact.base_handle_time += rule.dial_seconds
        if rule.mode == "keep_place":
            contact.callback_state = KEEPING_PLACE
            contact.callback_promise = now + expected
            contact.waiting = True
            segment = contact.segment
            contact.queue.push(contact, self.engine.segment_priority[segment], self.engine.segment_boost[segment])
            self.engine.queue_grew(destination, contact_type, now)
        else:
            contact.callback_state = SCHEDULED
            contact.callback_promise = now + rule.promise_minutes * 60.0
            self.pending[contact.contact_id] = contact
            self.clock.after(contact.callback_promise - now + offset, (contact, destination), self._due_callback)
        return True

    def _expected_wait(self, destination: HumanDestination, contact_type: int) -> float:
        agents = 0
        for level in destination.levels_for_type[contact_type]:
            for pool in level:
                agents += len(pool.idle) + len(pool.busy) - pool.leaving  # on the phones, not about to leave
        if agents <= 0:
            return float("inf")
        return (destination.queues[contact_type].waiting + 1) * self._mean_handle[contact_type] / agents

    def _on_due(self, event: Due) -> None:
        contact, destination = event.value
        del self.pending[contact.contact_id]
        self.engine.offer(contact, destination, self.env.now, 0.0)

    def dialled(self, contact: Contact, now: float) -> None:
        """An agent dials an accepted callback (the engine calls this when serving it)."""
        collector = self.collector
        rule = self.rules[contact.contact_type]
        waited = now - contact.callback_offer_time
        collector.count(contact, _COMPLETED)
        collector.count(contact, _WAIT, waited)
        if now <= contact.callback_promise + rule.promise_tolerance_seconds:
            collector.count(contact, _KEPT)
        if contact.patience < waited:
            collector.count(contact, _SAVED)  # on hold this long, the caller would have hung up

    def unfinished(self) -> list[Contact]:
        """Scheduled callbacks whose time has not come (at the end of the run)."""
        return list(self.pending.values())
