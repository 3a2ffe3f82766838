"""One-line staffing changes on an agent group, whatever its staffing source: scale it, or add agents.

``staffing_scale = 1.1`` multiplies every shift's ``count`` (shifts or a
roster file) or every interval's headcount (``headcount``,
``headcount_rows``, ``headcount_file``) by 1.1, each rounded to the nearest
whole agent (halves up). ``extra_agents`` adds agents: ``{ early = 5,
"14:00" = -2 }`` to the one shift of that name or start time (a key that
fits several shifts is refused), or a number to a group's only shift or to
every interval that has agents (headcount sources). Both may
be given (the scale first). No count may go below zero.

They are applied when the scenario is validated: the validated scenario
holds the changed counts and both fields read ``None`` afterwards, so a
changed scenario written back (``summary.json``, ``apply_overrides``) is
not changed twice. Sweeps and overrides can set them, e.g.
``agent_groups.generalists.staffing_scale``.
"""

from __future__ import annotations

import math
from typing import Any

SCALE, EXTRA = "staffing_scale", "extra_agents"


def apply_staffing_changes(group: Any) -> Any:
    """The validated agent group with ``staffing_scale`` and ``extra_agents`` folded into its counts."""
    scale, extra = group.staffing_scale, group.extra_agents
    if (scale is None and extra is None) or group.roster_file or group.headcount_file:
        return group  # files are read (into shifts or rows) and the group validated again, then changed
    if group.shifts is not None:
        update: dict[str, Any] = {"shifts": _changed_shifts(group.shifts, scale, extra)}
    elif group.headcount is not None:
        update = {"headcount": [_changed(value, scale, _per_interval(extra)) for value in group.headcount]}
    elif group.headcount_rows is not None:
        update = {"headcount_rows": [row.model_copy(update={"headcount": _changed(row.headcount, scale,
                                                                                   _per_interval(extra))})
                                     for row in group.headcount_rows]}
    else:
        raise ValueError(f"{SCALE} and {EXTRA} need the group's staffing in the scenario")
    return group.model_copy(update={**update, SCALE: None, EXTRA: None})


def _per_interval(extra: int | dict | None) -> int | None:
    if isinstance(extra, dict):
        raise ValueError(f"{EXTRA} by shift name needs shifts; this group has a headcount per interval "
                         "(give a number: it is added to every interval that has agents)")
    return extra


def _changed(count: int, scale: float | None, extra: int | None, empty_stays_empty: bool = True) -> int:
    changed = math.floor(count * scale + 0.5) if scale is not None else count
    if extra is not None and (changed > 0 or not empty_stays_empty):
        changed += extra
    if changed < 0:
        raise ValueError(f"{EXTRA}: {extra} would leave {changed} agents (counts cannot go below zero)")
    return changed


def _changed_shifts(shifts: list, scale: float | None, extra: int | dict | None) -> list:
    if isinstance(extra, int):
        if len(shifts) != 1:
            raise ValueError(f"{EXTRA}: the group has {len(shifts)} shifts; say which get the agents, "
                             f'e.g. {EXTRA} = {{ "{shifts[0].name or shifts[0].start}" = {extra} }}')
        extra = {shifts[0].name or shifts[0].start: extra}
    extra = extra or {}
    keys = {shift.name for shift in shifts if shift.name} | {shift.start for shift in shifts}
    unknown = [key for key in extra if key not in keys]
    if unknown:
        raise ValueError(f"{EXTRA}: no shift named or starting at {', '.join(map(repr, unknown))} "
                         f"(shifts: {', '.join(sorted(keys))})")
    added: dict[int, int] = {}
    for key, value in extra.items():
        matching = [index for index, shift in enumerate(shifts) if key in (shift.name, shift.start)]
        if len(matching) > 1:
            raise ValueError(f"{EXTRA}: {key!r} fits {len(matching)} shifts; give them names to say which")
        added[matching[0]] = added.get(matching[0], 0) + value
    return [shift.model_copy(update={"count": _changed(shift.count, scale, added.get(index),
                                                       empty_stays_empty=False)})
            for index, shift in enumerate(shifts)]


def check_extra_agents(value: Any) -> Any:
    """Before-validator: a whole number, or shift names / start times with whole numbers (no booleans)."""
    whole = lambda item: isinstance(item, int) and not isinstance(item, bool)  # noqa: E731
    if value is None or whole(value) or (isinstance(value, dict) and all(
            isinstance(key, str) and whole(item) for key, item in value.items())):
        return value
    raise ValueError(f"{value!r} is not allowed: a whole number, or shift names or start times with whole numbers "
                     '(e.g. { early = 5 } or { "08:00" = 5 })')
