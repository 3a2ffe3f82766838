"""Field types shared by the sections of a shift-template file (times of day, names, hours)."""

from __future__ import annotations

import math
import re
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from sim.config import time_of_day_minutes
from sim.config.types import MAX_NAME_LENGTH

_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_\-]*$")


def _check_time_of_day(text: str) -> str:
    time_of_day_minutes(text)
    return text


def _check_name(text: str) -> str:
    if not _NAME.match(text):
        raise ValueError(f"{text!r} is not a valid name (start with a letter; letters, digits, '_' and '-')")
    return text


def _check_whole_minutes(hours: float) -> float:
    if not math.isclose(hours * 60, round(hours * 60), abs_tol=1e-6):
        raise ValueError(f"{hours!r} hours is not a whole number of minutes")
    return hours


TimeOfDay = Annotated[str, AfterValidator(_check_time_of_day)]
Name = Annotated[str, Field(max_length=MAX_NAME_LENGTH), AfterValidator(_check_name)]
Hours = Annotated[float, Field(gt=0, le=24), AfterValidator(_check_whole_minutes)]
Kind = Literal["full_time", "part_time"]


class FrozenModel(BaseModel):
    """Base of every template-file section: unknown keys are errors, values are frozen, numbers finite
    and given as numbers."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)
