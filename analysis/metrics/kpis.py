"""Key performance indicators: pure functions of a run's records.

Definitions (the keys of ``summary.json``). Contacts are attempts arriving
within the horizon (warm-up excluded), retrials and repeat contacts included.

* ``contacts_offered``: all contact attempts.
* ``offered_to_queue``: attempts that asked for a human (entered an in-house or vendor queue).
* ``answered`` (by a human), ``abandoned`` (in a human queue), ``ai_contained``,
  ``ai_abandoned`` (gave up in the AI or waiting for it), ``in_system``
  (unfinished when the run stopped): how attempts ended.
* ``abandon_rate`` = abandoned / offered to the queue.
* ``service_level`` = answered within the threshold / offered to the queue
  (abandoned contacts count as failures, whenever they hung up).
* ``asa_seconds``: mean wait of answered contacts.
* ``mean_wait_seconds``: mean wait of every contact offered to the queue,
  abandoned ones up to the moment they hung up.
* ``occupancy`` = in-house agent time busy (talk plus after-call work) / agent
  time on duty, within the horizon; ``vendor_occupancy`` the same for vendor seats.
* ``automation_rate`` = contacts resolved by the AI (contained and not falsely)
  / contacts offered.
* ``ai_sessions``: contacts that had an AI session; ``escalation_rate`` =
  escalated / AI sessions.
* ``repeat_contact_rate`` = repeat contacts / contacts offered.
* ``outsourced_share`` = answered by vendors / answered by humans.
* ``fcr_rate`` = contacts that resolved the issue / contacts handled (answered or contained).
* ``csat_mean``, ``loyal_share``, ``lost_share``: see :mod:`analysis.satisfaction`.
* costs, ``value_kept`` and ``roi``: see :mod:`analysis.costs`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.config import Scenario
from sim.records import ABANDONED, AI_ABANDONED, ANSWERED, CONTAINED, IN_SYSTEM, SimulationResult

from .costs import cost_kpis, value_kpis
from .satisfaction import satisfaction_kpis, satisfaction_scores
from .timeline import time_in_intervals

KPI_UNITS: dict[str, str] = {
    "contacts_offered": "contacts",
    "offered_to_queue": "contacts",
    "answered": "contacts",
    "abandoned": "contacts",
    "ai_contained": "contacts",
    "ai_abandoned": "contacts",
    "in_system": "contacts",
    "abandon_rate": "share",
    "service_level": "share",
    "asa_seconds": "seconds",
    "mean_wait_seconds": "seconds",
    "occupancy": "share",
    "vendor_occupancy": "share",
    "automation_rate": "share",
    "ai_sessions": "contacts",
    "escalation_rate": "share",
    "repeat_contact_rate": "share",
    "outsourced_share": "share",
    "fcr_rate": "share",
    "csat_mean": "score",
    "loyal_share": "share",
    "lost_share": "share",
    "agents_paid_hours": "hours",
    "overtime_hours": "hours",
    "labor_cost": "currency",
    "ai_cost": "currency",
    "outsourcing_cost": "currency",
    "fixed_cost": "currency",
    "total_cost": "currency",
    "cost_per_contact": "currency",
    "value_kept": "currency",
    "roi": "ratio",
}


def _ratio(numerator: float, denominator: float) -> float:
    return float(numerator) / float(denominator) if denominator else float("nan")


def service_kpis(contacts: pd.DataFrame, threshold_seconds: float) -> dict[str, float]:
    """Volume, waiting and abandonment KPIs of a set of measured contacts."""
    queued = contacts[contacts["queue_entry_time"].notna()]
    answered = queued["outcome"] == ANSWERED
    answered_in_time = answered & (queued["wait_seconds"] <= threshold_seconds)
    offered_to_queue = len(queued)
    abandoned = int((queued["outcome"] == ABANDONED).sum())
    return {
        "contacts_offered": float(len(contacts)),
        "offered_to_queue": float(offered_to_queue),
        "answered": float(answered.sum()),
        "abandoned": float(abandoned),
        "in_system": float((contacts["outcome"] == IN_SYSTEM).sum()),
        "abandon_rate": _ratio(abandoned, offered_to_queue),
        "service_level": _ratio(answered_in_time.sum(), offered_to_queue),
        "asa_seconds": float(queued.loc[answered, "wait_seconds"].mean()) if answered.any() else float("nan"),
        "mean_wait_seconds": float(queued["wait_seconds"].mean()) if offered_to_queue else float("nan"),
    }


def channel_kpis(contacts: pd.DataFrame) -> dict[str, float]:
    """How work splits between the AI, in-house agents and vendors, and how much is resolved."""
    outcome = contacts["outcome"]
    offered = len(contacts)
    contained = outcome == CONTAINED
    sessions = int(contacts["ai_session_seconds"].notna().sum())
    answered = outcome == ANSWERED
    handled = int((answered | contained).sum())
    return {
        "ai_sessions": float(sessions),
        "ai_contained": float(contained.sum()),
        "ai_abandoned": float((outcome == AI_ABANDONED).sum()),
        "automation_rate": _ratio((contained & contacts["resolved"]).sum(), offered),
        "escalation_rate": _ratio(contacts["escalated"].sum(), sessions),
        "repeat_contact_rate": _ratio((contacts["origin"] == "repeat").sum(), offered),
        "outsourced_share": _ratio((answered & (contacts["handler_kind"] == "vendor")).sum(), answered.sum()),
        "fcr_rate": _ratio(((answered | contained) & contacts["resolved"]).sum(), handled),
    }


def busy_and_duty_seconds(result: SimulationResult, edges: np.ndarray, kind: str = "inhouse") -> tuple[np.ndarray, np.ndarray]:
    """Agent seconds busy and on duty inside each ``[edges[j], edges[j+1])``, for in-house agents or vendor seats."""
    contacts = result.contacts
    served = contacts[contacts["answer_time"].notna() & (contacts["handler_kind"] == kind)]
    busy_end = served["end_time"].fillna(result.info.end_time).to_numpy(float)
    busy = time_in_intervals(served["answer_time"].to_numpy(float), busy_end, edges)
    duty = result.agent_duty[result.agent_duty["kind"] == kind]
    on_duty = time_in_intervals(duty["start"].to_numpy(float), duty["end"].to_numpy(float), edges)
    return busy, on_duty


def compute_kpis(result: SimulationResult, scenario: Scenario, scores: pd.Series | None = None) -> dict[str, float]:
    """All KPIs of one replication (see the module docstring for definitions).

    ``scores``: satisfaction scores of the measured contacts, if already computed.
    """
    contacts = result.measured_contacts()
    kpis = service_kpis(contacts, result.info.service_level_threshold)
    kpis.update(channel_kpis(contacts))
    horizon = np.array([0.0, result.info.horizon_seconds])
    for name, kind in (("occupancy", "inhouse"), ("vendor_occupancy", "vendor")):
        busy, on_duty = busy_and_duty_seconds(result, horizon, kind)
        kpis[name] = _ratio(busy.sum(), on_duty.sum())
    scores = satisfaction_scores(contacts, scenario) if scores is None else scores
    kpis.update(satisfaction_kpis(scores, scenario))
    kpis.update(cost_kpis(result, scenario, kpis["contacts_offered"]))
    loyal = float((scores >= scenario.satisfaction.loyal_at_least).sum())
    lost = float((scores < scenario.satisfaction.lost_below).sum())
    kpis.update(value_kpis(scenario, loyal, lost, kpis["total_cost"]))
    return kpis
