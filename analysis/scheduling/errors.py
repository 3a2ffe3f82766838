"""Errors of the scheduling package, and pydantic errors turned into readable problems.

A problem names the dotted path of the offending field, the bad value and
what is allowed, e.g. ``templates[1].starts[0]: '25:00' is not a time of day (HH:MM)``.
"""

from __future__ import annotations

import json
import types
import typing
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: where (dotted path) and what."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class FieldError(ValueError):
    """Raised by a model validator about a field below the model, so the path can name that field.

    ``path`` is relative to the model whose validator raised it, e.g.
    ``breaks[0].latest_offset_minutes`` from a template validator.
    """

    def __init__(self, path: str, message: str) -> None:
        super().__init__(message)
        self.path = path
        self.message = message


class TemplateFileError(ValueError):
    """A shift-template file that cannot be used; ``problems`` lists what is wrong."""

    def __init__(self, problems: list[Problem], source: str | None = None) -> None:
        self.problems = list(problems)
        self.source = source
        header = f"{source}: " if source else ""
        lines = "\n".join(f"  {problem}" for problem in self.problems)
        count = len(self.problems)
        super().__init__(f"{header}{count} problem{'s' if count != 1 else ''} in shift templates\n{lines}")


class RuleError(ValueError):
    """A scheduling rule that cannot be applied to the given templates."""


class InfeasibleScheduleError(ValueError):
    """No schedule meets the requirement; ``intervals`` names the intervals (``HH:MM``) at fault, if known."""

    def __init__(self, message: str, intervals: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.intervals = intervals


class ScheduleSolveError(RuntimeError):
    """The solver stopped without any schedule (time limit before a first solution, numerical trouble)."""


def join_path(*parts: str | int) -> str:
    """``join_path("templates", 1, "starts", 0)`` -> ``templates[1].starts[0]``."""
    text = ""
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
        elif part:
            text += part if part.startswith("[") else (f".{part}" if text else part)
    return text


def validation_problems(error: ValidationError, model: type[BaseModel]) -> list[Problem]:
    """Pydantic errors as problems with dotted paths, the bad value and what is allowed."""
    problems = []
    for item in error.errors(include_url=False):
        path, parent = _walk(model, item["loc"])
        cause = (item.get("ctx") or {}).get("error")
        if isinstance(cause, FieldError):
            problems.append(Problem(join_path(path, cause.path), cause.message))
        else:
            problems.append(Problem(path, _describe(item, parent)))
    return problems


def _walk(model: type[BaseModel], loc: tuple) -> tuple[str, Any]:
    """Dotted path for a pydantic location, and the type holding its last element."""
    parts: list[str | int] = []
    current: Any = model
    parent: Any = model
    for element in loc:
        parent = _unwrap(current)
        parts.append(element)
        current = _child_type(parent, element)
    return join_path(*parts), parent


def _unwrap(annotation: Any) -> Any:
    """``X`` for ``Annotated[X, ...]`` and ``X | None``."""
    while typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        members = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
        if len(members) == 1:
            return _unwrap(members[0])
    return annotation


def _child_type(annotation: Any, element: str | int) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel) and isinstance(element, str):
        field = annotation.model_fields.get(element)
        return field.annotation if field else None
    if typing.get_origin(annotation) is list and isinstance(element, int):
        return typing.get_args(annotation)[0]
    return None


def _short(value: Any) -> str:
    text = json.dumps(value, default=str) if isinstance(value, (dict, list)) else repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _describe(item: dict[str, Any], parent: Any) -> str:
    kind, message = item["type"], item["msg"]
    if kind == "value_error":
        return message.removeprefix("Value error, ")
    if kind == "missing":
        return "required, but missing"
    if kind == "extra_forbidden":
        if isinstance(parent, type) and issubclass(parent, BaseModel):
            return f"unknown key (allowed: {', '.join(parent.model_fields)})"
        return "unknown key"
    return f"{_short(item.get('input'))} is not allowed: {message[:1].lower()}{message[1:]}"
