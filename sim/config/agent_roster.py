"""Agent rosters: named agents and the days they work, as ``ccsim schedule`` writes them (``roster_agents.csv``).

One row per agent and working day::

    agent,group,contract,week,weekday,start,end,paid_hours,breaks
    generalists_001,generalists,full_time,1,monday,08:00,16:30,8,10:00/15 paid;12:30/30 unpaid;15:00/15 paid

``agent``, ``group``, ``weekday``, ``start``, ``end`` (``HH:MM``; an end at
or before the start is on the next day), ``paid_hours`` and ``breaks``
(``HH:MM/minutes paid|unpaid`` separated by ``;``, empty when none; a break
before the start is on the next day) are required; ``contract`` and
``week`` (of a rotation, 1 when absent) are optional. ``paid_hours`` must
equal the shift less its unpaid breaks, so a roster edited by hand cannot
disagree with itself. An agent group with ``roster_file`` naming such a file
takes the rows whose ``group`` is its name: each becomes a shift of one
agent on that weekday.
"""

from __future__ import annotations

from pathlib import Path

from .files import FileProblem, read_rows
from .types import SECONDS_PER_DAY, WEEKDAYS, time_of_day_seconds

REQUIRED_COLUMNS = ("agent", "group", "weekday", "start", "end", "paid_hours", "breaks")
OPTIONAL_COLUMNS = ("contract", "week")
_NEEDED_CELLS = ("agent", "group", "weekday", "start", "end", "paid_hours")
_MINUTE_TOLERANCE_HOURS = 0.5 / 60


def is_agent_roster(path: Path) -> bool:
    """True when the CSV's header names an ``agent`` column (else it is a roster of shift counts)."""
    try:
        with path.open(encoding="utf-8-sig") as handle:
            header = handle.readline()
    except OSError:
        return False
    return "agent" in (name.strip() for name in header.split(","))


def read_agent_roster(path: Path, group: str) -> list[dict]:
    """The shifts of ``group``'s agents, one per row, for the scenario schema to validate."""
    rows = read_rows(path, REQUIRED_COLUMNS, OPTIONAL_COLUMNS)
    shifts: list[dict] = []
    seen: dict[tuple[str, str, int], int] = {}
    for line, row in enumerate(rows, start=2):
        empty = [column for column in _NEEDED_CELLS if column not in row]
        if empty:
            raise FileProblem(f"{path.name} line {line}: empty {', '.join(empty)}; every row needs a value there")
        if row["group"] != group:
            continue
        weekday = row["weekday"].lower()
        week = _week(row.get("week", "1"), path, line)
        key = (row["agent"], weekday, week)
        if key in seen:
            raise FileProblem(f"{path.name} line {line}: agent {row['agent']!r} already works {weekday} "
                              f"(line {seen[key]}); one shift per agent and day")
        seen[key] = line
        shifts.append(_shift(row, weekday, path, line))
    if not shifts:
        raise FileProblem(f"{path.name}: no rows for agent group {group!r} (column group)")
    return shifts


def _week(text: str, path: Path, line: int) -> int:
    if not text.isdigit() or int(text) < 1:
        raise FileProblem(f"{path.name} line {line}, column week: {text!r} is not a week number (1, 2, ...)")
    if int(text) != 1:
        raise FileProblem(f"{path.name} line {line}, column week: {text!r}: rosters rotating over several weeks "
                          "cannot be simulated yet (give week 1 only)")
    return int(text)


def _shift(row: dict[str, str], weekday: str, path: Path, line: int) -> dict:
    where = f"{path.name} line {line}"
    if weekday not in WEEKDAYS:
        raise FileProblem(f"{where}, column weekday: {row['weekday']!r} is not a weekday ({', '.join(WEEKDAYS)})")
    start, end = (_time(row[column], where, column) for column in ("start", "end"))
    length = (end - start) % SECONDS_PER_DAY or SECONDS_PER_DAY
    breaks = _breaks(row.get("breaks", ""), where)
    unpaid = sum(item["minutes"] for item in breaks if not item["paid"]) * 60
    try:
        paid_hours = float(row["paid_hours"])
    except ValueError:
        raise FileProblem(f"{where}, column paid_hours: {row['paid_hours']!r} is not a number") from None
    expected = (length - unpaid) / 3600
    if abs(paid_hours - expected) > _MINUTE_TOLERANCE_HOURS:
        raise FileProblem(f"{where}, column paid_hours: {row['paid_hours']} does not match the shift "
                          f"({row['start']}-{row['end']}, {length / 3600:g} h less {unpaid / 60:g} min of unpaid "
                          f"breaks = {expected:g} h)")
    return {"name": row["agent"], "start": row["start"], "length_hours": length / 3600, "count": 1,
            "breaks": breaks, "weekdays": [weekday]}


def _time(text: str, where: str, column: str) -> int:
    try:
        seconds = time_of_day_seconds(text)
    except ValueError as error:
        raise FileProblem(f"{where}, column {column}: {error}") from None
    return seconds % SECONDS_PER_DAY


def _breaks(text: str, where: str) -> list[dict]:
    breaks = []
    for entry in filter(None, (part.strip() for part in text.split(";"))):
        timing, _, kind = entry.partition(" ")
        start, slash, minutes = timing.partition("/")
        kind = kind.strip() or "unpaid"
        if not slash or not minutes.isdigit() or int(minutes) == 0 or kind not in ("paid", "unpaid"):
            raise FileProblem(f"{where}, column breaks: {entry!r} is not HH:MM/minutes paid|unpaid "
                              "(e.g. 12:30/30 unpaid)")
        breaks.append({"start": start, "minutes": int(minutes), "paid": kind == "paid"})
    return breaks
