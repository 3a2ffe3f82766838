"""Expected human workload per interval from a scenario: contacts, handle time and patience.

For every day of the horizon and every interval this module works out how
many contacts reach a human destination (the shared in-house groups, a
dedicated group), of which contact type and segment, and whether they come
straight or after the AI. From that it gives the numbers an Erlang model
needs for the staffed agents: volume, mean handle time (talk plus after-call
work, times the group's multiplier, times the AI's escalation multiplier for
escalated contacts) and mean patience.

What the analytic view accounts for:

* demand by weekday, day factors and opening hours (:func:`sim.demand.expected_volume`);
* static routing: fixed splits to vendors or dedicated desks, AI-first rules (:mod:`.routing`);
* the AI: containment and give-up remove demand, escalations come back to
  humans after the mean AI session time (spread over the next intervals) with
  the escalation handle-time multiplier; with ``when_full = "human"`` the
  share finding every AI session busy (Erlang B on the AI capacity) goes
  straight to humans; containment above ``automatable_share`` escalates its
  frustrated share and falsely contains the rest;
* repeat contacts: issues a human did not resolve (the destination's
  first-contact resolution) and false AI containments come back after the
  mean repeat delay (spread over the first ``opening_spread_minutes`` after the
  next opening when that falls while the center is closed), up to
  ``max_repeats`` times, and are routed again.
* chats with effective concurrency and backlog work spread to meet its
  deferred target (:mod:`.channel_work`).

What it cannot account for (the simulation-based method does):

* queue-dependent overflow to vendors (``expected_wait_above_seconds`` and
  the like), which reduces the in-house requirement when queues grow;
* carry-over: contacts still waiting at the end of an interval, and agents
  still busy, load the next interval (each interval is a stationary queue);
* retrials of abandoned contacts, which add demand later in the day; repeat
  contacts arrive spread as the mean delay moves them, not as its
  distribution does, and an issue the AI over-reached on is read as any other;
* skill-based routing between groups: each contact type is assigned to the
  group(s) with its best skill priority, cross-skilled help is ignored;
* non-exponential handle times and patience (only their means enter), and
  the day-to-day busyness factor (mean 1).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from sim.calendar import Calendar
from sim.config import Scenario, factors_by_minute
from sim.demand import expected_volume

from ..erlang import erlang_b
from .channel_work import backlog_load, channel_plan
from .routing import AI, INHOUSE, RoutingView


@dataclass(frozen=True)
class DestinationDemand:
    """Expected contacts reaching one human destination, per (day, interval, contact type, segment).

    ``direct`` never went through the AI (or found it full); ``escalated``
    were handed over by the AI, already shifted to the interval they reach humans in.
    """

    direct: np.ndarray
    escalated: np.ndarray


@dataclass(frozen=True)
class Workload:
    """What an Erlang model needs per day and interval for one staffed unit.

    Arrays have shape (days, intervals per day). ``volume``,
    ``handle_seconds`` and ``patience_seconds`` describe the real-time queue
    (calls and chats); ``handle_seconds`` is NaN and ``patience_seconds``
    infinite where no contact arrives; patience is infinite when nobody
    abandons. The Erlang model's servers are agents, or session slots when
    ``sessions_per_agent`` > 1 (a unit of chats only). ``backlog_load``:
    agent erlangs of backlog work spread to meet its deferred targets.
    """

    interval_seconds: int
    weekdays: tuple[str, ...]
    volume: np.ndarray
    handle_seconds: np.ndarray
    patience_seconds: np.ndarray
    notes: tuple[str, ...] = ()
    sessions_per_agent: int = 1
    backlog_load: np.ndarray | None = None

    @property
    def days(self) -> int:
        return self.volume.shape[0]

    @property
    def intervals_per_day(self) -> int:
        return self.volume.shape[1]

    def realtime_load(self) -> np.ndarray:
        """Agent erlangs of the real-time queue per interval (volume x handle time / interval length,
        in agents: session slots / sessions per agent)."""
        work = np.where(self.volume > 0, self.volume * np.nan_to_num(self.handle_seconds), 0.0)
        return work / self.interval_seconds / self.sessions_per_agent

    def backlog(self) -> np.ndarray:
        return self.backlog_load if self.backlog_load is not None else np.zeros_like(self.volume)

    def offered_load(self) -> np.ndarray:
        """Agent erlangs per interval: the real-time queue's and the backlog work's."""
        return self.realtime_load() + self.backlog()

    def minimum_agents(self) -> np.ndarray:
        """Agents the work alone needs where there is backlog work (real-time and backlog load, rounded
        up); 0 elsewhere, where the queueing targets decide."""
        backlog = self.backlog()
        return np.where(backlog > 0, np.ceil(np.round(self.offered_load(), 9)), 0).astype(int)


def destination_demand(scenario: Scenario, destination: str) -> tuple[DestinationDemand, tuple[str, ...]]:
    """Expected contacts reaching ``destination`` (``inhouse`` or a dedicated group's name), and notes.

    First contacts, then each round of repeat contacts (what was not resolved, back after the mean
    repeat delay) up to ``max_repeats``.
    """
    calendar = Calendar.from_scenario(scenario)
    routing = RoutingView(scenario)
    types = scenario.contact_type_names()
    segments = np.array([segment.share for segment in scenario.segments])
    shape = (calendar.days, calendar.intervals_per_day, len(types), len(segments))
    arrivals = np.zeros(shape)
    for day in range(calendar.days):
        volume = expected_volume(scenario, calendar, day)  # (intervals, types)
        arrivals[day] = volume[:, :, None] * (segments / segments.sum())[None, None, :]
    direct, escalated = np.zeros(shape), np.zeros(shape)
    notes = [f"routing rule {label!r} depends on the queue and is left out of the analytic view"
             for label in routing.dynamic_rules()]
    repeats = scenario.repeat_contacts
    origin = "new"
    for attempt in range(repeats.max_repeats + 1):
        round_direct, round_escalated, unresolved, round_notes = _one_round(scenario, calendar, routing, destination,
                                                                            arrivals, origin)
        direct += round_direct
        escalated += round_escalated
        if attempt == 0:
            notes += round_notes
        arrivals = _come_back(unresolved, repeats.delay.mean_seconds(), calendar,
                              repeats.opening_spread_minutes * 60.0)
        origin = "repeat"
        if arrivals.sum() <= 1e-9:
            break
    return DestinationDemand(direct, escalated), tuple(notes)


def _one_round(scenario: Scenario, calendar: Calendar, routing: RoutingView, destination: str, arrivals: np.ndarray,
               origin: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str]]:
    """One attempt of every customer in ``arrivals``: what reaches ``destination`` directly or escalated,
    and what stays unresolved anywhere (to come back)."""
    direct, to_ai, unresolved = np.zeros_like(arrivals), np.zeros_like(arrivals), np.zeros_like(arrivals)
    for t, name in enumerate(scenario.contact_type_names()):
        for s, segment in enumerate(scenario.segments):
            volume = arrivals[:, :, t, s]
            if not volume.any():
                continue
            split = routing.segment_split(name, segment.name, origin, allow_ai=True)
            direct[:, :, t, s] += volume * split.get(destination, 0.0)
            to_ai[:, :, t, s] += volume * split.get(AI, 0.0)
            unresolved[:, :, t, s] += volume * _unresolved_share(scenario, split)
    notes: list[str] = []
    if scenario.ai is not None and to_ai.any():
        ai_direct, ai_escalated, ai_unresolved, notes = _through_ai(scenario, calendar, routing, destination,
                                                                    to_ai, origin)
        direct += ai_direct
        unresolved += ai_unresolved
        return direct, ai_escalated, unresolved, notes
    return direct, np.zeros_like(arrivals), unresolved, notes


def _unresolved_share(scenario: Scenario, split: Mapping[str, float]) -> float:
    """Share of contacts sent by ``split`` to human destinations that they do not resolve."""
    return sum(share * (1.0 - _resolution(scenario, destination)) for destination, share in split.items()
               if destination != AI)


def _resolution(scenario: Scenario, destination: str) -> float:
    """First-contact resolution of a human destination (the shared groups' mean for ``inhouse``)."""
    if destination == INHOUSE:
        shared = [group.first_contact_resolution for group in scenario.agent_groups if not group.dedicated]
        return float(np.mean(shared)) if shared else 1.0
    for item in (*scenario.agent_groups, *scenario.vendors):
        if item.name == destination:
            return item.first_contact_resolution
    return 1.0


def _come_back(unresolved: np.ndarray, delay_seconds: float, calendar: Calendar,
               opening_spread_seconds: float = 0.0) -> np.ndarray:
    """Unresolved contacts back after ``delay_seconds``; those due while the center is closed come
    back spread evenly over the first ``opening_spread_seconds`` of the next open stretch (past the
    horizon they are lost, as in the engine)."""
    days, per_day = unresolved.shape[:2]
    flat = unresolved.reshape(days * per_day, *unresolved.shape[2:])
    moved = _delayed(flat, delay_seconds, calendar.interval_seconds)
    open_mask = np.concatenate([calendar.open_mask(day) for day in range(days)])
    result = np.zeros_like(moved)
    upcoming = -1
    for index in range(len(moved) - 1, -1, -1):
        if open_mask[index]:
            upcoming = index
            result[index] += moved[index]
        elif upcoming >= 0:
            for target, share in _opening_shares(upcoming, _stretch_end(open_mask, upcoming),
                                                 opening_spread_seconds, calendar.interval_seconds):
                result[target] += share * moved[index]
    return result.reshape(unresolved.shape)


def _stretch_end(open_mask: np.ndarray, first_open: int) -> int:
    """The first closed interval at or after ``first_open`` (the end of its open stretch)."""
    closed = np.flatnonzero(~open_mask[first_open:])
    return first_open + int(closed[0]) if len(closed) else len(open_mask)


def _opening_shares(first_open: int, stretch_end: int, spread_seconds: float,
                    interval_seconds: float) -> list[tuple[int, float]]:
    """How a uniform spread over ``spread_seconds`` after the opening falls on the open intervals."""
    spread = min(spread_seconds, (stretch_end - first_open) * interval_seconds)
    if spread <= 0.0:
        return [(first_open, 1.0)]
    shares = []
    for offset in range(int(np.ceil(spread / interval_seconds))):
        covered = min(spread, (offset + 1) * interval_seconds) - offset * interval_seconds
        shares.append((first_open + offset, covered / spread))
    return shares


def _through_ai(scenario: Scenario, calendar: Calendar, routing: RoutingView, destination: str,
                to_ai: np.ndarray, origin: str = "new") -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str]]:
    """Contacts sent to the AI that reach ``destination`` (refused when full, or escalated, delayed), and
    those left unresolved anywhere (false containments, and what humans do not resolve)."""
    ai = scenario.ai
    assert ai is not None
    types = scenario.contact_type_names()
    session = np.array([_session_seconds(scenario, name) for name in types])
    load = (to_ai.sum(axis=3) * session).sum(axis=2) / calendar.interval_seconds  # (days, intervals)
    if ai.when_full == "human":
        # Erlang B is insensitive to the session-time distribution: the share finding all sessions busy.
        blocked = np.vectorize(lambda erlangs: erlang_b(ai.capacity, float(erlangs)))(load)
        notes = []
    else:
        blocked = np.zeros_like(load)
        notes = ["AI waits when full (when_full = 'wait'): the delay in the AI is left out"]
    direct, escalated, unresolved = np.zeros_like(to_ai), np.zeros_like(to_ai), np.zeros_like(to_ai)
    for t, name in enumerate(types):
        outcome = ai.contact_types.get(name)
        for s, segment in enumerate(scenario.segments):
            reached = to_ai[:, :, t, s]
            if not reached.any():
                continue
            refused_split = routing.segment_split(name, segment.name, origin, allow_ai=False)
            refused = reached * blocked
            direct[:, :, t, s] += refused * refused_split.get(destination, 0.0)
            unresolved[:, :, t, s] += refused * _unresolved_share(scenario, refused_split)
            handed_split = routing.segment_split(name, segment.name, "escalated", allow_ai=False)
            handed = handed_split.get(destination, 0.0)
            for day in range(calendar.days):
                share, falsely = _ai_shares(outcome, day, calendar.days) if outcome is not None else (0.0, 0.0)
                served = reached[day] * (1.0 - blocked[day])
                handed_over = _delayed(served * share, session[t], calendar.interval_seconds)
                escalated[day, :, t, s] += handed_over * handed
                unresolved[day, :, t, s] += (handed_over * _unresolved_share(scenario, handed_split)
                                             + _delayed(served * falsely, session[t], calendar.interval_seconds))
    return direct, escalated, unresolved, notes


