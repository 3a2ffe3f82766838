"""The collector's counts turned into arrays at the end of a run (:class:`~sim.records.RunCounters`).

The collector keeps one list per (contact type, segment, interval) row that
contacts ended in; here those rows become a (type, segment, interval,
column) array, and what was counted only by number is added: the answered
total and handle seconds are sums over handlers, and contacts answered at
once (see :meth:`.collector.Collector.answered`) add their constant terms.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..records import RunCounters
from .columns import COLUMN_INDEX, HANDLER_COLUMNS, STORED_COLUMNS, TIME_COLUMNS

if TYPE_CHECKING:
    from .collector import Collector

_ANSWERED, _WITHIN, _HANDLE_SECONDS, _ANSWERED_RESOLVED, _ANSWERED_VENDOR, _VENDOR_SECONDS = (
    COLUMN_INDEX[name] for name in ("answered", "answered_within_threshold", "handle_seconds", "answered_resolved",
                                    "answered_vendor", "vendor_handle_seconds"))
_CSAT_SUM, _LOYAL, _LOST, _COMPLAINTS = (COLUMN_INDEX[name] for name in ("csat_sum", "loyal", "lost", "complaints"))
_OUTCOMES = [COLUMN_INDEX[name] for name in ("answered", "ai_contained", "abandoned", "ai_abandoned", "in_system")]


def run_counters(collector: Collector, handler_kinds: list[str]) -> RunCounters:
    """The counts as arrays: (type, segment, interval, column) plus time columns, handlers, histograms.
    ``handler_kinds``: ``inhouse`` or ``vendor`` per handler, in the collector's order."""
    names = collector.handler_names
    shape = (len(collector.type_names), len(collector.segment_names), collector.total_intervals,
             len(collector.columns))
    rows = np.zeros((shape[0] * shape[1] * shape[2], shape[3]))
    for position, row in enumerate(collector.rows):
        if row is not None:
            rows[position] = row
    rows = rows.reshape(shape)
    base = collector.handled_base
    counts = rows[..., :base].copy()
    # (type, segment, interval, handler, answered | handle seconds | answered at once), then the totals.
    per_handler = rows[..., base:].reshape(*shape[:3], len(names), len(collector.HANDLER_LABELS))
    at_once = per_handler[..., 2]
    _add_answered_at_once(collector, counts, at_once)
    per_handler = per_handler[..., :2]
    vendors = [index for index, kind in enumerate(handler_kinds) if kind != "inhouse"]
    counts[..., _ANSWERED] = per_handler[..., 0].sum(axis=-1)
    counts[..., _HANDLE_SECONDS] = per_handler[..., 1].sum(axis=-1)
    counts[..., _ANSWERED_VENDOR] = per_handler[..., vendors, 0].sum(axis=-1)
    counts[..., _VENDOR_SECONDS] = per_handler[..., vendors, 1].sum(axis=-1)
    handled = per_handler.sum(axis=2).transpose(2, 0, 1, 3)  # (handler, type, segment, 2)
    for index in vendors:
        collector.by_handler[index][0] = float(handled[index, ..., 0].sum())
        collector.by_handler[index][1] = float(handled[index, ..., 1].sum())
    answered_waits = np.asarray(collector.answered_waits, dtype=np.int64)
    answered_waits[0] += int(at_once.sum())  # none of them waited
    return RunCounters(
        stored_counts=counts,
        stored_columns=collector.columns[:base],
        type_names=tuple(collector.type_names),
        segment_names=tuple(collector.segment_names),
        agent_time=_agent_time(collector, handler_kinds),
        by_handler={name: {**dict(zip(HANDLER_COLUMNS, values)), "busy_seconds": float(sum(busy)),
                           "duty_seconds": float(sum(duty)), "away_seconds": float(sum(away))}
                    for name, values, (busy, duty, away) in zip(names, collector.by_handler,
                                                                collector.handler_time)},
        handled=handled,
        handler_names=tuple(names),
        answered_waits=answered_waits,
        abandoned_waits=np.asarray(collector.abandoned_waits, dtype=np.int64),
        contacts_ended=collector.warmup_ended + int(counts.reshape(-1, base)[:, _OUTCOMES].sum()),
        type_channels=tuple(collector.scorer.type_channels),
        day_end_backlog=collector.day_end_backlog,
        day_end_oldest_seconds=collector.day_end_oldest,
    )


def _add_answered_at_once(collector: Collector, counts: np.ndarray, at_once: np.ndarray) -> None:
    """Add what the contacts answered at once (``at_once``: per type, segment, interval and handler)
    contribute: within every threshold, resolved, the complaint chance and the scores of their handler
    and type (:meth:`.collector.Collector.immediate_scores`)."""
    total = at_once.sum(axis=-1)
    extra_columns = range(len(STORED_COLUMNS), len(STORED_COLUMNS) + len(collector.extra_thresholds))
    for column in (_WITHIN, _ANSWERED_RESOLVED, *extra_columns):
        counts[..., column] += total
    counts[..., _COMPLAINTS] += total * collector.immediate_complaint
    # (type, segment, interval, handler) x (handler, type, term) -> (type, segment, interval, term)
    terms = np.einsum("tsih,htk->tsik", at_once, collector.immediate_terms)
    for term, column in enumerate((_CSAT_SUM, _LOYAL, _LOST)):
        counts[..., column] += terms[..., term]


def _agent_time(collector: Collector, handler_kinds: list[str]) -> dict[str, np.ndarray]:
    """Per interval, agent-seconds summed over the in-house groups and over the vendors."""
    columns = {name: np.zeros(collector.total_intervals) for name in TIME_COLUMNS}
    for kind, (busy, duty, away) in zip(handler_kinds, collector.handler_time):
        prefix = "" if kind == "inhouse" else "vendor_"
        columns[prefix + "busy_seconds"] += busy
        columns[prefix + "duty_seconds"] += duty
        if kind == "inhouse":
            columns["away_seconds"] += away
    return columns
