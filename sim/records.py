"""What a run produces: plain typed rows, turned into pandas DataFrames once at the end.

``contacts``: one row per contact attempt (retrials and repeat contacts are
rows of their own, linked by ``customer_id`` and ``parent_id``). Times are
seconds from the start of day 1; warm-up contacts have negative arrival times
and ``warmup = True``. ``outcome`` is one of :data:`OUTCOMES`: answered by a
human (in-house or vendor, see ``handler_kind``), contained by the AI,
abandoned in a human queue, abandoned in the AI (``ai_abandoned``), or still
waiting when the run stopped (``in_system``). ``resolved`` is True when the
contact fixed the customer's issue (an unresolved one, including a false AI
containment, comes back as a repeat contact). ``route`` lists the routing
rules applied, ``/``-separated.

``agent_duty``: one row per continuous on-duty spell of an agent or vendor seat.

``overtime``: one row per overtime spell (an agent kept on after the shift
end by a group's overtime rule); these spells are also inside ``agent_duty``.

``staffing``: per group or vendor and measured interval, agents scheduled
and available (time averages) and paid hours (seat hours for vendors).

``snapshots``: a probe at every interval start (or every ``probe_seconds``):
agents on the phones (``on_duty``), busy and stepped away (``away``) per group
or vendor, contacts waiting per queue, AI sessions active and waiting.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

ANSWERED = "answered"
CONTAINED = "contained"
ABANDONED = "abandoned"
AI_ABANDONED = "ai_abandoned"
IN_SYSTEM = "in_system"
OUTCOMES = (ANSWERED, CONTAINED, ABANDONED, AI_ABANDONED, IN_SYSTEM)

CONTACT_COLUMNS: dict[str, str] = {
    "contact_id": "int64",
    "customer_id": "int64",
    "parent_id": "int64",
    "attempt": "int64",
    "origin": "string",
    "arrival_time": "float64",
    "day": "int64",
    "interval": "int64",
    "contact_type": "string",
    "segment": "string",
    "route": "string",
    "queue": "string",
    "queue_entry_time": "float64",
    "wait_seconds": "float64",
    "outcome": "string",
    "resolved": "bool",
    "escalated": "bool",
    "ai_wait_seconds": "float64",
    "ai_session_seconds": "float64",
    "handler": "string",
    "handler_kind": "string",
    "agent_id": "string",
    "answer_time": "float64",
    "handle_time": "float64",
    "after_call_work": "float64",
    "end_time": "float64",
    "warmup": "bool",
}

DUTY_COLUMNS: dict[str, str] = {"agent_id": "string", "group": "string", "kind": "string",
                                "start": "float64", "end": "float64"}
OVERTIME_COLUMNS: dict[str, str] = {"agent_id": "string", "group": "string", "start": "float64", "end": "float64"}


def frame(columns: dict[str, list[Any]], dtypes: dict[str, str]) -> pd.DataFrame:
    """A DataFrame with exactly the declared columns and dtypes (empty input gives empty columns)."""
    return pd.DataFrame({name: pd.Series(columns.get(name, []), dtype=dtype) for name, dtype in dtypes.items()})


@dataclass(frozen=True)
class RunInfo:
    """Facts about a run that downstream steps need to interpret its records."""

    scenario_name: str
    seed: int
    replication: int
    days: int
    interval_seconds: int
    horizon_seconds: float
    warmup_seconds: float
    end_time: float
    service_level_threshold: float
    contact_types: tuple[str, ...]
    groups: tuple[str, ...]
    agent_days: tuple[float, ...]  # per group: shifts worked in the horizon (training cost driver)
    vendors: tuple[str, ...] = ()


@dataclass(frozen=True)
class SimulationResult:
    """Everything one replication produced; KPIs are pure functions of this."""

    info: RunInfo
    contacts: pd.DataFrame
    agent_duty: pd.DataFrame
    staffing: pd.DataFrame
    snapshots: pd.DataFrame
    overtime: pd.DataFrame = field(default_factory=lambda: frame({}, OVERTIME_COLUMNS))

    def measured_contacts(self) -> pd.DataFrame:
        """Contacts that arrived inside the horizon (warm-up excluded)."""
        return self.contacts[~self.contacts["warmup"]]
