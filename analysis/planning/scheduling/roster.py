"""Roster CSV files: one row per group of agents working the same shift.

Format (header required, columns in this order)::

    name,start,length_hours,count,unpaid_breaks,paid_breaks
    day,08:00,8.5,4,12:00/30,10:00/15;15:30/15

``start`` is ``HH:MM``; ``length_hours`` may have decimals but must be whole
minutes; breaks are ``HH:MM/minutes`` entries separated by ``;`` (empty when
none). A break time earlier than the shift start falls on the next day (a
shift across midnight). A split shift's gap is an unpaid break. The
scenario schema reads the same files for an agent group (``roster_file``).
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.outputs.files import atomic_write
from sim.config import MINUTES_PER_DAY, format_minutes_of_day, time_of_day_minutes
from sim.config.errors import UserInputError
from sim.config.files import FileProblem, read_text

from .shifts import PlacedBreak, PlannedShift, ShiftGroup
from .timegrid import PlanningGrid

ROSTER_COLUMNS = ("name", "start", "length_hours", "count", "unpaid_breaks", "paid_breaks")


class RosterError(UserInputError):
    """A roster file that cannot be read; ``problems`` lists each bad line."""

    def __init__(self, problems: list[str], source: str) -> None:
        self.problems = list(problems)
        self.source = source
        super().__init__(f"{source}: " + "\n  ".join(self.problems))


def write_roster(path: str | Path, groups: Iterable[ShiftGroup]) -> Path:
    """Write groups as a roster CSV atomically (a temporary file renamed over ``path``)."""
    path = Path(path)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(ROSTER_COLUMNS)
    for group in groups:
        shift = group.shift
        writer.writerow([shift.name, format_minutes_of_day(shift.start_minutes), _format_hours(shift.length_minutes),
                         group.count, format_breaks(shift.unpaid_breaks()), format_breaks(shift.paid_breaks())])
    text = buffer.getvalue()
    atomic_write(path, lambda stream: stream.write(text))
    return path


def format_breaks(breaks: Iterable[PlacedBreak]) -> str:
    """``12:00/30;15:30/15`` (times of day, wrapping after midnight)."""
    return ";".join(placed.label() for placed in sorted(breaks, key=lambda item: item.start_minutes))


def _format_hours(minutes: int) -> str:
    return f"{minutes / 60:.6f}".rstrip("0").rstrip(".")


def read_roster(path: str | Path) -> list[ShiftGroup]:
    """Shift groups from a roster CSV; raises :class:`RosterError` listing every bad line."""
    path = Path(path)
    try:
        text = read_text(path)  # a regular UTF-8 file of bounded size; the BOM spreadsheets add is dropped
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except (FileProblem, csv.Error) as error:
        raise RosterError([f"cannot read: {error}"], str(path)) from None
    if not rows or [cell.strip() for cell in rows[0]] != list(ROSTER_COLUMNS):
        found = ",".join(rows[0]) if rows else "nothing"
        raise RosterError([f"line 1: header must be {','.join(ROSTER_COLUMNS)} (found {found})"], path.name)
    groups, problems = [], []
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        try:
            groups.append(_parse_row([cell.strip() for cell in row]))
        except ValueError as error:
            problems.append(f"line {line}: {error}")
    if problems:
        raise RosterError(problems, path.name)
    return groups


def _parse_row(cells: list[str]) -> ShiftGroup:
    if len(cells) != len(ROSTER_COLUMNS):
        raise ValueError(f"{len(cells)} values; expected {len(ROSTER_COLUMNS)} ({','.join(ROSTER_COLUMNS)})")
    name, start_text, length_text, count_text, unpaid_text, paid_text = cells
    if not name:
        raise ValueError("name: empty; every row needs a name")
    start = _cell(time_of_day_minutes, start_text, "start")
    length = _cell(_whole_minutes, length_text, "length_hours")
    count = _cell(_count, count_text, "count")
    breaks = (_cell(lambda text: _parse_breaks(text, start, paid=False), unpaid_text, "unpaid_breaks")
              + _cell(lambda text: _parse_breaks(text, start, paid=True), paid_text, "paid_breaks"))
    return ShiftGroup(PlannedShift(name, start, length, breaks), count)


def _cell(parse, text: str, column: str):
    try:
        return parse(text)
    except ValueError as error:
        raise ValueError(f"{column}: {error}") from None


def _whole_minutes(text: str) -> int:
    try:
        hours = float(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a number of hours") from None
    minutes = hours * 60
    if not math.isfinite(minutes) or not 0 < minutes <= MINUTES_PER_DAY:
        raise ValueError(f"{text!r} is not between 0 and 24 hours")
    if not math.isclose(minutes, round(minutes), abs_tol=1e-3):
        raise ValueError(f"{text!r} hours is not a whole number of minutes")
    return round(minutes)


def _count(text: str) -> int:
    if not text.isdigit():
        raise ValueError(f"{text!r} is not a whole number of agents (0 or more)")
    return int(text)


def _parse_breaks(text: str, shift_start: int, paid: bool) -> tuple[PlacedBreak, ...]:
    breaks = []
    for entry in filter(None, (part.strip() for part in text.split(";"))):
        time_text, slash, minutes_text = entry.partition("/")
        if not slash or not minutes_text.isdigit() or int(minutes_text) == 0:
            raise ValueError(f"{entry!r} is not HH:MM/minutes (e.g. 12:00/30)")
        start = time_of_day_minutes(time_text)
        # A break before the shift start belongs to the next day: the shift crosses midnight.
        if start < shift_start:
            start += MINUTES_PER_DAY
        breaks.append(PlacedBreak(start, int(minutes_text), paid))
    return tuple(breaks)


def roster_coverage(groups: Iterable[ShiftGroup], grid: PlanningGrid) -> pd.DataFrame:
    """Agents per interval of ``grid`` for a roster or a schedule's shifts.

    Columns: ``scheduled`` (agents at work for the whole interval, breaks
    included), ``on_phones`` (at work and not on a break for the whole
    interval: the coverage rule the optimiser plans with) and
    ``on_phones_average`` (agent-minutes on the phones / interval minutes,
    comparable with the simulator's average staffing).
    """
    scheduled = np.zeros(grid.intervals)
    on_phones = np.zeros(grid.intervals)
    average = np.zeros(grid.intervals)
    for group in groups:
        at_work = group.shift.presence(on_phones=False)
        working = group.shift.presence(on_phones=True)
        scheduled += group.count * grid.covered(at_work)
        on_phones += group.count * grid.covered(working)
        average += group.count * grid.average(working)
    return pd.DataFrame({"interval_start": grid.labels(), "scheduled": scheduled,
                         "on_phones": on_phones, "on_phones_average": average})
