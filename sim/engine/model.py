"""The contact-center engine: arrivals, routing, AI sessions, skill-based
dispatch to in-house groups and vendors, patience, retrials, repeat contacts,
shifts and agent availability; chats and backlog items in :mod:`.sessions`,
callbacks in :mod:`.callbacks`, retrials, repeats and channel switches in
:mod:`.follow_ups`.

Built for speed on SimPy's event loop (see :mod:`.clock`). Every happening
(the end of a service, of a patience, an AI session, a retrial) is a bare
scheduled call with a callback bound once, and first arrivals are merged
into the loop without events of their own, so a contact costs one or two
events and no process of its own; processes are used only for the staffing
plans and the probes. Arrivals are drawn a day at a time. Contacts report to
the :class:`Collector` when they end and are then dropped, unless the run
keeps records.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from heapq import heappush
from itertools import chain

import simpy
from simpy.events import NORMAL

from ..agent_plans import GroupPlan
from ..calendar import Calendar
from ..config import Scenario
from ..demand import Arrivals
from ..random import RandomStreams
from ..records import ABANDONED, AI_ABANDONED, ANSWERED, IN_SYSTEM
from .agents import Agent, AgentPool
from .bot import AI_HANDLER, AIStage
from .build import attach_availability, attach_break_rules, first_pools, types_handled_inline
from .callbacks import CallbackDesk
from .clock import Clock, Due, run_merged
from .collector import Collector
from .contact import Contact
from .destinations import HumanDestination, build_destinations
from .follow_ups import FollowUps
from .processes import backlog_process, install_queue_hooks, snapshot_process, staffing_process
from .queue_patience import queue_patience_rules
from .routing import AI_TARGET, Router
from .satisfaction import Scorer
from .sessions import SessionDesk


class Engine:
    """One replication of a scenario on a SimPy environment.

    ``arrival_days``: first-attempt arrivals, one :class:`Arrivals` block per
    day in time order (drawn lazily, so memory holds one day at a time).
    ``keep_records``: keep every contact (for ``contacts.csv``) and the log of
    agents' spells on the phones. ``extra_thresholds``: waits (seconds) for
    which the collector also counts answers within, per contact type.
    """

    def __init__(self, scenario: Scenario, calendar: Calendar, arrival_days: Iterator[Arrivals],
                 plans: list[GroupPlan], streams: RandomStreams,
                 progress: Callable[[float], None] | None = None, keep_records: bool = True,
                 extra_thresholds: tuple[float, ...] = ()) -> None:
        self.scenario = scenario
        self.calendar = calendar
        self.plans = plans
        self.progress = progress
        self.keep_records = keep_records
        self.env = simpy.Environment(initial_time=-calendar.warmup_seconds)
        self.clock = Clock(self.env)
        self._events, self._event_ids = self.env._queue, self.env._eid  # see serve
        self.contacts: list[Contact] = []
        self.created = 0
        self.snapshots: list[tuple] = []
        self.segment_priority = [segment.priority for segment in scenario.segments]
        self.segment_boost = [segment.queue_boost_seconds for segment in scenario.segments]
        self.inhouse, others = build_destinations(scenario, streams)
        self.destinations: list[HumanDestination] = ([self.inhouse] if self.inhouse else []) + others
        self.pools: list[AgentPool] = [pool for destination in self.destinations for pool in destination.pools]
        self.queues = [queue for destination in self.destinations for queue in destination.queues]
        self.collector = Collector(calendar.interval_seconds, calendar.total_intervals,
                                   scenario.service_level.threshold_seconds, scenario.contact_type_names(),
                                   [segment.name for segment in scenario.segments],
                                   [pool.name for pool in self.pools], Scorer(scenario), extra_thresholds,
                                   scenario.service_level_thresholds(), scenario.complaints)
        for index, pool in enumerate(self.pools):
            pool.attach(self.collector, index, keep_records)
            one_queue = len(pool.skill_levels) == 1 and len(pool.skill_levels[0]) == 1
            pool.seek = self._seek_one_queue if one_queue else self._seek_work
            pool.service_end_callback = (self._on_service_end,)
        self.router = Router(scenario, self.inhouse, others, streams)
        self._direct = self.router.direct_destinations()
        self.ai = (AIStage(scenario, calendar, streams, self.clock, self.to_human, self.schedule_repeat, self.finish)
                   if scenario.ai is not None else None)
        self._escalation_multiplier = scenario.ai.escalation_handle_time_multiplier if scenario.ai else 1.0
        self.follow_ups = FollowUps(self, scenario, calendar, streams)
        self._build_channels(scenario, calendar, streams)
        attach_availability(scenario, self.destinations, streams, self.clock, _seek_for_pool)
        attach_break_rules(scenario, self.pools, plans, calendar, self.clock)
        self._queue_patience = queue_patience_rules(scenario, streams)
        self.probe_seconds = float(calendar.interval_seconds)
        self._arrival_days = arrival_days
        self._inline_types = types_handled_inline(self._direct)
        self._first_pool = first_pools(self._direct, [offer == self.offer for offer in self.offer_for_type])
        # Bound once: a bound method made per event would cost an allocation each time.
        self._arrival_callback = (self._on_arrival,)
        self._patience_callback = (self._on_patience_end,)
        self.end_time = calendar.horizon_seconds + calendar.drain_seconds

    def _build_channels(self, scenario: Scenario, calendar: Calendar, streams: RandomStreams) -> None:
        """Sessions (chat, backlog items) and callbacks, only where the scenario has them, so a center
        of calls only runs the call path alone. ``offer_for_type[t]``: how a contact of type t is offered."""
        self.sessions = (SessionDesk(self, scenario, calendar, streams)
                         if any(pool.capacity for pool in self.pools) else None)
        self.callbacks = (CallbackDesk(self, scenario, streams)
                          if any(t.callback for t in scenario.contact_types) else None)
        self.offer_for_type = [self.offer if channel == "voice" else self.sessions.offer
                               for channel in scenario.type_channels()]
        install_queue_hooks(self.destinations, self.sessions, self.callbacks)

    # --- running ----------------------------------------------------------------------------

    def run(self) -> None:
        """Merge the arrivals into SimPy's event loop until the end of the drain.

        An arrival due before the next scheduled event is handled at once, in
        this loop, without an event of its own (an event due at the same
        instant goes first, as staffing changes must); scheduling from there
        adds the arrival's lead over the clock (``offset``) to every delay.
        Arrivals of types that routing rules may act on (the AI among them)
        or whose queue a surge or recall rule watches are scheduled as events
        instead, so those rules always see the clock at the arrival's time.
        """
        env = self.env
        plans = {(plan.kind, plan.name): plan for plan in self.plans}
        for pool in self.pools:
            env.process(staffing_process(self, pool, plans[(pool.kind, pool.name)]))
        env.process(snapshot_process(self))
        if self.sessions is not None and any(self.sessions.backlog):
            env.process(backlog_process(self))
        arrive = self._arrive if all(self._inline_types) else self._arrive_or_schedule
        run_merged(env, self._arrival_rows(), arrive, self.end_time)
        self._close()

    def _arrival_rows(self) -> Iterator[tuple]:
        """(time, type, segment, handle, after-call work, patience, AI session, AI draw) per arrival, in
        order; each day's block is turned into rows only when the run reaches it."""
        return chain.from_iterable(
            zip(block.time.tolist(), block.contact_type.tolist(), block.segment.tolist(), block.handle_time.tolist(),
                block.after_call_work.tolist(), block.patience.tolist(), block.ai_session_time.tolist(),
                block.ai_outcome.tolist())
            for block in self._arrival_days)

    def _arrive_or_schedule(self, arrival: tuple, offset: float) -> None:
        if self._inline_types[arrival[1]]:
            self._arrive(arrival, offset)
        else:
            self.clock.after(offset, arrival, self._arrival_callback)

    def _close(self) -> None:
        """Count what is still in the system at the end and close every open spell."""
        end = self.end_time
        unfinished: list[Contact] = []
        for queue in self.queues:
            unfinished.extend(queue.live_contacts())
        if self.ai is not None:
            unfinished.extend(self.ai.unfinished())
        if self.callbacks is not None:
            unfinished.extend(self.callbacks.unfinished())
        sessions = self.sessions
        for contact in unfinished:
            contact.waiting = False
            if sessions is not None and sessions.close_waiting(contact, end):
                continue
            contact.outcome = IN_SYSTEM
            self.collector.end(contact, end)
        if sessions is not None:
            sessions.close(end)
        for pool in self.pools:
            for agent in pool.busy.values():
                if agent.contact is not None:
                    # Answered and still talking: counted as answered, not (yet) resolved.
                    self.collector.answered(agent.contact, end, pool)
            pool.close(end)

    def _on_arrival(self, event: Due) -> None:
        self._arrive(event.value, 0.0)

    def _arrive(self, row: tuple, offset: float) -> None:
        """A first attempt arrives at ``row[0]``; ``offset``: how far that is ahead of the SimPy clock."""
        time, contact_type, segment, handle, after_call, patience, ai_session, ai_outcome = row
        contact_id = self.created
        self.created = contact_id + 1
        contact = Contact(contact_id, contact_id, "new", contact_type, segment, time, handle, after_call, patience,
                          ai_session, ai_outcome)
        if self.keep_records:
            self.contacts.append(contact)
        destination = self._direct[contact_type]
        if destination is not None:
            pool = self._first_pool[contact_type]
            if pool is not None and pool.idle:  # what offer comes to for most calls, without the call
                contact.queue = destination.queues[contact_type]
                contact.queue_entry_time = time
                self.serve(pool.idle.popleft(), contact, time, offset)
            else:
                self.offer_for_type[contact_type](contact, destination, time, offset)
        else:
            self.route(contact)

    # --- contact flow -----------------------------------------------------------------------
    # ``now`` is the time of the happening; ``offset`` how far it is ahead of SimPy's clock (non-zero
    # only for arrivals handled ahead of the clock), added to every delay scheduled from there.

    def route(self, contact: Contact) -> None:
        now = self.env.now
        label, target = self.router.entry(contact, now)
        contact.route = label
        if target is AI_TARGET:
            self.ai.enter(contact)
        else:
            self.offer_for_type[contact.contact_type](contact, target, now, 0.0)

    def to_human(self, contact: Contact) -> None:
        """Continue with a human after the AI escalated the contact or was full."""
        now = self.env.now
        label, destination = self.router.human(contact, now)
        contact.route += "/" + label
        self.offer_for_type[contact.contact_type](contact, destination, now, 0.0)

    def offer(self, contact: Contact, destination: HumanDestination, now: float, offset: float) -> None:
        """A call: served at once by the longest-idle eligible agent, or waits in the destination's queue
        (unless a queue hook takes care of it: a callback, or pre-empting backlog work)."""
        contact_type = contact.contact_type
        queue = destination.queues[contact_type]
        contact.queue = queue
        contact.queue_entry_time = now
        for level in destination.levels_for_type[contact_type]:
            if len(level) == 1:
                idle = level[0].idle
                if idle:
                    self.serve(idle.popleft(), contact, now, offset)
                    return
                continue
            best: Agent | None = None
            for pool in level:
                if pool.idle:
                    candidate = pool.idle[0]
                    if best is None or candidate.idle_since < best.idle_since:
                        best = candidate
            if best is not None:
                best.pool.idle.popleft()
                self.serve(best, contact, now, offset)
                return
        hook = destination.queue_hooks[contact_type]
        if hook is not None and hook(contact, destination, now, offset):
            return
        patience = contact.patience
        rule = self._queue_patience[contact_type]
        if rule is not None:
            patience = contact.patience = rule.patience(patience, destination.levels_for_type[contact_type])
        if patience <= 0.0:
            self.abandon(contact, now, offset)
            return
        contact.waiting = True
        segment = contact.segment
        queue.push(contact, self.segment_priority[segment], self.segment_boost[segment])
        if patience != math.inf:
            self.clock.after(patience + offset, contact, self._patience_callback)
        for pool in destination.surge_pools[contact_type]:
            while pool.needs_surge():
                pool.seek(pool.call_in_surge(now))
        for rule in destination.recall_rules[contact_type]:
            rule.queue_grew()

    def queue_grew(self, destination: HumanDestination, contact_type: int, now: float) -> None:
        """A contact joined a queue outside :meth:`offer`: the surge and recall rules look at it too."""
        for pool in destination.surge_pools[contact_type]:
            while pool.needs_surge():
                pool.seek(pool.call_in_surge(now))
        for rule in destination.recall_rules[contact_type]:
            rule.queue_grew()

    def serve(self, agent: Agent, contact: Contact, now: float, offset: float) -> None:
        """The agent (no longer idle) answers a call."""
        pool = agent.pool
        multiplier = pool.handle_time_multiplier
        if contact.escalated:
            multiplier *= self._escalation_multiplier
        contact.answer_time = now
        contact.outcome = ANSWERED
        contact.agent = agent
        handle_time = contact.base_handle_time * multiplier
        after_call_work = contact.base_after_call_work * multiplier
        contact.handle_time = handle_time
        contact.after_call_work = after_call_work
        agent.contact = contact
        pool.busy[agent.number] = agent
        if contact.callback_state:
            self.callbacks.dialled(contact, now)
        due = agent.service_end
        due.callbacks = pool.service_end_callback
        # Clock.after written out, with the agent's own Due: this runs for every answered contact.
        heappush(self._events, (self.env._now + (handle_time + after_call_work + offset), NORMAL,
                                next(self._event_ids), due))

    def _on_service_end(self, event: Due) -> None:
        agent: Agent = event.value
        now = self.env._now
        contact = agent.contact
        contact.end_time = now
        agent.contact = None
        pool = agent.pool
        del pool.busy[agent.number]
        draws = pool.resolution_draws
        resolved = contact.resolved = draws is None or draws.next() < pool.first_contact_resolution
        self.collector.answered(contact, now, pool)
        if not resolved:
            self.schedule_repeat(contact)
        if agent.leaving or agent.away_pending or pool.availability is not None:
            pool.release(agent, now)
        else:  # what release comes to for most calls, without the call
            pool.seek(agent, now)
        if pool.break_rule is not None and pool.break_rule.pending:
            pool.break_rule.try_start(now)  # a deferred break may start now that an agent is free

    def _seek_work(self, agent: Agent, now: float | None = None) -> None:
        """Take the best waiting contact from the agent's skills, by priority level, else go idle
        (an agent in overtime or called in by a surge goes back instead when its rule says so)."""
        pool = agent.pool
        if now is None:
            now = self.env.now
        if agent.outside_plan and pool.leaves_by_rule(agent, now, queue_empty=False):
            return
        for level in pool.skill_levels:
            if len(level) == 1:
                queue = level[0]
                if queue.waiting:
                    contact = queue.pop_live()
                    contact.waiting = False
                    self.serve(agent, contact, now, 0.0)
                    return
                continue
            best_queue = None
            best_key = math.inf
            for queue in level:
                key = queue.head_key()
                if key is not None and key < best_key:
                    best_queue, best_key = queue, key
            if best_queue is not None:
                contact = best_queue.pop()
                contact.waiting = False
                self.serve(agent, contact, now, 0.0)
                return
        if agent.outside_plan and pool.leaves_by_rule(agent, now, queue_empty=True):
            return
        agent.idle_since = now
        pool.idle.append(agent)

    def _seek_one_queue(self, agent: Agent, now: float | None = None) -> None:
        """:meth:`_seek_work` for an agent of a pool serving one queue (most centers of calls), shorter."""
        if agent.outside_plan:
            self._seek_work(agent, now)
            return
        if now is None:
            now = self.env.now
        queue = agent.pool.skill_levels[0][0]
        if queue.waiting:
            contact = queue.pop_live()
            contact.waiting = False
            self.serve(agent, contact, now, 0.0)
        else:
            agent.idle_since = now
            agent.pool.idle.append(agent)

    def _on_patience_end(self, event: Due) -> None:
        contact: Contact = event.value
        if contact.waiting:
            contact.waiting = False
            contact.queue.waiting -= 1
            self.abandon(contact, self.env.now, 0.0)

    def abandon(self, contact: Contact, now: float, offset: float) -> None:
        contact.outcome = ABANDONED
        contact.end_time = now
        self.collector.end(contact, now)
        self.follow_ups.after_abandon(contact, now, offset)

    def after_abandon(self, contact: Contact, now: float, offset: float) -> None:
        """The customer left (a silent chat customer, counted later): they may switch channel or retry."""
        self.follow_ups.after_abandon(contact, now, offset)

    def finish(self, contact: Contact) -> None:
        """A contact ended outside a human queue (contained or abandoned in the AI)."""
        now = self.env.now
        self.collector.end(contact, now)
        if contact.outcome == AI_ABANDONED:
            self.follow_ups.after_ai_give_up(contact, now)

    def schedule_repeat(self, contact: Contact) -> None:
        """The customer's issue is not resolved: they contact again after a delay, within the limit."""
        self.follow_ups.repeat(contact, self.env.now)


def _seek_for_pool(agent: Agent) -> None:
    agent.pool.seek(agent)


__all__ = ["AI_HANDLER", "Engine"]
