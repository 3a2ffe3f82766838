"""Checks that span several sections of a scenario (names, shares, lengths).

Each check yields :class:`Problem` records naming the exact field, so a
planner sees every issue at once instead of fixing them one run at a time.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

from .errors import Problem, join_path
from .omnichannel import channel_problems
from .scenario import Scenario
from .types import SECONDS_PER_DAY, format_time_of_day, time_of_day_seconds

_SHARE_TOLERANCE = 1e-6


def find_problems(scenario: Scenario) -> list[Problem]:
    """Every cross-field problem in a scenario whose sections are individually valid."""
    checks = (_unique_names, _interval_grid, _contact_type_shares, _segment_shares,
              _demand_lengths, _demand_rows, _agent_groups, _every_type_served,
              _vendors, _ai, _routing, channel_problems, _value)
    return [problem for check in checks for problem in check(scenario)]


def _unique_names(scenario: Scenario) -> Iterator[Problem]:
    for section in ("contact_types", "segments", "agent_groups", "vendors"):
        seen: set[str] = set()
        for index, item in enumerate(getattr(scenario, section)):
            if item.name in seen:
                yield Problem(join_path(section, index, "name"), f"{item.name!r} is used twice; names must be unique")
            seen.add(item.name)


def _on_grid(text: str, interval_seconds: int) -> bool:
    return time_of_day_seconds(text) % interval_seconds == 0


def _interval_grid(scenario: Scenario) -> Iterator[Problem]:
    horizon = scenario.horizon
    step = horizon.interval_minutes * 60
    allowed = f"a multiple of the {horizon.interval_minutes}-minute interval"
    for key in ("open", "close"):
        if not _on_grid(getattr(horizon, key), step):
            yield Problem(join_path("horizon", key), f"{getattr(horizon, key)!r} is not {allowed}")
    for weekday, hours in horizon.weekday_hours.items():
        for key in ("open", "close"):
            if not hours.closed and not _on_grid(getattr(hours, key), step):
                yield Problem(join_path("horizon", "weekday_hours", weekday, key),
                              f"{getattr(hours, key)!r} is not {allowed}")


def _shares(items, path: str, what: str) -> Iterator[Problem]:
    total = math.fsum(item.share for item in items)
    if abs(total - 1.0) > _SHARE_TOLERANCE:
        listing = ", ".join(f"{item.name}={item.share:g}" for item in items)
        yield Problem(path, f"{what} shares add up to {total:g} ({listing}); they must add up to 1")


def _contact_type_shares(scenario: Scenario) -> Iterator[Problem]:
    types = scenario.contact_types
    if scenario.demand.types_in_rows:
        for index, contact_type in enumerate(types):
            if contact_type.share is not None:
                yield Problem(join_path("contact_types", index, "share"),
                              f"{contact_type.share!r} not allowed: demand rows give volume per contact type")
        return
    if len(types) == 1 and types[0].share is None:
        return
    missing = [index for index, item in enumerate(types) if item.share is None]
    for index in missing:
        yield Problem(join_path("contact_types", index, "share"),
                      "required: the share of total demand for this contact type (0 to 1)")
    if not missing:
        yield from _shares(types, "contact_types", "contact type")


def _segment_shares(scenario: Scenario) -> Iterator[Problem]:
    yield from _shares(scenario.segments, "segments", "segment")
    known = {segment.name for segment in scenario.segments}
    for index, contact_type in enumerate(scenario.contact_types):
        shares = contact_type.segment_shares
        if shares is None:
            continue
        path = join_path("contact_types", index, "segment_shares")
        yield from _unknown(shares, known, path, "segment")
        if any(value < 0 for value in shares.values()) or abs(math.fsum(shares.values()) - 1) > _SHARE_TOLERANCE:
            listing = ", ".join(f"{name}={value:g}" for name, value in shares.items())
            yield Problem(path, f"{listing} must be non-negative and add up to 1")


def intervals_per_day(scenario: Scenario) -> int:
    return SECONDS_PER_DAY // (scenario.horizon.interval_minutes * 60)


def open_interval_count(scenario: Scenario) -> int:
    horizon = scenario.horizon
    open_seconds = time_of_day_seconds(horizon.close) - time_of_day_seconds(horizon.open)
    return open_seconds // (horizon.interval_minutes * 60)


def _length_problem(values: list, path: str, scenario: Scenario) -> Iterator[Problem]:
    full, opening = intervals_per_day(scenario), open_interval_count(scenario)
    if len(values) not in (full, opening):
        allowed = f"{full} (whole day)" + (f" or {opening} (opening hours)" if opening != full else "")
        yield Problem(path, f"has {len(values)} entries; expected {allowed} for "
                            f"{scenario.horizon.interval_minutes}-minute intervals")


def _demand_lengths(scenario: Scenario) -> Iterator[Problem]:
    demand = scenario.demand
    if demand.volume is not None:
        yield from _length_problem(demand.volume, "demand.volume", scenario)
    if demand.shape is not None:
        yield from _length_problem(demand.shape, "demand.shape", scenario)


def _rows_on_grid(rows, path: str, scenario: Scenario) -> Iterator[Problem]:
    step = scenario.horizon.interval_minutes * 60
    for index, row in enumerate(rows):
        if not _on_grid(row.interval, step):
            yield Problem(join_path(path, index, "interval"),
                          f"{row.interval!r} is not the start of a {scenario.horizon.interval_minutes}-minute interval")
        if row.day is not None and row.day > scenario.horizon.days:
            yield Problem(join_path(path, index, "day"),
                          f"{row.day} is beyond the horizon of {scenario.horizon.days} day(s)")
        if row.day is not None and row.weekday is not None:
            yield Problem(join_path(path, index), "give day or weekday, not both")


def _demand_rows(scenario: Scenario) -> Iterator[Problem]:
    rows = scenario.demand.rows
    if not rows:
        return
    yield from _rows_on_grid(rows, "demand.rows", scenario)
    known = set(scenario.contact_type_names())
    with_type = [row.contact_type is not None for row in rows]
    for index, row in enumerate(rows):
        if any(with_type) and row.contact_type is None:
            yield Problem(join_path("demand.rows", index, "contact_type"),
                          "required: every row needs a contact type once some rows have one")
        elif row.contact_type is not None and row.contact_type not in known:
            yield Problem(join_path("demand.rows", index, "contact_type"),
                          f"{row.contact_type!r} is not a contact type (known: {', '.join(sorted(known))})")


def _agent_groups(scenario: Scenario) -> Iterator[Problem]:
    known = set(scenario.contact_type_names())
    for index, group in enumerate(scenario.agent_groups):
        base = join_path("agent_groups", index)
        for skill in group.skills:
            if skill not in known:
                yield Problem(join_path(base, "skills", skill),
                              f"{skill!r} is not a contact type (known: {', '.join(sorted(known))})")
        if group.headcount is not None:
            yield from _length_problem(group.headcount, join_path(base, "headcount"), scenario)
        if group.headcount_rows is not None:
            yield from _rows_on_grid(group.headcount_rows, join_path(base, "headcount_rows"), scenario)
        for shift_index, shift in enumerate(group.shifts or []):
            yield from _breaks_inside_shift(shift, join_path(base, "shifts", shift_index))
            if group.break_deferral is not None:
                yield from _break_windows(shift, group.break_deferral.max_delay_minutes,
                                          join_path(base, "shifts", shift_index))


def _breaks_inside_shift(shift, path: str) -> Iterator[Problem]:
    start = time_of_day_seconds(shift.start)
    end = start + shift.length_hours * 3600
    for index, shift_break in enumerate(shift.breaks):
        # Break times are clock times; one before the shift start belongs to the next day.
        break_start = time_of_day_seconds(shift_break.start)
        if break_start < start:
            break_start += SECONDS_PER_DAY
        if break_start + shift_break.minutes * 60 > end + 1e-9:
            yield Problem(join_path(path, "breaks", index),
                          f"break {shift_break.start} for {shift_break.minutes:g} min does not fit in "
                          f"the shift {shift.start} + {shift.length_hours:g} h")


def break_window(shift, shift_break, max_delay_minutes: float) -> tuple[float, float]:
    """(planned start, latest start) of a break, in seconds after midnight of the shift's day."""
    start = time_of_day_seconds(shift.start)
    planned = time_of_day_seconds(shift_break.start)
    if planned < start:
        planned += SECONDS_PER_DAY  # a break time before the shift start is on the next day
    if shift_break.latest is None:
        return planned, planned + max_delay_minutes * 60
    latest = time_of_day_seconds(shift_break.latest)
    while latest < planned:
        latest += SECONDS_PER_DAY
    return planned, latest


