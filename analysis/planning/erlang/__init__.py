"""Exact analytic queueing results: Erlang B, Erlang C, Erlang A and staffing.

Time is in seconds everywhere (rates per second). Used by validation tests
(simulator versus theory) and by staffing (forecast to agent requirements).

* :mod:`.classic`: Erlang B and C formulas, M/M/c and M/M/c/c metrics.
* :mod:`.erlang_a`: M/M/c+M (Palm / Erlang A) from its birth-death chain.
* :mod:`.staffing`: fewest agents meeting service level / abandonment / ASA targets.
"""

from analysis.planning.erlang.requirements import (
    AbandonTarget,
    AsaTarget,
    Requirement,
    ServiceLevelTarget,
    Target,
    required_agents,
    requirements_per_interval,
)

from .classic import QueueMetrics, erlang_b, erlang_b_metrics, erlang_c, erlang_c_metrics
from .erlang_a import erlang_a_metrics

__all__ = [
    "AbandonTarget",
    "AsaTarget",
    "QueueMetrics",
    "Requirement",
    "ServiceLevelTarget",
    "Target",
    "erlang_a_metrics",
    "erlang_b",
    "erlang_b_metrics",
    "erlang_c",
    "erlang_c_metrics",
    "required_agents",
    "requirements_per_interval",
]
