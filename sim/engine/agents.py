"""A group of interchangeable agents whose number on duty follows a staffing plan.

The number of agents on duty changes over the day, so the group cannot be a
fixed-capacity ``simpy.Resource``. The pool keeps idle agents in the order
they became idle (longest idle first) and the busy ones by id. When the plan
goes down, idle agents leave at once and busy ones finish the contact in hand
first; when it goes up, agents who were about to leave stay before new ones
come on duty.

With an overtime rule, agents whose shift ends while more than a threshold
of contacts wait for the group's skills stay on (up to a time limit) until
the queue is back under the threshold; those spells are logged as overtime.

With a surge rule, agents who are scheduled but off the phones (the group's
shrinkage: back-office work, coaching) come to the phones while the queue is
long and go back to their other work once it is short again.

With an availability model (:mod:`.availability`), agents on duty step away
and come back: away agents are on duty and paid but neither idle nor busy.
``duty_log`` holds the spells on the phones, so occupancy is busy time over
time on the phones.

A pool whose agents serve chat or backlog items is a *session pool*
(:mod:`.sessions`): an agent holds several sessions at once up to a capacity
of ``capacity`` units (a session of a channel whose limit is k uses
``capacity / k`` units; a call needs the whole agent). ``idle`` then holds the
agents with nothing at all, ``by_load[u]`` those using u units (0 < u <
capacity), and ``busy`` every agent with a call or at least one session.
"""

from __future__ import annotations

from collections import deque

from .clock import Due
from .contact import Contact


class Agent:
    __slots__ = ("agent_id", "number", "pool", "idle_since", "duty_start", "leaving", "contact",
                 "overtime_until", "overtime_start", "surge", "spell", "away_pending", "away_since", "in_overtime",
                 "outside_plan", "load", "backlog_load", "sessions", "engaged_since", "rate_since", "token",
                 "service_end")

    def __init__(self, pool: "AgentPool", number: int, now: float) -> None:
        self.agent_id = f"{pool.name}-{number}"
        self.number = number
        self.pool = pool
        self.idle_since = now
        self.duty_start = now
        self.leaving = False
        self.contact: Contact | None = None
        self.overtime_until = -1.0  # end of the allowed overtime; negative when not in overtime
        self.in_overtime = False
        self.overtime_start = 0.0
        self.surge = False  # called to the phones from other work by the surge rule
        self.outside_plan = False  # in overtime or called in by a surge: leaves by its rule, not the plan
        self.spell = 0  # numbers the agent's availability spells; a timer for an older spell is stale
        self.away_pending = False  # steps away once the contact in hand is finished
        self.away_since = 0.0
        # Session pools only: capacity units in use (all sessions, backlog ones), the sessions held,
        # since when the agent has had any, and when their progress was last brought up to date.
        self.load = 0
        self.backlog_load = 0
        self.sessions: list[Contact] = []
        self.engaged_since = 0.0
        self.rate_since = 0.0
        self.token = 0  # numbers the agent's scheduled next session end; an older one is stale
        # The end of the call in hand: one per agent, scheduled again for each call (an agent on the
        # phones has at most one call, so at most one end pending), instead of a new one per call.
        self.service_end = Due(self, ())


