"""Erlang A (Palm): the M/M/c+M queue, exact from its birth-death chain.

Model: Poisson arrivals (rate ``lambda``), exponential handle times (rate
``mu = 1/mean_handle_time``), ``c`` agents, FCFS, and each waiting contact
abandons after an exponential patience (rate ``theta = 1/mean_patience``),
independently of everything else. The number in system ``n`` is a
birth-death chain with birth rate ``lambda`` and death rate
``min(n, c) mu + max(n - c, 0) theta``.

Contact-level metrics follow a tagged arrival. By PASTA it finds ``n`` in
system with the stationary probability. If ``n >= c`` it has ``k = n - c``
contacts ahead; with ``i`` ahead, the line moves at rate ``c mu + i theta``
(an agent frees up or someone ahead abandons) and the tagged contact gives
up at rate ``theta``. Its own patience is independent of the line, so
P(served | k) and E[wait; served | k] are a product and a sum over stages,
and P(served within T) is the absorption probability by time ``T`` of that
small chain, computed by uniformization (exact up to a truncation error
below 1e-16, nothing simulated).

Truncation: the chain is cut at ``c + K`` where ``K`` is grown (doubling)
until a geometric bound on the neglected tail mass is below
``TAIL_TOLERANCE`` times the retained mass (see :func:`_queue_log_weights`).
"""

from __future__ import annotations

import math

import numpy as np
from scipy.special import gammaln, logsumexp
from scipy.stats import poisson

from .classic import (
    IDLE_METRICS,
    QueueMetrics,
    check_rates,
    check_servers_and_load,
    erlang_b_metrics,
    erlang_c_metrics,
)

TAIL_TOLERANCE = 1e-15
"""Upper bound on the probability mass dropped by truncating the chain."""

MAX_QUEUE_STATES = 2_000_000
"""Refuse (``ValueError``) rather than build a chain longer than this."""

_INITIAL_QUEUE_STATES = 64
_NEGLIGIBLE_MASS = 1e-17
_SETTLED_AFTER_PATIENCES = 40.0  # e**-40 < 1e-17 still waiting


def erlang_a_metrics(
    arrival_rate: float,
    mean_handle_time: float,
    mean_patience: float,
    servers: int,
    threshold_seconds: float,
) -> QueueMetrics:
    """Exact long-run metrics of M/M/c+M (definitions in :class:`QueueMetrics`).

    ``abandon_rate = theta E[Q] / lambda``, ``asa_seconds`` is the mean wait of
    answered contacts, ``mean_wait_seconds = E[Q] / lambda`` includes the
    abandoned, ``service_level`` counts answered-within-threshold over all
    offered, ``occupancy = lambda (1 - abandon_rate) / (c mu)``.

    Limits are handled explicitly: ``mean_patience = inf`` is Erlang C
    (:func:`erlang_c_metrics`), ``mean_patience = 0`` is the Erlang B loss
    system (:func:`erlang_b_metrics`). With ``servers == 0`` everybody
    abandons and ``asa_seconds`` is NaN.
    """
    check_rates(arrival_rate, mean_handle_time, threshold_seconds)
    check_servers_and_load(servers, arrival_rate * mean_handle_time)
    if not mean_patience >= 0:
        raise ValueError(f"mean_patience must be >= 0, got {mean_patience!r}")
    if math.isinf(mean_patience):
        return erlang_c_metrics(arrival_rate, mean_handle_time, servers, threshold_seconds)
    if mean_patience == 0:
        return erlang_b_metrics(arrival_rate, mean_handle_time, servers, threshold_seconds)
    if arrival_rate == 0:
        return IDLE_METRICS

    service_rate, abandon_rate_each = 1.0 / mean_handle_time, 1.0 / mean_patience
    in_system = stationary_distribution(arrival_rate, service_rate, abandon_rate_each, servers)
    finds_ahead = in_system[servers:]  # P(arrival finds k = n - c contacts ahead)
    answered_at_once = float(in_system[:servers].sum())

    line_speed = servers * service_rate + abandon_rate_each * np.arange(len(finds_ahead))
    stage_exit_rate = line_speed + abandon_rate_each
    served_given_ahead = np.cumprod(line_speed / stage_exit_rate)
    wait_if_served_given_ahead = np.cumsum(1.0 / stage_exit_rate)

    prob_served = answered_at_once + float(finds_ahead @ served_given_ahead)
    wait_and_served = float(finds_ahead @ (served_given_ahead * wait_if_served_given_ahead))
    mean_queue_length = float(np.arange(len(finds_ahead)) @ finds_ahead)
    abandon_rate = abandon_rate_each * mean_queue_length / arrival_rate
    return QueueMetrics(
        prob_wait=float(finds_ahead.sum()),
        asa_seconds=wait_and_served / prob_served if prob_served > 0 else math.nan,
        service_level=_answered_within(
            answered_at_once, finds_ahead, line_speed, abandon_rate_each, threshold_seconds
        ),
        occupancy=arrival_rate * (1.0 - abandon_rate) * mean_handle_time / servers if servers else 0.0,
        abandon_rate=abandon_rate,
        mean_wait_seconds=mean_queue_length / arrival_rate,
        mean_queue_length=mean_queue_length,
    )


