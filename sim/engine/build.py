"""Parts of the engine set up once, when it is built: the groups' availability models and break rules,
and per contact type what the arrival path may skip (see :meth:`.model.Engine.run` and ``_arrive``)."""

from __future__ import annotations

from collections.abc import Callable

from ..agent_plans import GroupPlan
from ..calendar import Calendar
from ..config import Scenario
from ..random import RandomStreams
from .agents import Agent, AgentPool
from .availability import AvailabilityRule
from .breaks import BreakRule
from .clock import Clock
from .destinations import HumanDestination
from .processes import staffing_changed


def attach_availability(scenario: Scenario, destinations: list[HumanDestination], streams: RandomStreams,
                        clock: Clock, seek: Callable[[Agent], None]) -> None:
    """Attach each group's availability model; a model with a recall is woken when a type it serves queues
    (``destination.recall_rules[t]``)."""
    models = {group.name: group.availability for group in scenario.agent_groups if group.availability}
    for destination in destinations:
        for pool in destination.pools:
            availability = models.get(pool.name) if pool.kind == "inhouse" else None
            if availability is None:
                continue
            rule = AvailabilityRule(pool, availability, streams, clock, seek)
            if availability.recall is not None:
                for level in pool.skill_levels:
                    for queue in level:
                        destination.recall_rules[queue.contact_type].append(rule)


def attach_break_rules(scenario: Scenario, pools: list[AgentPool], plans: list[GroupPlan], calendar: Calendar,
                       clock: Clock) -> None:
    """Groups that defer breaks while the queue is long take their breaks themselves (see :mod:`.breaks`)."""
    plan_of = {plan.name: plan for plan in plans if plan.kind == "inhouse"}
    for group in scenario.agent_groups:
        if group.break_deferral is None:
            continue
        pool = next(pool for pool in pools if pool.kind == "inhouse" and pool.name == group.name)
        pool.break_rule = BreakRule(pool, group.shrinkage, group.break_deferral.defer_while_queue_above,
                                    calendar.horizon_seconds, clock, staffing_changed)
        pool.break_rule.schedule(plan_of[group.name].breaks)


def types_handled_inline(direct: list[HumanDestination | None]) -> list[bool]:
    """Per contact type: can its first attempts be handled ahead of the clock? Those going straight to a
    destination (``direct[t]``) where no surge or recall rule watches their queue."""
    return [destination is not None and not destination.surge_pools[index] and not destination.recall_rules[index]
            for index, destination in enumerate(direct)]


def first_pools(direct: list[HumanDestination | None], offered_as_calls: list[bool]) -> list[AgentPool | None]:
    """Per contact type: the pool a call going straight to its destination tries first, when that pool is
    alone on the type's first skill level (None otherwise, and for types not offered as calls)."""
    first = []
    for contact_type, destination in enumerate(direct):
        levels = destination.levels_for_type[contact_type] if destination is not None else []
        alone = offered_as_calls[contact_type] and levels and len(levels[0]) == 1
        first.append(levels[0][0] if alone else None)
    return first
