"""Readers for the CSV files a scenario may reference (volumes, headcount, rosters, samples).

Each reader returns plain row dictionaries for the schema to validate, and
reports a bad row as ``FileProblem`` with the file name and line number.
"""

from __future__ import annotations

import csv
from pathlib import Path


class FileProblem(ValueError):
    """A referenced file that is missing or has a bad row."""


def read_rows(path: Path, required: tuple[str, ...], optional: tuple[str, ...] = ()) -> list[dict[str, str]]:
    """Rows of a CSV file with a header, empty cells dropped; unknown columns are errors."""
    try:
        handle = path.open(newline="", encoding="utf-8")
    except OSError as error:
        raise FileProblem(f"cannot read {str(path)!r}: {error.strerror}") from None
    with handle:
        reader = csv.DictReader(handle)
        header = [name.strip() for name in (reader.fieldnames or [])]
        missing = [name for name in required if name not in header]
        unknown = [name for name in header if name not in required + optional]
        if missing or unknown:
            raise FileProblem(
                f"{path.name}: columns {header} do not fit; required {list(required)}"
                + (f", optional {list(optional)}" if optional else "")
            )
        reader.fieldnames = header
        return [{key: value.strip() for key, value in row.items() if value and value.strip()}
                for row in reader]


def _number(text: str, path: Path, line: int, column: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise FileProblem(f"{path.name} line {line}, column {column}: {text!r} is not a number") from None


def read_volume_rows(path: Path) -> list[dict]:
    """Demand rows: interval, volume [, weekday, day, contact_type]."""
    rows = read_rows(path, ("interval", "volume"), ("weekday", "day", "contact_type"))
    return [_typed(row, path, line, numeric=("volume",), integer=("day",))
            for line, row in enumerate(rows, start=2)]


def read_headcount_rows(path: Path) -> list[dict]:
    """Headcount rows: interval, headcount [, weekday, day]."""
    rows = read_rows(path, ("interval", "headcount"), ("weekday", "day"))
    return [_typed(row, path, line, integer=("headcount", "day")) for line, row in enumerate(rows, start=2)]


def _typed(row: dict[str, str], path: Path, line: int,
           numeric: tuple[str, ...] = (), integer: tuple[str, ...] = ()) -> dict:
    typed: dict = dict(row)
    for column in numeric:
        if column in row:
            typed[column] = _number(row[column], path, line, column)
    for column in integer:
        if column in row:
            value = _number(row[column], path, line, column)
            if value != int(value):
                raise FileProblem(f"{path.name} line {line}, column {column}: {row[column]!r} is not a whole number")
            typed[column] = int(value)
    if "weekday" in typed:
        typed["weekday"] = typed["weekday"].lower()
    return typed


def read_samples(path: Path, column: str | None) -> list[float]:
    """Numbers from one column of a CSV (the first column when none is named)."""
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            reader = csv.reader(handle)
            header = [name.strip() for name in next(reader, [])]
            if not header:
                raise FileProblem(f"{path.name} is empty")
            index = header.index(column) if column in header else 0
            if column is not None and column not in header:
                raise FileProblem(f"{path.name}: no column {column!r} (columns: {header})")
            return [_number(row[index].strip(), path, line, header[index])
                    for line, row in enumerate(reader, start=2) if row and row[index].strip()]
    except OSError as error:
        raise FileProblem(f"cannot read {str(path)!r}: {error.strerror}") from None


def _parse_breaks(text: str, path: Path, line: int, paid: bool) -> list[dict]:
    breaks = []
    for entry in filter(None, (part.strip() for part in text.split(";"))):
        start, _, minutes = entry.partition("/")
        if not minutes:
            raise FileProblem(f"{path.name} line {line}: break {entry!r} is not HH:MM/minutes")
        breaks.append({"start": start, "minutes": _number(minutes, path, line, "breaks"), "paid": paid})
    return breaks


def read_roster(path: Path) -> list[dict]:
    """Shifts from a roster CSV: name, start, length_hours, count, unpaid_breaks, paid_breaks [, weekdays].

    Breaks are ``HH:MM/minutes`` entries separated by ``;``; weekdays are
    names separated by ``;`` (empty: every day).
    """
    rows = read_rows(path, ("start", "length_hours", "count"),
                     ("name", "unpaid_breaks", "paid_breaks", "weekdays"))
    shifts = []
    for line, row in enumerate(rows, start=2):
        shift: dict = {"start": row["start"],
                       "length_hours": _number(row["length_hours"], path, line, "length_hours"),
                       "count": _typed(row, path, line, integer=("count",))["count"],
                       "breaks": _parse_breaks(row.get("unpaid_breaks", ""), path, line, paid=False)
                       + _parse_breaks(row.get("paid_breaks", ""), path, line, paid=True)}
        if "name" in row:
            shift["name"] = row["name"]
        if "weekdays" in row:
            shift["weekdays"] = [day.strip().lower() for day in row["weekdays"].split(";") if day.strip()]
        shifts.append(shift)
    return shifts
