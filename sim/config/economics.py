"""Schema of the satisfaction, customer-value and training-effect models."""

from __future__ import annotations

import math
from dataclasses import dataclass

from pydantic import Field, model_validator

from .types import Name, NonNegativeReal, PositiveReal, StrictModel


def Score(default: float):  # noqa: N802 - reads like a type in the field list
    return Field(default, ge=0, le=100)


class Satisfaction(StrictModel):
    """Per-contact satisfaction score, 0-100.

    score = base of who handled it (``inhouse``, ``ai``, the vendor's own
    ``satisfaction`` or ``vendor``) - min(``wait_penalty_per_minute`` x minutes
    waited, ``max_wait_penalty``) - ``escalation_penalty`` if the AI escalated it
    (and ``frustration_penalty`` more when it did so after trying beyond what
    it can resolve, see ``automatable_share``) - ``unresolved_penalty`` if it
    did not resolve the issue - ``repeat_penalty``
    x earlier attempts of the same customer; clipped to 0-100. Contacts
    abandoned in a human queue score ``abandoned``, in the AI ``ai_abandoned``.
    A score >= ``loyal_at_least`` counts as loyal, < ``lost_below`` as lost.
    """

    inhouse: float = Score(90.0)
    ai: float = Score(80.0)
    vendor: float = Score(75.0)
    wait_penalty_per_minute: NonNegativeReal = 2.0
    max_wait_penalty: NonNegativeReal = 40.0
    escalation_penalty: NonNegativeReal = 8.0
    frustration_penalty: NonNegativeReal = 10.0
    unresolved_penalty: NonNegativeReal = 30.0
    repeat_penalty: NonNegativeReal = 10.0
    abandoned: float = Score(25.0)
    ai_abandoned: float = Score(35.0)
    loyal_at_least: float = Score(85.0)
    lost_below: float = Score(50.0)

    @model_validator(mode="after")
    def _thresholds_ordered(self) -> "Satisfaction":
        if self.lost_below > self.loyal_at_least:
            raise ValueError(f"lost_below ({self.lost_below:g}) must not exceed "
                             f"loyal_at_least ({self.loyal_at_least:g})")
        return self


class Complaints(StrictModel):
    """Chance that a contact ends in a formal complaint, from what happened to it.

    Causes add independent chances: p = 1 - (1 - ``base``) x (1 - ``unresolved``
    if a human did not resolve it) x (1 - ``false_containment`` if the AI
    claimed to resolve it and did not) x (1 - ``frustrated_escalation`` if the
    AI tried beyond what it can do and then handed over) x (1 - ``long_wait``
    if it waited ``long_wait_seconds`` or more, in the AI and human queues
    together) x (1 - ``abandoned`` if it hung up) x (1 - ``repeat``)^(earlier
    unresolved contacts about the same issue). The complaint KPI counts the
    expected complaints (the sum of these chances), which needs no random
    draws. The defaults are calibrated so that over the bundled week the
    AI-first center (``ai_first_70.toml``) has about 5% complaints per contact
    and the same center with the AI over-reaching on every contact type
    (``over_automation.toml``) about 12%, the case in the texts (an airline,
    complaints from 5% to 12%); the in-house baseline has about 6%.
    """

    base: float = Field(0.01, ge=0, le=1)
    unresolved: float = Field(0.08, ge=0, le=1)
    false_containment: float = Field(0.25, ge=0, le=1)
    frustrated_escalation: float = Field(0.15, ge=0, le=1)
    long_wait: float = Field(0.05, ge=0, le=1)
    long_wait_seconds: NonNegativeReal = 300.0
    abandoned: float = Field(0.05, ge=0, le=1)
    repeat: float = Field(0.08, ge=0, le=1)

    def chance(self, unresolved: bool, falsely_contained: bool, frustrated: bool, waited: float,
               abandoned: bool, repeats: int) -> float:
        """The chance of a complaint for one contact (see the class docstring)."""
        keep = 1.0 - self.base
        if unresolved:
            keep *= 1.0 - self.unresolved
        if falsely_contained:
            keep *= 1.0 - self.false_containment
        if frustrated:
            keep *= 1.0 - self.frustrated_escalation
        if waited >= self.long_wait_seconds:
            keep *= 1.0 - self.long_wait
        if abandoned:
            keep *= 1.0 - self.abandoned
        if repeats:
            keep *= (1.0 - self.repeat) ** repeats
        return 1.0 - keep


