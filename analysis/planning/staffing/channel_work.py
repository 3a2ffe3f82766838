"""How chats and backlog items count in a staffing requirement.

* Chat (effective concurrency): an agent holding k chats with stretch s
  serves each at 1 / (1 + s (k - 1)) of its speed alone, so a chat takes
  h (1 + s (k - 1)) of session time and h (1 + s (k - 1)) / k of agent time.
  A unit that takes only chats in real time is sized as sessions (the Erlang
  model's servers are session slots, exact without stretch: n agents with k
  chats are n x k servers) and then agents = slots / k; a unit that takes
  calls and chats counts each chat as its agent time, next to the calls.
* Backlog items (messaging, email) are deferred: their work (agent time per
  item, as for chats) arriving in an interval is spread evenly over the open
  intervals between its arrival and its deferred target (24 hours without
  one), so it is done by the target. The requirement covers the real-time
  queue and the spread backlog work: agents = max(real-time requirement,
  real-time load + backlog load), the backlog filling the idle time the
  real-time queue leaves. Work whose window runs past the horizon is left out
  for the part beyond it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from sim.calendar import Calendar
from sim.config import Scenario
from sim.config.omnichannel import BACKLOG_CHANNELS

DEFAULT_WINDOW_HOURS = 24.0


@dataclass(frozen=True)
class ChannelPlan:
    """Per contact type of a unit: whether it is real time, and the factor on its mean handle time
    (agent time per contact, or session time when the unit is sized in sessions); and the sessions
    per agent the real-time Erlang model's servers stand for."""

    realtime: np.ndarray
    handle_factor: np.ndarray
    sessions_per_agent: int


def channel_plan(scenario: Scenario, weights: np.ndarray, concurrency: dict[str, int]) -> ChannelPlan:
    """How the unit's contact types enter the requirement (see the module docstring)."""
    channels = scenario.type_channels()
    realtime = np.array([channel not in BACKLOG_CHANNELS for channel in channels])
    limits = np.array([concurrency.get(channel, 1) if channel != "voice" else 1 for channel in channels], float)
    stretch = np.array([scenario.channel_settings(channel).stretch_per_extra_session for channel in channels])
    session = 1.0 + stretch * (limits - 1.0)
    served_realtime = {channel for channel, weight, live in zip(channels, weights, realtime) if weight > 0 and live}
    if served_realtime == {"chat"}:
        return ChannelPlan(realtime, np.where(realtime, session, session / limits), int(concurrency.get("chat", 1)))
    return ChannelPlan(realtime, session / limits, 1)


def backlog_load(scenario: Scenario, calendar: Calendar, work: np.ndarray) -> np.ndarray:
    """Agent erlangs per (day, interval) to work ``work`` (agent-seconds arriving per day, interval and
    contact type) by each type's deferred target, spread evenly over the open intervals before it."""
    days, per_day, _ = work.shape
    step = calendar.interval_seconds
    # A week past the horizon, so windows that run past its end keep their length (that part is dropped).
    open_cells = np.concatenate([calendar.open_mask(day) for day in range(days + 8)])
    load = np.zeros(len(open_cells))
    for type_index, contact_type in enumerate(scenario.contact_types):
        arriving = work[:, :, type_index].ravel()
        if not arriving.any():
            continue
        for cell in np.flatnonzero(arriving):
            window = _window(contact_type, calendar, cell, open_cells)
            if window.size:
                load[window] += arriving[cell] / window.size / step
    return load[:days * per_day].reshape(days, per_day)


def _window(contact_type, calendar: Calendar, cell: int, open_cells: np.ndarray) -> np.ndarray:
    """Open cells from ``cell`` until the deferred target of an item arriving at its start (the first
    open cell after it when the target leaves none)."""
    step = calendar.interval_seconds
    target = contact_type.deferred_target
    start = cell * float(step)
    due = start + DEFAULT_WINDOW_HOURS * 3600.0 if target is None else calendar.due_time(target, start)
    end = min(len(open_cells), int(math.ceil(due / step)) if math.isfinite(due) else len(open_cells))
    window = cell + np.flatnonzero(open_cells[cell:end])
    if window.size == 0:
        later_open = np.flatnonzero(open_cells[cell:])
        window = cell + later_open[:1]
    return window