class AgentPool:
    """Agents of one in-house group (``kind = "inhouse"``) or a vendor's seats (``"vendor"``)."""

    __slots__ = ("name", "kind", "handle_time_multiplier", "first_contact_resolution", "resolution_draws",
                 "skill_levels", "idle", "busy", "target", "leaving", "_next_number", "duty_log",
                 "overtime_queue_above", "overtime_seconds", "in_overtime", "overtime_log",
                 "surge_queue_above", "surge_max_agents", "in_surge", "scheduled", "away", "availability",
                 "collector", "keep_log", "index", "busy_bins", "duty_bins", "away_bins",
                 "capacity", "units", "by_load", "realtime_levels", "backlog_levels", "realtime_queues",
                 "preempts_backlog", "backlog_only", "stretched", "csat_base_by_type", "immediate_score_by_type",
                 "seek", "service_end_callback", "handled_column", "break_rule")

    def __init__(self, name: str, kind: str, handle_time_multiplier: float, first_contact_resolution: float = 1.0,
                 resolution_draws=None, overtime_queue_above: int | None = None,
                 overtime_seconds: float = 0.0, surge_queue_above: int | None = None,
                 surge_max_agents: int = 0) -> None:
        self.name = name
        self.kind = kind
        self.handle_time_multiplier = handle_time_multiplier
        self.first_contact_resolution = first_contact_resolution
        self.resolution_draws = resolution_draws  # uniform draws deciding whether a contact is resolved
        self.skill_levels: list[list] = []  # queues this pool serves, grouped by skill priority
        self.idle: deque[Agent] = deque()
        self.busy: dict[int, Agent] = {}
        self.target = 0
        self.leaving = 0
        self._next_number = 0
        self.duty_log: list[tuple[str, str, str, float, float]] = []
        self.overtime_queue_above = overtime_queue_above
        self.overtime_seconds = overtime_seconds
        self.in_overtime = 0
        self.overtime_log: list[tuple[str, str, float, float]] = []
        self.surge_queue_above = surge_queue_above
        self.surge_max_agents = surge_max_agents
        self.in_surge = 0
        self.scheduled = 0  # agents scheduled now, on the phones or not (available = target)
        self.away: dict[int, Agent] = {}  # on duty but stepped away, in the order they left the phones
        self.availability = None  # the group's AvailabilityRule, if it has one
        self.collector = None
        self.keep_log = True
        self.index = 0
        self.handled_column = 0
        self.busy_bins: list[float] = []
        self.duty_bins: list[float] = []
        self.away_bins: list[float] = []
        # Session pools (see the module docstring); capacity 0 for a pool that takes calls only.
        self.capacity = 0
        self.units: list[int] = []  # per contact type: capacity units one session takes (calls: capacity)
        self.by_load: list[dict[int, Agent]] = []
        # Per skill level, (queue, units a contact of it takes) of calls and chats, then of backlog items
        # (taken only when no real-time work waits); and the real-time queues in one tuple.
        self.realtime_levels: list[list[tuple]] = []
        self.backlog_levels: list[list[tuple]] = []
        self.realtime_queues: tuple = ()
        self.preempts_backlog = False
        self.backlog_only: dict[int, Agent] = {}  # agents holding backlog items and nothing else
        self.stretched = False  # some channel it serves stretches handle time per extra session
        self.csat_base_by_type: list[float] = []
        # Set by the engine: how an agent of this pool looks for work, and what ends one of its calls.
        self.seek = None
        self.service_end_callback: tuple = ()
        self.break_rule = None  # the group's BreakRule when it defers breaks while the queue is long

    def attach(self, collector, index: int, keep_log: bool) -> None:
        """Report agent time to ``collector`` as handler ``index``; ``keep_log``: also keep every spell."""
        self.collector = collector
        self.index = index
        # Its answered contacts, handle seconds and contacts answered at once in a row.
        self.handled_column = collector.handled_base + len(collector.HANDLER_LABELS) * index
        self.keep_log = keep_log
        self.busy_bins, self.duty_bins, self.away_bins = collector.agent_time_bins(index)
        scorer = collector.scorer
        self.csat_base_by_type = [scorer.base(self.kind, self.name, channel) for channel in scorer.type_channels]
        self.immediate_score_by_type = collector.immediate_scores(index, self.csat_base_by_type)

    def enable_sessions(self, capacity: int, units: list[int], realtime_levels: list[list],
                        backlog_levels: list[list], preempts_backlog: bool) -> None:
        """Make this a session pool (see the module docstring); levels are lists of queues."""
        self.capacity = capacity
        self.units = units
        self.by_load = [{} for _ in range(capacity)]
        self.realtime_levels = [[(queue, units[queue.contact_type]) for queue in level] for level in realtime_levels]
        self.backlog_levels = [[(queue, units[queue.contact_type]) for queue in level] for level in backlog_levels]
        self.realtime_queues = tuple(queue for level in realtime_levels for queue in level)
        self.preempts_backlog = preempts_backlog

    def realtime_waiting(self) -> bool:
        """Whether a call or chat waits in the queues this pool serves (backlog items aside)."""
        for queue in self.realtime_queues:
            if queue.waiting:
                return True
        return False

    @property
    def on_duty(self) -> int:
        """Agents on duty: on the phones or stepped away."""
        return len(self.idle) + len(self.busy) + len(self.away)

    @property
    def on_phones(self) -> int:
        return len(self.idle) + len(self.busy)

    def new_agent(self, now: float) -> Agent:
        self._next_number += 1
        return Agent(self, self._next_number, now)

    def log_departure(self, agent: Agent, now: float) -> None:
        """An agent's spell on the phones ends (leaving, stepping away, or the end of the run)."""
        self.collector.span(self.duty_bins, agent.duty_start, now)
        if self.keep_log:
            self.duty_log.append((agent.agent_id, self.name, self.kind, agent.duty_start, now))

    def end_away(self, agent: Agent, now: float) -> None:
        """An away spell ends (the agent comes back, leaves, or the run ends)."""
        del self.away[agent.number]
        self.collector.span(self.away_bins, agent.away_since, now)

    def release(self, agent: Agent, now: float) -> None:
        """An agent has finished the work in hand: it leaves if the plan let it go, steps away if its
        available spell is over or the after-contact draw says so, else looks for work."""
        if agent.leaving:
            self.leaving -= 1
            self.log_departure(agent, now)
        elif agent.away_pending and not agent.in_overtime:
            self.availability.step_away(agent)
        elif (self.availability is not None and self.availability.after_contact and not agent.outside_plan
              and self.availability.steps_away_after_contact(now)):
            self.availability.step_away(agent)
        else:
            self.seek(agent, now)

    def waiting_for_skills(self) -> int:
        """Contacts waiting in the queues this pool serves."""
        return sum(queue.waiting for level in self.skill_levels for queue in level)

    def set_target(self, target: int, now: float, shift_end: bool = False, scheduled: int | None = None) -> list[Agent]:
        """Follow a new staffing level; returns the agents who just came on duty (to be given work).

        ``shift_end``: the drop comes from shifts ending (not breaks), so overtime may apply.
        ``scheduled``: agents scheduled, including those off the phones (bounds the surge).
        """
        self.target = target
        self.scheduled = target if scheduled is None else scheduled
        staying = self.on_duty - self.leaving - self.in_overtime - self.in_surge
        arrivals: list[Agent] = []
        if target > staying:
            shortfall = target - staying
            shortfall -= self._cancel_departures(shortfall)
            shortfall -= self._recall_from_overtime(shortfall, now)
            arrivals = [self.new_agent(now) for _ in range(shortfall)]
        elif target < staying:
            excess = staying - target
            if shift_end and self.overtime_queue_above is not None \
                    and self.waiting_for_skills() > self.overtime_queue_above:
                excess -= self._start_overtime(excess, now)
            while excess and self.idle:
                self.log_departure(self.idle.pop(), now)  # the most recently idle leave first
                excess -= 1
            while excess and self.away:
                # The most recently away leave; their spell on the phones is logged already.
                self.end_away(next(reversed(self.away.values())), now)
                excess -= 1
            self._flag_departures(excess)
        return arrivals

    def _cancel_departures(self, wanted: int) -> int:
        cancelled = 0
        for agent in self.busy.values():
            if cancelled == wanted:
                break
            if agent.leaving:
                agent.leaving = False
                cancelled += 1
        self.leaving -= cancelled
        return cancelled

    def _flag_departures(self, count: int) -> None:
        for agent in self.busy.values():
            if count == 0:
                break
            # Agents in overtime or called in by a surge are outside the plan: they leave by their own rules.
            if not agent.leaving and not agent.in_overtime and not agent.surge:
                agent.leaving = True
                self.leaving += 1
                count -= 1

    def _start_overtime(self, count: int, now: float) -> int:
        """Keep up to ``count`` busy agents on past their shift; returns how many stayed."""
        started = 0
        for agent in self.busy.values():
            if started == count:
                break
            if not agent.leaving and not agent.in_overtime and not agent.surge:
                agent.overtime_until = now + self.overtime_seconds
                agent.in_overtime = agent.outside_plan = True
                agent.overtime_start = now
                started += 1
        self.in_overtime += started
        return started

    def _recall_from_overtime(self, wanted: int, now: float) -> int:
        """Agents in overtime become regular staff again when the plan needs them."""
        recalled = 0
        for agent in list(self.busy.values()) + list(self.idle):
            if recalled == wanted:
                break
            if agent.in_overtime:
                self._log_overtime(agent, now)
                recalled += 1
        return recalled

    def leaves_by_rule(self, agent: Agent, now: float, queue_empty: bool) -> bool:
        """An agent in overtime goes home once time is up or the queue is short (at once when nothing
        waits); one called in by a surge goes back to other work likewise. True if the agent left."""
        if agent.in_overtime and (queue_empty or self.overtime_over(agent, now)):
            self.end_overtime(agent, now)
            return True
        if agent.surge and (queue_empty or self.surge_over()):
            self.end_surge(agent, now)
            return True
        return False

    def overtime_over(self, agent: Agent, now: float) -> bool:
        """Whether an agent in overtime should go now (time limit reached or queue back under threshold)."""
        return now >= agent.overtime_until or self.waiting_for_skills() <= self.overtime_queue_above

    def end_overtime(self, agent: Agent, now: float) -> None:
        """An agent in overtime leaves (not in the idle or busy collections any more)."""
        self._log_overtime(agent, now)
        self.log_departure(agent, now)

    def _log_overtime(self, agent: Agent, now: float) -> None:
        self.overtime_log.append((agent.agent_id, self.name, agent.overtime_start, now))
        self.collector.overtime(self.index, agent.overtime_start, now)
        agent.overtime_until = -1.0
        agent.in_overtime = False
        agent.outside_plan = agent.surge
        self.in_overtime -= 1

    def needs_surge(self) -> bool:
        """Whether to call one more agent from other work: the queue is long and someone is left to call."""
        return (self.surge_queue_above is not None and self.waiting_for_skills() > self.surge_queue_above
                and self.in_surge < min(self.surge_max_agents, self.scheduled - self.target))

    def call_in_surge(self, now: float) -> Agent:
        agent = self.new_agent(now)
        agent.surge = agent.outside_plan = True
        self.in_surge += 1
        return agent

    def surge_over(self) -> bool:
        """Whether an agent called in by the surge rule goes back (queue short, or the plan no longer has them)."""
        return (self.waiting_for_skills() <= self.surge_queue_above
                or self.in_surge > self.scheduled - self.target)

    def end_surge(self, agent: Agent, now: float) -> None:
        self.in_surge -= 1
        self.log_departure(agent, now)

    def close(self, now: float) -> None:
        """End every duty, away and overtime spell at the end of the run."""
        for agent in list(self.idle) + list(self.busy.values()):
            if agent.in_overtime:
                self._log_overtime(agent, now)
            self.log_departure(agent, now)
        for agent in list(self.away.values()):
            self.end_away(agent, now)