class TrainingEffect(StrictModel):
    """What ongoing training (``training_cost_per_agent_day``) does for a group's agents.

    Training works with diminishing returns: spending ``s`` per agent-day
    realises the share ``f(s) = s / (s + half_effect_cost_per_agent_day)`` of
    the full effect. The group's handle times and first-contact resolution
    are those measured at ``reference_cost_per_agent_day`` (default 0: an
    untrained team), so only spend that differs from the reference changes them:

    * handle time x ``(1 + handle_time x f(s)) / (1 + handle_time x f(ref))``;
    * first-contact resolution + ``first_contact_resolution x (f(s) - f(ref))``, kept within 0-1.
    """

    handle_time: float = Field(
        0.0, gt=-1, le=0, description="Relative change of handle time at full effect, e.g. -0.15.")
    first_contact_resolution: float = Field(0.0, ge=0, le=1, description="Points of FCR gained at full effect.")
    half_effect_cost_per_agent_day: PositiveReal = Field(
        description="Spend per agent-day giving half the full effect.")
    reference_cost_per_agent_day: NonNegativeReal = Field(
        0.0, description="Spend at which the group's handle times and FCR were measured.")

    def realised(self, cost_per_agent_day: float) -> float:
        """Share of the full effect realised at a spend per agent-day."""
        return cost_per_agent_day / (cost_per_agent_day + self.half_effect_cost_per_agent_day)

    def handle_time_factor(self, cost_per_agent_day: float) -> float:
        """Multiplier on handle time at a spend, relative to the reference spend."""
        return ((1.0 + self.handle_time * self.realised(cost_per_agent_day))
                / (1.0 + self.handle_time * self.realised(self.reference_cost_per_agent_day)))

    def resolution_change(self, cost_per_agent_day: float) -> float:
        """Points of first-contact resolution gained (lost, if negative) against the reference spend."""
        return self.first_contact_resolution * (self.realised(cost_per_agent_day)
                                                - self.realised(self.reference_cost_per_agent_day))


class SegmentValue(StrictModel):
    """Customer base and economics of one segment; unset fields take the ``[value]`` defaults."""

    customers: NonNegativeReal | None = Field(None, description="Customers of the segment (the base at risk).")
    churn_rate: float | None = Field(
        None, ge=0, lt=1, description="Yearly churn probability before the center's effect.")
    revenue_per_customer_year: NonNegativeReal | None = None


class CustomerValue(StrictModel):
    """Customers kept and what they are worth (see :mod:`analysis.metrics.value` for the formulas).

    Per segment: a customer base ``customers`` (given per segment, or the total
    ``customers`` split by the segments' shares), a yearly ``churn_rate`` and a
    yearly revenue per customer. Every contact scored "lost" raises its
    customer's churn probability by ``lost_churn_increase``, every contact scored
    "loyal" lowers it by ``loyal_churn_decrease``; the simulated days are
    annualised with ``days_per_year``. CLV counts at most ``loyalty_years`` of
    revenue, weighted by the chance of still being a customer and discounted at
    ``discount_rate``.
    """

    customers: NonNegativeReal | None = Field(
        None, description="Total customer base, split between segments by their shares (unless given per segment).")
    churn_rate: float = Field(0.15, ge=0, lt=1, description="Yearly churn probability (default for every segment).")
    revenue_per_customer_year: NonNegativeReal | None = Field(
        None, description="Yearly revenue (or margin) per customer (default for every segment).")
    segments: dict[Name, SegmentValue] = Field(default_factory=dict)
    discount_rate: float = Field(0.08, ge=0, lt=1)
    loyalty_years: PositiveReal = Field(3.0, le=100, description="Years of revenue a customer lifetime value counts.")
    lost_churn_increase: float = Field(0.20, ge=0, le=1)
    loyal_churn_decrease: float = Field(0.02, ge=0, le=1)
    days_per_year: PositiveReal = Field(
        365.0, le=366,
        description="Days a year the simulated days stand for (e.g. 250 for a Monday-to-Friday horizon).")

    def segment(self, name: str, share: float) -> "SegmentEconomics":
        """Customers, churn and revenue of a scenario segment with the given share of contacts."""
        own = self.segments.get(name, SegmentValue())
        customers = own.customers if own.customers is not None else (
            self.customers * share if self.customers is not None else None)
        revenue = own.revenue_per_customer_year if own.revenue_per_customer_year is not None \
            else self.revenue_per_customer_year
        churn = own.churn_rate if own.churn_rate is not None else self.churn_rate
        if customers is None or revenue is None:
            raise ValueError(f"segment {name!r} has no customer base or revenue")
        return SegmentEconomics(customers, churn, revenue,
                                clv(revenue, self.discount_rate, self.loyalty_years, churn))

    def missing(self, name: str) -> list[str]:
        """Fields a scenario segment lacks (neither given for it nor as a default)."""
        own = self.segments.get(name, SegmentValue())
        lacking = []
        if own.customers is None and self.customers is None:
            lacking.append("customers")
        if own.revenue_per_customer_year is None and self.revenue_per_customer_year is None:
            lacking.append("revenue_per_customer_year")
        return lacking


@dataclass(frozen=True)
class SegmentEconomics:
    customers: float
    churn_rate: float
    revenue_per_customer_year: float
    lifetime_value: float


def clv(revenue_per_year: float, discount_rate: float, years: float, churn_rate: float = 0.0) -> float:
    """Customer lifetime value: R x sum over years t = 1..n of (1 - c)^(t-1) / (1 + i)^t.

    Revenue ``R`` comes at the end of each year the customer is still there;
    they stay from one year to the next with probability ``1 - c``. Closed
    form ``R / (1 + i) x (1 - q^n) / (1 - q)`` with ``q = (1 - c) / (1 + i)``,
    valid for fractional ``n``; ``R x n`` when ``q = 1``. Without churn this
    is the annuity ``R (1 - (1 + i)^-n) / i``.
    """
    q = (1.0 - churn_rate) / (1.0 + discount_rate)
    if math.isclose(q, 1.0):
        return revenue_per_year * years
    return revenue_per_year / (1.0 + discount_rate) * (1.0 - math.pow(q, years)) / (1.0 - q)
