"""Grouping of weekdays into day types that share one arrival and staffing profile.

Days with the same pattern are pooled so each profile rests on more days;
which weekdays belong together is a property of the center (its opening hours
and weekend), hence configurable.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from .canonical import WEEKDAYS


@dataclass(frozen=True)
class DayTypes:
    """Maps each lowercase weekday name to a day-type label.

    Labels keep the order of their first weekday in ``order`` (Sunday first
    when the week is declared that way) so tables and plots read naturally.
    """

    by_weekday: Mapping[str, str]
    order: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        unknown = sorted(set(self.by_weekday) - set(WEEKDAYS))
        missing = [day for day in WEEKDAYS if day not in self.by_weekday]
        if unknown or missing:
            raise ValueError(f"day types need every weekday exactly once; unknown {unknown}, missing {missing}")
        if not self.order:
            labels = list(dict.fromkeys(self.by_weekday[day] for day in WEEKDAYS))
            object.__setattr__(self, "order", tuple(labels))
        elif set(self.order) != set(self.by_weekday.values()):
            raise ValueError("order must list every day-type label exactly once")

    @property
    def labels(self) -> tuple[str, ...]:
        return self.order

    def of(self, weekday: str) -> str:
        """The day type of a weekday ("monday", ...)."""
        return self.by_weekday[weekday]

    def weekdays_of(self, label: str) -> list[str]:
        """The weekdays that make up day type ``label``, Monday first."""
        return [day for day in WEEKDAYS if self.by_weekday[day] == label]

    @classmethod
    def each_weekday(cls) -> "DayTypes":
        """Every weekday its own type (needs several weeks of data per weekday)."""
        return cls({day: day for day in WEEKDAYS})

    @classmethod
    def weekday_weekend(cls) -> "DayTypes":
        """Monday-Friday versus Saturday-Sunday."""
        return cls({day: ("weekend" if day in ("saturday", "sunday") else "weekday") for day in WEEKDAYS})


# The Anonymous Bank's week: Sunday-Thursday full days, Friday morning, Saturday night only.
ANONYMOUS_BANK_DAY_TYPES = DayTypes(
    {"sunday": "sun-thu", "monday": "sun-thu", "tuesday": "sun-thu", "wednesday": "sun-thu",
     "thursday": "sun-thu", "friday": "friday", "saturday": "saturday"},
    order=("sun-thu", "friday", "saturday"),
)
