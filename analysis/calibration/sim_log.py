"""Simulated contacts as a contact log: the canonical frame, and the generic CSV columns.

Turning the simulator's records into the same canonical frame a real log
becomes is what lets a back-test compute observed and simulated KPIs with one
function, and lets tests calibrate on the simulator's own output.

Mapping (times become seconds after midnight of the arrival date, with
day 1 of the run on ``start_date``):

* ``answered`` -> answered; ``abandoned`` (in an agent queue) -> abandoned and
  queued; ``ai_abandoned`` (hung up in the bot / voice-response unit) ->
  abandoned, never queued; ``contained`` -> self_served; ``in_system`` (still
  waiting when the run stopped) is left out and counted.
* "Queued" follows the convention of call-center logs such as the Anonymous
  Bank's: a contact answered the moment it reached the agents has no queue
  record; one that waited, or gave up, has.
* The end of an answered contact is the end of talk (after-call work is not
  in such logs); ``bot_seconds`` is the AI session time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from sim.records import ABANDONED, AI_ABANDONED, ANSWERED, CONTAINED, IN_SYSTEM

from .canonical import SECONDS_PER_DAY, finalize_contacts
from .report import ParseReport

_OUTCOMES = {ANSWERED: "answered", ABANDONED: "abandoned", AI_ABANDONED: "abandoned", CONTAINED: "self_served"}


@dataclass(frozen=True)
class SimulatedLog:
    """Canonical frame of one replication and the contacts it could not include."""

    contacts: pd.DataFrame
    still_in_system: int


def simulated_contacts(records: pd.DataFrame, start_date: date) -> SimulatedLog:
    """The canonical frame of a replication's measured contact records (see module docstring)."""
    records = records.loc[~records["warmup"].to_numpy(dtype=bool)]
    in_system = (records["outcome"] == IN_SYSTEM).to_numpy()
    records = records.loc[~in_system]
    outcome = records["outcome"].astype(str).to_numpy()
    day = records["day"].to_numpy(dtype=np.int64)
    offset = day * float(SECONDS_PER_DAY)
    answered = outcome == ANSWERED
    waited = (records["wait_seconds"].to_numpy(dtype=float) > 0) | (outcome == ABANDONED)
    queue_entry = np.where(waited & (answered | (outcome == ABANDONED)),
                           records["queue_entry_time"].to_numpy(dtype=float), np.nan)
    answer = records["answer_time"].to_numpy(dtype=float)
    talk_end = answer + records["handle_time"].to_numpy(dtype=float)
    end = np.where(answered, talk_end, records["end_time"].to_numpy(dtype=float))
    staging = pd.DataFrame({
        "source_line": np.arange(len(records), dtype=np.int64) + 2,
        "date": pd.Timestamp(start_date) + pd.to_timedelta(day, unit="D"),
        "contact_type": records["contact_type"].astype(str).to_numpy(),
        "segment": records["segment"].astype(str).to_numpy(),
        "outcome": [_OUTCOMES[name] for name in outcome],
        "agent_id": records["agent_id"].where(answered).to_numpy(dtype=object),
        "arrival_seconds": records["arrival_time"].to_numpy(dtype=float) - offset,
        "queue_entry_seconds": queue_entry - offset,
        "queue_exit_seconds": np.where(np.isnan(queue_entry), np.nan, np.where(answered, answer, end)) - offset,
        "answer_seconds": np.where(answered, answer, np.nan) - offset,
        "end_seconds": end - offset,
        "bot_seconds": records["ai_session_seconds"].to_numpy(dtype=float),
    })
    report = ParseReport(source="simulation")
    return SimulatedLog(finalize_contacts(staging, report, on_error="raise"), int(in_system.sum()))


def generic_log(contacts: pd.DataFrame) -> pd.DataFrame:
    """A canonical frame in the generic CSV columns (write it with :func:`write_contact_log`)."""
    dates = pd.to_datetime(contacts["date"])

    def stamp(column: str) -> pd.Series:
        return dates + pd.to_timedelta(contacts[column], unit="s")

    return pd.DataFrame({
        "arrival_time": stamp("arrival_seconds"),
        "contact_type": contacts["contact_type"],
        "outcome": contacts["outcome"],
        "segment": contacts["segment"],
        "queue_entry": stamp("queue_entry_seconds"),
        "queue_exit": stamp("queue_exit_seconds"),
        "answer_time": stamp("answer_seconds"),
        "end_time": stamp("end_seconds"),
        "agent_id": contacts["agent_id"],
        "bot_time_seconds": contacts["bot_seconds"],
    })
