"""Key performance indicators: pure functions of a run's records.

Definitions (the keys of ``summary.json``):

* ``contacts_offered``: contact attempts arriving in the horizon (retrials included).
* ``answered`` / ``abandoned`` / ``in_system``: how those attempts ended
  (``in_system``: still waiting when the run stopped).
* ``offered_to_queue``: attempts that asked for a human (entered a human queue).
* ``abandon_rate`` = abandoned / offered to the queue.
* ``service_level`` = answered within the threshold / offered to the queue
  (abandoned contacts count as failures, whenever they hung up).
* ``asa_seconds``: mean wait of answered contacts.
* ``mean_wait_seconds``: mean wait of every contact offered to the queue,
  abandoned ones up to the moment they hung up.
* ``occupancy`` = agent time busy (talk plus after-call work) / agent time on
  duty, both within the horizon; on-duty time includes finishing a contact
  after the shift ends.
* ``agents_paid_hours``: scheduled paid hours (shifts minus unpaid breaks) in the horizon.
* costs: see :mod:`analysis.costs`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.config import Scenario
from sim.records import ABANDONED, ANSWERED, IN_SYSTEM, SimulationResult

from .costs import cost_kpis
from .timeline import time_in_intervals

KPI_UNITS: dict[str, str] = {
    "contacts_offered": "contacts",
    "offered_to_queue": "contacts",
    "answered": "contacts",
    "abandoned": "contacts",
    "in_system": "contacts",
    "abandon_rate": "share",
    "service_level": "share",
    "asa_seconds": "seconds",
    "mean_wait_seconds": "seconds",
    "occupancy": "share",
    "agents_paid_hours": "hours",
    "labor_cost": "currency",
    "fixed_cost": "currency",
    "total_cost": "currency",
    "cost_per_contact": "currency",
}


def _ratio(numerator: float, denominator: float) -> float:
    return float(numerator) / float(denominator) if denominator else float("nan")


def service_kpis(contacts: pd.DataFrame, threshold_seconds: float) -> dict[str, float]:
    """Volume, waiting and abandonment KPIs of a set of measured contacts."""
    queued = contacts[contacts["queue_entry_time"].notna()]
    answered = queued["outcome"] == ANSWERED
    answered_in_time = answered & (queued["wait_seconds"] <= threshold_seconds)
    offered_to_queue = len(queued)
    return {
        "contacts_offered": float(len(contacts)),
        "offered_to_queue": float(offered_to_queue),
        "answered": float(answered.sum()),
        "abandoned": float((queued["outcome"] == ABANDONED).sum()),
        "in_system": float((contacts["outcome"] == IN_SYSTEM).sum()),
        "abandon_rate": _ratio((queued["outcome"] == ABANDONED).sum(), offered_to_queue),
        "service_level": _ratio(answered_in_time.sum(), offered_to_queue),
        "asa_seconds": float(queued.loc[answered, "wait_seconds"].mean()) if answered.any() else float("nan"),
        "mean_wait_seconds": float(queued["wait_seconds"].mean()) if offered_to_queue else float("nan"),
    }


def busy_and_duty_seconds(result: SimulationResult, edges: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Agent seconds busy and on duty inside each ``[edges[j], edges[j+1])``."""
    contacts = result.contacts
    served = contacts[contacts["answer_time"].notna() & contacts["agent_id"].ne("")]
    busy_end = served["end_time"].fillna(result.info.end_time).to_numpy(float)
    busy = time_in_intervals(served["answer_time"].to_numpy(float), busy_end, edges)
    duty = result.agent_duty
    on_duty = time_in_intervals(duty["start"].to_numpy(float), duty["end"].to_numpy(float), edges)
    return busy, on_duty


def compute_kpis(result: SimulationResult, scenario: Scenario) -> dict[str, float]:
    """All KPIs of one replication (see the module docstring for definitions)."""
    kpis = service_kpis(result.measured_contacts(), result.info.service_level_threshold)
    busy, on_duty = busy_and_duty_seconds(result, np.array([0.0, result.info.horizon_seconds]))
    kpis["occupancy"] = _ratio(busy.sum(), on_duty.sum())
    kpis.update(cost_kpis(result, scenario, kpis["contacts_offered"]))
    return kpis
