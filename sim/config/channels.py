"""Schema of the non-human and outsourced channels and of routing between them.

* ``[ai]``: an AI virtual agent (bot/IVR) with limited concurrent sessions and,
  per contact type, the chances that it resolves, escalates or loses a contact.
* ``[[vendors]]``: outsourced (BPO) partners with their own seats, queues,
  quality and price.
* ``[[routing]]``: ordered rules deciding where each contact goes.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator, model_validator

from .distributions import Distribution
from .types import (
    AgentCount,
    Count,
    Name,
    NonNegativeReal,
    PositiveCount,
    PositiveReal,
    Sessions,
    StrictModel,
    skills_from_list,
)

_PROBABILITY_TOLERANCE = 1e-9


class AIOutcome(StrictModel):
    """What the AI does with one contact type.

    ``containment`` + ``escalation`` + ``give_up`` = 1 (``give_up`` defaults to
    the remainder). With ``containment_start`` the containment rises linearly
    from that value on day 1 to ``containment`` on the last day (a rollout);
    the difference is escalated. ``false_containment`` is the share of
    contained contacts that were not really resolved and come back later as
    repeat contacts.

    Over-reach: ``automatable_share`` is the share of the type's contacts
    the AI can genuinely resolve (default 1: all of them, the containment
    taken at face value). Containment asked above it does not resolve more:
    of the excess, ``excess_false_share`` is falsely contained (the AI
    reports it resolved; it was not, and the customer comes back) and the
    rest escalated after a frustrating session. Per AI session, with
    containment c and automatable share a (c > a):

        genuinely contained   a x (1 - false_containment)
        falsely contained     a x false_containment + (c - a) x excess_false_share
        frustrated escalation (c - a) x (1 - excess_false_share)
        escalated, given up   as asked

    The contacts of the excess are those whose outcome draw falls between a
    and c, so raising c converts exactly the next contacts (common random
    numbers), and a >= c is exactly the model without over-reach. An issue
    the AI over-reached on stays beyond it: when that customer comes back,
    a containment draw is over-reach again, never a genuine resolution.
    """

    containment: float = Field(ge=0, le=1)
    escalation: float = Field(ge=0, le=1)
    give_up: float | None = Field(None, ge=0, le=1)
    containment_start: float | None = Field(None, ge=0, le=1)
    false_containment: float = Field(0.0, ge=0, le=1)
    automatable_share: float = Field(
        1.0, ge=0, le=1, description="Share of contacts the AI can genuinely resolve; containment asked above it "
                                     "turns into false containment and frustrated escalations.")
    excess_false_share: float = Field(
        0.5, ge=0, le=1, description="Share of the containment above automatable_share that is falsely contained "
                                     "(the rest is escalated after a frustrating session).")
    session_time: Distribution | None = Field(None, description="Overrides ai.session_time for this type.")

    @model_validator(mode="after")
    def _probabilities_add_up(self) -> "AIOutcome":
        total = self.containment + self.escalation + (self.give_up or 0.0)
        if total > 1 + _PROBABILITY_TOLERANCE:
            raise ValueError(f"containment + escalation + give_up = {total:g}; they must add up to 1")
        if self.give_up is not None and abs(total - 1) > _PROBABILITY_TOLERANCE:
            raise ValueError(f"containment + escalation + give_up = {total:g}; they must add up to 1")
        if self.containment_start is not None and self.containment_start > self.containment:
            raise ValueError(f"containment_start ({self.containment_start:g}) must not exceed containment "
                             f"({self.containment:g}): the ramp rises to containment")
        return self

    @property
    def give_up_probability(self) -> float:
        return self.give_up if self.give_up is not None else max(0.0, 1.0 - self.containment - self.escalation)


class AI(StrictModel):
    """An AI virtual agent. A contact routed to it that finds every session busy
    goes straight to the human route (``when_full = "human"``) or waits for a
    session (``"wait"``, patience applies)."""

    capacity: PositiveCount = Field(description="Concurrent sessions (licences or ports).")
    when_full: Literal["human", "wait"] = "human"
    session_time: Distribution
    contact_types: dict[Name, AIOutcome] = Field(min_length=1, description="Contact types the AI handles.")
    segments: list[Name] | None = Field(None, description="Segments that may use the AI (default: all).")
    escalation_handle_time_multiplier: PositiveReal = Field(
        1.0, description="Human handle time of escalated contacts (>1: the customer repeats everything).")
    cost_per_session: NonNegativeReal = 0.0
    cost_per_minute: NonNegativeReal = 0.0
    fixed_cost_per_day: NonNegativeReal = Field(0.0, description="Platform, licences and maintenance.")


class VendorPrice(StrictModel):
    """``per_contact`` (handled contacts), ``per_minute`` (handled minutes incl. after-call work)
    or ``per_seat_hour`` (contracted seat hours, used or not); the monthly minimum is
    prorated over the simulated days (30-day month)."""

    model: Literal["per_contact", "per_minute", "per_seat_hour"]
    rate: NonNegativeReal
    monthly_minimum: NonNegativeReal = 0.0


class Vendor(StrictModel):
    """An outsourced partner with its own queue per contact type and ``seats`` agents."""

    name: Name
    skills: dict[Name, PositiveCount]
    seats: AgentCount | None = None
    seats_per_interval: list[AgentCount] | None = None
    handle_time_multiplier: PositiveReal = 1.0
    first_contact_resolution: float = Field(0.92, gt=0, le=1, description="Unresolved contacts come back as repeats.")
    satisfaction: float | None = Field(None, ge=0, le=100,
                                       description="Base score when this vendor resolves a contact.")
    price: VendorPrice
    concurrency: dict[Name, Sessions] = Field(
        default_factory=dict, description="Sessions a seat holds at once per channel (chat, messaging, email).")

    _normalise_skills = field_validator("skills", mode="before")(skills_from_list)

    @model_validator(mode="after")
    def _one_seat_source(self) -> "Vendor":
        if (self.seats is None) == (self.seats_per_interval is None):
            raise ValueError("vendor needs exactly one of: seats | seats_per_interval")
        return self


Origin = Literal["new", "retrial", "repeat", "escalated", "switched"]

# Who handles a contact (the records' ``handler_kind``), and the reserved routing destinations.
INHOUSE, VENDOR, AI_HANDLER = "inhouse", "vendor", "ai"
HANDLER_KINDS: tuple[str, ...] = (INHOUSE, VENDOR, AI_HANDLER)


class RoutingRule(StrictModel):
    """Send matching contacts ``to`` "ai", "inhouse", a dedicated agent group's name or a vendor's name.

    Rules are tried in order; the first whose conditions all hold decides.
    Static conditions: ``contact_types``, ``segments``, ``origins``.
    Dynamic ones look at the in-house queue of the contact's type at that
    moment: ``queue_longer_than`` (contacts waiting), ``expected_wait_above_seconds``
    (0 when an agent who can take it is idle, else (waiting + 1) x mean handle
    time / agents on duty for that type) and
    ``oldest_wait_above_seconds`` (wait of the contact at the head of the queue).
    ``share`` sends that fraction of otherwise matching contacts (a fixed split).
    Rules to "ai" apply only to contacts the AI handles, and only before they
    have been to the AI; rules to a vendor only to types the vendor serves.
    """

    name: Name | None = None
    to: Name
    contact_types: list[Name] | None = None
    segments: list[Name] | None = None
    origins: list[Origin] | None = None
    queue_longer_than: Count | None = None
    expected_wait_above_seconds: NonNegativeReal | None = None
    oldest_wait_above_seconds: NonNegativeReal | None = None
    share: float | None = Field(None, gt=0, le=1)

    def label(self, index: int) -> str:
        return self.name or f"rule{index + 1}_{self.to}"

