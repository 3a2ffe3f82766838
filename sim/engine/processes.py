"""The engine's SimPy processes (staffing plans, probes, the backlog at each day's end) and the hooks
its queues call before a contact waits (pre-empting backlog work, offering a callback)."""

from __future__ import annotations

import math

from simpy.events import Timeout

from ..agent_plans import GroupPlan
from ..config import SECONDS_PER_DAY
from .agents import AgentPool
from .clock import urgent_timeout
from .contact import Contact
from .destinations import HumanDestination


def staffing_process(engine, pool: AgentPool, plan: GroupPlan):
    """Follow a pool's staffing plan: agents come on duty and leave as it says."""
    env = engine.env
    # ``available`` is derived from ``scheduled`` point by point, so both change at the same times.
    for time, level, scheduled in zip(plan.available.times.tolist(), plan.available.values.tolist(),
                                      plan.scheduled.values.tolist()):
        delay = time - env.now
        yield urgent_timeout(env, delay if delay > 0.0 else 0.0)
        if pool.break_rule is None:
            arrivals = pool.set_target(int(level), env.now, shift_end=time in plan.shift_ends,
                                       scheduled=int(max(scheduled, 0)))
        else:  # the group takes its breaks itself: the plan gives the agents scheduled, breaks left out
            arrivals = pool.break_rule.set_base(int(max(scheduled, 0)), env.now, time in plan.shift_ends)
        staffing_changed(pool, arrivals)


def staffing_changed(pool: AgentPool, arrivals) -> None:
    """After a pool's staffing level changed: the availability model hears of it, newcomers seek work."""
    availability = pool.availability
    if availability is not None:
        availability.away_count_changed()
        for agent in arrivals:
            availability.start_spell(agent)
    for agent in arrivals:
        pool.seek(agent)


def snapshot_process(engine):
    """Probe the state every ``probe_seconds`` (default: each interval start) over the horizon."""
    env = engine.env
    step = engine.probe_seconds
    horizon = engine.calendar.horizon_seconds
    total = int(math.ceil(horizon / step))
    report_every = max(1, int(round(SECONDS_PER_DAY / step)))
    for index in range(total):
        delay = index * step - env.now
        yield Timeout(env, delay if delay > 0.0 else 0.0)
        ai_state = (engine.ai.active, engine.ai.waiting_count) if engine.ai else (0, 0)
        engine.snapshots.append((index * step,
                                 tuple((pool.on_phones, len(pool.busy), len(pool.away)) for pool in engine.pools),
                                 tuple(queue.waiting for queue in engine.queues), ai_state))
        if engine.progress is not None and index % report_every == 0:
            engine.progress(index * step / horizon)


def backlog_process(engine):
    """Record the backlog at the end of each day of the horizon."""
    env = engine.env
    for day in range(engine.calendar.days):
        delay = (day + 1) * float(SECONDS_PER_DAY) - env.now
        yield Timeout(env, delay if delay > 0.0 else 0.0)
        engine.collector.backlog_at_day_end(day, _backlog(engine, env.now))


def _backlog(engine, now: float) -> list[tuple[int, float]]:
    """Per contact type: backlog items waiting and the age of the oldest (seconds; 0 when none)."""
    backlog = engine.sessions.backlog
    counts = [(0, 0.0)] * len(backlog)
    for destination in engine.destinations:
        for contact_type, queue in enumerate(destination.queues):
            if backlog[contact_type] and queue.waiting:
                waiting = queue.live_contacts()
                count, age = counts[contact_type]
                counts[contact_type] = (count + len(waiting),
                                        max(age, max(now - contact.arrival_time for contact in waiting)))
    return counts


def install_queue_hooks(destinations: list[HumanDestination], sessions, callbacks) -> None:
    """Give each destination's contact types their queue hooks: pre-emption where a pool serving the type
    lets real-time work pre-empt backlog items, then a callback where the type offers them."""
    for destination in destinations:
        for contact_type in range(len(destination.queues)):
            hooks = []
            serving = [pool for level in destination.levels_for_type[contact_type] for pool in level]
            if any(pool.preempts_backlog for pool in serving):
                hooks.append(sessions.preemption_hook(serving))
            if callbacks is not None and callbacks.rules[contact_type] is not None:
                hooks.append(callbacks.hook)
            destination.queue_hooks[contact_type] = _chain(hooks)


def _chain(hooks: list):
    """One queue hook trying ``hooks`` in order (None without any)."""
    if not hooks:
        return None
    if len(hooks) == 1:
        return hooks[0]
    first, second = hooks  # pre-emption, then a callback

    def either(contact: Contact, destination: HumanDestination, now: float, offset: float) -> bool:
        return first(contact, destination, now, offset) or second(contact, destination, now, offset)

    return either
