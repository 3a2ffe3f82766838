"""Reading the files input files refer to: scenarios and their bases, CSVs (volumes, headcount, rosters, samples).

Every file is read the same guarded way (:func:`read_text`): it must be a
regular file (never a directory, device or pipe: ``/dev/zero`` would never
end), at most :data:`MAX_FILE_BYTES`, and UTF-8 (a byte-order mark is
ignored); anything else is a :class:`FileProblem` naming the file and, for
bad bytes, the line. CSV readers return plain row dictionaries for the
schema to validate and report a bad row with the file name and line number.
"""

from __future__ import annotations

import csv
import io
import math
import os
import stat
from collections.abc import Iterator
from pathlib import Path

from .errors import UserInputError

MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_ROWS = 1_000_000


class FileProblem(UserInputError):
    """A referenced file that cannot be read or has a bad row; ``reason`` is the message without the file's path."""

    def __init__(self, message: str, reason: str | None = None) -> None:
        super().__init__(message)
        self.reason = reason or message


def _unreadable(path: Path, reason: str) -> FileProblem:
    return FileProblem(f"cannot read {str(path)!r}: {reason}", reason)


class Row(dict):
    """One CSV row as ``{column: cell}``, remembering the ``line`` of the file it came from."""

    def __init__(self, cells: dict, line: int) -> None:
        super().__init__(cells)
        self.line = line


def read_text(path: str | Path, max_bytes: int = MAX_FILE_BYTES) -> str:
    """The text of a regular UTF-8 file of at most ``max_bytes``; :class:`FileProblem` otherwise."""
    path = Path(path)
    try:
        info = os.stat(path)  # before opening: opening a pipe would wait for a writer
    except (OSError, ValueError) as error:  # ValueError: a NUL byte in the name
        raise _unreadable(path, getattr(error, "strerror", None) or str(error)) from None
    if stat.S_ISDIR(info.st_mode):
        raise _unreadable(path, "it is a directory, not a file")
    if not stat.S_ISREG(info.st_mode):
        raise _unreadable(path, "not a regular file (a device, pipe or socket cannot be read as input)")
    if info.st_size > max_bytes:
        raise _unreadable(path, f"{info.st_size / 2**20:.1f} MB; input files are limited to {max_bytes / 2**20:.0f} MB")
    try:
        with path.open("rb") as handle:
            data = handle.read(max_bytes + 1)  # the file may have grown since stat
    except OSError as error:
        raise _unreadable(path, error.strerror or str(error)) from None
    if len(data) > max_bytes:
        raise _unreadable(path, f"larger than {max_bytes / 2**20:.0f} MB, the limit for input files")
    return decode_utf8(data, path.name)


