"""Problems found in input files before anything runs, and pydantic errors
turned into them: each names the dotted path of the field, the bad value and
what is allowed (``agent_groups[1].shifts[0].start: '25:00' is not a time of day (HH:MM)``).

Used for scenarios here and, downstream, for sweep and shift-template files.
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


class UserInputError(ValueError):
    """Base of every error about what the user gave (files, options, data): the command line reports
    it as ``error: ...`` with exit status 2. Any other exception escaping a command is a bug."""


class InputError(UserInputError):
    """An input file that cannot be used; ``problems`` lists every issue found."""

    what = "input"

    def __init__(self, problems: list[Problem], source: str | None = None) -> None:
        self.problems = list(problems)
        self.source = source
        header = f"{source}: " if source else ""
        count = len(self.problems)
        lines = "\n".join(f"  {problem}" for problem in self.problems)
        super().__init__(f"{header}{count} problem{'s' if count != 1 else ''} in {self.what}\n{lines}")


class ScenarioError(InputError):
    """A scenario file that cannot be run."""

    what = "scenario"


class RunTooLarge(InputError):
    """A run refused before it starts because it would exceed a limit (see :mod:`sim.limits`)."""

    what = "run size"


class FieldError(ValueError):
    """Raised by a model validator about a field below the model, so the problem names that field.

    ``path`` is relative to the model whose validator raised it, e.g. ``breaks[0].latest_offset_minutes``.
    """

    def __init__(self, path: str, message: str) -> None:
        super().__init__(message)
        self.path = path
        self.message = message


MAX_NESTING = 32  # tables and lists inside each other; a scenario with mixtures of mixtures needs about 12


def nesting_problem(data: Any, limit: int = MAX_NESTING) -> Problem | None:
    """A problem naming where tables and lists first nest deeper than ``limit``, or None.

    Checked before validation: deeply nested input would otherwise exhaust the
    validator's recursion instead of being reported.
    """
    stack: list[tuple[Any, tuple[str | int, ...]]] = [(data, ())]
    while stack:
        node, parts = stack.pop()
        if len(parts) >= limit:
            path = join_path(*parts[:8]) + ("..." if len(parts) > 8 else "")
            return Problem(path, f"tables and lists are nested more than {limit} levels deep here; "
                                 "nothing in these files needs that many")
        if isinstance(node, dict):
            stack.extend((value, parts + (str(key),)) for key, value in node.items())
        elif isinstance(node, (list, tuple)):
            stack.extend((value, parts + (index,)) for index, value in enumerate(node))
    return None


def join_path(*parts: str | int) -> str:
    """``join_path("agent_groups", 1, "shifts", 0, "start")`` -> ``agent_groups[1].shifts[0].start``."""
    text = ""
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
        elif part:
            text += part if part.startswith("[") else (f".{part}" if text else part)
    return text


def validation_problems(error: ValidationError, model: type[BaseModel]) -> list[Problem]:
    """Pydantic errors as problems with readable dotted paths and the allowed values."""
    problems = []
    for item in error.errors(include_url=False):
        path, parent = _walk(model, item["loc"])
        cause = (item.get("ctx") or {}).get("error")
        if isinstance(cause, FieldError):
            problems.append(Problem(join_path(path, cause.path), cause.message))
        else:
            problems.append(Problem(path, _describe(item, parent)))
    return problems


def _unwrap(annotation: Any) -> Any:
    """``X`` for ``Annotated[X, ...]`` and ``X | None``."""
    while typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        members = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
        if len(members) == 1:
            return _unwrap(members[0])
    return annotation


def _union_member(annotation: Any, tag: str) -> Any | None:
    """The member of a tagged union whose literal tag field (e.g. ``dist``) equals ``tag``."""
    if typing.get_origin(annotation) not in (typing.Union, types.UnionType):
        return None
    for member in typing.get_args(annotation):
        member = _unwrap(member)
        if isinstance(member, type) and issubclass(member, BaseModel):
            for field in member.model_fields.values():
                if typing.get_origin(field.annotation) is typing.Literal and tag in typing.get_args(field.annotation):
                    return member
    return None


def _walk(model: type[BaseModel], loc: tuple) -> tuple[str, Any]:
    """Dotted path for a pydantic location, and the type that holds its last element."""
    parts: list[str | int] = []
    current: Any = model
    parent: Any = model
    for element in loc:
        current = _unwrap(current)
        member = _union_member(current, element) if isinstance(element, str) else None
        if member is not None:
            current = member  # the tag pydantic adds for tagged unions is not part of the path
            continue
        parent = current
        parts.append(element)
        current = _child_type(current, element)
    return join_path(*parts), parent


def _child_type(annotation: Any, element: str | int) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        field = annotation.model_fields.get(element) if isinstance(element, str) else None
        return field.annotation if field else None
    origin = typing.get_origin(annotation)
    if origin is list and isinstance(element, int):
        return typing.get_args(annotation)[0]
    if origin is dict:
        return typing.get_args(annotation)[1]
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
    if kind in ("int_type", "float_type", "bool_type") and isinstance(item.get("input"), (str, bool)):
        given, wanted = item["input"], {"int_type": "a whole number", "float_type": "a number",
                                        "bool_type": "true or false"}[kind]
        if isinstance(given, bool):
            return f"{str(given).lower()} is a true/false value, not {wanted}"
        return f"{_short(given)} is text, not {wanted} (write it without quotes)"
    if kind == "extra_forbidden":
        allowed = list(parent.model_fields) if isinstance(parent, type) and issubclass(parent, BaseModel) else []
        return f"unknown key (allowed: {', '.join(allowed)})" if allowed else "unknown key"
    return f"{_short(item.get('input'))} is not allowed: {message[:1].lower()}{message[1:]}"
