"""Human destinations: the in-house center (the shared agent groups, one queue
per contact type), each dedicated group (e.g. a VIP desk) and each vendor,
each with its own queue per contact type."""

from __future__ import annotations

import math

from ..config import Scenario
from ..config.omnichannel import BACKLOG_CHANNELS, SESSION_CHANNELS
from ..random import BufferedDraws, RandomStreams
from .agents import AgentPool
from .queues import FifoQueue, PriorityQueue

INHOUSE = "inhouse"


class HumanDestination:
    """Queues and agent pools that serve contacts together.

    ``levels_for_type[t]``: the pools that serve type ``t``, grouped by skill
    priority (best first); an arriving contact tries them in that order.
    """

    def __init__(self, name: str, kind: str, type_count: int, queue_class) -> None:
        self.name = name
        self.kind = kind
        self.queues = [queue_class(f"{name}/{index}", index) for index in range(type_count)]
        self.pools: list[AgentPool] = []
        self.levels_for_type: list[list[list[AgentPool]]] = [[] for _ in range(type_count)]
        self._pools_by_priority: list[dict[int, list[AgentPool]]] = [{} for _ in range(type_count)]
        self.surge_pools: list[list[AgentPool]] = [[] for _ in range(type_count)]  # pools with a surge rule
        self.recall_rules: list[list] = [[] for _ in range(type_count)]  # availability rules with a recall
        # Per type: what to do before a contact queues (callbacks, pre-emption), or None; set by the engine.
        self.queue_hooks: list = [None] * type_count

    def serves(self, type_index: int) -> bool:
        return bool(self.levels_for_type[type_index])

    def add_pool(self, pool: AgentPool, skills: dict[int, int]) -> None:
        """Attach a pool serving ``{type index: priority}``."""
        self.pools.append(pool)
        by_priority: dict[int, list] = {}
        for type_index, priority in skills.items():
            by_priority.setdefault(priority, []).append(self.queues[type_index])
        pool.skill_levels = [by_priority[priority] for priority in sorted(by_priority)]
        for type_index, priority in skills.items():
            levels = self._pools_by_priority[type_index]
            levels.setdefault(priority, []).append(pool)
            self.levels_for_type[type_index] = [levels[key] for key in sorted(levels)]
            if pool.surge_queue_above is not None:
                self.surge_pools[type_index].append(pool)

    def has_idle_agent(self, type_index: int) -> bool:
        return any(pool.idle for level in self.levels_for_type[type_index] for pool in level)

    def agents_on_duty(self, type_index: int) -> int:
        """Agents currently on the phones (and not about to leave) who can take this type."""
        return sum(pool.on_phones - pool.leaving for level in self.levels_for_type[type_index] for pool in level)


def _fcr_draws(name: str, rate: float, streams: RandomStreams):
    if rate >= 1.0:
        return None
    return BufferedDraws(streams.get(f"resolution/{name}"), lambda generator, size: generator.random(size))


def build_destinations(scenario: Scenario, streams: RandomStreams) -> tuple[HumanDestination | None,
                                                                          list[HumanDestination]]:
    """The shared in-house destination (None without shared groups), then one destination per
    dedicated group and one per vendor, each with its own queues."""
    prioritised = (any(s.priority for s in scenario.segments) or any(s.queue_boost_seconds for s in scenario.segments)
                   or any(t.queue_boost_seconds for t in scenario.contact_types))
    queue_class = PriorityQueue if prioritised else FifoQueue
    names = scenario.contact_type_names()
    type_index = {name: index for index, name in enumerate(names)}
    inhouse = None
    dedicated = []
    if any(not group.dedicated for group in scenario.agent_groups):
        inhouse = HumanDestination(INHOUSE, "inhouse", len(names), queue_class)
    for group in scenario.agent_groups:
        overtime, surge = group.overtime, group.surge
        resolution = group.trained_first_contact_resolution
        pool = AgentPool(group.name, "inhouse", group.trained_handle_time_multiplier, resolution,
                         _fcr_draws(group.name, resolution, streams),
                         overtime_queue_above=overtime.queue_above if overtime else None,
                         overtime_seconds=overtime.max_minutes * 60.0 if overtime else 0.0,
                         surge_queue_above=surge.queue_above if surge else None,
                         surge_max_agents=surge.max_agents if surge else 0)
        destination = inhouse
        if group.dedicated:
            destination = HumanDestination(group.name, "inhouse", len(names), queue_class)
            dedicated.append(destination)
        destination.add_pool(pool, {type_index[skill]: priority for skill, priority in group.skills.items()})
    vendors = []
    for vendor in scenario.vendors:
        destination = HumanDestination(vendor.name, "vendor", len(names), queue_class)
        pool = AgentPool(vendor.name, "vendor", vendor.handle_time_multiplier, vendor.first_contact_resolution,
                         _fcr_draws(vendor.name, vendor.first_contact_resolution, streams))
        destination.add_pool(pool, {type_index[skill]: priority for skill, priority in vendor.skills.items()})
        vendors.append(destination)
    others = dedicated + vendors
    limits = {group.name: (group.concurrency, group.realtime_preempts_backlog) for group in scenario.agent_groups}
    limits.update({vendor.name: (vendor.concurrency, False) for vendor in scenario.vendors})
    channels = scenario.type_channels()
    for destination in ([inhouse] if inhouse else []) + others:
        for index, queue in enumerate(destination.queues):
            queue.name = f"{destination.name}/{names[index]}"
            if prioritised:
                queue.type_boost = scenario.contact_types[index].queue_boost_seconds
        for pool in destination.pools:
            _enable_sessions(pool, channels, *limits[pool.name])
    return inhouse, others


def _enable_sessions(pool: AgentPool, channels: list[str], concurrency: dict[str, int], preempts: bool) -> None:
    """Make a pool that serves chat or backlog items a session pool: its capacity in units is the
    least common multiple of its channels' session limits (default 1 each), so every channel's
    session takes a whole number of units."""
    served = {channels[queue.contact_type] for level in pool.skill_levels for queue in level}
    session_channels = sorted(served & set(SESSION_CHANNELS))
    if not session_channels:
        return
    capacity = math.lcm(*(concurrency.get(channel, 1) for channel in session_channels))
    units = [capacity if channel == "voice" else capacity // concurrency.get(channel, 1) for channel in channels]
    realtime = [[queue for queue in level if channels[queue.contact_type] not in BACKLOG_CHANNELS]
                for level in pool.skill_levels]
    backlog = [[queue for queue in level if channels[queue.contact_type] in BACKLOG_CHANNELS]
               for level in pool.skill_levels]
    pool.enable_sessions(capacity, units, [level for level in realtime if level],
                         [level for level in backlog if level], preempts)