def _break_windows(shift, max_delay_minutes: float, path: str) -> Iterator[Problem]:
    """A deferred break still ends inside the shift and before the next break starts."""
    end = time_of_day_seconds(shift.start) + shift.length_hours * 3600
    windows = sorted((break_window(shift, item, max_delay_minutes), index, item)
                     for index, item in enumerate(shift.breaks))
    for position, ((planned, latest), index, item) in enumerate(windows):
        finish = latest + item.minutes * 60
        following = windows[position + 1][0][0] if position + 1 < len(windows) else end
        if finish > following + 1e-9:
            what = "the shift ends" if position + 1 == len(windows) else "the next break starts"
            yield Problem(join_path(path, "breaks", index, "latest"),
                          f"a break deferred to {format_time_of_day(latest)} would end after {what} "
                          f"({format_time_of_day(following)}); give an earlier latest (or a shorter "
                          "break_deferral.max_delay_minutes)")


def _every_type_served(scenario: Scenario) -> Iterator[Problem]:
    # Escalations and overflow need somewhere to go, so every type needs a human (in-house or vendor).
    # Dedicated groups only take what rules send them, so they cannot be the fallback.
    served = {skill for group in scenario.agent_groups if not group.dedicated for skill in group.skills}
    served |= {skill for vendor in scenario.vendors for skill in vendor.skills}
    for index, contact_type in enumerate(scenario.contact_types):
        if contact_type.name not in served:
            yield Problem(join_path("contact_types", index, "name"),
                          f"{contact_type.name!r} is not served by any agent group or vendor "
                          "(add it to some non-dedicated group's or vendor's skills)")


