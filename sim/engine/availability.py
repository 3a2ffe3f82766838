"""Agents who step away and come back: the availability state model of an agent group.

Each agent on duty alternates between available (on the phones, idle or
busy) and away (admin work, personal time). Agents step away in either or
both of two ways: when an available spell of length ``available_time`` (clock
time, started when the agent comes on duty and each time they come back)
runs out, at once if idle or after the contact in hand; and at the end of a
contact, with the probability ``step_away_after_contact`` gives for the
number of contacts waiting for the group's skills then, times the
time-of-day factor in force. The away spell lasts ``away_time`` unless a
recall brings the agent back first.

Recall: while the group's queue is long (``queue_at_least`` contacts waiting
for its skills, or the oldest waiting longer than ``oldest_wait_above_seconds``)
each away agent returns at ``rate_per_minute`` (times ``factor_per_agent_on_duty``
to the power agents on duty - 1), independently of how long they have been
away. It is simulated by thinning: one clock ticks at rate ``rate x agents
away`` while anyone is away and the queue could satisfy the condition; at a
tick the condition is checked and, if it holds, one away agent drawn at
random returns (with a factor below 1, only with probability factor^(on
duty - 1), a draw from its own stream). Because the clock's rate is reset whenever the
number away changes, this is exactly a hazard rate per away agent that is on
while the condition holds (what :mod:`analysis.calibration.availability_fit`
estimates).

Agents kept on by an overtime rule or called in by a surge rule do not step
away (they are on the phones for the queue's sake).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

from ..config import SECONDS_PER_DAY, factors_by_minute
from ..config.agent_groups import Availability
from ..distributions import sampler_for
from ..random import BufferedDraws, RandomStreams
from .agents import Agent, AgentPool
from .clock import Clock, Due


class AvailabilityRule:
    """Timers of one group's agents; calls back into the engine when an agent returns to the phones."""

    __slots__ = ("pool", "env", "clock", "_available", "_away", "_recall_gap", "_to_work", "_queue_at_least",
                 "_oldest_wait_above", "_rate", "_clock_generation", "_clock_running", "_run_threshold",
                 "after_contact", "_after_draws", "_after_last", "_minute_factors", "_recall_pick",
                 "_team_factor", "_team_draws")

    def __init__(self, pool: AgentPool, availability: Availability, streams: RandomStreams, clock: Clock,
                 to_work: Callable[[Agent], None]) -> None:
        self.pool = pool
        self.env = clock.env
        self.clock = clock
        name = pool.name
        self._available = (BufferedDraws(streams.get(f"availability/available/{name}"),
                                         sampler_for(availability.available_time))
                           if availability.available_time is not None else None)
        # After-contact stepping away: probability by contacts waiting, times the factor of the minute of the day.
        self.after_contact = tuple(availability.step_away_after_contact or ())
        self._after_last = len(self.after_contact) - 1
        self._after_draws = (BufferedDraws(streams.get(f"availability/after_contact/{name}"),
                                           lambda generator, size: generator.random(size))
                             if self.after_contact else None)
        self._minute_factors = factors_by_minute(availability.step_away_time_of_day)
        self._away = BufferedDraws(streams.get(f"availability/away/{name}"), sampler_for(availability.away_time))
        self._to_work = to_work
        recall = availability.recall
        self._rate = recall.rate_per_minute / 60.0 if recall else 0.0
        self._queue_at_least = recall.queue_at_least if recall else None
        self._oldest_wait_above = recall.oldest_wait_above_seconds if recall else None
        # The clock needs to run only while the condition could hold: enough contacts waiting.
        if recall is None:
            self._run_threshold = None
        elif recall.oldest_wait_above_seconds is not None:
            self._run_threshold = 1
        else:
            self._run_threshold = recall.queue_at_least
        self._recall_gap = (BufferedDraws(streams.get(f"availability/recall/{name}"),
                                          lambda generator, size: generator.exponential(1.0, size))
                            if recall else None)
        self._recall_pick = (BufferedDraws(streams.get(f"availability/recall_pick/{name}"),
                                           lambda generator, size: generator.random(size))
                             if recall else None)
        # A rate that falls with the agents on duty: ticks at the rate of one agent on duty, kept with the factor.
        self._team_factor = recall.factor_per_agent_on_duty if recall else 1.0
        self._team_draws = (BufferedDraws(streams.get(f"availability/recall_team/{name}"),
                                          lambda generator, size: generator.random(size))
                            if self._team_factor < 1.0 else None)
        self._clock_generation = 0
        self._clock_running = False
        pool.availability = self

    # --- spells ------------------------------------------------------------------------------

    def start_spell(self, agent: Agent) -> None:
        """The agent is on the phones: schedule the end of this available spell (if spells are timed)."""
        agent.spell += 1
        agent.away_pending = False
        if self._available is not None:
            self.clock.after(self._available.next(), (agent, agent.spell), (self._on_spell_end,))

    def steps_away_after_contact(self, now: float) -> bool:
        """Draw whether an agent who just finished a contact at ``now`` steps away (see module docstring)."""
        waiting = self.pool.waiting_for_skills()
        probability = self.after_contact[waiting if waiting < self._after_last else self._after_last]
        probability *= self._minute_factors[int(now % SECONDS_PER_DAY) // 60]
        return self._after_draws.next() < probability

    def _on_spell_end(self, event: Due) -> None:
        agent, spell = event.value
        pool = self.pool
        if spell != agent.spell or agent.in_overtime or agent.surge or agent.leaving:
            return
        if agent.number in pool.busy:  # on a call or holding sessions
            agent.away_pending = True
        elif _remove_idle(pool, agent):
            self.step_away(agent)

    def step_away(self, agent: Agent) -> None:
        """Take an agent who is neither idle nor busy any more off the phones for an away spell."""
        now = self.env.now
        pool = self.pool
        agent.away_pending = False
        agent.spell += 1
        pool.log_departure(agent, now)
        agent.away_since = now
        pool.away[agent.number] = agent
        self.clock.after(self._away.next(), (agent, agent.spell), (self._on_away_end,))
        self.away_count_changed()

    def _on_away_end(self, event: Due) -> None:
        agent, spell = event.value
        if spell == agent.spell and self.pool.away.get(agent.number) is agent:
            self._return(agent)

    def _return(self, agent: Agent) -> None:
        now = self.env.now
        self.pool.end_away(agent, now)
        agent.duty_start = now
        self.start_spell(agent)
        self.away_count_changed()
        self._to_work(agent)

    # --- recall ------------------------------------------------------------------------------

    def queue_grew(self) -> None:
        """A contact joined a queue the group serves: start the recall clock if it could now apply."""
        if not self._clock_running and self._recall_possible():
            self._start_clock()

    def away_count_changed(self) -> None:
        """The clock's rate is proportional to the agents away: restart it (exponential, so no memory is lost)."""
        if self._run_threshold is None:
            return
        if self._recall_possible():
            self._start_clock()
        else:
            self._clock_generation += 1
            self._clock_running = False

    def _recall_possible(self) -> bool:
        return (self._run_threshold is not None and bool(self.pool.away)
                and self.pool.waiting_for_skills() >= self._run_threshold)

    def _start_clock(self) -> None:
        self._clock_generation += 1
        self._clock_running = True
        delay = self._recall_gap.next() / (self._rate * len(self.pool.away))
        self.clock.after(delay, self._clock_generation, (self._on_tick,))

    def _on_tick(self, event: Due) -> None:
        if event.value != self._clock_generation:
            return
        self._clock_running = False
        if self._condition_holds() and (self._team_draws is None or self._team_draws.next()
                                        < self._team_factor ** (self.pool.on_duty - 1)):
            # Any away agent is as likely to come back; returning restarts the clock for those still away.
            away = self.pool.away
            position = int(self._recall_pick.next() * len(away))
            self._return(next(itertools.islice(away.values(), position, None)))
        elif self._recall_possible():
            self._start_clock()

    def _condition_holds(self) -> bool:
        pool = self.pool
        if self._queue_at_least is not None and pool.waiting_for_skills() >= self._queue_at_least:
            return True
        if self._oldest_wait_above is not None:
            now = self.env.now
            for level in pool.skill_levels:
                for queue in level:
                    head = queue.head_entry_time()
                    if head is not None and now - head > self._oldest_wait_above:
                        return True
        return False


def _remove_idle(pool: AgentPool, agent: Agent) -> bool:
    try:
        pool.idle.remove(agent)
    except ValueError:
        return False
    return True
