"""Erlang B (M/M/c/c loss system) and Erlang C (M/M/c delay system).

Model: Poisson arrivals at rate ``arrival_rate`` (per second), exponential
handle times with mean ``mean_handle_time`` (seconds), ``servers`` identical
agents, first-come first-served. The offered load is
``arrival_rate * mean_handle_time`` Erlangs. All results are long-run
(stationary) averages.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class QueueMetrics:
    """Long-run performance of a queue; definitions match :mod:`analysis.kpis`.

    * ``prob_wait``: probability an arriving contact finds every agent busy
      (it waits; in a loss system it is blocked).
    * ``asa_seconds``: mean wait of answered contacts (NaN if none are answered).
    * ``service_level``: P(answered and waited <= threshold) over all offered
      contacts; abandoned contacts count as failures.
    * ``occupancy``: answered load / agents, i.e. ``lambda*(1-abandon_rate)/(c*mu)``.
    * ``abandon_rate``: abandoned (or blocked) / offered.
    * ``mean_wait_seconds``: mean time in queue of all offered contacts,
      abandoned ones up to the moment they hung up (``mean_queue_length / lambda``).
    * ``mean_queue_length``: time-average number of contacts waiting.
    """

    prob_wait: float
    asa_seconds: float
    service_level: float
    occupancy: float
    abandon_rate: float
    mean_wait_seconds: float
    mean_queue_length: float


# No arrivals: the limit as the arrival rate goes to zero (nobody waits, nothing fails).
IDLE_METRICS = QueueMetrics(
    prob_wait=0.0, asa_seconds=0.0, service_level=1.0, occupancy=0.0,
    abandon_rate=0.0, mean_wait_seconds=0.0, mean_queue_length=0.0,
)

# Erlang C with load >= servers: the queue grows without bound.
UNSTABLE_METRICS = QueueMetrics(
    prob_wait=1.0, asa_seconds=math.inf, service_level=0.0, occupancy=1.0,
    abandon_rate=0.0, mean_wait_seconds=math.inf, mean_queue_length=math.inf,
)


def check_servers_and_load(servers: int, offered_load: float) -> None:
    """Raise ``ValueError`` unless servers is a non-negative int and the load finite, >= 0."""
    if isinstance(servers, bool) or not isinstance(servers, int) or servers < 0:
        raise ValueError(f"servers must be a non-negative integer, got {servers!r}")
    if not (math.isfinite(offered_load) and offered_load >= 0):
        raise ValueError(f"offered_load must be finite and >= 0, got {offered_load!r}")


def check_rates(arrival_rate: float, mean_handle_time: float, threshold_seconds: float) -> None:
    """Raise ``ValueError`` on a negative/infinite rate, a non-positive handle time or threshold < 0."""
    if not (math.isfinite(arrival_rate) and arrival_rate >= 0):
        raise ValueError(f"arrival_rate must be finite and >= 0, got {arrival_rate!r}")
    if not (math.isfinite(mean_handle_time) and mean_handle_time > 0):
        raise ValueError(f"mean_handle_time must be finite and > 0, got {mean_handle_time!r}")
    if not threshold_seconds >= 0:
        raise ValueError(f"threshold_seconds must be >= 0, got {threshold_seconds!r}")


def erlang_b(servers: int, offered_load: float) -> float:
    """Blocking probability of the M/M/c/c loss system (Erlang B formula).

    Uses the recursion ``B(k) = a B(k-1) / (k + a B(k-1))``, ``B(0) = 1``, which
    stays in [0, 1] and never forms the huge ``a**c / c!`` terms, so it is
    stable for thousands of servers. ``erlang_b(0, a) == 1`` by convention.
    """
    check_servers_and_load(servers, offered_load)
    blocking = 1.0
    for k in range(1, servers + 1):
        blocking = offered_load * blocking / (k + offered_load * blocking)
    return blocking


def erlang_c(servers: int, offered_load: float) -> float:
    """Probability of waiting in M/M/c (Erlang C formula); 1.0 when load >= servers."""
    check_servers_and_load(servers, offered_load)
    if offered_load >= servers:
        return 1.0
    blocking = erlang_b(servers, offered_load)
    # Standard identity C = c B / (c - a (1 - B)); avoids a separate series.
    return servers * blocking / (servers - offered_load * (1.0 - blocking))


def erlang_c_metrics(
    arrival_rate: float, mean_handle_time: float, servers: int, threshold_seconds: float
) -> QueueMetrics:
    """Metrics of the M/M/c queue (no abandonment), closed form.

    The wait of a delayed contact is exponential with rate ``c*mu - lambda``,
    so ``service_level = 1 - C exp(-(c*mu - lambda) T)`` and the mean wait is
    ``C / (c*mu - lambda)``. Every contact is eventually answered, so
    ``asa_seconds == mean_wait_seconds``. When the load is >= servers the
    system is unstable and :data:`UNSTABLE_METRICS` (infinite waits, service
    level 0) is returned instead of raising.
    """
    check_rates(arrival_rate, mean_handle_time, threshold_seconds)
    offered_load = arrival_rate * mean_handle_time
    check_servers_and_load(servers, offered_load)
    if arrival_rate == 0:
        return IDLE_METRICS
    if offered_load >= servers:
        return UNSTABLE_METRICS
    prob_wait = erlang_c(servers, offered_load)
    # From the load, not c/h - lambda, so the sign agrees with the stability test above.
    drain_rate = (servers - offered_load) / mean_handle_time
    mean_wait = prob_wait / drain_rate
    return QueueMetrics(
        prob_wait=prob_wait,
        asa_seconds=mean_wait,
        service_level=1.0 - prob_wait * math.exp(-drain_rate * threshold_seconds),
        occupancy=offered_load / servers,
        abandon_rate=0.0,
        mean_wait_seconds=mean_wait,
        mean_queue_length=arrival_rate * mean_wait,
    )


def erlang_b_metrics(
    arrival_rate: float, mean_handle_time: float, servers: int, threshold_seconds: float
) -> QueueMetrics:
    """Metrics of the M/M/c/c loss system: contacts finding all agents busy leave at once.

    This is Erlang A with zero patience: blocked contacts count as abandoned
    (with zero wait), everybody else is answered immediately, so
    ``service_level = 1 - B`` for any threshold.
    """
    check_rates(arrival_rate, mean_handle_time, threshold_seconds)
    offered_load = arrival_rate * mean_handle_time
    check_servers_and_load(servers, offered_load)
    if arrival_rate == 0:
        return IDLE_METRICS
    blocking = erlang_b(servers, offered_load)
    return QueueMetrics(
        prob_wait=blocking,
        asa_seconds=0.0 if servers > 0 else math.nan,
        service_level=1.0 - blocking,
        occupancy=offered_load * (1.0 - blocking) / servers if servers > 0 else 0.0,
        abandon_rate=blocking,
        mean_wait_seconds=0.0,
        mean_queue_length=0.0,
    )
