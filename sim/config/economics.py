"""Schema of the satisfaction and customer-value models (used by the KPIs)."""

from __future__ import annotations

import math

from pydantic import Field, NonNegativeFloat, PositiveFloat, model_validator

from .types import StrictModel


def Score(default: float):  # noqa: N802 - reads like a type in the field list
    return Field(default, ge=0, le=100)


class Satisfaction(StrictModel):
    """Per-contact satisfaction score, 0-100.

    score = base of who handled it (``inhouse``, ``ai``, the vendor's own
    ``satisfaction`` or ``vendor``) - min(``wait_penalty_per_minute`` x minutes
    waited, ``max_wait_penalty``) - ``escalation_penalty`` if the AI escalated it
    - ``unresolved_penalty`` if it did not resolve the issue - ``repeat_penalty``
    x earlier attempts of the same customer; clipped to 0-100. Contacts
    abandoned in a human queue score ``abandoned``, in the AI ``ai_abandoned``.
    A score >= ``loyal_at_least`` counts as loyal, < ``lost_below`` as lost.
    """

    inhouse: float = Score(90.0)
    ai: float = Score(80.0)
    vendor: float = Score(75.0)
    wait_penalty_per_minute: NonNegativeFloat = 2.0
    max_wait_penalty: NonNegativeFloat = 40.0
    escalation_penalty: NonNegativeFloat = 8.0
    unresolved_penalty: NonNegativeFloat = 30.0
    repeat_penalty: NonNegativeFloat = 10.0
    abandoned: float = Score(25.0)
    ai_abandoned: float = Score(35.0)
    loyal_at_least: float = Score(85.0)
    lost_below: float = Score(50.0)

    @model_validator(mode="after")
    def _thresholds_ordered(self) -> "Satisfaction":
        if self.lost_below > self.loyal_at_least:
            raise ValueError(f"lost_below ({self.lost_below:g}) must not exceed loyal_at_least ({self.loyal_at_least:g})")
        return self


class CustomerValue(StrictModel):
    """Value of keeping customers: CLV = R(1 - (1 + i)^-n) / i per loyal contact, lost per lost contact."""

    revenue_per_customer_year: NonNegativeFloat
    discount_rate: float = Field(0.08, ge=0, lt=1)
    loyalty_years: PositiveFloat = 3.0

    @property
    def lifetime_value(self) -> float:
        return clv(self.revenue_per_customer_year, self.discount_rate, self.loyalty_years)


def clv(revenue_per_year: float, discount_rate: float, years: float) -> float:
    """Customer lifetime value R(1 - (1 + i)^-n) / i (R x n when i = 0)."""
    if discount_rate == 0:
        return revenue_per_year * years
    return revenue_per_year * (1.0 - math.pow(1.0 + discount_rate, -years)) / discount_rate
