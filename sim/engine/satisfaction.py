"""The satisfaction score of a contact, given when it ends (model: :class:`sim.config.economics.Satisfaction`).

score = base of who handled it - min(wait penalty per minute x minutes waited
(human queue and AI queue), max wait penalty) - escalation penalty if the AI
escalated it (plus the frustration penalty when it escalated after trying
beyond what it can resolve) - unresolved penalty if the issue was not resolved - repeat
penalty x earlier attempts, clipped to 0-100; abandoned contacts score the
scenario's ``abandoned`` (human queue) or ``ai_abandoned`` (AI) value.
Contacts still in the system when the run stops have no score.

A channel may set its own in-house base (``[channels.<name>] satisfaction``)
and wait penalty (``wait_penalty_per_minute``, ``max_wait_penalty``); the
other parameters are the scenario's.
"""

from __future__ import annotations

from ..config import Scenario


class Scorer:
    """Scores contacts at the moment their outcome is final."""

    __slots__ = ("_inhouse", "_ai", "_vendor_base", "_per_minute", "_max_penalty", "_escalation",
                 "_unresolved", "_repeat", "abandoned", "ai_abandoned", "loyal_at_least", "lost_below",
                 "_channel_inhouse", "_channel_penalty", "type_channels", "frustration_penalty")

    def __init__(self, scenario: Scenario) -> None:
        model = scenario.satisfaction
        self._inhouse = model.inhouse
        self._ai = model.ai
        self._vendor_base = {vendor.name: vendor.satisfaction if vendor.satisfaction is not None else model.vendor
                             for vendor in scenario.vendors}
        self.type_channels = scenario.type_channels()
        self._channel_inhouse: dict[str, float] = {}
        self._channel_penalty: dict[str, tuple[float, float]] = {}
        for channel in set(self.type_channels) | {"voice"}:
            settings = scenario.channel_settings(channel)
            own = settings.satisfaction
            self._channel_inhouse[channel] = own if own is not None else model.inhouse
            self._channel_penalty[channel] = (
                settings.wait_penalty_per_minute if settings.wait_penalty_per_minute is not None
                else model.wait_penalty_per_minute,
                settings.max_wait_penalty if settings.max_wait_penalty is not None else model.max_wait_penalty)
        self._per_minute, self._max_penalty = self._channel_penalty["voice"]
        self._escalation = model.escalation_penalty
        self.frustration_penalty = model.frustration_penalty
        self._unresolved = model.unresolved_penalty
        self._repeat = model.repeat_penalty
        self.abandoned = model.abandoned
        self.ai_abandoned = model.ai_abandoned
        self.loyal_at_least = model.loyal_at_least
        self.lost_below = model.lost_below

    def base(self, handler_kind: str, handler: str, channel: str = "voice") -> float:
        """Score of a contact of ``channel`` handled without any penalty, by who handled it."""
        if handler_kind == "inhouse":
            return self._channel_inhouse.get(channel, self._inhouse)
        if handler_kind == "ai":
            return self._ai
        return self._vendor_base[handler]

    def penalties(self) -> tuple[float, float, float, float, float]:
        """Wait penalty per minute, its cap (of calls), and the escalation, unresolved and per-attempt penalties."""
        return self._per_minute, self._max_penalty, self._escalation, self._unresolved, self._repeat

    def wait_penalty(self, contact_type: int) -> tuple[float, float]:
        """Wait penalty per minute and its cap for a contact type's channel."""
        return self._channel_penalty[self.type_channels[contact_type]]

    def score(self, base: float, waited: float, escalated: bool, resolved: bool, attempt: int,
              contact_type: int | None = None, frustrated: bool = False) -> float:
        """Score of a contact answered by a human or contained by the AI; ``waited`` in seconds
        (penalised as the contact type's channel says; calls without a type)."""
        per_minute, cap = (self._per_minute, self._max_penalty) if contact_type is None else \
            self._channel_penalty[self.type_channels[contact_type]]
        penalty = per_minute * waited / 60.0
        if penalty > cap:
            penalty = cap
        score = base - penalty
        if escalated:
            score -= self._escalation
            if frustrated:
                score -= self.frustration_penalty
        if not resolved:
            score -= self._unresolved
        if attempt:
            score -= self._repeat * attempt
        if score < 0.0:
            return 0.0
        return 100.0 if score > 100.0 else score

    def handled(self, handler_kind: str, handler: str, waited: float, escalated: bool, resolved: bool,
                attempt: int, contact_type: int | None = None, frustrated: bool = False) -> float:
        """:meth:`score` with the base of ``handler`` (for the contact type's channel)."""
        channel = "voice" if contact_type is None else self.type_channels[contact_type]
        return self.score(self.base(handler_kind, handler, channel), waited, escalated, resolved, attempt,
                          contact_type, frustrated)
