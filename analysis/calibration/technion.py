"""Adapter for the Technion "Anonymous Bank" call records (tab-separated).

How the source maps onto the canonical frame (see the data's README):

* arrival = ``vru_entry`` on ``date`` (yymmdd); later times of day that are
  more than 12 hours *earlier* than the arrival belong to the next day (calls
  crossing midnight), so they get 86,400 s added;
* ``q_start`` 0:00:00 means the call never queued; ``q_exit`` is the queue
  exit; ``ser_start``/``ser_exit`` 0:00:00 on an AGENT call mean the service
  times were not recorded (kept, no handle time);
* outcome AGENT -> answered, HANG -> abandoned (ending at ``q_exit``, or at
  ``vru_exit`` when it never queued), PHANTOM -> dropped (virtual calls);
* priority 0 and 1 -> segment "regular", 2 -> "priority" (configurable);
* ``vru_time`` -> bot time; when negative (bad clock) the bot time is unknown
  and the arrival is taken as ``vru_exit``, the time consistent with the
  queue and service stamps that follow it;
* ``server`` NO_SERVER -> no agent. A HANG call with service stamps or an
  agent keeps its abandoned outcome; the service part is ignored and reported.

Self-served callers never reached these records (about 65% of all callers,
per the README), so the self-service share cannot be estimated from them.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from .canonical import SECONDS_PER_DAY, drop_malformed, empty_staging, finalize_contacts, flag_rows
from .logs import read_records
from .report import LogFormatError, OnError, ParseReport, check_on_error

FIELDS: tuple[str, ...] = (
    "vru+line", "call_id", "customer_id", "priority", "type", "date", "vru_entry", "vru_exit", "vru_time",
    "q_start", "q_exit", "q_time", "outcome", "ser_start", "ser_exit", "ser_time", "server",
)
TIME_OF_DAY_FIELDS: tuple[str, ...] = ("vru_entry", "vru_exit", "q_start", "q_exit", "ser_start", "ser_exit")
DURATION_FIELDS: tuple[str, ...] = ("vru_time", "q_time", "ser_time")
OUTCOME_MAP: dict[str, str] = {"AGENT": "answered", "HANG": "abandoned"}
DEFAULT_SEGMENT_BY_PRIORITY: dict[str, str] = {"0": "regular", "1": "regular", "2": "priority"}
DOCUMENTED_TYPES: frozenset[str] = frozenset({"PS", "PE", "IN", "NE", "NW", "TT"})
NOT_RECORDED = "0:00:00"
NO_SERVER = "NO_SERVER"
# No call lasts 12 hours, while bad clocks are off by minutes: a later stamp this far
# *before* the arrival can only mean the call ran past midnight.
_MIDNIGHT_THRESHOLD = SECONDS_PER_DAY // 2
_TIME_PATTERN = r"^(\d{1,2}):([0-5]\d):([0-5]\d)$"


def _time_of_day_seconds(text: pd.Series) -> pd.Series:
    """Seconds after midnight for H:MM:SS strings; NaN where unreadable."""
    parts = text.str.extract(_TIME_PATTERN).astype(float)
    seconds = parts[0] * 3600 + parts[1] * 60 + parts[2]
    return seconds.where(parts[0] < 24)


def _parse_fields(frame: pd.DataFrame, report: ParseReport,
                  segment_by_priority: Mapping[str, str]) -> tuple[pd.DataFrame, dict[str, pd.Series]]:
    """Parse dates, times of day and durations; report rows where any is unreadable."""
    frame = drop_malformed(report, frame, ~frame["outcome"].isin(OUTCOME_MAP), "unknown_outcome",
                           "outcome not AGENT, HANG or PHANTOM", lambda rows: "outcome " + rows["outcome"])
    frame = drop_malformed(report, frame, ~frame["priority"].isin(segment_by_priority), "unknown_priority",
                           f"priority not one of {', '.join(segment_by_priority)}",
                           lambda rows: "priority " + rows["priority"])
    dates = pd.to_datetime(frame["date"].where(frame["date"].str.fullmatch(r"\d{6}")),
                           format="%y%m%d", errors="coerce")
    frame = drop_malformed(report, frame, dates.isna(), "unparseable_date", "date is not yymmdd",
                           lambda rows: "date '" + rows["date"] + "'")
    values: dict[str, pd.Series] = {"date": dates.loc[frame.index]}
    for column in TIME_OF_DAY_FIELDS:
        values[column] = _time_of_day_seconds(frame[column])
        frame = drop_malformed(report, frame, values[column].isna(), f"unparseable_{column}",
                               f"{column} is not a time of day H:MM:SS",
                               lambda rows, c=column: c + " '" + rows[c] + "'")
        values = {name: series.loc[frame.index] for name, series in values.items()}
    for column in DURATION_FIELDS:
        values[column] = pd.to_numeric(frame[column].where(frame[column].str.fullmatch(r"-?\d+")),
                                       errors="coerce")
        frame = drop_malformed(report, frame, values[column].isna(), f"unparseable_{column}",
                               f"{column} is not a whole number of seconds",
                               lambda rows, c=column: c + " '" + rows[c] + "'")
        values = {name: series.loc[frame.index] for name, series in values.items()}
    return frame, values


def _unwrap(times: pd.Series, reference: pd.Series) -> pd.Series:
    """Move times of day that must be on the next day past 86,400 s."""
    return times + SECONDS_PER_DAY * (times < reference - _MIDNIGHT_THRESHOLD)


def _report_source_quirks(frame: pd.DataFrame, values: dict[str, pd.Series], report: ParseReport) -> None:
    """Report rows kept as-is or after a repair that the source's own conventions call for."""
    hang = frame["outcome"] == "HANG"
    flag_rows(report, frame, values["vru_time"] < 0, "negative_vru_time",
              "vru_time negative (bad clock): bot time unknown, arrival taken as vru_exit", "kept",
              lambda rows: "vru_time " + rows["vru_time"])
    service_stamped = (frame["ser_start"] != NOT_RECORDED) | (frame["server"] != NO_SERVER)
    flag_rows(report, frame, hang & service_stamped, "abandoned_with_service_record",
              "HANG call with service stamps or an agent: kept as abandoned, service ignored", "kept")
    flag_rows(report, frame, ~frame["type"].isin(DOCUMENTED_TYPES), "undocumented_type",
              "service type not in the README's list: kept as its own contact type", "kept",
              lambda rows: "type " + rows["type"])


