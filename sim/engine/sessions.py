"""Sessions: chats and backlog items (messaging, email) that an agent holds several at a time.

Contacts of the session channels go through a :class:`SessionDesk` instead of
the call path of :class:`~sim.engine.model.Engine`; calls never do, so the
voice path is unchanged. Pools that serve a session channel are session
pools (:mod:`.agents`): an agent has ``capacity`` units, a session of a
channel with limit k takes ``capacity / k`` of them, and a call takes the
whole agent, so an agent on a call takes no session and an agent holding a
session takes no call until they are all closed.

* An arriving chat goes to the least-loaded agent with room (an idle one
  first, the longest idle); else it waits, patience running. Agents who
  free capacity take the best waiting contact of their skills, by priority
  level, then by time in line.
* Handle time stretches with concurrency: each session's work progresses at
  speed 1 / (1 + s x (n - 1)) while the agent holds n sessions (``s``: the
  channel's ``stretch_per_extra_session``); speeds are recomputed whenever n
  changes. The agent's time is split evenly between the sessions held
  (``agent_seconds``, the handle time that KPIs and costs count).
* Silent abandonment: a share of the customers whose patience runs out leave
  without saying so; they stay in line, and the agent who picks one up holds
  the slot for the ``hold`` time before closing it (abandoned when they left).
* Backlog items (messaging, email) wait without limit, carry over from day to
  day and are taken only by agents none of whose real-time queues has anyone
  waiting (blended into idle time). With ``realtime_preempts_backlog`` a call
  or chat that finds nobody free takes an agent working only on backlog items,
  whose items go back to the head of their line with the work left.
"""

from __future__ import annotations

import math
from heapq import heappush

from simpy.events import NORMAL

from ..calendar import Calendar
from ..config import Scenario
from ..config.omnichannel import BACKLOG_CHANNELS
from ..distributions import sampler_for
from ..random import BufferedDraws, RandomStreams
from ..records import ABANDONED, ANSWERED
from .agents import Agent, AgentPool
from .clock import Due
from .contact import Contact
from .destinations import HumanDestination


