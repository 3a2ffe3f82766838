"""Schema of the channels a contact comes through and of the channel-specific rules.

* ``channel`` of a contact type: ``voice`` (default), ``chat`` (real time, an
  agent may hold several at once), or the backlog channels ``messaging`` and
  ``email`` (deferred work: items wait, carry over from day to day and are
  worked when agents are free of real-time work, against a deferred target).
* Per contact type: :class:`SilentAbandonment` (chat and messaging customers
  who leave without saying so), :class:`DeferredTarget` (backlog channels),
  :class:`Callback` (voice: virtual hold) and :class:`ChannelSwitch`
  (abandoning callers, or those the AI failed, come back through another
  channel instead of re-dialling).
* ``[channels.<name>]`` (:class:`ChannelSettings`): service-level threshold,
  stretch of handle time per extra concurrent session, platform cost per
  contact and the satisfaction base and wait penalty of the channel.

Cross-field checks (names, channels that fit the rule, targets against the
interval grid) are in :func:`channel_problems`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Literal

from pydantic import Field, model_validator

from .distributions import Distribution
from .errors import Problem, join_path
from .types import Name, NonNegativeReal, PositiveReal, StrictModel

if TYPE_CHECKING:
    from .scenario import Scenario

Channel = Literal["voice", "chat", "messaging", "email"]
CHANNELS: tuple[str, ...] = ("voice", "chat", "messaging", "email")
REALTIME_CHANNELS: tuple[str, ...] = ("voice", "chat")
BACKLOG_CHANNELS: tuple[str, ...] = ("messaging", "email")
SESSION_CHANNELS: tuple[str, ...] = ("chat", "messaging", "email")  # an agent may hold several at once


class SilentAbandonment(StrictModel):
    """A ``share`` of the customers whose patience runs out leave without closing the conversation:
    they stay in the queue, and the agent who picks them up waits ``hold`` for a reply that never
    comes, holding a session slot, before closing it (counted as abandoned when they left)."""

    share: float = Field(ge=0, le=1)
    hold: Distribution = Field(description="How long an agent waits for the silent customer before closing.")


class DeferredTarget(StrictModel):
    """Deferred service target of a backlog channel: ``share`` of items answered within
    ``within_hours`` of arriving, or by the close of the next business day (``by = "next_business_day"``)."""

    within_hours: PositiveReal | None = None
    by: Literal["next_business_day"] | None = None
    share: float = Field(0.9, gt=0, le=1)

    @model_validator(mode="after")
    def _one_deadline(self) -> "DeferredTarget":
        if (self.within_hours is None) == (self.by is None):
            raise ValueError("deferred_target needs exactly one of: within_hours | by")
        return self


class Callback(StrictModel):
    """Virtual hold for a voice contact type.

    A caller about to queue whose expected wait ((waiting + 1) x mean handle
    time / agents on duty for the type) exceeds ``offer_when_wait_above_seconds``
    is offered a callback and accepts with ``accept_probability``. With
    ``mode = "keep_place"`` the callback keeps the caller's place in line and is
    dialled when an agent reaches it, promised at the expected wait quoted; with
    ``"scheduled"`` the caller is promised a call ``promise_minutes`` later and
    the callback joins the head of the line then. A promise is kept when the
    call is dialled no later than the promise plus ``promise_tolerance_seconds``.
    Dialling adds ``dial_seconds`` to the agent's handle time.
    """

    offer_when_wait_above_seconds: NonNegativeReal
    accept_probability: float = Field(ge=0, le=1)
    mode: Literal["keep_place", "scheduled"] = "keep_place"
    promise_minutes: PositiveReal | None = None
    promise_tolerance_seconds: NonNegativeReal = 300.0
    dial_seconds: NonNegativeReal = 15.0

    @model_validator(mode="after")
    def _promise_when_scheduled(self) -> "Callback":
        if self.mode == "scheduled" and self.promise_minutes is None:
            raise ValueError("promise_minutes is required when mode = 'scheduled'")
        return self


class ChannelSwitch(StrictModel):
    """Customers of this type who abandon (``after_abandon``) or give up in the AI (``after_ai_give_up``)
    come back as a contact of type ``to`` (another channel) after ``delay`` instead of trying again here."""

    to: Name
    after_abandon: float = Field(0.0, ge=0, le=1)
    after_ai_give_up: float = Field(0.0, ge=0, le=1)
    delay: Distribution = Field(default_factory=lambda: {"dist": "exponential", "mean": 10.0, "unit": "min"})


class ChannelSettings(StrictModel):
    """Settings of one channel (``[channels.chat]`` ...); every field is optional.

    ``service_level_threshold_seconds``: answered within it counts toward
    service level (default: ``[service_level]``; backlog items with a deferred
    target use that target instead). ``stretch_per_extra_session``: each session's
    handle time runs that much slower for each other session the agent holds at
    the same time (0.25: +25% with two sessions, +50% with three).
    ``cost_per_contact``: platform or carrier fee per contact offered (SMS,
    messaging, chat platform). ``satisfaction``: base score of a contact of this
    channel handled in-house (default ``satisfaction.inhouse``);
    ``wait_penalty_per_minute`` and ``max_wait_penalty`` replace the scenario's
    for this channel.
    """

    service_level_threshold_seconds: NonNegativeReal | None = None
    stretch_per_extra_session: NonNegativeReal = 0.0
    cost_per_contact: NonNegativeReal = 0.0
    satisfaction: float | None = Field(None, ge=0, le=100)
    wait_penalty_per_minute: NonNegativeReal | None = None
    max_wait_penalty: NonNegativeReal | None = None


# --- cross-field checks ------------------------------------------------------------------------

def channel_problems(scenario: "Scenario") -> Iterator[Problem]:
    """Channel rules that do not fit the contact type they are on, names that do not exist,
    concurrency for channels a group does not serve, deferred targets shorter than an interval."""
    channel_of = {contact_type.name: contact_type.channel for contact_type in scenario.contact_types}
    interval_hours = scenario.horizon.interval_minutes / 60.0
    for index, contact_type in enumerate(scenario.contact_types):
        base = join_path("contact_types", index)
        channel = contact_type.channel
        if contact_type.callback is not None and channel != "voice":
            yield Problem(join_path(base, "callback"),
                          f"callbacks are for voice contact types; this one is {channel!r}")
        if contact_type.silent_abandonment is not None and channel not in ("chat", "messaging"):
            yield Problem(join_path(base, "silent_abandonment"),
                          f"silent abandonment is for chat and messaging contact types; this one is {channel!r}")
        target = contact_type.deferred_target
        if target is not None:
            if channel not in BACKLOG_CHANNELS:
                yield Problem(join_path(base, "deferred_target"),
                              f"deferred targets are for backlog channels (messaging, email); this one is {channel!r}")
            if target.within_hours is not None and target.within_hours < interval_hours:
                yield Problem(join_path(base, "deferred_target", "within_hours"),
                              f"{target.within_hours:g} h is shorter than the {scenario.horizon.interval_minutes}-"
                              "minute interval; a deferred target must be at least one interval")
        switch = contact_type.switch
        if switch is not None:
            path = join_path(base, "switch", "to")
            if switch.to not in channel_of:
                yield Problem(path, f"{switch.to!r} is not a contact type (known: {', '.join(sorted(channel_of))})")
            elif channel_of[switch.to] == channel:
                yield Problem(path, f"{switch.to!r} is in the same channel ({channel}); a switch goes to another "
                                    "channel (retrials cover trying again in the same one)")
    yield from _concurrency_problems(scenario, channel_of)
    for name in scenario.channels:
        if name not in CHANNELS:
            yield Problem(join_path("channels", name), f"{name!r} is not a channel (known: {', '.join(CHANNELS)})")


def _concurrency_problems(scenario: "Scenario", channel_of: dict[str, str]) -> Iterator[Problem]:
    teams = [("agent_groups", index, group) for index, group in enumerate(scenario.agent_groups)]
    teams += [("vendors", index, vendor) for index, vendor in enumerate(scenario.vendors)]
    for section, index, team in teams:
        served = {channel_of.get(skill) for skill in team.skills}
        for channel in team.concurrency:
            path = join_path(section, index, "concurrency", channel)
            if channel not in SESSION_CHANNELS:
                yield Problem(path, f"{channel!r} takes no concurrency (allowed: {', '.join(SESSION_CHANNELS)}; "
                                    "voice is always one call at a time)")
            elif channel not in served:
                yield Problem(path, f"the group serves no {channel} contact type")
