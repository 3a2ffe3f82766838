"""How the engine uses SimPy's event loop, in one place.

SimPy is the event loop: its :class:`simpy.Environment` keeps the clock and
the heap of scheduled events, processed in order of (time, priority,
creation) as :meth:`~simpy.Environment.step` does (:func:`run_merged` does
a step's work in place, without a call per event). The engine's processes
(staffing plans, probes) are ordinary SimPy processes.

Most happenings, though (the end of a service, of a patience, of an AI
session), need nothing but "call this function at that time". For those the
engine schedules a :class:`Due`: a minimal object with the attributes
``Environment.step`` reads from an event (``callbacks``, ``_ok``), pushed on
the environment's heap exactly as ``Environment.schedule`` pushes events. It
costs about half of a ``Timeout``, and there is one or two per contact.
:func:`urgent_timeout` builds the urgent event that SimPy's own
``run(until=...)`` builds, for staffing changes that must precede other
events at the same instant.
The hottest callers (``Engine.serve``, ``SessionDesk._reschedule``) write
:meth:`Clock.after` out, pushing the same tuple onto the same heap.

Both rely on SimPy internals (``Environment._queue``, ``_eid``, ``_now``,
what ``step`` reads and does), which is why ``simpy`` is pinned in ``pyproject.toml``
and ``tests/test_simpy_contract.py`` checks every assumption made here: a
SimPy upgrade fails that test before it can change a result.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from heapq import heappop, heappush
from typing import Any

import simpy
from simpy.events import NORMAL, URGENT, Event

SIMPY_VERSION = "4.1.2"  # the version these internals were checked against


class Due:
    """A scheduled call: each of ``callbacks`` gets the due (``due.value``: its argument) at its time."""

    __slots__ = ("callbacks", "value")
    _ok = True  # what Environment.step checks after the callbacks (a Due never fails)

    def __init__(self, value: Any, callbacks: tuple[Callable[["Due"], None], ...]) -> None:
        self.value = value
        self.callbacks = callbacks


class Clock:
    """Schedules :class:`Due` calls on an environment. ``callbacks`` are tuples made once by the caller
    (e.g. ``(self._on_service_end,)``): a call is made for every contact, so nothing is built per call."""

    __slots__ = ("env", "_queue", "_eid")

    def __init__(self, env: simpy.Environment) -> None:
        self.env = env
        self._queue = env._queue
        self._eid = env._eid

    def after(self, delay: float, value: Any, callbacks: tuple[Callable[[Due], None], ...]) -> None:
        """Call ``callbacks`` ``delay`` seconds from now (after events already due at that instant)."""
        heappush(self._queue, (self.env._now + delay, NORMAL, next(self._eid), Due(value, callbacks)))


def run_merged(env: simpy.Environment, arrivals: Iterable[tuple], arrive: Callable[[tuple, float], None],
               end: float) -> None:
    """Process scheduled events and ``arrivals`` (tuples whose first item is their time, in time order) in
    time order until ``end``; an event due at the same instant as an arrival goes first.

    ``arrive(arrival, offset)`` handles an arrival without an event of its own, at its time, which is
    ``offset`` ahead of the clock: it must add ``offset`` to every delay it schedules.

    Each event is processed as :meth:`simpy.Environment.step` processes it (pop, set the clock, run and
    clear the callbacks, crash on an undefused failure), written out here: a call to ``step`` per event
    was a tenth of a run. The engine never raises ``StopSimulation``, the one case ``step`` treats apart.
    """
    queue = env._queue
    for arrival in arrivals:
        time = arrival[0]
        while queue and queue[0][0] <= time:
            env._now, _, _, event = heappop(queue)
            callbacks, event.callbacks = event.callbacks, None
            for callback in callbacks:
                callback(event)
            if not event._ok:
                _crash_unless_defused(event)
        arrive(arrival, time - env._now)
    while queue and queue[0][0] < end:
        env._now, _, _, event = heappop(queue)
        callbacks, event.callbacks = event.callbacks, None
        for callback in callbacks:
            callback(event)
        if not event._ok:
            _crash_unless_defused(event)


def _crash_unless_defused(event: Event) -> None:
    """What ``Environment.step`` does with a failed event nobody handled: raise a copy of its exception."""
    if not hasattr(event, "_defused"):
        error = type(event._value)(*event._value.args)
        error.__cause__ = event._value
        raise error


def urgent_timeout(env: simpy.Environment, delay: float) -> Event:
    """A timeout processed before ordinary events at the same instant (built as SimPy's ``run(until)`` does).

    Staffing changes use it so that agents starting at 09:00 are there for a
    contact arriving at exactly 09:00, whatever order the events were created in.
    """
    event = Event(env)
    event._ok = True
    event._value = None
    env.schedule(event, URGENT, delay)
    return event
