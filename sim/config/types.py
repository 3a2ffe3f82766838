"""Shared field types for scenario files: times of day, weekdays, units, names.

Values stay in the form the planner wrote them (``"08:30"``, ``"min"``) so a
validated scenario dumps back to the same file; helpers convert to engine
units (seconds) at the edge.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict

SECONDS_PER_DAY = 86_400
MINUTES_PER_DAY = 24 * 60

WEEKDAYS: tuple[str, ...] = (
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
)
Weekday = Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]

TimeUnit = Literal["s", "min", "h"]
SECONDS_PER_UNIT: dict[str, float] = {"s": 1.0, "min": 60.0, "h": 3600.0}

_TIME_OF_DAY = re.compile(r"^(\d{1,2}):(\d{2})$")
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_\-]*$")


class StrictModel(BaseModel):
    """Base for every scenario section: unknown keys are errors, values are frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)


def time_of_day_seconds(text: str) -> int:
    """Seconds after midnight for an ``HH:MM`` string (``24:00`` allowed as end of day)."""
    match = _TIME_OF_DAY.match(text)
    if match is None:
        raise ValueError(f"{text!r} is not a time of day (HH:MM)")
    hours, minutes = int(match.group(1)), int(match.group(2))
    if minutes >= 60 or hours > 24 or (hours == 24 and minutes != 0):
        raise ValueError(f"{text!r} is not a time of day (HH:MM, 00:00 to 24:00)")
    return hours * 3600 + minutes * 60


def format_time_of_day(seconds: float) -> str:
    """``HH:MM`` for seconds after midnight (values past midnight wrap)."""
    return format_minutes_of_day(int(round(seconds / 60.0)))


# Shift templates and roster files (written by ``ccsim schedule``) count whole minutes and take the strict form.
_STRICT_TIME_OF_DAY = re.compile(r"^(\d{2}):(\d{2})$")


def time_of_day_minutes(text: str) -> int:
    """Minutes after midnight for a strict ``HH:MM`` (two-digit hours) between ``00:00`` and ``23:59``."""
    match = _STRICT_TIME_OF_DAY.match(text) if isinstance(text, str) else None
    if match is None:
        raise ValueError(f"{text!r} is not a time of day (HH:MM)")
    hours, minutes = int(match.group(1)), int(match.group(2))
    if hours >= 24 or minutes >= 60:
        raise ValueError(f"{text!r} is not a time of day (HH:MM, 00:00 to 23:59)")
    return hours * 60 + minutes


def format_minutes_of_day(minutes: int) -> str:
    """``HH:MM`` for minutes after midnight; times on the next day wrap (``25:00`` -> ``01:00``)."""
    minutes = int(minutes) % MINUTES_PER_DAY
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _check_time_of_day(text: str) -> str:
    time_of_day_seconds(text)
    return text


def _check_name(text: str) -> str:
    if not _NAME.match(text):
        raise ValueError(
            f"{text!r} is not a valid name (start with a letter; letters, digits, '_' and '-')"
        )
    return text


TimeOfDay = Annotated[str, AfterValidator(_check_time_of_day)]
Name = Annotated[str, AfterValidator(_check_name)]


def factors_by_minute(factors: dict[str, float] | None) -> list[float]:
    """A time-of-day profile (``{"HH:MM": factor}``: each factor holds from its time until the next listed
    time; 1 before the first) as one factor per minute of the day."""
    table = [1.0] * MINUTES_PER_DAY
    if not factors:
        return table
    starts = sorted((time_of_day_seconds(text) // 60, value) for text, value in factors.items())
    for (start, value), (end, _) in zip(starts, [*starts[1:], (MINUTES_PER_DAY, 0.0)]):
        table[start:end] = [float(value)] * max(end - start, 0)
    return table


def skills_from_list(value):
    """Before-validator: a plain list of contact types means every skill has priority 1."""
    if isinstance(value, list):
        return {name: 1 for name in value}
    return value