class SessionDesk:
    """Session-channel contacts and session pools of one engine (see the module docstring)."""

    def __init__(self, engine, scenario: Scenario, calendar: Calendar, streams: RandomStreams) -> None:
        self.engine = engine
        self.env = engine.env
        self.clock = engine.clock
        self._events, self._event_ids = engine.env._queue, engine.env._eid  # see _reschedule
        self.collector = engine.collector
        channels = scenario.type_channels()
        names = scenario.contact_type_names()
        self._voice = [channel == "voice" for channel in channels]
        self.backlog = [channel in BACKLOG_CHANNELS for channel in channels]
        self._stretch = [scenario.channel_settings(channel).stretch_per_extra_session for channel in channels]
        # Speed of a session of each type while its agent holds n sessions (n up to the most units any pool has).
        most = max((pool.capacity for pool in engine.pools), default=1)
        self._speeds = [[1.0] + [1.0 / (1.0 + stretch * (held - 1)) for held in range(1, most + 1)]
                        for stretch in self._stretch]
        rules = [contact_type.silent_abandonment for contact_type in scenario.contact_types]
        self._silent_share = [rule.share if rule else 0.0 for rule in rules]
        self._silent_decision = [BufferedDraws(streams.get(f"silent/decision/{name}"), lambda g, n: g.random(n))
                                 if rule else None for rule, name in zip(rules, names)]
        self._silent_hold = [BufferedDraws(streams.get(f"silent/hold/{name}"), sampler_for(rule.hold))
                             if rule else None for rule, name in zip(rules, names)]
        self._targets = [contact_type.deferred_target for contact_type in scenario.contact_types]
        self._calendar = calendar
        self._escalation_multiplier = scenario.ai.escalation_handle_time_multiplier if scenario.ai else 1.0
        self.pools = [pool for pool in engine.pools if pool.capacity]
        for pool in self.pools:
            pool.seek = self.seek
            pool.stretched = any(self._stretch[queue.contact_type] for level in pool.skill_levels for queue in level)
        # In a pool without stretch each session ends on its own schedule; with it, speeds change whenever
        # an agent's sessions do, so only the agent's next session end is scheduled (one event per change,
        # not one per session held).
        self._session_end_callback = (self._on_session_end,)
        self._patience_callback = (self._on_patience_end,)

    # --- contacts arriving -------------------------------------------------------------------

    def offer(self, contact: Contact, destination: HumanDestination, now: float, offset: float) -> None:
        """Start a session with the least-loaded agent who has room, or queue the contact."""
        contact_type = contact.contact_type
        target = self._targets[contact_type]
        if target is not None and contact.due_time != contact.due_time:
            contact.due_time = self._calendar.due_time(target, contact.arrival_time)
        queue = destination.queues[contact_type]
        contact.queue = queue
        contact.queue_entry_time = now
        agent = self._free_agent(destination, contact_type)
        if agent is not None:
            self.start(agent, contact, now, offset)
            return
        hook = destination.queue_hooks[contact_type]
        if hook is not None and hook(contact, destination, now, offset):
            return
        if contact.patience <= 0.0:
            self.engine.abandon(contact, now, offset)
            return
        contact.waiting = True
        segment = contact.segment
        queue.push(contact, self.engine.segment_priority[segment], self.engine.segment_boost[segment])
        if contact.patience != math.inf:
            self.clock.after(contact.patience + offset, contact, self._patience_callback)
        self.engine.queue_grew(destination, contact_type, now)

    def _free_agent(self, destination: HumanDestination, contact_type: int) -> Agent | None:
        """The least-loaded agent with room for the contact at its best skill level, taken off the
        idle line or out of its load bucket; None when every agent is full."""
        backlog = self.backlog[contact_type]
        for level in destination.levels_for_type[contact_type]:
            best: Agent | None = None
            best_share = 2.0
            for pool in level:
                if backlog and pool.realtime_waiting():
                    continue  # backlog work only fills time nobody waiting in real time could use
                if pool.idle:
                    candidate = pool.idle[0]
                    if best_share > 0.0 or candidate.idle_since < best.idle_since:
                        best, best_share = candidate, 0.0
                    continue
                candidate = _least_loaded(pool, pool.units[contact_type])
                if candidate is not None and candidate.load / pool.capacity < best_share:
                    best, best_share = candidate, candidate.load / pool.capacity
            if best is not None:
                if best_share == 0.0:
                    best.pool.idle.popleft()
                return best
        return None

    def _on_patience_end(self, event: Due) -> None:
        contact: Contact = event.value
        # Still in line and never picked up (a pre-empted backlog item is back in line but was answered),
        # and not already gone silently.
        if (not contact.waiting or contact.answer_time == contact.answer_time
                or contact.silent_since == contact.silent_since):
            return
        now = self.env.now
        share = self._silent_share[contact.contact_type]
        if share > 0.0 and self._silent_decision[contact.contact_type].next() < share:
            contact.silent_since = now  # gone, but still in line until an agent finds out
            self.engine.after_abandon(contact, now, 0.0)
            return
        contact.waiting = False
        contact.queue.waiting -= 1
        self.engine.abandon(contact, now, 0.0)

    # --- sessions ----------------------------------------------------------------------------

    def start(self, agent: Agent, contact: Contact, now: float, offset: float = 0.0) -> None:
        """The agent (off the idle line, or holding other sessions) opens a session with the contact
        (``offset``: how far ``now`` is ahead of the clock, see :meth:`Engine.run`)."""
        pool = agent.pool
        contact_type = contact.contact_type
        load = agent.load
        if load == 0:
            agent.engaged_since = agent.rate_since = now
            pool.busy[agent.number] = agent
        else:
            del pool.by_load[load][agent.number]
            self._advance(agent, now)
        units = pool.units[contact_type]
        load += units
        agent.load = load
        if self.backlog[contact_type]:
            agent.backlog_load += units
        if load < pool.capacity:
            pool.by_load[load][agent.number] = agent
        if pool.preempts_backlog:
            _track_backlog_only(pool, agent)
        contact.agent = agent
        if contact.silent_since == contact.silent_since:
            contact.work_left = self._silent_hold[contact_type].next()
            contact.handle_time = 0.0
        elif contact.answer_time != contact.answer_time:  # first pick-up (not a pre-empted item resumed)
            contact.answer_time = now
            contact.handle_time = 0.0
            contact.outcome = ANSWERED
            multiplier = pool.handle_time_multiplier
            if contact.escalated:
                multiplier *= self._escalation_multiplier
            contact.work_left = (contact.base_handle_time + contact.base_after_call_work) * multiplier
        contact.rate = 0.0  # not scheduled
        agent.sessions.append(contact)
        self._reschedule(agent, offset)

    def _advance(self, agent: Agent, now: float) -> None:
        """Bring the agent's sessions up to ``now``: work done, agent time shared, time in session."""
        elapsed = now - agent.rate_since
        agent.rate_since = now
        if elapsed > 0.0:
            sessions = agent.sessions
            share = elapsed / len(sessions)
            for session in sessions:
                session.agent_seconds += share
                session.work_left -= elapsed * session.rate
                session.handle_time += elapsed  # time in session, as the customer sees it

    def _reschedule(self, agent: Agent, offset: float = 0.0) -> None:
        """Schedule what ends next after the agent's sessions changed: without stretch, the new session's
        end; with stretch, every session's speed is updated and the agent's first session end scheduled."""
        # Clock.after written out (a call fewer per session change, the most frequent event of sessions).
        sessions = agent.sessions
        if not agent.pool.stretched:
            session = sessions[-1] if sessions else None
            if session is not None and session.rate == 0.0:
                session.rate = 1.0
                session.token += 1
                heappush(self._events, (self.env._now + (session.work_left + offset), NORMAL, next(self._event_ids),
                                        Due((session, session.token, session), self._session_end_callback)))
            return
        agent.token += 1
        if not sessions:
            return
        held = len(sessions)
        speeds = self._speeds
        first = math.inf
        ending = None
        for session in sessions:
            # A silent customer's slot is a timeout: it does not slow down.
            rate = speeds[session.contact_type][held] if session.silent_since != session.silent_since else 1.0
            session.rate = rate
            left = session.work_left / rate
            if left < first:
                first, ending = left, session
        heappush(self._events, (self.env._now + ((first if first > 0.0 else 0.0) + offset), NORMAL,
                                next(self._event_ids), Due((agent, agent.token, ending), self._session_end_callback)))

    def _on_session_end(self, event: Due) -> None:
        """A session ends: the one scheduled (without stretch), or the agent's first to finish (with
        stretch). ``holder`` (the session, or the agent) numbers its schedules: an older one is stale
        (the session was suspended, or the agent's sessions changed since)."""
        holder, token, contact = event.value
        if token != holder.token:
            return
        now = self.env._now
        agent = contact.agent
        pool = agent.pool
        self._advance(agent, now)
        self._release(agent, contact)
        contact.token += 1
        self._close_session(contact, pool, now)
        if pool.stretched:
            self._reschedule(agent)
        if agent.load:
            if not agent.leaving and not agent.away_pending:
                self.seek(agent, now)
            return
        self.collector.span(pool.busy_bins, agent.engaged_since, now)
        del pool.busy[agent.number]
        pool.release(agent, now)

    def _release(self, agent: Agent, contact: Contact) -> None:
        pool = agent.pool
        agent.sessions.remove(contact)
        units = pool.units[contact.contact_type]
        load = agent.load
        if load < pool.capacity:
            del pool.by_load[load][agent.number]
        load -= units
        agent.load = load
        if self.backlog[contact.contact_type]:
            agent.backlog_load -= units
        if load:
            pool.by_load[load][agent.number] = agent
        if pool.preempts_backlog:
            _track_backlog_only(pool, agent)

    def _close_session(self, contact: Contact, pool: AgentPool, now: float) -> None:
        """Count a session that ended: answered (resolved or not), or a silent customer given up on."""
        if contact.silent_since == contact.silent_since:
            contact.outcome = ABANDONED
            contact.end_time = contact.silent_since
            self.collector.end(contact, now)
            return
        contact.end_time = now
        contact.after_call_work = 0.0  # inside the session
        draws = pool.resolution_draws
        resolved = contact.resolved = draws is None or draws.next() < pool.first_contact_resolution
        self.collector.answered(contact, now, pool, session=True)
        if not resolved:
            self.engine.schedule_repeat(contact)

    # --- agents looking for work -------------------------------------------------------------

    def seek(self, agent: Agent, now: float | None = None) -> None:
        """Fill the agent's free capacity from the queues of its skills; an agent with nothing goes idle."""
        if agent.contact is not None:
            return
        if now is None:
            now = self.env.now
        engine = self.engine
        pool = agent.pool
        if agent.load == 0 and agent.outside_plan and pool.leaves_by_rule(agent, now, queue_empty=False):
            return
        while agent.load < pool.capacity:
            # The queue whose head to take: real-time skills by priority level, then backlog skills if no
            # real-time contact waits (_longest_waiting tells, having looked at every real-time queue).
            free = pool.capacity - agent.load
            queue, realtime_waits = _longest_waiting(pool.realtime_levels, free)
            if queue is None:
                if realtime_waits or not pool.backlog_levels:
                    break
                queue = _longest_waiting(pool.backlog_levels, free)[0]
                if queue is None:
                    break
            contact = queue.pop()
            contact.waiting = False
            if self._voice[contact.contact_type]:
                engine.serve(agent, contact, now, 0.0)
                return
            self.start(agent, contact, now)
        if agent.load == 0:
            if agent.outside_plan and pool.leaves_by_rule(agent, now, queue_empty=True):
                return
            agent.idle_since = now
            pool.idle.append(agent)

    # --- pre-emption -------------------------------------------------------------------------

    def preemption_hook(self, pools: list[AgentPool]):
        """A queue hook for a type whose serving ``pools`` include some that let real-time work pre-empt
        backlog items: a call or chat that found nobody free takes an agent of theirs working only on
        backlog items (their skill levels in order)."""
        pools = [pool for pool in pools if pool.preempts_backlog]

        def preempt(contact: Contact, destination: HumanDestination, now: float, offset: float) -> bool:
            for pool in pools:
                if pool.backlog_only:
                    for agent in pool.backlog_only.values():
                        if not agent.leaving and not agent.away_pending:
                            self._suspend(agent, now)
                            if self._voice[contact.contact_type]:
                                self.engine.serve(agent, contact, now, offset)
                            else:
                                self.start(agent, contact, now, offset)
                            return True
            return False

        return preempt

    def _suspend(self, agent: Agent, now: float) -> None:
        """Put the agent's backlog items back at the head of their lines, with the work left."""
        self._advance(agent, now)
        pool = agent.pool
        agent.token += 1  # the agent's scheduled end is stale now (with stretch) ...
        for session in list(agent.sessions):
            self._release(agent, session)
            session.token += 1  # ... and so is each session's (without)
            if session.silent_since == session.silent_since:
                self._close_session(session, pool, now)  # the agent stops waiting for the silent customer
                continue
            session.rate = 0.0
            session.waiting = True
            session.queue.push_front(session)
        self.collector.span(pool.busy_bins, agent.engaged_since, now)
        del pool.busy[agent.number]

    # --- the end of the run ------------------------------------------------------------------

    def close(self, end: float) -> None:
        """Count every session still open at the end: answered (not yet resolved), or silent ones abandoned."""
        for pool in self.pools:
            for agent in pool.busy.values():
                if agent.contact is not None or not agent.sessions:
                    continue
                self._advance(agent, end)
                for session in agent.sessions:
                    self.close_waiting(session, end, pool)
                self.collector.span(pool.busy_bins, agent.engaged_since, end)

    def close_waiting(self, contact: Contact, end: float, pool: AgentPool | None = None) -> bool:
        """Count a session contact still in line or in a session at the end; False if it is simply in_system."""
        if contact.silent_since == contact.silent_since:
            contact.outcome = ABANDONED
            contact.end_time = contact.silent_since
            self.collector.end(contact, end)
            return True
        if contact.answer_time == contact.answer_time:  # in a session, or a pre-empted item back in line
            self.collector.answered(contact, end, pool or contact.agent.pool, session=True)
            return True
        return False


