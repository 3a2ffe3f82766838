"""Breaks that wait while the queue is long: a group's break-deferral rule (``AgentGroup.break_deferral``).

Without the rule, breaks are part of the staffing plan: agents leave the
phones at the planned times. With it, the plan leaves breaks out and this
rule takes them: at a break's planned start each of its agents has a break
*pending*. A pending break starts at once if no more than the threshold of
contacts wait for the group's skills, else when an agent of the group
finishes a contact with the queue at or under it, and at the latest at the
end of its window: then an unpaid break starts anyway and a paid one is
missed. Agents are interchangeable, so a break is a step down of the
group's scheduled agents for its planned length from when it starts, and
available agents follow as in the plan: round(scheduled x (1 - shrinkage)).

Breaks due inside the horizon are counted: due, deferred (started after
their planned start) and missed.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable

from .agents import Agent, AgentPool
from .clock import Clock, Due

# Positions of the break counts among the collector's per-handler columns.
BREAKS_DUE, BREAKS_DEFERRED, BREAKS_MISSED = 3, 4, 5


class BreakRule:
    """Pending, running and finished breaks of one agent group."""

    def __init__(self, pool: AgentPool, shrinkage: float, queue_above: int, horizon: float, clock: Clock,
                 changed: Callable[[AgentPool, list[Agent]], None]) -> None:
        self.pool = pool
        self.shrinkage = shrinkage
        self.queue_above = queue_above
        self.horizon = horizon
        self.clock = clock
        self._changed = changed
        self.base = 0          # agents the plan schedules now, breaks left out
        self.on_break = 0
        self.pending: deque[list] = deque()   # [planned start, seconds, paid, latest start, counted]
        self.started: list[tuple[float, float, float, bool]] = []   # (planned, latest, start, paid) for tests
        self._due_callback = (self._on_due,)
        self._window_callback = (self._on_window_end,)
        self._end_callback = (self._on_break_end,)

    def schedule(self, breaks) -> None:
        """Register the plan's breaks: (planned start, agents, seconds, paid, latest start)."""
        for planned, count, seconds, paid, latest in breaks:
            delay = planned - self.clock.env.now
            if delay >= 0.0:
                self.clock.after(delay, (planned, count, seconds, paid, latest), self._due_callback)

    def set_base(self, scheduled: int, now: float, shift_end: bool) -> list[Agent]:
        """The plan's scheduled agents changed (shifts start or end); returns agents who came on duty."""
        self.base = scheduled
        return self._apply(now, shift_end)

    def _apply(self, now: float, shift_end: bool = False) -> list[Agent]:
        scheduled = self.base - self.on_break
        if scheduled < 0:
            scheduled = 0
        level = math.floor(scheduled * (1.0 - self.shrinkage) + 0.5)
        return self.pool.set_target(level, now, shift_end=shift_end, scheduled=scheduled)

    def _counts(self) -> list[float]:
        return self.pool.collector.by_handler[self.pool.index]

    def _on_due(self, event: Due) -> None:
        planned, count, seconds, paid, latest = event.value
        counted = 0.0 <= planned < self.horizon
        if counted:
            self._counts()[BREAKS_DUE] += count
        for _ in range(count):
            self.pending.append([planned, seconds, paid, latest, counted])
        self.clock.after(latest - planned, latest, self._window_callback)
        self.try_start(self.clock.env.now)

    def queue_allows(self) -> bool:
        return self.pool.waiting_for_skills() <= self.queue_above

    def try_start(self, now: float) -> None:
        """Start pending breaks while the queue allows (oldest first)."""
        while self.pending and self.queue_allows():
            self._start(self.pending.popleft(), now)

    def _start(self, entry: list, now: float) -> None:
        planned, seconds, paid, latest, counted = entry
        if counted and now > planned:
            self._counts()[BREAKS_DEFERRED] += 1
        self.started.append((planned, latest, now, paid))
        self.on_break += 1
        self._changed(self.pool, self._apply(now))
        self.clock.after(seconds, None, self._end_callback)

    def _on_window_end(self, event: Due) -> None:
        """Breaks whose window closes now: unpaid ones start, paid ones are missed."""
        latest = event.value
        now = self.clock.env.now
        still = deque()
        for entry in self.pending:
            if entry[3] > latest:
                still.append(entry)
            elif entry[2]:
                if entry[4]:
                    self._counts()[BREAKS_MISSED] += 1
            else:
                self._start(entry, now)
        self.pending = still

    def _on_break_end(self, event: Due) -> None:
        self.on_break -= 1
        now = self.clock.env.now
        self._changed(self.pool, self._apply(now))
        self.try_start(now)