def _unknown(names: list[str] | dict[str, object], known: set[str], path: str, what: str) -> Iterator[Problem]:
    """Names not in ``known``; a list is addressed by index, a table by key."""
    for index, name in enumerate(names):
        if name not in known:
            yield Problem(join_path(path, index) if isinstance(names, list) else join_path(path, name),
                          f"{name!r} is not a {what} (known: {', '.join(sorted(known)) or 'none'})")


RESERVED_DESTINATIONS = ("ai", "inhouse")


def _vendors(scenario: Scenario) -> Iterator[Problem]:
    types = set(scenario.contact_type_names())
    groups = {group.name for group in scenario.agent_groups}
    for index, vendor in enumerate(scenario.vendors):
        base = join_path("vendors", index)
        if vendor.name in RESERVED_DESTINATIONS or vendor.name in groups:
            yield Problem(join_path(base, "name"), f"{vendor.name!r} is reserved or already an agent group's name")
        yield from _unknown(vendor.skills, types, join_path(base, "skills"), "contact type")
        if vendor.seats_per_interval is not None:
            yield from _length_problem(vendor.seats_per_interval, join_path(base, "seats_per_interval"), scenario)


def _ai(scenario: Scenario) -> Iterator[Problem]:
    if scenario.ai is None:
        return
    yield from _unknown(scenario.ai.contact_types, set(scenario.contact_type_names()),
                        "ai.contact_types", "contact type")
    if scenario.ai.segments is not None:
        yield from _unknown(scenario.ai.segments, {s.name for s in scenario.segments}, "ai.segments", "segment")


def _routing(scenario: Scenario) -> Iterator[Problem]:
    types = set(scenario.contact_type_names())
    segments = {segment.name for segment in scenario.segments}
    vendors = {vendor.name: vendor for vendor in scenario.vendors}
    dedicated = {group.name: group for group in scenario.agent_groups if group.dedicated}
    shared_groups = any(not group.dedicated for group in scenario.agent_groups)
    destinations = (set(vendors) | set(dedicated) | ({"inhouse"} if shared_groups else set())
                    | ({"ai"} if scenario.ai else set()))
    for index, rule in enumerate(scenario.routing or []):
        base = join_path("routing", index)
        if rule.to not in destinations:
            yield Problem(join_path(base, "to"), f"{rule.to!r} is not a destination "
                                                 f"(known: {', '.join(sorted(destinations)) or 'none'})")
        yield from _unknown(rule.contact_types or [], types, join_path(base, "contact_types"), "contact type")
        yield from _unknown(rule.segments or [], segments, join_path(base, "segments"), "segment")
        handled = None
        if rule.to in vendors:
            handled, what = set(vendors[rule.to].skills), f"served by vendor {rule.to!r}"
        elif rule.to in dedicated:
            handled, what = set(dedicated[rule.to].skills), f"served by agent group {rule.to!r}"
        elif rule.to == "ai" and scenario.ai is not None:
            handled, what = set(scenario.ai.contact_types), "handled by the AI"
        for type_index, name in enumerate(rule.contact_types or []):
            if handled is not None and name in types and name not in handled:
                yield Problem(join_path(base, "contact_types", type_index), f"{name!r} is not {what}")


def _value(scenario: Scenario) -> Iterator[Problem]:
    value = scenario.value
    if value is None:
        return
    known = {segment.name for segment in scenario.segments}
    yield from _unknown(value.segments, known, "value.segments", "segment")
    for segment in scenario.segments:
        for field in value.missing(segment.name):
            yield Problem(join_path("value", "segments", segment.name, field),
                          f"required for segment {segment.name!r}: give it here or as value.{field} for every segment")
