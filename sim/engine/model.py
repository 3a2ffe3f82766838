"""The contact-center engine: arrivals, routing, AI sessions, skill-based
dispatch to in-house groups and vendors, patience, retrials, repeat contacts
and shifts.

Built for speed on SimPy's event loop: there is one process for arrivals
and one per staffing plan; every other happening (end of service, end of
patience, an AI session, a retrial) is a bare ``Timeout`` with a callback, so
a contact costs two or three events instead of a process of its own.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import simpy
from simpy.core import URGENT
from simpy.events import Event, Timeout

from sim.agent_plans import GroupPlan

from ..calendar import Calendar
from ..config import Scenario
from ..customers import CustomerDraws
from ..demand import Arrivals
from ..distributions import sampler_for
from ..random import BufferedDraws, RandomStreams
from ..records import ABANDONED, ANSWERED, IN_SYSTEM
from .agents import Agent, AgentPool
from .availability import AvailabilityRule
from .bot import AI_HANDLER, AIStage
from .contact import Contact
from .destinations import HumanDestination, build_destinations
from .routing import AI_TARGET, Router


class Engine:
    """One replication of a scenario on a SimPy environment."""

    def __init__(self, scenario: Scenario, calendar: Calendar, arrivals: Arrivals,
                 plans: list[GroupPlan], streams: RandomStreams,
                 progress: Callable[[float], None] | None = None) -> None:
        self.scenario = scenario
        self.calendar = calendar
        self.arrivals = arrivals
        self.plans = plans
        self.progress = progress
        self.env = simpy.Environment(initial_time=-calendar.warmup_seconds)
        self.contacts: list[Contact] = []
        self.snapshots: list[tuple] = []
        self._segment_priority = [segment.priority for segment in scenario.segments]
        self._segment_boost = [segment.queue_boost_seconds for segment in scenario.segments]
        self.inhouse, others = build_destinations(scenario, streams)
        self.destinations: list[HumanDestination] = ([self.inhouse] if self.inhouse else []) + others
        self.pools: list[AgentPool] = [pool for destination in self.destinations for pool in destination.pools]
        self.queues = [queue for destination in self.destinations for queue in destination.queues]
        self.router = Router(scenario, self.inhouse, others, streams)
        self.ai = (AIStage(scenario, calendar, streams, self.env, self.to_human, self.schedule_repeat)
                   if scenario.ai is not None else None)
        self._escalation_multiplier = scenario.ai.escalation_handle_time_multiplier if scenario.ai else 1.0
        self._follow_up_draws = CustomerDraws(scenario, streams, prefix="followup/")
        self._build_follow_ups(streams)
        self._next_open = _next_open_table(calendar)
        self._build_availability(streams)
        self.probe_seconds = float(calendar.interval_seconds)

    def _build_availability(self, streams: RandomStreams) -> None:
        """Attach each group's availability model; ``recall_rules[d][t]``: rules woken when type t queues at d."""
        models = {group.name: group.availability for group in self.scenario.agent_groups if group.availability}
        for destination in self.destinations:
            destination.recall_rules = [[] for _ in destination.queues]
            for pool in destination.pools:
                availability = models.get(pool.name) if pool.kind == "inhouse" else None
                if availability is None:
                    continue
                rule = AvailabilityRule(pool, availability, streams, self.env, self._seek_work)
                if availability.recall is not None:
                    for level in pool.skill_levels:
                        for queue in level:
                            destination.recall_rules[queue.contact_type].append(rule)

    def _build_follow_ups(self, streams: RandomStreams) -> None:
        retrial = self.scenario.retrial
        self._retrial_probability = retrial.probability
        self._max_attempts = retrial.max_attempts
        self._retrial_decision = BufferedDraws(streams.get("retrial/decision"), lambda g, n: g.random(n))
        self._retrial_delay = BufferedDraws(streams.get("retrial/delay"), sampler_for(retrial.delay))
        repeats = self.scenario.repeat_contacts
        self._max_repeats = repeats.max_repeats
        self._repeat_delay = BufferedDraws(streams.get("repeat/delay"), sampler_for(repeats.delay))

    # --- running ----------------------------------------------------------------------------

    def run(self) -> None:
        env = self.env
        env.process(self._arrival_process())
        plans = {(plan.kind, plan.name): plan for plan in self.plans}
        for pool in self.pools:
            env.process(self._staffing_process(pool, plans[(pool.kind, pool.name)]))
        env.process(self._snapshot_process())
        self.end_time = self.calendar.horizon_seconds + self.calendar.drain_seconds
        env.run(until=self.end_time)
        for contact in self.contacts:
            if not contact.outcome or contact.waiting:
                contact.waiting = False
                contact.outcome = IN_SYSTEM
        for pool in self.pools:
            pool.close(self.end_time)

    def _arrival_process(self):
        env = self.env
        arrivals = self.arrivals
        columns = zip(arrivals.time.tolist(), arrivals.contact_type.tolist(), arrivals.segment.tolist(),
                      arrivals.handle_time.tolist(), arrivals.after_call_work.tolist(), arrivals.patience.tolist(),
                      arrivals.ai_session_time.tolist(), arrivals.ai_outcome.tolist())
        contacts = self.contacts
        for time, contact_type, segment, *attributes in columns:
            delay = time - env.now
            yield Timeout(env, delay if delay > 0.0 else 0.0)
            contact_id = len(contacts)
            contact = Contact(contact_id, contact_id, "new", contact_type, segment, time, tuple(attributes))
            contacts.append(contact)
            self._route(contact)

    def _staffing_process(self, pool: AgentPool, plan: GroupPlan):
        env = self.env
        # ``available`` is derived from ``scheduled`` point by point, so both change at the same times.
        for time, level, scheduled in zip(plan.available.times.tolist(), plan.available.values.tolist(),
                                          plan.scheduled.values.tolist()):
            delay = time - env.now
            yield _urgent_timeout(env, delay if delay > 0.0 else 0.0)
            arrivals = pool.set_target(int(level), env.now, shift_end=time in plan.shift_ends,
                                       scheduled=int(max(scheduled, 0)))
            availability = pool.availability
            if availability is not None:
                availability.away_count_changed()
                for agent in arrivals:
                    availability.start_spell(agent)
            for agent in arrivals:
                self._seek_work(agent)

    def _snapshot_process(self):
        """Probe the state every ``probe_seconds`` (default: each interval start) over the horizon."""
        env = self.env
        step = self.probe_seconds
        horizon = self.calendar.horizon_seconds
        total = int(math.ceil(horizon / step))
        report_every = max(1, int(round(86_400 / step)))
        for index in range(total):
            delay = index * step - env.now
            yield Timeout(env, delay if delay > 0.0 else 0.0)
            ai_state = (self.ai.active, self.ai.waiting_count) if self.ai else (0, 0)
            self.snapshots.append((index * step,
                                   tuple((pool.on_phones, len(pool.busy), len(pool.away)) for pool in self.pools),
                                   tuple(queue.waiting for queue in self.queues), ai_state))
            if self.progress is not None and index % report_every == 0:
                self.progress(index * step / horizon)

    # --- contact flow -----------------------------------------------------------------------

    def _route(self, contact: Contact) -> None:
        label, target = self.router.entry(contact, self.env.now)
        contact.route = label
        if target is AI_TARGET:
            self.ai.enter(contact)
        else:
            self._offer(contact, target)

    def to_human(self, contact: Contact) -> None:
        """Continue with a human after the AI escalated the contact or was full."""
        label, destination = self.router.human(contact, self.env.now)
        contact.route += "/" + label
        self._offer(contact, destination)

    def _offer(self, contact: Contact, destination: HumanDestination) -> None:
        """Serve at once by the longest-idle eligible agent, or wait in the destination's queue."""
        now = self.env.now
        queue = destination.queues[contact.contact_type]
        contact.queue = queue
        contact.queue_entry_time = now
        for level in destination.levels_for_type[contact.contact_type]:
            best: Agent | None = None
            for pool in level:
                if pool.idle:
                    candidate = pool.idle[0]
                    if best is None or candidate.idle_since < best.idle_since:
                        best = candidate
            if best is not None:
                best.pool.idle.popleft()
                self._serve(best, contact)
                return
        patience = contact.patience
        if patience <= 0.0:
            self._abandon(contact)
            return
        contact.waiting = True
        queue.push(contact, self._segment_priority[contact.segment], self._segment_boost[contact.segment])
        if patience != math.inf:
            Timeout(self.env, patience, contact).callbacks.append(self._on_patience_end)
        for pool in destination.surge_pools[contact.contact_type]:
            while pool.needs_surge():
                self._seek_work(pool.call_in_surge(now))
        for rule in destination.recall_rules[contact.contact_type]:
            rule.queue_grew()

    def _serve(self, agent: Agent, contact: Contact) -> None:
        pool = agent.pool
        multiplier = pool.handle_time_multiplier * (self._escalation_multiplier if contact.escalated else 1.0)
        contact.answer_time = self.env.now
        contact.outcome = ANSWERED
        contact.handler = pool.name
        contact.handler_kind = pool.kind
        contact.agent_id = agent.agent_id
        contact.handle_time = contact.base_handle_time * multiplier
        contact.after_call_work = contact.base_after_call_work * multiplier
        agent.contact = contact
        pool.busy[agent.number] = agent
        Timeout(self.env, contact.handle_time + contact.after_call_work, agent).callbacks.append(
            self._on_service_end)

    def _on_service_end(self, event: Timeout) -> None:
        agent: Agent = event._value
        now = self.env.now
        contact = agent.contact
        contact.end_time = now
        agent.contact = None
        pool = agent.pool
        del pool.busy[agent.number]
        contact.resolved = pool.resolution_draws is None or \
            pool.resolution_draws.next() < pool.first_contact_resolution
        if not contact.resolved:
            self.schedule_repeat(contact)
        if agent.leaving:
            pool.leaving -= 1
            pool.log_departure(agent, now)
            return
        if agent.away_pending and not agent.in_overtime:
            pool.availability.step_away(agent)
            return
        self._seek_work(agent)

    def _seek_work(self, agent: Agent) -> None:
        """Take the best waiting contact from the agent's skills, by priority level, else go idle
        (an agent in overtime goes home instead, as soon as the queue allows or time is up)."""
        if agent.in_overtime and agent.pool.overtime_over(agent, self.env.now):
            agent.pool.end_overtime(agent, self.env.now)
            return
        if agent.surge and agent.pool.surge_over():
            agent.pool.end_surge(agent, self.env.now)
            return
        for level in agent.pool.skill_levels:
            best_queue = None
            best_key = math.inf
            for queue in level:
                key = queue.head_key()
                if key is not None and key < best_key:
                    best_queue, best_key = queue, key
            if best_queue is not None:
                contact = best_queue.pop()
                contact.waiting = False
                self._serve(agent, contact)
                return
        if agent.in_overtime:
            agent.pool.end_overtime(agent, self.env.now)
            return
        if agent.surge:
            agent.pool.end_surge(agent, self.env.now)
            return
        agent.idle_since = self.env.now
        agent.pool.idle.append(agent)

    def _on_patience_end(self, event: Timeout) -> None:
        contact: Contact = event._value
        if contact.waiting:
            contact.waiting = False
            contact.queue.waiting -= 1
            self._abandon(contact)

    def _abandon(self, contact: Contact) -> None:
        contact.outcome = ABANDONED
        contact.end_time = self.env.now
        if (self._retrial_probability > 0.0 and contact.retrials + 1 < self._max_attempts
                and self._retrial_decision.next() < self._retrial_probability):
            self._schedule_follow_up(contact, self._retrial_delay.next(), "retrial")

    def schedule_repeat(self, contact: Contact) -> None:
        """The customer's issue is not resolved: they contact again after a delay, within the limit."""
        if contact.repeats < self._max_repeats:
            self._schedule_follow_up(contact, self._repeat_delay.next(), "repeat")

    def _schedule_follow_up(self, contact: Contact, delay: float, origin: str) -> None:
        """Bring the customer back after ``delay``, or when the center next opens; lost past the horizon."""
        when = self._opening_at_or_after(self.env.now + delay)
        if when is not None:
            Timeout(self.env, when - self.env.now, (contact, origin)).callbacks.append(self._on_follow_up)

    def _opening_at_or_after(self, time: float) -> float | None:
        if time >= self.calendar.horizon_seconds:
            return None
        index = int(max(time, 0.0) // self.calendar.interval_seconds)
        next_open = self._next_open[index]
        if next_open < 0:
            return None
        return max(time, next_open * float(self.calendar.interval_seconds))

    def _on_follow_up(self, event: Timeout) -> None:
        previous, origin = event._value
        attributes = self._follow_up_draws.one(previous.contact_type, previous.segment)
        contact = previous.follow_up(len(self.contacts), origin, self.env.now, attributes)
        self.contacts.append(contact)
        self._route(contact)


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


def _urgent_timeout(env: simpy.Environment, delay: float) -> Event:
    """A timeout processed before ordinary events at the same instant.

    Staffing changes use it so that agents starting at 09:00 are there for a
    contact arriving at exactly 09:00, whatever order the events were created in.
    """
    event = Event(env)
    event._ok = True
    event._value = None
    env.schedule(event, URGENT, delay)
    return event


__all__ = ["AI_HANDLER", "Engine"]