def stationary_distribution(
    arrival_rate: float, service_rate: float, abandon_rate_each: float, servers: int
) -> np.ndarray:
    """Stationary P(n in system), n = 0 .. c + K, of the M/M/c+M chain (truncated, renormalised).

    Works with logarithms of the unnormalised weights, because ``a**n / n!``
    overflows for loads of a few hundred Erlangs.
    """
    offered_load = arrival_rate / service_rate
    busy = np.arange(servers + 1)
    # n <= c: Poisson-shaped weights a**n / n!
    log_weights_busy = busy * math.log(offered_load) - gammaln(busy + 1)
    log_weights_queue = _queue_log_weights(arrival_rate, servers * service_rate, abandon_rate_each)
    log_weights = np.concatenate((log_weights_busy, log_weights_busy[-1] + log_weights_queue[1:]))
    return np.exp(log_weights - logsumexp(log_weights))


def _queue_log_weights(arrival_rate: float, full_service_rate: float, abandon_rate_each: float) -> np.ndarray:
    """``log(w[c + j] / w[c])`` for j = 0 .. K, with K chosen adaptively.

    Above c the weight ratio ``r_j = lambda / (c mu + j theta)`` decreases in
    j, so once ``r_K < 1`` every neglected term is at most the previous one
    times ``r_K`` and the tail is at most ``w[c+K] r_K / (1 - r_K)``. K doubles
    until that bound is below ``TAIL_TOLERANCE`` times the queue-state mass
    (a stricter test than relative to the whole distribution).
    """
    length = _INITIAL_QUEUE_STATES
    while length <= MAX_QUEUE_STATES:
        ratios = arrival_rate / (full_service_rate + abandon_rate_each * np.arange(1, length + 1))
        log_weights = np.concatenate(([0.0], np.cumsum(np.log(ratios))))
        last_ratio = ratios[-1]
        if last_ratio < 1:
            log_tail_bound = log_weights[-1] + math.log(last_ratio / (1.0 - last_ratio))
            if log_tail_bound - logsumexp(log_weights) < math.log(TAIL_TOLERANCE):
                return log_weights
        length *= 2
    raise ValueError(
        "Erlang A chain needs more than MAX_QUEUE_STATES queue states: patience is too long "
        "for this overload; use erlang_c_metrics or a shorter mean_patience"
    )


def _answered_within(
    answered_at_once: float,
    finds_ahead: np.ndarray,
    line_speed: np.ndarray,
    abandon_rate_each: float,
    threshold_seconds: float,
) -> float:
    """P(answered with wait <= T) over all arrivals, via the tagged contact's chain.

    State 0 is "in service" (absorbing); state j >= 1 means j - 1 contacts
    ahead, and moves to j - 1 at rate ``line_speed[j-1]`` or abandons (the
    mass leaks out) at rate theta. Two exact shortcuts keep the computation
    small: every waiting state leaks at rate theta, so after ``40 / theta``
    seconds less than ``e**-40`` is still waiting and later times change
    nothing measurable; and states with negligible arrival probability
    (< 1e-17 in total) are dropped.
    """
    horizon = min(threshold_seconds, _SETTLED_AFTER_PATIENCES / abandon_rate_each)
    kept = _significant_prefix(finds_ahead)
    if horizon == 0 or kept == 0:
        return answered_at_once
    advance = line_speed[:kept]
    return _absorbed_by(answered_at_once, finds_ahead[:kept], advance, advance + abandon_rate_each, horizon)


def _absorbed_by(
    answered: float, waiting: np.ndarray, advance: np.ndarray, leave: np.ndarray, horizon: float
) -> float:
    """Mass in the absorbing state 0 at time ``horizon``, by uniformization.

    With ``uniform_rate`` >= every exit rate, the chain is a discrete chain
    stepped at Poisson(uniform_rate) times, so the answer is the
    Poisson-weighted average of the absorbed mass after m steps. Only
    non-negative terms are added, hence no cancellation; the error is the
    neglected Poisson tail (see :func:`_poisson_steps`).
    """
    uniform_rate = float(leave[-1])  # exit rates increase with the position in line
    mean_steps = uniform_rate * horizon
    weights = poisson.pmf(np.arange(_poisson_steps(mean_steps)), mean_steps)
    absorbed, used_weight = 0.0, 0.0
    for weight in weights:
        absorbed += weight * answered
        used_weight += weight
        if waiting.sum() < _NEGLIGIBLE_MASS:
            break
        moved = advance * waiting / uniform_rate
        answered += moved[0]
        waiting = waiting * (1.0 - leave / uniform_rate)
        waiting[:-1] += moved[1:]
    # Once nobody is left waiting the answered mass no longer changes: it gets the unused weight.
    return float(min(1.0, absorbed + (1.0 - used_weight) * answered))


def _significant_prefix(finds_ahead: np.ndarray) -> int:
    """Length of the prefix of ``finds_ahead`` outside of which less than ``_NEGLIGIBLE_MASS`` lies."""
    tail_mass = np.cumsum(finds_ahead[::-1])[::-1]
    return int(np.count_nonzero(tail_mass >= _NEGLIGIBLE_MASS))


def _poisson_steps(mean: float) -> int:
    """Uniformization steps leaving a negligible Poisson(mean) tail.

    With ``x = 12 sqrt(mean) + 50`` steps beyond the mean, Bennett's
    inequality bounds the tail by ``exp(-x**2 / (2 (mean + x/3))) < e**-70``
    for every mean. The loop usually stops earlier, once nobody is waiting.
    """
    return int(mean + 12.0 * math.sqrt(mean) + 50.0)
