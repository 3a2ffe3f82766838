"""Generic contact-log CSV: the documented input format and its loader.

Format: UTF-8 CSV with a header row, one contact per record.

==================  ========  ==================================================
column              required  meaning
==================  ========  ==================================================
``arrival_time``    yes       ISO 8601 local date-time the contact arrived
``contact_type``    yes       reason for contact (a name)
``outcome``         yes       ``answered``, ``abandoned`` or ``self_served``
                              (case-insensitive)
``segment``         no        customer segment or priority class
                              (default ``standard``)
``queue_entry``     no        ISO date-time it joined the agent queue; empty when
                              it never queued
``queue_exit``      no        ISO date-time it left the queue; empty means the
                              answer time (answered) or end time (abandoned)
``answer_time``     no        ISO date-time an agent answered; empty if not served
``end_time``        no        ISO date-time the contact ended (service end,
                              hang-up, bot exit)
``agent_id``        no        agent who served it; empty when none
``bot_time_seconds`` no       seconds with a bot / voice-response unit
==================  ========  ==================================================

Date-times are local wall-clock time without a UTC offset (``2024-03-05T08:15:00``
or ``2024-03-05 08:15:00``, fractions of a second allowed); a value with an
offset is rejected rather than silently shifted. Empty means "not applicable".
The loader returns the canonical frame of :mod:`analysis.calibration.canonical`.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sim.config.files import FileProblem, read_text

from .canonical import DEFAULT_SEGMENT, drop_malformed, empty_staging, finalize_contacts, seconds_after_midnight
from .report import LogFormatError, OnError, ParseReport, check_on_error

REQUIRED_COLUMNS: tuple[str, ...] = ("arrival_time", "contact_type", "outcome")
OPTIONAL_COLUMNS: tuple[str, ...] = (
    "segment", "queue_entry", "queue_exit", "answer_time", "end_time", "agent_id", "bot_time_seconds",
)
DATETIME_COLUMNS: tuple[str, ...] = ("arrival_time", "queue_entry", "queue_exit", "answer_time", "end_time")
# Generic column -> canonical staging column.
_TIME_TARGETS: dict[str, str] = {
    "arrival_time": "arrival_seconds", "queue_entry": "queue_entry_seconds",
    "queue_exit": "queue_exit_seconds", "answer_time": "answer_seconds", "end_time": "end_seconds",
}
_UTC_OFFSET = re.compile(r"(?:[zZ]|[+-]\d{2}:?\d{2})$")


@dataclass(frozen=True)
class RawRecords:
    """Records of a delimited file as strings, with the line each record starts on."""

    header: list[str]
    frame: pd.DataFrame  # one str column per header field, plus "source_line"


MAX_LOG_BYTES = 1024 * 2**20  # a year of a large center's calls; guards against devices and runaway files


def read_records(path: str | Path, report: ParseReport, delimiter: str = ",") -> RawRecords:
    """Read a delimited text file keeping each record's line number.

    Blank lines are reported (kept out, action "dropped"); records with the
    wrong number of fields are reported as malformed ``wrong_field_count``.
    The csv module (not pandas) is used so quoted fields spanning lines still
    give the true line number of the record.
    """
    records: list[list[str]] = []
    lines: list[int] = []
    blank_lines: list[int] = []
    wrong_width: list[tuple[int, int]] = []
    try:
        text = read_text(path, max_bytes=MAX_LOG_BYTES)
    except FileProblem as error:
        raise LogFormatError(str(error)) from None
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [name.strip() for name in next(reader, [])]
        if not header:
            raise LogFormatError(f"{path} is empty (no header row)")
        start = reader.line_num + 1
        for fields in reader:
            if not fields or all(not value.strip() for value in fields):
                blank_lines.append(start)
            elif len(fields) != len(header):
                wrong_width.append((start, len(fields)))
            else:
                records.append(fields)
                lines.append(start)
            start = reader.line_num + 1
    except csv.Error as error:
        raise LogFormatError(f"{Path(path).name}: not readable as a delimited file ({error})",
                             line=reader.line_num) from None
    report.rows_read = len(records) + len(wrong_width)
    report.add("blank_line", "empty line", "dropped", blank_lines)
    report.add("wrong_field_count", f"record does not have the header's {len(header)} fields", "skipped",
               [line for line, _ in wrong_width], [f"{width} fields" for _, width in wrong_width])
    frame = pd.DataFrame(records, columns=header, dtype=str) if records else pd.DataFrame(
        {name: pd.Series(dtype=str) for name in header})
    frame["source_line"] = np.asarray(lines, dtype=np.int64)
    return RawRecords(header=header, frame=frame)


def _parse_datetimes(frame: pd.DataFrame, report: ParseReport) -> tuple[pd.DataFrame, dict[str, pd.Series]]:
    """Parse every date-time column; rows with an unreadable one are malformed."""
    parsed: dict[str, pd.Series] = {}
    for column in DATETIME_COLUMNS:
        text = frame[column].str.strip()
        has_offset = text.str.contains(_UTC_OFFSET, regex=True)
        frame = drop_malformed(report, frame, has_offset, "timezone_offset",
                               "date-time carries a UTC offset; give local wall-clock time",
                               lambda rows, c=column: f"{c} " + rows[c].astype(str))
        text = text.loc[frame.index]
        values = pd.to_datetime(text.where(text != ""), format="ISO8601", errors="coerce")
        unreadable = (text != "") & values.isna()
        if column == "arrival_time":
            unreadable |= text == ""
        frame = drop_malformed(report, frame, unreadable, f"unparseable_{column}",
                               f"{column} is not an ISO 8601 date-time",
                               lambda rows, c=column: c + " '" + rows[c].astype(str) + "'")
        parsed = {name: series.loc[frame.index] for name, series in parsed.items()}
        parsed[column] = values.loc[frame.index]
    return frame, parsed


def _parse_bot_time(frame: pd.DataFrame, report: ParseReport) -> tuple[pd.DataFrame, pd.Series]:
    text = frame["bot_time_seconds"].str.strip()
    values = pd.to_numeric(text.where(text != ""), errors="coerce")
    bad = ((text != "") & values.isna()) | (values < 0).fillna(False)
    frame = drop_malformed(report, frame, bad, "invalid_bot_time",
                           "bot_time_seconds is not a non-negative number",
                           lambda rows: "bot_time_seconds '" + rows["bot_time_seconds"].astype(str) + "'")
    return frame, values.loc[frame.index]


def _staging_from_generic(frame: pd.DataFrame, report: ParseReport) -> pd.DataFrame:
    """Turn string records into the canonical staging frame (times as seconds)."""
    frame, times = _parse_datetimes(frame, report)
    frame, bot_seconds = _parse_bot_time(frame, report)
    times = {name: series.loc[frame.index] for name, series in times.items()}
    dates = times["arrival_time"].dt.normalize()
    staging = pd.DataFrame({
        "source_line": frame["source_line"],
        "date": dates,
        "contact_type": frame["contact_type"].str.strip(),
        "segment": frame["segment"].str.strip().replace("", DEFAULT_SEGMENT),
        "outcome": frame["outcome"].str.strip().str.lower(),
        "agent_id": frame["agent_id"].str.strip().replace("", np.nan),
        "bot_seconds": bot_seconds,
    })
    for column, target in _TIME_TARGETS.items():
        staging[target] = seconds_after_midnight(times[column], dates)
    return staging


def load_contact_log(path: str | Path, on_error: OnError = "raise", clock_tolerance_seconds: float = 5.0,
                     max_examples: int = 10) -> tuple[pd.DataFrame, ParseReport]:
    """Load a generic contact-log CSV into the canonical frame.

    ``on_error="raise"`` raises :class:`LogFormatError` naming the first
    malformed line; ``"skip"`` leaves malformed rows out. Either way the
    returned (or attached) :class:`ParseReport` lists every problem with line
    numbers. Missing required columns always raise.
    """
    check_on_error(on_error)
    report = ParseReport(source=str(path), max_examples=max_examples)
    records = read_records(path, report)
    missing = [column for column in REQUIRED_COLUMNS if column not in records.header]
    if missing:
        raise LogFormatError(f"{path}: missing required column(s) {', '.join(missing)}", report=report)
    frame = records.frame
    for column in OPTIONAL_COLUMNS:
        if column not in frame.columns:
            frame[column] = ""
    staging = _staging_from_generic(frame, report) if len(frame) else empty_staging()
    contacts = finalize_contacts(staging, report, on_error, clock_tolerance_seconds)
    return contacts, report


def write_contact_log(log: pd.DataFrame, path: str | Path) -> None:
    """Write a frame with the generic columns (strings or datetimes) as a contact-log CSV."""
    columns = [c for c in (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS) if c in log.columns]
    out = log.loc[:, columns].copy()
    for column in DATETIME_COLUMNS:
        if column in out.columns and pd.api.types.is_datetime64_any_dtype(out[column]):
            out[column] = out[column].dt.strftime("%Y-%m-%dT%H:%M:%S.%f").fillna("")
    out.to_csv(path, index=False)
