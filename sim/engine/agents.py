"""A group of interchangeable agents whose number on duty follows a staffing plan.

The number of agents on duty changes over the day, so the group cannot be a
fixed-capacity ``simpy.Resource``. The pool keeps idle agents in the order
they became idle (longest idle first) and the busy ones by id. When the plan
goes down, idle agents leave at once and busy ones finish the contact in hand
first; when it goes up, agents who were about to leave stay before new ones
come on duty.
"""

from __future__ import annotations

from collections import deque

from .contact import Contact


class Agent:
    __slots__ = ("agent_id", "number", "pool", "idle_since", "duty_start", "leaving", "contact")

    def __init__(self, pool: "AgentPool", number: int, now: float) -> None:
        self.agent_id = f"{pool.name}-{number}"
        self.number = number
        self.pool = pool
        self.idle_since = now
        self.duty_start = now
        self.leaving = False
        self.contact: Contact | None = None


class AgentPool:
    """Agents of one in-house group (``kind = "inhouse"``) or a vendor's seats (``"vendor"``)."""

    __slots__ = ("name", "kind", "handle_time_multiplier", "first_contact_resolution", "resolution_draws",
                 "skill_levels", "idle", "busy", "target", "leaving", "_next_number", "duty_log")

    def __init__(self, name: str, kind: str, handle_time_multiplier: float, first_contact_resolution: float = 1.0,
                 resolution_draws=None) -> None:
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

    @property
    def on_duty(self) -> int:
        return len(self.idle) + len(self.busy)

    def new_agent(self, now: float) -> Agent:
        self._next_number += 1
        return Agent(self, self._next_number, now)

    def log_departure(self, agent: Agent, now: float) -> None:
        self.duty_log.append((agent.agent_id, self.name, self.kind, agent.duty_start, now))

    def set_target(self, target: int, now: float) -> list[Agent]:
        """Follow a new staffing level; returns the agents who just came on duty (to be given work)."""
        self.target = target
        staying = self.on_duty - self.leaving
        arrivals: list[Agent] = []
        if target > staying:
            shortfall = target - staying
            shortfall -= self._cancel_departures(shortfall)
            arrivals = [self.new_agent(now) for _ in range(shortfall)]
        elif target < staying:
            excess = staying - target
            while excess and self.idle:
                self.log_departure(self.idle.pop(), now)  # the most recently idle leave first
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
            if not agent.leaving:
                agent.leaving = True
                self.leaving += 1
                count -= 1

    def close(self, now: float) -> None:
        """End every duty spell at the end of the run."""
        for agent in list(self.idle) + list(self.busy.values()):
            self.log_departure(agent, now)
