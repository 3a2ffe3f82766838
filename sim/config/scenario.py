"""The scenario schema: every section a scenario file may contain.

Sections are frozen pydantic models that reject unknown keys. Checks that
involve more than one section (names that must exist, shares that must add
up, list lengths that depend on the horizon) live in :mod:`sim.config.checks`
so each error can name the exact field it concerns.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from .agent_groups import AgentGroup
from .channels import AI, AI_HANDLER, RoutingRule, Vendor
from .distributions import Distribution
from .economics import Complaints, CustomerValue, Satisfaction
from .errors import FieldError
from .omnichannel import Callback, Channel, ChannelSettings, ChannelSwitch, DeferredTarget, SilentAbandonment
from .types import (
    Count,
    Description,
    FileReference,
    Integer,
    Label,
    Name,
    NonNegativeReal,
    PositiveCount,
    PositiveReal,
    StrictModel,
    TimeOfDay,
    Weekday,
    exactly_one,
    time_of_day_seconds,
)


class OpeningHours(StrictModel):
    """Hours during which new contacts arrive. ``close`` may be ``24:00``."""

    open: TimeOfDay = "00:00"
    close: TimeOfDay = "24:00"
    closed: bool = Field(False, description="True for a day on which the center is closed.")

    @model_validator(mode="after")
    def _open_before_close(self) -> "OpeningHours":
        if not self.closed and time_of_day_seconds(self.open) >= time_of_day_seconds(self.close):
            raise ValueError(f"open ({self.open}) must be before close ({self.close})")
        return self


class Horizon(StrictModel):
    """Simulated period, interval grid and opening hours.

    ``warmup_minutes`` of simulated time run before day 1 starts, with the
    demand and staffing of the end of a day, and are left out of every KPI.
    Use it for centers open around the clock so day 1 does not start empty.
    After the last day, arrivals stop and the run goes on for at most
    ``drain_minutes`` so contacts in the system can finish; contacts still
    waiting after that are recorded as ``in_system``.
    """

    days: PositiveCount = Field(1, le=366)
    interval_minutes: Literal[15, 30, 60] = 30
    open: TimeOfDay = "00:00"
    close: TimeOfDay = "24:00"
    start_weekday: Weekday = "monday"
    weekday_hours: dict[Weekday, OpeningHours] = Field(
        default_factory=dict, description="Opening hours that differ from open/close on given weekdays."
    )
    warmup_minutes: NonNegativeReal = Field(0.0, le=1440)
    drain_minutes: NonNegativeReal = Field(240.0, le=366 * 1440, description="At most a year.")

    @model_validator(mode="after")
    def _open_before_close(self) -> "Horizon":
        if time_of_day_seconds(self.open) >= time_of_day_seconds(self.close):
            raise ValueError(f"open ({self.open}) must be before close ({self.close})")
        return self


class ServiceLevel(StrictModel):
    """Service targets: results list the intervals and days that miss them; staffing plans for them."""

    threshold_seconds: NonNegativeReal = 20.0
    target: float | None = Field(0.8, gt=0, le=1,
                                 description="Share answered within the threshold that planning aims for.")
    max_abandon_rate: float | None = Field(None, gt=0, lt=1, description="Optional: abandoned / offered to the queue "
                                                                         "should stay at or below this.")
    max_asa_seconds: PositiveReal | None = Field(None, description="Optional: the average speed of answer should "
                                                                   "stay at or below this many seconds.")


class VolumeRow(StrictModel):
    """Expected contacts in one interval; applies to every day unless ``weekday`` or ``day`` narrows it."""

    interval: TimeOfDay
    volume: NonNegativeReal
    weekday: Weekday | None = None
    day: PositiveCount | None = None
    contact_type: Name | None = None


class Demand(StrictModel):
    """Expected arrivals. Give exactly one of:

    * ``volume``: expected contacts per interval for a day (one entry per
      interval of the whole day, or per interval of the opening hours);
    * ``daily_volume`` and ``shape``: a daily total spread over the day in
      proportion to ``shape`` (same length rules as ``volume``);
    * ``volume_file``: CSV with columns ``interval`` (HH:MM) and ``volume``,
      optionally ``weekday``, ``day`` and ``contact_type``;
    * ``rows``: the same rows inline.

    Arrivals are a non-homogeneous Poisson process with that expectation,
    scaled by ``weekday_factors``, ``day_factors`` (cycled over the days) and,
    when ``busyness_cv > 0``, by a gamma-distributed factor per day with mean
    1 and that coefficient of variation.
    """

    volume: list[NonNegativeReal] | None = None
    daily_volume: NonNegativeReal | None = None
    shape: list[NonNegativeReal] | None = None
    volume_file: FileReference | None = None
    rows: list[VolumeRow] | None = None
    weekday_factors: dict[Weekday, NonNegativeReal] = Field(default_factory=dict)
    day_factors: list[NonNegativeReal] = Field(default_factory=list, max_length=366)
    busyness_cv: NonNegativeReal = Field(
        0.0, le=3, description="At most 3 (one day in a hundred would then bring 15 times the mean volume).")

    @model_validator(mode="after")
    def _one_source(self) -> "Demand":
        exactly_one(
            self,
            {"volume": ("volume",), "daily": ("daily_volume", "shape"),
             "file": ("volume_file",), "rows": ("rows",)},
            "demand",
        )
        if self.shape is not None and sum(self.shape) <= 0:
            raise ValueError("demand.shape must have a positive entry")
        return self

    @property
    def types_in_rows(self) -> bool:
        """True when the volume rows carry their own contact type (no shares needed)."""
        return bool(self.rows) and any(row.contact_type is not None for row in self.rows)


class PatienceByQueue(StrictModel):
    """Callers who find a long queue give up sooner: on top of the ``patience`` drawn for it, a caller
    who joins a queue with k contacts already waiting for the same agents (those of the first group
    that serves the type) abandons at ``extra_rate_per_minute[k]`` (the last entry for that many or
    more) during its first ``within_seconds`` of waiting, and at the patience's own hazard only after
    that: the time it waits is the first of its patience and an exponential clock of that rate
    (which counts only if it rings within ``within_seconds``)."""

    within_seconds: PositiveReal = Field(le=86_400)
    extra_rate_per_minute: list[NonNegativeReal] = Field(
        min_length=1, description="Extra abandonment rate per minute by contacts waiting at arrival (0, 1, ...).")


class ContactType(StrictModel):
    """A reason for contact (intent) through one channel. ``share`` splits the total volume unless the
    demand rows give volume per contact type. No ``patience`` means customers never abandon.

    The channel-specific rules (:mod:`.omnichannel`) are ``silent_abandonment`` (chat, messaging),
    ``deferred_target`` (messaging, email), ``callback`` (voice) and ``switch``.
    """

    name: Name
    channel: Channel = "voice"
    share: float | None = Field(None, gt=0, le=1)
    handle_time: Distribution
    handle_time_by_time_of_day: dict[TimeOfDay, PositiveReal] | None = Field(
        None, description='Factor on the handle time of contacts arriving from each time of day on, e.g. '
                          '{"07:00" = 0.8, "09:00" = 1.05}; 1 before the first time listed.')
    after_call_work: Distribution | None = None
    patience: Distribution | None = None
    patience_by_queue: PatienceByQueue | None = None
    queue_boost_seconds: NonNegativeReal = Field(
        0.0, le=86_400, description="An agent who serves several types at the same skill priority takes this "
                                    "type's callers as if they had waited that much longer than other types' "
                                    "(added to a segment's boost).")
    segment_shares: dict[Name, float] | None = Field(
        None, description="Segment mix of this type (adds up to 1), instead of the segments' own shares.")
    silent_abandonment: SilentAbandonment | None = None
    deferred_target: DeferredTarget | None = None
    callback: Callback | None = None
    switch: ChannelSwitch | None = None

    @model_validator(mode="after")
    def _queue_patience_on_calls(self) -> "ContactType":
        if self.patience_by_queue is not None and self.channel != "voice":
            raise FieldError("patience_by_queue", f"applies to calls in a queue, not to the {self.channel} channel")
        return self


class Segment(StrictModel):
    """A customer segment. Higher ``priority`` is served first in a shared queue;
    ``queue_boost_seconds`` moves a segment ahead as if it had waited that much longer."""

    name: Name
    share: float = Field(gt=0, le=1)
    priority: Integer = 0
    queue_boost_seconds: NonNegativeReal = 0.0
    patience_multiplier: PositiveReal = 1.0


class Retrial(StrictModel):
    """Share of abandoning customers who call again after ``delay`` (up to ``max_attempts`` in all)."""

    probability: float = Field(0.0, ge=0, le=1)
    delay: Distribution | None = None
    max_attempts: PositiveCount = Field(3, le=100)

    @model_validator(mode="after")
    def _delay_when_used(self) -> "Retrial":
        if self.probability > 0 and self.delay is None:
            raise ValueError("retrial.delay is required when retrial.probability > 0")
        return self


class RepeatContacts(StrictModel):
    """Customers whose issue was not resolved (a human did not fix it, or the AI only
    seemed to) contact again after ``delay``, at most ``max_repeats`` times each."""

    delay: Distribution = Field(
        default_factory=lambda: {"dist": "exponential", "mean": 2.0, "unit": "h"})
    max_repeats: Count = Field(2, le=100)
    opening_spread_minutes: NonNegativeReal = Field(
        60.0, le=24 * 60,
        description="Follow-ups (repeats, retrials, channel switches) due while a real-time channel is "
                    "closed arrive spread evenly over this many minutes after it next opens (within that "
                    "open stretch); 0 puts them all at the opening instant.")


class Costs(StrictModel):
    fixed_per_day: NonNegativeReal = Field(0.0, description="Systems, facilities and overhead per simulated day.")
    fixed_cost_driver: Literal["contacts", "minutes"] = Field(
        "contacts", description="How cost to serve shares fixed cost: by contacts offered or minutes handled.")


class Scenario(StrictModel):
    """A contact-center scenario: demand, the people who serve it, and what it costs."""

    name: Label = "scenario"
    description: Description = ""
    currency: str = Field("EUR", pattern=r"^[A-Z]{3}$", description="ISO 4217 code for every money field.")
    horizon: Horizon = Field(default_factory=Horizon)
    service_level: ServiceLevel = Field(default_factory=ServiceLevel)
    demand: Demand
    contact_types: list[ContactType] = Field(min_length=1)
    segments: list[Segment] = Field(default_factory=lambda: [Segment(name="standard", share=1.0)], min_length=1)
    retrial: Retrial = Field(default_factory=Retrial)
    repeat_contacts: RepeatContacts = Field(default_factory=RepeatContacts)
    agent_groups: list[AgentGroup] = Field(default_factory=list)
    ai: AI | None = None
    vendors: list[Vendor] = Field(default_factory=list)
    routing: list[RoutingRule] | None = Field(
        None, description="Ordered routing rules; without them, contacts the AI handles go to it first.")
    satisfaction: Satisfaction = Field(default_factory=Satisfaction)
    channels: dict[str, ChannelSettings] = Field(
        default_factory=dict, description="Per channel (voice, chat, messaging, email): thresholds, stretch, "
                                          "platform cost, satisfaction.")
    complaints: Complaints = Field(default_factory=Complaints)
    value: CustomerValue | None = None
    costs: Costs = Field(default_factory=Costs)

    def contact_type_names(self) -> list[str]:
        return [contact_type.name for contact_type in self.contact_types]

    def routing_rules(self) -> list[RoutingRule]:
        """The routing rules in force: the scenario's own, else AI first (for the contacts it handles) when
        there is an AI, else none (every contact to the in-house groups or the vendor serving its type)."""
        if self.routing is not None:
            return list(self.routing)
        return [RoutingRule(name="ai_first", to=AI_HANDLER)] if self.ai is not None else []

    def type_channels(self) -> list[str]:
        """The channel of each contact type, in contact-type order."""
        return [contact_type.channel for contact_type in self.contact_types]

    def service_level_thresholds(self) -> list[float]:
        """Service-level threshold of each contact type (seconds): its channel's, else the scenario's."""
        default = self.service_level.threshold_seconds
        own = [self.channel_settings(channel).service_level_threshold_seconds for channel in self.type_channels()]
        return [default if value is None else value for value in own]

    def channel_settings(self, channel: str) -> ChannelSettings:
        """``[channels.<channel>]``, or the defaults when the scenario does not set it."""
        return self.channels.get(channel) or _DEFAULT_CHANNEL


_DEFAULT_CHANNEL = ChannelSettings()