def _track_backlog_only(pool: AgentPool, agent: Agent) -> None:
    """Keep ``pool.backlog_only`` (the agents a call or chat may pre-empt) up to date after a change."""
    if agent.load and agent.load == agent.backlog_load:
        pool.backlog_only[agent.number] = agent
    else:
        pool.backlog_only.pop(agent.number, None)


def _longest_waiting(levels: list[list[tuple]], free: int) -> tuple[object | None, bool]:
    """Of the first skill level with a contact waiting that takes at most ``free`` units (a call needs the
    whole agent: its units are the capacity), the queue whose head has waited longest (by its sort key),
    or None if no level has one; and whether anyone waits in the queues looked at (all of them when None)."""
    anyone = False
    for level in levels:
        best = None
        best_key = math.inf
        for queue, units in level:
            if queue.waiting:
                anyone = True
                if units <= free:
                    key = queue.head_key()
                    if key is not None and key < best_key:
                        best, best_key = queue, key
        if best is not None:
            return best, True
    return None, anyone


def _least_loaded(pool: AgentPool, units: int) -> Agent | None:
    """The agent holding the fewest units who has ``units`` free and is neither leaving nor stepping away."""
    for load in range(1, pool.capacity - units + 1):
        for agent in pool.by_load[load].values():
            if not agent.leaving and not agent.away_pending:
                return agent
    return None
