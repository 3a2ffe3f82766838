"""Customers who come back: retrials after abandoning, repeat contacts after an unresolved one,
and channel switches (a caller who abandons, or whom the AI failed, writes or chats instead).

A follow-up that would fall while the center is closed arrives after it next
opens, spread evenly over the first ``repeat_contacts.opening_spread_minutes``
of that open stretch: customers who meant to call back overnight do not all
dial at the opening instant, which would put a spike no real center sees into
its first interval. Backlog channels take items at any hour; past the horizon a
follow-up is lost.
A switch is decided before a retrial, from the type's own stream: a customer
who switches does not also re-dial.
"""

from __future__ import annotations

import numpy as np

from ..calendar import Calendar
from ..config import Scenario
from ..config.omnichannel import BACKLOG_CHANNELS
from ..customers import CustomerDraws
from ..distributions import sampler_for
from ..random import BufferedDraws, RandomStreams
from .clock import Due
from .columns import COLUMN_INDEX
from .contact import Contact

_SWITCHED_OUT = COLUMN_INDEX["switched_out"]


class _Switch:
    __slots__ = ("to", "after_abandon", "after_ai_give_up", "decision", "delay")

    def __init__(self, to: int, after_abandon: float, after_ai_give_up: float, decision: BufferedDraws,
                 delay: BufferedDraws) -> None:
        self.to, self.after_abandon, self.after_ai_give_up = to, after_abandon, after_ai_give_up
        self.decision, self.delay = decision, delay


class FollowUps:
    """Schedules the customers' next attempts and creates them when they come."""

    def __init__(self, engine, scenario: Scenario, calendar: Calendar, streams: RandomStreams) -> None:
        self.engine = engine
        self.env = engine.env
        self.clock = engine.clock
        self.calendar = calendar
        retrial = scenario.retrial
        self._retrial_probability = retrial.probability
        self._max_attempts = retrial.max_attempts
        self._retrial_decision = BufferedDraws(streams.get("retrial/decision"), lambda g, n: g.random(n))
        self._retrial_delay = BufferedDraws(streams.get("retrial/delay"), sampler_for(retrial.delay))
        repeats = scenario.repeat_contacts
        self._max_repeats = repeats.max_repeats
        self._repeat_delay = BufferedDraws(streams.get("repeat/delay"), sampler_for(repeats.delay))
        self._draws = CustomerDraws(scenario, streams, prefix="followup/")
        self._any_hour = [channel in BACKLOG_CHANNELS for channel in scenario.type_channels()]
        self.switches = self._build_switches(scenario, streams)
        # Plain ints: a numpy scalar here would make the follow-up's time, and from there the clock and every
        # time computed from it, numpy floats (the same values, each operation several times slower).
        self._next_open = _next_open_table(calendar).tolist()
        self._open_until = _open_stretch_end_table(calendar).tolist()
        self._opening_spread = repeats.opening_spread_minutes * 60.0
        self._opening_draws = BufferedDraws(streams.get("follow_up/opening"), lambda g, n: g.random(n))
        self._callback = (self._on_follow_up,)

    @staticmethod
    def _build_switches(scenario: Scenario, streams: RandomStreams) -> list[_Switch | None]:
        names = scenario.contact_type_names()
        switches: list[_Switch | None] = []
        for contact_type in scenario.contact_types:
            rule = contact_type.switch
            if rule is None or (rule.after_abandon == 0 and rule.after_ai_give_up == 0):
                switches.append(None)
                continue
            switches.append(_Switch(
                names.index(rule.to), rule.after_abandon, rule.after_ai_give_up,
                BufferedDraws(streams.get(f"switch/decision/{contact_type.name}"), lambda g, n: g.random(n)),
                BufferedDraws(streams.get(f"switch/delay/{contact_type.name}"), sampler_for(rule.delay))))
        return switches

    def after_abandon(self, contact: Contact, now: float, offset: float) -> None:
        """The customer hung up (or left silently): switch channel, retry, or give up."""
        switch = self.switches[contact.contact_type]
        if switch is not None and switch.after_abandon > 0.0 and switch.decision.next() < switch.after_abandon:
            self._switch(contact, switch, now, offset)
        elif (self._retrial_probability > 0.0 and contact.retrials + 1 < self._max_attempts
                and self._retrial_decision.next() < self._retrial_probability):
            self._schedule(contact, self._retrial_delay.next(), "retrial", now, offset, contact.contact_type)

    def after_ai_give_up(self, contact: Contact, now: float) -> None:
        """The customer gave up in the AI: some try another channel."""
        switch = self.switches[contact.contact_type]
        if switch is not None and switch.after_ai_give_up > 0.0 and switch.decision.next() < switch.after_ai_give_up:
            self._switch(contact, switch, now, 0.0)

    def _switch(self, contact: Contact, switch: _Switch, now: float, offset: float) -> None:
        self.engine.collector.count(contact, _SWITCHED_OUT)
        self._schedule(contact, switch.delay.next(), "switched", now, offset, switch.to)

    def repeat(self, contact: Contact, now: float) -> None:
        """The customer's issue is not resolved: they contact again after a delay, within the limit."""
        if contact.repeats < self._max_repeats:
            self._schedule(contact, self._repeat_delay.next(), "repeat", now, 0.0, contact.contact_type)

    def _schedule(self, contact: Contact, delay: float, origin: str, now: float, offset: float,
                  contact_type: int) -> None:
        """Bring the customer back after ``delay`` (when the center next opens); lost past the horizon."""
        when = now + delay
        if when >= self.calendar.horizon_seconds:
            return
        if not self._any_hour[contact_type]:
            when = self._opening_at_or_after(when)
            if when is None:
                return
        self.clock.after(when - now + offset, (contact, origin, contact_type), self._callback)

    def _opening_at_or_after(self, time: float) -> float | None:
        interval = float(self.calendar.interval_seconds)
        next_open = self._next_open[int(max(time, 0.0) // interval)]
        if next_open < 0:
            return None
        opening = next_open * interval
        if time >= opening:
            return time
        spread = min(self._opening_spread, self._open_until[next_open] * interval - opening)
        return opening + spread * self._opening_draws.next() if spread > 0.0 else opening

    def _on_follow_up(self, event: Due) -> None:
        previous, origin, contact_type = event.value
        engine = self.engine
        attributes = self._draws.one(contact_type, previous.segment, self.env.now)
        contact_id = engine.created
        engine.created = contact_id + 1
        contact = previous.follow_up(contact_id, origin, self.env.now, attributes, contact_type)
        if engine.keep_records:
            engine.contacts.append(contact)
        engine.route(contact)


def _next_open_table(calendar: Calendar) -> np.ndarray:
    """For each measured interval, the first open interval at or after it (-1 if none)."""
    mask = np.concatenate([calendar.open_mask(day) for day in range(calendar.days)])
    table = np.full(len(mask), -1, dtype=np.int64)
    upcoming = -1
    for index in range(len(mask) - 1, -1, -1):
        if mask[index]:
            upcoming = index
        table[index] = upcoming
    return table


def _open_stretch_end_table(calendar: Calendar) -> np.ndarray:
    """For each measured interval, the end (exclusive interval index) of the open stretch it starts or lies in."""
    mask = np.concatenate([calendar.open_mask(day) for day in range(calendar.days)])
    table = np.zeros(len(mask), dtype=np.int64)
    end = len(mask)
    for index in range(len(mask) - 1, -1, -1):
        if not mask[index]:
            end = index
        table[index] = end
    return table
