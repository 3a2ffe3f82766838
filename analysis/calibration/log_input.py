"""Reading a contact log for the command line: format, date window and the matching day types."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd

from sim.config.errors import UserInputError

from .day_types import ANONYMOUS_BANK_DAY_TYPES, DayTypes
from .logs import load_contact_log
from .options import FORMATS, LogFormat
from .report import LogFormatError, OnError, ParseReport
from .technion import load_anonymous_bank


@dataclass(frozen=True)
class LoadedLog:
    contacts: pd.DataFrame
    report: ParseReport
    day_types: DayTypes
    log_format: LogFormat


def default_day_types(log_format: LogFormat) -> DayTypes:
    """The bank's week for its own data; weekdays vs weekend for a generic log (fewer weeks needed)."""
    return ANONYMOUS_BANK_DAY_TYPES if log_format == "technion" else DayTypes.weekday_weekend()


def load_log(path: str | Path, log_format: LogFormat, on_error: OnError = "skip",
             start: date | None = None, end: date | None = None) -> LoadedLog:
    """Load a log and keep the contacts that arrived from ``start`` to ``end`` (inclusive).

    Raises :class:`~analysis.calibration.report.LogFormatError` (a missing or unreadable file, nothing left
    in the window) or another :class:`~sim.config.errors.UserInputError`, with a message fit for the user.
    """
    path = Path(path)
    if log_format not in FORMATS:
        raise ValueError(f"unknown log format {log_format!r} (known: {', '.join(FORMATS)})")
    if not path.is_file():
        raise LogFormatError(f"{path}: no such file" if not path.exists() else f"{path}: not a regular file")
    loader = load_anonymous_bank if log_format == "technion" else load_contact_log
    contacts, report = loader(path, on_error=on_error)
    if start is not None and end is not None and start > end:
        raise UserInputError(f"--start {start} is after --end {end}")
    dates = contacts["date"].dt.date
    keep = pd.Series(True, index=contacts.index)
    if start is not None:
        keep &= dates >= start
    if end is not None:
        keep &= dates <= end
    contacts = contacts.loc[keep].reset_index(drop=True)
    if contacts.empty:
        window = f" between {start or 'the start'} and {end or 'the end'}" if start or end else ""
        raise LogFormatError(f"{path}: no contacts{window} ({report.rows_read} records read, {report.rows_kept} kept)")
    return LoadedLog(contacts, report, default_day_types(log_format), log_format)
