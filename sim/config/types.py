"""Shared field types for scenario files: times of day, weekdays, units, names.

Values stay in the form the planner wrote them (``"08:30"``, ``"min"``) so a
validated scenario dumps back to the same file; helpers convert to engine
units (seconds) at the edge.
"""

from __future__ import annotations

import math
import numbers
import re
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

from .text import check_display_text

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


# Bounds on every number of a scenario, so no product or sum of them can overflow to infinity.
MAX_MAGNITUDE = 1e12
MAX_AGENTS = 100_000  # agents (or seats) in one interval, shift or vendor
MAX_NAME_LENGTH = 100
MAX_TEXT_LENGTH = 2_000
MAX_PATH_LENGTH = 1_000


class StrictModel(BaseModel):
    """Base for every scenario section: unknown keys are errors, values are frozen.

    Numbers must be finite and written as numbers: text such as ``"0.3"`` is
    not turned into one, and ``inf``/``nan`` are refused (a missing
    ``patience`` is how a scenario says "never").
    """

    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True, strict=True,
                              allow_inf_nan=False)


def exactly_one(model: StrictModel, groups: dict[str, tuple[str, ...]], what: str) -> None:
    """Raise unless exactly one group of fields is fully given (and no field of another)."""
    complete = [label for label, keys in groups.items()
                if all(getattr(model, key) is not None for key in keys)]
    given = [key for keys in groups.values() for key in keys if getattr(model, key) is not None]
    if len(complete) != 1 or len(given) != len(groups[complete[0]]):
        options = " | ".join(" + ".join(keys) for keys in groups.values())
        raise ValueError(f"{what} needs exactly one of: {options}; got {', '.join(given) or 'none'}")


def whole_number(value: Any) -> Any:
    """Before-validator of whole-number fields: ``3.0`` (e.g. from a sweep grid) and numpy integers become ``3``.

    Text and booleans are left for the strict integer check to refuse.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    if math.isfinite(value) and float(value).is_integer():
        return int(value)
    raise ValueError(f"{value!r} is not a whole number")


def plain_number(value: Any) -> Any:
    """Before-validator of real-number fields: numpy numbers become Python floats."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or isinstance(value, (int, float)):
        return value
    return float(value)


Real = Annotated[float, BeforeValidator(plain_number), Field(ge=-MAX_MAGNITUDE, le=MAX_MAGNITUDE)]
NonNegativeReal = Annotated[float, BeforeValidator(plain_number), Field(ge=0, le=MAX_MAGNITUDE)]
PositiveReal = Annotated[float, BeforeValidator(plain_number), Field(gt=0, le=MAX_MAGNITUDE)]
Integer = Annotated[int, BeforeValidator(whole_number), Field(ge=-int(MAX_MAGNITUDE), le=int(MAX_MAGNITUDE))]
Count = Annotated[int, BeforeValidator(whole_number), Field(ge=0, le=int(MAX_MAGNITUDE))]
PositiveCount = Annotated[int, BeforeValidator(whole_number), Field(gt=0, le=int(MAX_MAGNITUDE))]
AgentCount = Annotated[int, BeforeValidator(whole_number), Field(ge=0, le=MAX_AGENTS)]
MAX_SESSIONS = 100  # sessions one agent or seat holds at once
Sessions = Annotated[int, BeforeValidator(whole_number), Field(gt=0, le=MAX_SESSIONS)]
AgentChange = Annotated[int, Field(strict=True, ge=-MAX_AGENTS, le=MAX_AGENTS)]
"""Agents added (or, negative, taken away); written as a whole number."""


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


def _check_file_reference(text: str) -> str:
    if not text.strip():
        raise ValueError("an empty file name is not allowed")
    return check_display_text(text)


TimeOfDay = Annotated[str, AfterValidator(_check_time_of_day)]
Name = Annotated[str, Field(max_length=MAX_NAME_LENGTH), AfterValidator(_check_name)]
Label = Annotated[str, Field(max_length=MAX_NAME_LENGTH), AfterValidator(check_display_text)]
"""Free text shown as a title (scenario or shift name): printable, one line."""
Description = Annotated[str, Field(max_length=MAX_TEXT_LENGTH),
                        AfterValidator(lambda text: check_display_text(text, multiline=True))]
"""Free text that may span lines (descriptions)."""
FileReference = Annotated[str, Field(max_length=MAX_PATH_LENGTH), AfterValidator(_check_file_reference)]
"""A file named by a scenario, relative to it."""


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
    """Before-validator: a plain list of contact types means every skill has priority 1.

    Anything else (a list holding non-names, say) is left for validation to refuse with its path.
    """
    if isinstance(value, list) and all(isinstance(name, str) for name in value):
        return {name: 1 for name in value}
    return value
