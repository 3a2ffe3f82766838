"""What a run produces: counters updated as contacts end, and on request plain typed rows.

``counters`` (:class:`RunCounters`): what every KPI and interval table is
computed from (see :mod:`sim.engine.collector`); always there, and its size
does not grow with the number of contacts.

``contacts`` (only when asked for): one row per contact attempt (retrials and repeat contacts are
rows of their own, linked by ``customer_id`` and ``parent_id``). Times are
seconds from the start of day 1; warm-up contacts have negative arrival times
and ``warmup = True``. ``outcome`` is one of :data:`OUTCOMES`: answered by a
human (in-house or vendor, see ``handler_kind``), contained by the AI,
abandoned in a human queue, abandoned in the AI (``ai_abandoned``), or still
waiting when the run stopped (``in_system``). ``resolved`` is True when the
contact fixed the customer's issue (an unresolved one, including a false AI
containment, comes back as a repeat contact). ``route`` lists the routing
rules applied, ``/``-separated.

``agent_duty`` (with ``contacts``): one row per continuous spell of an agent
or vendor seat on the phones.

``overtime``: one row per overtime spell (an agent kept on after the shift
end by a group's overtime rule); these spells are also inside ``agent_duty``.

``staffing``: per group or vendor and measured interval, agents scheduled
and available (time averages) and paid hours (seat hours for vendors).

``snapshots``: a probe at every interval start (or every ``probe_seconds``):
agents on the phones (``on_duty``), busy and stepped away (``away``) per group
or vendor, contacts waiting per queue, AI sessions active and waiting.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

ANSWERED = "answered"
CONTAINED = "contained"
ABANDONED = "abandoned"
AI_ABANDONED = "ai_abandoned"
IN_SYSTEM = "in_system"
OUTCOMES = (ANSWERED, CONTAINED, ABANDONED, AI_ABANDONED, IN_SYSTEM)

CONTACT_COLUMNS: dict[str, str] = {
    "contact_id": "int64",
    "customer_id": "int64",
    "parent_id": "int64",
    "attempt": "int64",
    "origin": "string",
    "arrival_time": "float64",
    "day": "int64",
    "interval": "int64",
    "contact_type": "string",
    "channel": "string",
    "segment": "string",
    "route": "string",
    "queue": "string",
    "queue_entry_time": "float64",
    "wait_seconds": "float64",
    "outcome": "string",
    "resolved": "bool",
    "escalated": "bool",
    "frustrated": "bool",
    "ai_wait_seconds": "float64",
    "ai_session_seconds": "float64",
    "handler": "string",
    "handler_kind": "string",
    "agent_id": "string",
    "answer_time": "float64",
    "handle_time": "float64",
    "after_call_work": "float64",
    "end_time": "float64",
    "csat": "float64",
    "warmup": "bool",
}

DUTY_COLUMNS: dict[str, str] = {"agent_id": "string", "group": "string", "kind": "string",
                                "start": "float64", "end": "float64"}
OVERTIME_COLUMNS: dict[str, str] = {"agent_id": "string", "group": "string", "start": "float64", "end": "float64"}


def frame(columns: dict[str, list[Any]], dtypes: dict[str, str]) -> pd.DataFrame:
    """A DataFrame with exactly the declared columns and dtypes (empty input gives empty columns)."""
    return pd.DataFrame({name: pd.Series(columns.get(name, []), dtype=dtype) for name, dtype in dtypes.items()})


@dataclass(frozen=True)
class RunInfo:
    """Facts about a run that downstream steps need to interpret its records."""

    scenario_name: str
    seed: int
    replication: int
    days: int
    interval_seconds: int
    horizon_seconds: float
    warmup_seconds: float
    end_time: float
    service_level_threshold: float
    contact_types: tuple[str, ...]
    groups: tuple[str, ...]
    agent_days: tuple[float, ...]  # per group: shifts worked in the horizon (training cost driver)
    vendors: tuple[str, ...] = ()
    segments: tuple[str, ...] = ()


@dataclass(frozen=True)
class RunCounters:
    """Counts and sums of one replication (built by :class:`sim.engine.collector.Collector`).

    ``stored_counts[type, segment, interval, column]``: contacts counted in
    the interval they arrived in (warm-up excluded), with ``stored_columns``;
    the public columns (offered, offered_to_queue, answered, ...) follow from
    them (:meth:`intervals`, :meth:`intervals_for`, :meth:`by_type_segment`).
    ``agent_time[name][interval]``: agent-seconds busy, on the phones and
    away (in-house and vendor) in the interval they were spent in;
    ``by_handler[name]``: busy and on-the-phones seconds in the horizon per
    agent group or vendor, and for vendors the contacts answered and their
    handle seconds (talk and after-call work); ``handled[handler, type,
    segment]``: contacts answered and their handle seconds per agent group or
    vendor (``handler_names`` order), contact type and segment;
    ``answered_waits`` and ``abandoned_waits``: contacts by seconds waited in
    a human queue (bin 0: no wait, bin k: [k - 1, k) s, last bin: an hour or more).
    ``type_channels``: the channel of each contact type (channel totals are
    sums over its types); ``day_end_backlog[type, day]`` and
    ``day_end_oldest_seconds[type, day]``: backlog items (messaging, email)
    waiting at the end of each day and the age of the oldest.
    """

    stored_counts: np.ndarray
    stored_columns: tuple[str, ...]
    type_names: tuple[str, ...]
    segment_names: tuple[str, ...]
    agent_time: dict[str, np.ndarray]
    by_handler: dict[str, dict[str, float]]
    answered_waits: np.ndarray
    abandoned_waits: np.ndarray
    contacts_ended: int
    type_channels: tuple[str, ...] = ()
    day_end_backlog: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))
    day_end_oldest_seconds: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))
    handled: np.ndarray | None = None
    handler_names: tuple[str, ...] = ()

    def channel_types(self) -> dict[str, list[str]]:
        """The contact types of each channel present, in the order channels first appear."""
        channels = self.type_channels or ("voice",) * len(self.type_names)
        grouped: dict[str, list[str]] = {}
        for name, channel in zip(self.type_names, channels):
            grouped.setdefault(channel, []).append(name)
        return grouped

    def _columns(self, counts: np.ndarray) -> dict[str, np.ndarray]:
        from .engine.collector import derived_columns  # the collector knows how its columns combine

        stored = {name: counts[..., index] for index, name in enumerate(self.stored_columns)}
        return {**stored, **derived_columns(stored)}

    @cached_property
    def intervals(self) -> dict[str, np.ndarray]:
        """Every contact column per measured interval (all types and segments), and the agent time."""
        return {**self._columns(self.stored_counts.sum(axis=(0, 1))), **self.agent_time}

    def intervals_for(self, types: Sequence[str]) -> dict[str, np.ndarray]:
        """The contact columns per interval for some contact types only."""
        chosen = [self.type_names.index(name) for name in types]
        return self._columns(self.stored_counts[chosen].sum(axis=(0, 1)))

    def by_type_segment(self) -> dict[tuple[str, str], dict[str, float]]:
        """Run totals of every contact column per (contact type, segment)."""
        columns = self._columns(self.stored_counts.sum(axis=2))
        return {(kind, segment): {name: float(values[t, s]) for name, values in columns.items()}
                for t, kind in enumerate(self.type_names) for s, segment in enumerate(self.segment_names)}

    def total(self, column: str) -> float:
        return float(self.intervals[column].sum())


@dataclass(frozen=True)
class SimulationResult:
    """Everything one replication produced; KPIs are pure functions of ``counters``, ``staffing`` and
    ``overtime``. ``contacts`` and ``agent_duty`` are None unless the run kept records."""

    info: RunInfo
    counters: RunCounters
    staffing: pd.DataFrame
    snapshots: pd.DataFrame
    overtime: pd.DataFrame = field(default_factory=lambda: frame({}, OVERTIME_COLUMNS))
    paid_hours: dict[str, float] = field(default_factory=dict)  # per group or vendor, in the horizon
    contacts: pd.DataFrame | None = None
    agent_duty: pd.DataFrame | None = None

    def measured_contacts(self) -> pd.DataFrame:
        """Contacts that arrived inside the horizon (warm-up excluded); needs a run that kept records."""
        if self.contacts is None:
            raise ValueError("this run kept no contact records (simulate(..., records=True) keeps them)")
        return self.contacts[~self.contacts["warmup"]]
