"""Errors of the scheduling package, and pydantic errors turned into readable problems.

A problem names the dotted path of the offending field, the bad value and
what is allowed, e.g. ``templates[1].starts[0]: '25:00' is not a time of day (HH:MM)``.
"""

from __future__ import annotations

from sim.config.errors import FieldError, InputError, Problem, UserInputError, join_path, validation_problems

__all__ = ["FieldError", "InfeasibleScheduleError", "InputError", "Problem", "RuleError", "ScheduleSolveError",
           "TemplateFileError", "join_path", "validation_problems"]


class TemplateFileError(InputError):
    """A shift-template file that cannot be used; ``problems`` lists what is wrong."""

    what = "shift templates"


class RuleError(UserInputError):
    """A scheduling rule that cannot be applied to the given templates."""


class InfeasibleScheduleError(UserInputError):
    """No schedule meets the requirement; ``intervals`` names the intervals (``HH:MM``) at fault, if known."""

    def __init__(self, message: str, intervals: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.intervals = intervals


class ScheduleSolveError(RuntimeError):
    """The solver stopped without any schedule (time limit before a first solution, numerical trouble)."""
