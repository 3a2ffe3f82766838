"""The satisfaction score of a contact, given when it ends (model: :class:`sim.config.economics.Satisfaction`).

score = base of who handled it - min(wait penalty per minute x minutes waited
(human queue and AI queue), max wait penalty) - escalation penalty if the AI
escalated it - unresolved penalty if the issue was not resolved - repeat
penalty x earlier attempts, clipped to 0-100; abandoned contacts score the
scenario's ``abandoned`` (human queue) or ``ai_abandoned`` (AI) value.
Contacts still in the system when the run stops have no score.
"""

from __future__ import annotations

from ..config import Scenario


class Scorer:
    """Scores contacts at the moment their outcome is final."""

    __slots__ = ("_inhouse", "_ai", "_vendor_base", "_per_minute", "_max_penalty", "_escalation",
                 "_unresolved", "_repeat", "abandoned", "ai_abandoned", "loyal_at_least", "lost_below")

    def __init__(self, scenario: Scenario) -> None:
        model = scenario.satisfaction
        self._inhouse = model.inhouse
        self._ai = model.ai
        self._vendor_base = {vendor.name: vendor.satisfaction if vendor.satisfaction is not None else model.vendor
                             for vendor in scenario.vendors}
        self._per_minute = model.wait_penalty_per_minute
        self._max_penalty = model.max_wait_penalty
        self._escalation = model.escalation_penalty
        self._unresolved = model.unresolved_penalty
        self._repeat = model.repeat_penalty
        self.abandoned = model.abandoned
        self.ai_abandoned = model.ai_abandoned
        self.loyal_at_least = model.loyal_at_least
        self.lost_below = model.lost_below

    def base(self, handler_kind: str, handler: str) -> float:
        """Score of a contact handled without any penalty, by who handled it."""
        if handler_kind == "inhouse":
            return self._inhouse
        if handler_kind == "ai":
            return self._ai
        return self._vendor_base[handler]

    def penalties(self) -> tuple[float, float, float, float, float]:
        """Wait penalty per minute, its cap, and the escalation, unresolved and per-attempt penalties."""
        return self._per_minute, self._max_penalty, self._escalation, self._unresolved, self._repeat

    def score(self, base: float, waited: float, escalated: bool, resolved: bool, attempt: int) -> float:
        """Score of a contact answered by a human or contained by the AI; ``waited`` in seconds."""
        penalty = self._per_minute * waited / 60.0
        if penalty > self._max_penalty:
            penalty = self._max_penalty
        score = base - penalty
        if escalated:
            score -= self._escalation
        if not resolved:
            score -= self._unresolved
        if attempt:
            score -= self._repeat * attempt
        if score < 0.0:
            return 0.0
        return 100.0 if score > 100.0 else score

    def handled(self, handler_kind: str, handler: str, waited: float, escalated: bool, resolved: bool,
                attempt: int) -> float:
        """:meth:`score` with the base of ``handler``."""
        return self.score(self.base(handler_kind, handler), waited, escalated, resolved, attempt)
