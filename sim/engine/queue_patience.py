"""Callers who find a long queue give up sooner (a contact type's ``patience_by_queue``).

A caller who joins a queue with k contacts already waiting for the same
agents abandons, during its first ``within_seconds`` of waiting, at its
patience's own hazard plus ``extra_rate_per_minute[k]`` (the last entry for k
at or beyond the list's end): the two risks compete, so the time it is
willing to wait is min(patience, E) with E exponential of that extra rate,
where E counts only when it falls within ``within_seconds``. After that the
patience's own hazard is all that remains. Measured on the Anonymous Bank
log, where the hazard of hanging up in the first two minutes grows with the
callers waiting at arrival and is the same as everyone's after them
(:mod:`analysis.calibration.patience_queue`).
"""

from __future__ import annotations

from ..config import Scenario
from ..random import BufferedDraws, RandomStreams
from .agents import AgentPool


class QueuePatience:
    """The rule of one contact type: its extra rates (per second) and its own stream of draws."""

    __slots__ = ("within", "rates", "last", "draws")

    def __init__(self, within_seconds: float, rates_per_minute: list[float], draws: BufferedDraws) -> None:
        self.within = within_seconds
        self.rates = tuple(rate / 60.0 for rate in rates_per_minute)
        self.last = len(self.rates) - 1
        self.draws = draws

    def patience(self, patience: float, levels: list[list[AgentPool]]) -> float:
        """The patience of a caller joining the queue now, given the one drawn for it; ``levels``: the
        destination's groups for its type by skill priority (the first group's queue is the one it finds)."""
        waiting = levels[0][0].waiting_for_skills() if levels else 0
        rate = self.rates[waiting if waiting < self.last else self.last]
        if rate <= 0.0:
            return patience
        extra = self.draws.next() / rate
        return extra if extra < self.within and extra < patience else patience


def queue_patience_rules(scenario: Scenario, streams: RandomStreams) -> list[QueuePatience | None]:
    """Per contact type, its rule or None. Each type draws from its own stream, so scenarios without
    the rule keep every draw they had."""
    rules: list[QueuePatience | None] = []
    for contact_type in scenario.contact_types:
        rule = contact_type.patience_by_queue
        if rule is None:
            rules.append(None)
            continue
        draws = BufferedDraws(streams.get(f"patience_by_queue/{contact_type.name}"),
                              lambda generator, size: generator.exponential(1.0, size))
        rules.append(QueuePatience(rule.within_seconds, rule.extra_rate_per_minute, draws))
    return rules