def decode_utf8(data: bytes, name: str) -> str:
    """``data`` as UTF-8 text (a leading byte-order mark dropped); bad bytes are reported with line and column."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        raise FileProblem(f"{name} line {line}: not UTF-8 text (byte 0x{data[error.start]:02x} at column "
                          f"{column}); save the file as UTF-8") from None


def csv_lines(path: Path) -> Iterator[tuple[int, list[str]]]:
    """``(line number, cells)`` of every non-blank row of a CSV file, cells stripped, header first."""
    reader = csv.reader(io.StringIO(read_text(path), newline=""))
    count = 0
    try:
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue
            count += 1
            if count > MAX_ROWS + 1:
                raise FileProblem(f"{path.name} has more than {MAX_ROWS:,} rows, the limit for input files")
            yield reader.line_num, [cell.strip() for cell in cells]
    except csv.Error as error:
        raise FileProblem(f"{path.name} line {reader.line_num}: not readable as CSV ({error})") from None


def _fit_header(cells: list[str], header: list[str], path: Path, line: int) -> list[str]:
    """The row's cells, one per column; empty cells past the header (Excel's trailing commas) are dropped."""
    if len(cells) > len(header) and not any(cells[len(header):]):
        cells = cells[:len(header)]
    if len(cells) != len(header):
        raise FileProblem(f"{path.name} line {line}: {len(cells)} cell(s), but the header has {len(header)} "
                          f"({', '.join(header)})")
    return cells


def read_rows(path: Path, required: tuple[str, ...], optional: tuple[str, ...] = ()) -> list[Row]:
    """Rows of a CSV file with a header, empty cells dropped; unknown or repeated columns are errors."""
    lines = csv_lines(path)
    _, header = next(lines, (1, []))
    missing = [name for name in required if name not in header]
    unknown = [name for name in header if name not in required + optional]
    repeated = sorted({name for name in header if header.count(name) > 1})
    if missing or unknown or repeated:
        raise FileProblem(
            f"{path.name}: columns {header} do not fit; required {list(required)}"
            + (f", optional {list(optional)}" if optional else "")
            + (f" (repeated: {', '.join(repeated)})" if repeated else "")
        )
    rows = []
    for line, cells in lines:
        cells = _fit_header(cells, header, path, line)
        rows.append(Row({key: value for key, value in zip(header, cells) if value}, line))
    return rows


def _number(text: str, path: Path, line: int, column: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise FileProblem(f"{path.name} line {line}, column {column}: {text!r} is not a number") from None
    if not math.isfinite(value):
        raise FileProblem(f"{path.name} line {line}, column {column}: {text!r} is not a finite number")
    return value


def _required(row: dict[str, str], column: str, path: Path, line: int) -> str:
    if column not in row:
        raise FileProblem(f"{path.name} line {line}, column {column}: empty, but required")
    return row[column]


def read_volume_rows(path: Path) -> list[Row]:
    """Demand rows: interval, volume [, weekday, day, contact_type]."""
    rows = read_rows(path, ("interval", "volume"), ("weekday", "day", "contact_type"))
    return [_typed(row, path, row.line, numeric=("volume",), integer=("day",)) for row in rows]


def read_headcount_rows(path: Path) -> list[Row]:
    """Headcount rows: interval, headcount [, weekday, day]."""
    rows = read_rows(path, ("interval", "headcount"), ("weekday", "day"))
    return [_typed(row, path, row.line, integer=("headcount", "day")) for row in rows]


def _typed(row: dict[str, str], path: Path, line: int,
           numeric: tuple[str, ...] = (), integer: tuple[str, ...] = ()) -> Row:
    typed = Row(row, line)
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
    """Numbers from one column of a CSV (the first column when none is named); empty cells are skipped."""
    lines = csv_lines(path)
    first = next(lines, None)
    if first is None:
        raise FileProblem(f"{path.name} is empty")
    _, header = first
    if column is not None and column not in header:
        raise FileProblem(f"{path.name}: no column {column!r} (columns: {header})")
    index = header.index(column) if column is not None else 0
    values = []
    for line, cells in lines:
        cells = _fit_header(cells, header, path, line)
        if cells[index]:
            values.append(_number(cells[index], path, line, header[index]))
    return values


def _parse_breaks(text: str, path: Path, line: int, paid: bool) -> list[dict]:
    breaks = []
    for entry in filter(None, (part.strip() for part in text.split(";"))):
        start, _, minutes = entry.partition("/")
        if not minutes:
            raise FileProblem(f"{path.name} line {line}: break {entry!r} is not HH:MM/minutes")
        breaks.append({"start": start, "minutes": _number(minutes, path, line, "breaks"), "paid": paid})
    return breaks


def read_roster(path: Path) -> list[Row]:
    """Shifts from a roster CSV: name, start, length_hours, count, unpaid_breaks, paid_breaks [, weekdays].

    Breaks are ``HH:MM/minutes`` entries separated by ``;``; weekdays are
    names separated by ``;`` (empty: every day).
    """
    rows = read_rows(path, ("start", "length_hours", "count"),
                     ("name", "unpaid_breaks", "paid_breaks", "weekdays"))
    shifts = []
    for row in rows:
        line = row.line
        for column in ("start", "length_hours", "count"):
            _required(row, column, path, line)
        shift: dict = {"start": row["start"],
                       "length_hours": _number(row["length_hours"], path, line, "length_hours"),
                       "count": _typed(row, path, line, integer=("count",))["count"],
                       "breaks": _parse_breaks(row.get("unpaid_breaks", ""), path, line, paid=False)
                       + _parse_breaks(row.get("paid_breaks", ""), path, line, paid=True)}
        if "name" in row:
            shift["name"] = row["name"]
        if "weekdays" in row:
            shift["weekdays"] = [day.strip().lower() for day in row["weekdays"].split(";") if day.strip()]
        shifts.append(Row(shift, line))
    return shifts
