"""Satisfaction KPIs: the mean score and the shares of loyal and lost contacts.

Each contact is scored by the engine when it ends (model:
:class:`sim.config.economics.Satisfaction`, scoring: :mod:`sim.engine.satisfaction`);
the collector sums the scores and counts the loyal and lost ones.
"""

from __future__ import annotations

from collections.abc import Mapping

from .rates import ratio


def satisfaction_kpis(counts: Mapping) -> dict:
    """Mean score and the shares of loyal (>= loyal_at_least) and lost (< lost_below) scored contacts."""
    scored = counts["csat_count"]
    return {"csat_mean": ratio(counts["csat_sum"], scored), "loyal_share": ratio(counts["loyal"], scored),
            "lost_share": ratio(counts["lost"], scored)}
