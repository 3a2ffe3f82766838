"""Erlang A with agents who step away and come back: an exact continuous-time Markov chain.

The model of :class:`sim.config.Availability` with exponential spells: ``agents``
agents on duty, each available for an Exp(mean ``mean_available``) spell
(clock time, busy or idle; ``None``: no timed spells), then away for an
Exp(mean ``mean_away``) spell. An agent whose available spell ends while
serving steps away when the contact ends; with ``step_away_after_contact``
an agent who finishes a contact also steps away with the probability listed
for the number of contacts waiting then (the last entry for that many or
more). Poisson arrivals, exponential handle times, exponential patience
(M/M/n+M), first come first served. Optionally, while at least
``recall_queue_at_least`` contacts wait, each away agent also returns at
``recall_rate``.

State: (a away, p busy and due to step away, b busy, q waiting); agents idle
= n - a - p - b, and contacts wait only when nobody is idle. The queue is
truncated at ``max_queue`` (arrivals beyond are lost; the default makes that
probability negligible). Solved as a sparse linear system.

Used to validate the engine's availability model and as a fast path for
planning with it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.linalg import spsolve


@dataclass(frozen=True)
class AvailabilityMetrics:
    """Long-run measures; waits are averages over every arriving contact."""

    abandon_rate: float
    mean_wait_seconds: float  # of every contact, abandoned ones up to when they hung up
    mean_queue: float
    occupancy: float  # busy agents / agents on the phones (not away)
    share_away: float  # agents away / agents on duty
    truncation_probability: float


def erlang_a_with_availability(arrival_rate: float, mean_handle: float, mean_patience: float, agents: int,
                               mean_available: float | None, mean_away: float, recall_rate: float = 0.0,
                               recall_queue_at_least: int | None = None,
                               max_queue: int | None = None,
                               step_away_after_contact: Sequence[float] | None = None) -> AvailabilityMetrics:
    """Exact long-run measures of the chain (rates per second, times in seconds)."""
    if agents < 1 or min(arrival_rate, mean_handle, mean_patience, mean_away) <= 0 or (
            mean_available is not None and mean_available <= 0):
        raise ValueError("agents >= 1 and positive rates and means are required")
    if mean_available is None and not step_away_after_contact:
        raise ValueError("agents need a way to step away: mean_available or step_away_after_contact")
    if max_queue is None:
        # Beyond a few times the arrivals during a patience, states are practically never reached.
        max_queue = int(math.ceil(arrival_rate * mean_patience * 8 + 40))
    chain = _Chain(agents, max_queue)
    generator = chain.generator(arrival_rate, 1.0 / mean_handle, 1.0 / mean_patience,
                                1.0 / mean_available if mean_available is not None else 0.0,
                                1.0 / mean_away, recall_rate, recall_queue_at_least,
                                tuple(step_away_after_contact or (0.0,)))
    pi = _stationary(generator)
    states = chain.states
    away, pending, busy, queue = (states[:, column] for column in range(4))
    mean_queue = float(pi @ queue)
    on_phones = float(pi @ (agents - away))
    return AvailabilityMetrics(
        abandon_rate=mean_queue / mean_patience / arrival_rate,
        mean_wait_seconds=mean_queue / arrival_rate,
        mean_queue=mean_queue,
        occupancy=float(pi @ (pending + busy)) / on_phones,
        share_away=float(pi @ away) / agents,
        truncation_probability=float(pi[queue == max_queue].sum()),
    )


class _Chain:
    def __init__(self, agents: int, max_queue: int) -> None:
        self.agents = agents
        rows = []
        for away in range(agents + 1):
            for pending in range(agents + 1 - away):
                for busy in range(agents + 1 - away - pending):
                    full = away + pending + busy == agents
                    for queue in range(max_queue + 1 if full else 1):
                        rows.append((away, pending, busy, queue))
        self.states = np.array(rows, dtype=np.int64)
        self.index = {state: position for position, state in enumerate(rows)}
        self.max_queue = max_queue

    def generator(self, arrival: float, service: float, patience: float, step_away: float, come_back: float,
                  recall_rate: float, recall_at: int | None, after_contact: tuple[float, ...]):
        n = self.agents
        sources, targets, rates = [], [], []

        def add(source: int, state: tuple[int, int, int, int], rate: float) -> None:
            if rate > 0:
                sources.append(source)
                targets.append(self.index[state])
                rates.append(rate)

        for position, (a, p, b, q) in enumerate(map(tuple, self.states)):
            idle = n - a - p - b
            if idle > 0:
                add(position, (a, p, b + 1, q), arrival)
                add(position, (a + 1, p, b, q), step_away * idle)
            elif q < self.max_queue:
                add(position, (a, p, b, q + 1), arrival)
            # A normal service ends: the agent steps away with the after-contact probability for the queue
            # now, else takes the next waiting contact, else goes idle.
            leave = after_contact[min(q, len(after_contact) - 1)]
            add(position, (a + 1, p, b - 1, q), service * b * leave)
            add(position, (a, p, b, q - 1) if q > 0 else (a, p, b - 1, q), service * b * (1.0 - leave))
            add(position, (a + 1, p - 1, b, q), service * p)  # served, then steps away
            add(position, (a, p + 1, b - 1, q), step_away * b)  # spell over mid-contact
            returning = come_back + (recall_rate if recall_at is not None and q >= recall_at else 0.0)
            add(position, (a - 1, p, b + 1, q - 1) if q > 0 else (a - 1, p, b, q), returning * a)
            add(position, (a, p, b, q - 1), patience * q)
        size = len(self.states)
        off_diagonal = coo_matrix((rates, (sources, targets)), shape=(size, size)).tocsr()
        diagonal = np.asarray(off_diagonal.sum(axis=1)).ravel()
        return off_diagonal - coo_matrix((diagonal, (range(size), range(size))), shape=(size, size)).tocsr()


def _stationary(generator) -> np.ndarray:
    """Solve pi Q = 0, sum(pi) = 1 (one balance equation replaced by the normalisation)."""
    size = generator.shape[0]
    system = generator.transpose().tolil()
    system[0, :] = np.ones(size)
    right = np.zeros(size)
    right[0] = 1.0
    pi = spsolve(system.tocsr(), right)
    return np.clip(pi, 0.0, None) / np.clip(pi, 0.0, None).sum()