def _session_seconds(scenario: Scenario, name: str) -> float:
    ai = scenario.ai
    outcome = ai.contact_types.get(name) if ai is not None else None
    if outcome is None:
        return 0.0
    return (outcome.session_time or ai.session_time).mean_seconds()


def _ai_shares(outcome, day: int, days: int) -> tuple[float, float]:
    """(escalated, falsely contained) shares of AI sessions on ``day``, following a containment rollout
    ramp and the over-reach above the automatable share as the engine does."""
    containment = outcome.containment
    if outcome.containment_start is not None:
        progress = day / (days - 1) if days > 1 else 1.0
        containment = outcome.containment_start + (outcome.containment - outcome.containment_start) * progress
    genuine = min(containment, outcome.automatable_share)
    excess = containment - genuine
    escalated = outcome.escalation + (outcome.containment - containment) + excess * (1.0 - outcome.excess_false_share)
    return escalated, genuine * outcome.false_containment + excess * outcome.excess_false_share


def _delayed(volume: np.ndarray, delay_seconds: float, interval_seconds: int) -> np.ndarray:
    """Contacts arriving uniformly in each interval, moved ``delay_seconds`` later (what spills past
    the end of the day is dropped: escalations after the last interval reach nobody we plan for)."""
    whole, fraction = divmod(delay_seconds / interval_seconds, 1.0)
    whole = int(whole)
    shifted = np.zeros_like(volume)
    for offset, weight in ((whole, 1.0 - fraction), (whole + 1, fraction)):
        if weight > 0 and offset < len(volume):
            shifted[offset:] += weight * volume[:len(volume) - offset]
    return shifted


