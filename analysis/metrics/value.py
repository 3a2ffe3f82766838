"""Customer value: which customers the center's service keeps, and what they are worth a year.

Parameters come from the scenario's ``[value]`` section
(:class:`sim.config.economics.CustomerValue`). For each customer segment ``s``:

* base: ``N`` customers, yearly churn probability ``c`` before the center's
  effect, yearly revenue ``R`` per customer;
* ``CLV = R x sum_{t=1..n} (1 - c)^(t-1) / (1 + i)^t`` (``n`` = ``loyalty_years``,
  ``i`` = ``discount_rate``; :func:`sim.config.economics.clv`);
* the simulated days stand for ``A = days_per_year / days`` of a year, so the
  center's effect on churn a year is
  ``churn_from_service = A x (lost contacts x u - loyal contacts x d)``
  (``u`` = ``lost_churn_increase``, ``d`` = ``loyal_churn_decrease``; a
  contact scored "lost" raises its customer's churn probability by ``u``, one
  scored "loyal" lowers it by ``d``); negative when the service keeps more
  customers than it drives away;
* customers leaving in a year ``= clip(N c + churn_from_service, 0, N)``,
  ``customers_kept = N - leaving``, ``value_kept = customers_kept x CLV``.

KPIs are sums over segments. ``value_kept`` is a yearly figure for the whole
base, so on its own it mostly reflects the base; what matters is how it moves
between scenarios on common random numbers. Return on an initiative is
therefore computed against a baseline (:mod:`analysis.studies.initiatives`),
never against the center's whole cost.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sim.config import Scenario
from sim.config.economics import CustomerValue, SegmentEconomics
from sim.records import RunCounters

VALUE_UNITS: dict[str, str] = {
    "churn_from_service": "customers",
    "customers_kept": "customers",
    "value_kept": "currency",
}


@dataclass(frozen=True)
class ScoredContacts:
    """Contacts of one segment scored loyal and lost."""

    loyal: float = 0.0
    lost: float = 0.0


@dataclass(frozen=True)
class SegmentOutcome:
    """What one segment's year looks like under the service simulated."""

    economics: SegmentEconomics
    churn_from_service: float
    leaving: float

    @property
    def customers_kept(self) -> float:
        return self.economics.customers - self.leaving

    @property
    def value_kept(self) -> float:
        return self.customers_kept * self.economics.lifetime_value


def scored_by_segment(counters: RunCounters) -> dict[str, ScoredContacts]:
    """Loyal and lost contacts per segment (all contact types) from a run's counters."""
    counts: dict[str, ScoredContacts] = {}
    for (_, segment), columns in counters.by_type_segment().items():
        before = counts.get(segment, ScoredContacts())
        counts[segment] = ScoredContacts(before.loyal + columns["loyal"], before.lost + columns["lost"])
    return counts


def annual_factor(model: CustomerValue, days: float) -> float:
    """Years-worth of the simulated days: ``days_per_year / days``."""
    return model.days_per_year / float(days)


def segment_outcomes(scenario: Scenario, scored: Mapping[str, ScoredContacts],
                     days: float) -> dict[str, SegmentOutcome]:
    """Per segment: economics, churn from service a year and customers leaving a year."""
    model = scenario.value
    if model is None:
        return {}
    factor = annual_factor(model, days)
    outcomes = {}
    for segment in scenario.segments:
        economics = model.segment(segment.name, segment.share)
        counts = scored.get(segment.name, ScoredContacts())
        from_service = factor * (counts.lost * model.lost_churn_increase - counts.loyal * model.loyal_churn_decrease)
        base = economics.customers * economics.churn_rate
        leaving = min(max(base + from_service, 0.0), economics.customers)
        outcomes[segment.name] = SegmentOutcome(economics, from_service, leaving)
    return outcomes


def value_kpis(scenario: Scenario, scored: Mapping[str, ScoredContacts], days: float) -> dict[str, float]:
    """``churn_from_service``, ``customers_kept`` and ``value_kept`` (a year); empty without ``[value]``."""
    outcomes = segment_outcomes(scenario, scored, days)
    if not outcomes:
        return {}
    return {
        "churn_from_service": sum(outcome.churn_from_service for outcome in outcomes.values()),
        "customers_kept": sum(outcome.customers_kept for outcome in outcomes.values()),
        "value_kept": sum(outcome.value_kept for outcome in outcomes.values()),
    }