def _report_duration_mismatch(frame: pd.DataFrame, values: dict[str, pd.Series], queued: pd.Series,
                              served: pd.Series, report: ParseReport) -> None:
    """Flag rows whose recorded durations disagree with their stamps (stamps are used)."""
    day = SECONDS_PER_DAY
    queue_span = (values["q_exit"] - values["q_start"]) % day
    service_span = (values["ser_exit"] - values["ser_start"]) % day
    mismatch = (queued & (queue_span != values["q_time"])) | (served & (service_span != values["ser_time"]))
    flag_rows(report, frame, mismatch, "recorded_duration_mismatch",
              "q_time or ser_time disagrees with its time stamps; the stamps are used", "kept")


def _staging_from_records(frame: pd.DataFrame, report: ParseReport,
                          segment_by_priority: Mapping[str, str]) -> pd.DataFrame:
    frame, values = _parse_fields(frame, report, segment_by_priority)
    _report_source_quirks(frame, values, report)
    entry = values["vru_entry"]
    bad_clock = values["vru_time"] < 0
    arrival = values["vru_exit"].where(bad_clock, entry)
    queued = frame["q_start"] != NOT_RECORDED
    answered = frame["outcome"] == "AGENT"
    served = answered & ~((frame["ser_start"] == NOT_RECORDED) & (frame["ser_exit"] == NOT_RECORDED))
    _report_duration_mismatch(frame, values, queued, served, report)
    queue_exit = _unwrap(values["q_exit"], entry).where(queued)
    abandon_time = queue_exit.where(queued, _unwrap(values["vru_exit"], entry))
    staging = pd.DataFrame({
        "source_line": frame["source_line"],
        "date": values["date"],
        "contact_type": frame["type"],
        "segment": frame["priority"].map(dict(segment_by_priority)),
        "outcome": frame["outcome"].map(OUTCOME_MAP),
        "agent_id": frame["server"].where(answered & (frame["server"] != NO_SERVER)),
        "arrival_seconds": arrival,
        "queue_entry_seconds": _unwrap(values["q_start"], entry).where(queued),
        "queue_exit_seconds": queue_exit,
        "answer_seconds": _unwrap(values["ser_start"], entry).where(served),
        "end_seconds": _unwrap(values["ser_exit"], entry).where(served, abandon_time.where(~answered)),
        "bot_seconds": values["vru_time"].astype(float).where(~bad_clock),
    })
    later = staging[["queue_exit_seconds", "end_seconds"]].max(axis=1)
    flag_rows(report, staging, later >= SECONDS_PER_DAY, "crosses_midnight",
              "call runs past midnight: later times counted on the next day", "kept")
    return staging


def load_anonymous_bank(path: str | Path, on_error: OnError = "raise", clock_tolerance_seconds: float = 5.0,
                        segment_by_priority: Mapping[str, str] | None = None,
                        max_examples: int = 10) -> tuple[pd.DataFrame, ParseReport]:
    """Load one month of Anonymous Bank records into the canonical frame.

    PHANTOM rows are dropped and counted (``report.count("phantom")``);
    malformed rows follow ``on_error`` exactly as in
    :func:`~analysis.calibration.logs.load_contact_log`.
    """
    check_on_error(on_error)
    report = ParseReport(source=str(path), max_examples=max_examples)
    records = read_records(path, report, delimiter="\t")
    missing = [name for name in FIELDS if name not in records.header]
    if missing:
        raise LogFormatError(f"{path}: not an Anonymous Bank file, missing field(s) {', '.join(missing)}",
                             report=report)
    frame = records.frame.copy()
    for name in FIELDS:
        frame[name] = frame[name].str.strip()
    phantom = frame["outcome"] == "PHANTOM"
    flag_rows(report, frame, phantom, "phantom", "PHANTOM: a virtual call, not a real one", "dropped")
    frame = frame.loc[~phantom.to_numpy(dtype=bool)]
    mapping = segment_by_priority if segment_by_priority is not None else DEFAULT_SEGMENT_BY_PRIORITY
    staging = _staging_from_records(frame, report, mapping) if len(frame) else empty_staging()
    report.notes.append("self-served callers are not in these records (only calls that asked for an "
                        "agent): the self-service share cannot be estimated from them")
    contacts = finalize_contacts(staging, report, on_error, clock_tolerance_seconds)
    return contacts, report