def unit_workload(scenario: Scenario, destination: str, type_weights: Mapping[str, float],
                  type_multipliers: Mapping[str, float], concurrency: Mapping[str, int] | None = None) -> Workload:
    """Workload of the agents who take ``type_weights[type]`` of each type's contacts at ``destination``.

    ``type_multipliers``: handle-time multiplier of those agents per type; ``concurrency``: sessions
    an agent holds at once per channel (default 1).
    """
    demand, notes = destination_demand(scenario, destination)
    types = scenario.contact_type_names()
    weights = np.array([type_weights.get(name, 0.0) for name in types])
    multipliers = np.array([type_multipliers.get(name, 1.0) for name in types])
    escalation_multiplier = scenario.ai.escalation_handle_time_multiplier if scenario.ai is not None else 1.0
    plan = channel_plan(scenario, weights, dict(concurrency or {}))
    calendar = Calendar.from_scenario(scenario)
    # (interval of the day, type): mean talk (with its time-of-day factor) plus after-call work.
    base_handle = np.column_stack([
        _interval_factors(contact_type.handle_time_by_time_of_day, calendar.interval_seconds)
        * contact_type.handle_time.mean_seconds()
        + (contact_type.after_call_work.mean_seconds() if contact_type.after_call_work else 0.0)
        for contact_type in scenario.contact_types]) * multipliers * plan.handle_factor
    backlog_weights = weights * ~plan.realtime
    backlog_work = ((demand.direct + demand.escalated * escalation_multiplier).sum(axis=3)
                    * (backlog_weights * base_handle)[None, :, :])
    weights = weights * plan.realtime
    abandon_rate = _abandon_rates(scenario)  # (types, segments), per second of waiting
    direct = demand.direct * weights[None, None, :, None]
    escalated = demand.escalated * weights[None, None, :, None]
    volume = direct.sum(axis=(2, 3)) + escalated.sum(axis=(2, 3))
    work = ((direct.sum(axis=3) * base_handle).sum(axis=2)
            + (escalated.sum(axis=3) * base_handle * escalation_multiplier).sum(axis=2))
    # Exponential patience per (type, segment); the mixture's abandonment rate is the volume-weighted rate.
    rate = ((direct + escalated) * abandon_rate[None, None]).sum(axis=(2, 3))
    with np.errstate(divide="ignore", invalid="ignore"):
        handle = np.where(volume > 0, work / volume, np.nan)
        mean_rate = np.where(volume > 0, rate / volume, 0.0)
        patience = np.where(mean_rate > 0, 1.0 / mean_rate, math.inf)
    backlog = backlog_load(scenario, calendar, backlog_work) if backlog_work.any() else None
    return Workload(calendar.interval_seconds, tuple(calendar.weekday(day) for day in range(calendar.days)),
                    volume, handle, patience, notes, plan.sessions_per_agent, backlog)


def _interval_factors(factors: dict[str, float] | None, interval_seconds: int) -> np.ndarray:
    """A time-of-day profile's mean factor over each interval of the day."""
    minutes = np.array(factors_by_minute(factors))
    return minutes.reshape(-1, interval_seconds // 60).mean(axis=1)


def _abandon_rates(scenario: Scenario) -> np.ndarray:
    """1 / mean patience per (contact type, segment); 0 for types whose customers never abandon."""
    rates = np.zeros((len(scenario.contact_types), len(scenario.segments)))
    for t, contact_type in enumerate(scenario.contact_types):
        if contact_type.patience is None:
            continue
        mean = contact_type.patience.mean_seconds()
        for s, segment in enumerate(scenario.segments):
            rates[t, s] = 1.0 / (mean * segment.patience_multiplier) if mean > 0 else math.inf
    return rates
