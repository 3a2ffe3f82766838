"""Run one replication of a scenario: its counters, staffing and probes, and records on request."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from .agent_plans import GroupPlan, staffing_plans
from .calendar import Calendar
from .config import Scenario
from .config.types import SECONDS_PER_DAY
from .demand import arrival_days
from .engine import Engine
from .random import RandomStreams
from .records import CONTACT_COLUMNS, DUTY_COLUMNS, OVERTIME_COLUMNS, RunInfo, SimulationResult, frame


def simulate(scenario: Scenario, seed: int = 0, replication: int = 0,
             progress: Callable[[float], None] | None = None,
             probe_seconds: float | None = None, records: bool = True,
             thresholds: tuple[float, ...] = ()) -> SimulationResult:
    """Simulate ``scenario`` once; the same (scenario, seed, replication) gives the same result.

    ``records``: also return every contact attempt and agent spell (``contacts``, ``agent_duty``);
    without them memory does not grow with the number of contacts and the run is faster.
    ``probe_seconds``: how often ``snapshots`` probe the state (default: at each interval start).
    ``thresholds``: extra service-level thresholds (seconds) counted per contact type and interval.
    """
    calendar = Calendar.from_scenario(scenario)
    streams = RandomStreams(seed, replication)
    plans = staffing_plans(scenario, calendar)
    engine = Engine(scenario, calendar, arrival_days(scenario, calendar, streams), plans, streams, progress,
                    keep_records=records, extra_thresholds=tuple(thresholds))
    if probe_seconds is not None:
        engine.probe_seconds = float(probe_seconds)
    engine.run()
    info = RunInfo(
        scenario_name=scenario.name, seed=seed, replication=replication, days=calendar.days,
        interval_seconds=calendar.interval_seconds, horizon_seconds=calendar.horizon_seconds,
        warmup_seconds=calendar.warmup_seconds, end_time=engine.end_time,
        service_level_threshold=scenario.service_level.threshold_seconds,
        contact_types=tuple(scenario.contact_type_names()),
        groups=tuple(group.name for group in scenario.agent_groups),
        agent_days=tuple(plan.agent_days for plan in plans if plan.kind == "inhouse"),
        vendors=tuple(vendor.name for vendor in scenario.vendors),
        segments=tuple(segment.name for segment in scenario.segments),
    )
    overtime_rows = [row for pool in engine.pools for row in pool.overtime_log]
    return SimulationResult(
        info=info,
        counters=engine.collector.counters([pool.kind for pool in engine.pools]),
        staffing=staffing_frame(plans, calendar),
        snapshots=_snapshots_frame(engine),
        overtime=frame(_log_columns(overtime_rows, OVERTIME_COLUMNS), OVERTIME_COLUMNS),
        paid_hours={plan.name: float(plan.paid.integral(np.array([0.0, calendar.horizon_seconds]))[0]) / 3600.0
                    for plan in plans},
        contacts=_contacts_frame(engine, scenario, calendar) if records else None,
        agent_duty=(frame(_log_columns([row for pool in engine.pools for row in pool.duty_log], DUTY_COLUMNS),
                          DUTY_COLUMNS) if records else None),
    )


def _contacts_frame(engine: Engine, scenario: Scenario, calendar: Calendar) -> pd.DataFrame:
    contacts = engine.contacts
    type_names = scenario.contact_type_names()
    channels = scenario.type_channels()
    segment_names = [segment.name for segment in scenario.segments]
    arrival = np.array([c.arrival_time for c in contacts], dtype=float)
    queue_entry = np.array([c.queue_entry_time for c in contacts], dtype=float)
    answer = np.array([c.answer_time for c in contacts], dtype=float)
    end = np.array([c.end_time for c in contacts], dtype=float)
    # Waiting ends at answer or abandonment; contacts still waiting at the end have waited until then.
    wait_end = np.where(np.isnan(answer), np.where(np.isnan(end), engine.end_time, end), answer)
    day = np.floor(arrival / SECONDS_PER_DAY).astype(np.int64)
    ai_entry = np.array([c.ai_entry_time for c in contacts], dtype=float)
    ai_start = np.array([c.ai_start_time for c in contacts], dtype=float)
    ai_end = np.where(np.isnan(ai_start), np.nan, ai_start + np.array([c.ai_session_time for c in contacts]))
    # Time waiting for an AI session ends when one starts, or at abandonment / the end of the run;
    # a contact the full AI sent on to a human at once waited for nothing.
    ai_wait_end = np.where(np.isnan(ai_start), np.where(np.isnan(end), engine.end_time, end), ai_start)
    ai_wait_end = np.where(np.isnan(ai_start) & ~np.isnan(queue_entry), ai_entry, ai_wait_end)
    columns = {
        "contact_id": [c.contact_id for c in contacts],
        "customer_id": [c.customer_id for c in contacts],
        "parent_id": [c.parent_id for c in contacts],
        "attempt": [c.attempt for c in contacts],
        "origin": [c.origin for c in contacts],
        "arrival_time": arrival,
        "day": day,
        "interval": ((arrival - day * SECONDS_PER_DAY) // calendar.interval_seconds).astype(np.int64),
        "contact_type": [type_names[c.contact_type] for c in contacts],
        "channel": [channels[c.contact_type] for c in contacts],
        "segment": [segment_names[c.segment] for c in contacts],
        "route": [c.route for c in contacts],
        "queue": [c.queue.name if c.queue is not None else "" for c in contacts],
        "queue_entry_time": queue_entry,
        "wait_seconds": wait_end - queue_entry,
        "outcome": [c.outcome for c in contacts],
        "resolved": [c.resolved for c in contacts],
        "escalated": [c.escalated for c in contacts],
        "frustrated": [c.frustrated for c in contacts],
        "ai_wait_seconds": np.where(np.isnan(ai_entry), np.nan, ai_wait_end - ai_entry),
        "ai_session_seconds": np.minimum(ai_end, engine.end_time) - ai_start,
        "handler": [c.agent.pool.name if c.agent is not None else c.handler for c in contacts],
        "handler_kind": [c.agent.pool.kind if c.agent is not None else c.handler_kind for c in contacts],
        "agent_id": [c.agent.agent_id if c.agent is not None else "" for c in contacts],
        "answer_time": answer,
        "handle_time": [c.handle_time for c in contacts],
        "after_call_work": [c.after_call_work for c in contacts],
        "end_time": end,
        "csat": [c.csat for c in contacts],
        "warmup": arrival < 0,
    }
    return frame(columns, CONTACT_COLUMNS)


def _log_columns(rows: list[tuple], columns: dict[str, str]) -> dict[str, list]:
    return {name: [row[index] for row in rows] for index, name in enumerate(columns)}


def staffing_frame(plans: list[GroupPlan], calendar: Calendar) -> pd.DataFrame:
    """Per group and measured interval: mean agents scheduled and available, and paid hours."""
    edges = np.arange(calendar.total_intervals + 1, dtype=float) * calendar.interval_seconds
    step = float(calendar.interval_seconds)
    index = np.arange(calendar.total_intervals)
    parts = [pd.DataFrame({
        "group": plan.name,
        "kind": plan.kind,
        "day": index // calendar.intervals_per_day,
        "interval": index % calendar.intervals_per_day,
        "start": edges[:-1],
        "scheduled_agents": plan.scheduled.integral(edges) / step,
        "available_agents": plan.available.integral(edges) / step,
        "paid_hours": plan.paid.integral(edges) / 3600.0,
    }) for plan in plans]
    return pd.concat(parts, ignore_index=True)


def _snapshots_frame(engine: Engine) -> pd.DataFrame:
    rows = []
    for time, pools, queues, (ai_active, ai_waiting) in engine.snapshots:
        for pool, (on_phones, busy, away) in zip(engine.pools, pools):
            rows.append((time, "group" if pool.kind == "inhouse" else "vendor", pool.name, on_phones, busy, away,
                         np.nan))
        for queue, waiting in zip(engine.queues, queues):
            rows.append((time, "queue", queue.name, np.nan, np.nan, np.nan, waiting))
        if engine.ai is not None:
            rows.append((time, "ai", "ai", engine.ai.capacity, ai_active, np.nan, ai_waiting))
    return pd.DataFrame(rows, columns=["time", "kind", "name", "on_duty", "busy", "away", "waiting"])
