"""The contact-center engine: arrivals, skill-based dispatch, patience, retrials, shifts.

Built for speed on SimPy's event loop: there is one process for arrivals
and one per staffing plan; every other happening (end of service, end of
patience, a retrial) is a bare ``Timeout`` with a callback, so a contact
costs two or three events instead of a process of its own.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import simpy
from simpy.core import URGENT
from simpy.events import Event, Timeout

from ..calendar import Calendar
from ..config import Scenario
from ..demand import Arrivals
from ..distributions import sampler_for
from ..random import BufferedDraws, RandomStreams
from ..records import ABANDONED, ANSWERED, IN_SYSTEM
from ..staffing import GroupPlan
from .agents import Agent, AgentPool
from .contact import Contact
from .queues import FifoQueue, PriorityQueue

INHOUSE = "inhouse"


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
        self._build_queues_and_pools()
        self._build_retrials(streams)
        self._open = np.stack([calendar.open_mask(day) for day in range(calendar.days)])

    # --- construction -----------------------------------------------------------------------

    def _build_queues_and_pools(self) -> None:
        prioritised = any(self._segment_priority) or any(self._segment_boost)
        queue_class = PriorityQueue if prioritised else FifoQueue
        names = self.scenario.contact_type_names()
        self.queues = [queue_class(f"{INHOUSE}/{name}", index) for index, name in enumerate(names)]
        self.pools = [AgentPool(group.name, index, group.handle_time_multiplier)
                      for index, group in enumerate(self.scenario.agent_groups)]
        by_type: list[dict[int, list[AgentPool]]] = [{} for _ in names]
        for pool, group in zip(self.pools, self.scenario.agent_groups):
            levels: dict[int, list] = {}
            for skill, priority in group.skills.items():
                type_index = names.index(skill)
                levels.setdefault(priority, []).append(self.queues[type_index])
                by_type[type_index].setdefault(priority, []).append(pool)
            pool.skill_levels = [levels[priority] for priority in sorted(levels)]
        # An arriving contact tries the groups for which its type has the best priority first.
        self._levels_for_type = [[levels[priority] for priority in sorted(levels)] for levels in by_type]

    def _build_retrials(self, streams: RandomStreams) -> None:
        retrial = self.scenario.retrial
        self._retrial_probability = retrial.probability
        self._max_attempts = retrial.max_attempts
        self._retrial_decision = BufferedDraws(streams.get("retrial/decision"), lambda g, n: g.random(n))
        self._retrial_delay = BufferedDraws(streams.get("retrial/delay"), sampler_for(retrial.delay))
        self._retrial_draws = []
        for contact_type in self.scenario.contact_types:
            name = contact_type.name
            self._retrial_draws.append((
                BufferedDraws(streams.get(f"retrial/handle_time/{name}"), sampler_for(contact_type.handle_time)),
                BufferedDraws(streams.get(f"retrial/after_call_work/{name}"),
                              sampler_for(contact_type.after_call_work) if contact_type.after_call_work
                              else (lambda g, n: np.zeros(n))),
                BufferedDraws(streams.get(f"retrial/patience/{name}"), sampler_for(contact_type.patience)),
            ))
        self._patience_multiplier = [segment.patience_multiplier for segment in self.scenario.segments]

    # --- running ----------------------------------------------------------------------------

    def run(self) -> None:
        env = self.env
        env.process(self._arrival_process())
        for pool, plan in zip(self.pools, self.plans):
            env.process(self._staffing_process(pool, plan))
        env.process(self._snapshot_process())
        self.end_time = self.calendar.horizon_seconds + self.calendar.drain_seconds
        env.run(until=self.end_time)
        for contact in self.contacts:
            if contact.waiting or not contact.outcome:
                contact.waiting = False
                contact.outcome = IN_SYSTEM
        for pool in self.pools:
            pool.close(self.end_time)

    def _arrival_process(self):
        env = self.env
        arrivals = self.arrivals
        columns = zip(arrivals.time.tolist(), arrivals.contact_type.tolist(), arrivals.segment.tolist(),
                      arrivals.patience.tolist(), arrivals.handle_time.tolist(),
                      arrivals.after_call_work.tolist())
        contacts = self.contacts
        for time, contact_type, segment, patience, handle_time, after_call_work in columns:
            delay = time - env.now
            yield Timeout(env, delay if delay > 0.0 else 0.0)
            contact_id = len(contacts)
            contact = Contact(contact_id, contact_id, 0, "new", contact_type, segment, time, patience,
                              handle_time, after_call_work)
            contacts.append(contact)
            self._route(contact)

    def _staffing_process(self, pool: AgentPool, plan: GroupPlan):
        env = self.env
        for time, level in zip(plan.available.times.tolist(), plan.available.values.tolist()):
            delay = time - env.now
            yield _urgent_timeout(env, delay if delay > 0.0 else 0.0)
            for agent in pool.set_target(int(level), env.now):
                self._seek_work(agent)

    def _snapshot_process(self):
        env = self.env
        step = self.calendar.interval_seconds
        total = self.calendar.total_intervals
        per_day = self.calendar.intervals_per_day
        for index in range(total):
            delay = index * step - env.now
            yield Timeout(env, delay if delay > 0.0 else 0.0)
            self.snapshots.append((index * step,
                                   tuple((pool.on_duty, len(pool.busy)) for pool in self.pools),
                                   tuple(queue.waiting for queue in self.queues)))
            if self.progress is not None and index % per_day == 0:
                self.progress(index / total)

    # --- contact flow -----------------------------------------------------------------------

    def _route(self, contact: Contact) -> None:
        contact.route = INHOUSE
        self._offer(contact, self.queues[contact.contact_type])

    def _offer(self, contact: Contact, queue) -> None:
        """Serve at once by the longest-idle eligible agent, or wait in ``queue``."""
        now = self.env.now
        contact.queue = queue
        contact.queue_entry_time = now
        for level in self._levels_for_type[contact.contact_type]:
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

    def _serve(self, agent: Agent, contact: Contact) -> None:
        pool = agent.pool
        multiplier = pool.handle_time_multiplier
        contact.answer_time = self.env.now
        contact.outcome = ANSWERED
        contact.handler = pool.name
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
        agent.contact.end_time = now
        agent.contact = None
        pool = agent.pool
        del pool.busy[agent.number]
        if agent.leaving:
            pool.leaving -= 1
            pool.log_departure(agent, now)
            return
        self._seek_work(agent)

    def _seek_work(self, agent: Agent) -> None:
        """Take the best waiting contact from the agent's skills, by priority level, else go idle."""
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
        if (self._retrial_probability > 0.0 and contact.attempt + 1 < self._max_attempts
                and self._retrial_decision.next() < self._retrial_probability):
            delay = self._retrial_delay.next()
            if self._accepting(self.env.now + delay):
                Timeout(self.env, delay, contact).callbacks.append(self._on_retrial)

    def _accepting(self, time: float) -> bool:
        """Whether the center takes new contacts at ``time`` (inside the horizon and open)."""
        if time < 0.0 or time >= self.calendar.horizon_seconds:
            return False
        day, second = divmod(time, 86_400.0)
        return bool(self._open[int(day), int(second // self.calendar.interval_seconds)])

    def _on_retrial(self, event: Timeout) -> None:
        previous: Contact = event._value
        handle_time, after_call_work, patience = self._retrial_draws[previous.contact_type]
        contact = Contact(len(self.contacts), previous.customer_id, previous.attempt + 1, "retrial",
                          previous.contact_type, previous.segment, self.env.now,
                          patience.next() * self._patience_multiplier[previous.segment],
                          handle_time.next(), after_call_work.next())
        self.contacts.append(contact)
        self._route(contact)


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
