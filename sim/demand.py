"""Expected demand per interval and the arrivals drawn from it.

Arrivals are a non-homogeneous Poisson process with a rate that is constant
within each interval: the count per interval is Poisson and the times are
uniform inside it, which is that process exactly. A gamma "busyness" factor
per day (mean 1) adds the day-to-day overdispersion real centers show.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from .calendar import Calendar
from .config import Scenario, time_of_day_seconds
from .config.omnichannel import BACKLOG_CHANNELS
from .config.types import SECONDS_PER_DAY
from .customers import CustomerDraws
from .random import RandomStreams


def full_day_profile(values: list[float], scenario: Scenario, calendar: Calendar) -> np.ndarray:
    """A per-interval list for the whole day (opening-hours lists start at ``horizon.open``)."""
    profile = np.zeros(calendar.intervals_per_day)
    offset = 0
    if len(values) != calendar.intervals_per_day:
        offset = time_of_day_seconds(scenario.horizon.open) // calendar.interval_seconds
    profile[offset: offset + len(values)] = values
    return profile


def _rows_for_day(rows, day: int, calendar: Calendar, width: int, type_index: dict[str, int] | None,
                  value_key: str) -> np.ndarray:
    """Per-interval values from rows; a day-specific row beats a weekday row beats a general one."""
    layers = [np.full((calendar.intervals_per_day, width), np.nan) for _ in range(3)]
    weekday = calendar.weekday(day)
    for row in rows:
        if row.day is not None:
            if row.day != day + 1:
                continue
            layer = layers[2]
        elif row.weekday is not None:
            if row.weekday != weekday:
                continue
            layer = layers[1]
        else:
            layer = layers[0]
        column = type_index[row.contact_type] if type_index is not None else 0
        layer[time_of_day_seconds(row.interval) // calendar.interval_seconds, column] = getattr(row, value_key)
    result = np.zeros((calendar.intervals_per_day, width))
    for layer in layers:
        result = np.where(np.isnan(layer), result, layer)
    return result


def per_interval_rows(rows, day: int, calendar: Calendar, value_key: str) -> np.ndarray:
    """Values per interval of ``day`` from rows without a contact type (e.g. headcount rows)."""
    return _rows_for_day(rows, day, calendar, 1, None, value_key)[:, 0]


def expected_volume(scenario: Scenario, calendar: Calendar, day: int) -> np.ndarray:
    """Expected arrivals per interval and contact type on ``day`` (shape intervals x types).

    Calls and chats arrive only while the center is open; backlog items (messaging, email) at any
    hour the demand gives them, so they wait overnight for the agents.
    """
    demand = scenario.demand
    names = scenario.contact_type_names()
    if demand.types_in_rows:
        volume = _rows_for_day(demand.rows, day, calendar, len(names),
                               {name: index for index, name in enumerate(names)}, "volume")
    else:
        if demand.volume is not None:
            total = full_day_profile(demand.volume, scenario, calendar)
        elif demand.shape is not None:
            shape = full_day_profile(demand.shape, scenario, calendar)
            total = shape / shape.sum() * demand.daily_volume
        else:
            total = per_interval_rows(demand.rows, day, calendar, "volume")
        shares = np.array([item.share if item.share is not None else 1.0 for item in scenario.contact_types])
        volume = total[:, None] * shares[None, :]
    factor = demand.weekday_factors.get(calendar.weekday(day), 1.0)
    if demand.day_factors:
        factor *= demand.day_factors[day % len(demand.day_factors)]
    accepting = np.repeat(calendar.open_mask(day)[:, None], len(names), axis=1)
    accepting[:, [channel in BACKLOG_CHANNELS for channel in scenario.type_channels()]] = True
    return volume * factor * accepting


@dataclass(frozen=True)
class Arrivals:
    """Every first-attempt contact of a run, sorted by time, with the attributes drawn for it."""

    time: np.ndarray
    contact_type: np.ndarray
    segment: np.ndarray
    handle_time: np.ndarray
    after_call_work: np.ndarray
    patience: np.ndarray
    ai_session_time: np.ndarray
    ai_outcome: np.ndarray

    def __len__(self) -> int:
        return len(self.time)


def _busyness(scenario: Scenario, calendar: Calendar, streams: RandomStreams) -> np.ndarray:
    """One factor per day from -1 to days-1 (mean 1, coefficient of variation ``busyness_cv``)."""
    cv = scenario.demand.busyness_cv
    count = calendar.days + 1
    if cv == 0:
        return np.ones(count)
    shape = 1.0 / cv**2
    return streams.get("busyness").gamma(shape, 1.0 / shape, count)


def _day_windows(calendar: Calendar, day: int) -> tuple[np.ndarray, np.ndarray]:
    """Start and length of each interval of ``day`` that falls inside the run (clipped to the warm-up)."""
    starts = day * float(SECONDS_PER_DAY) + np.arange(calendar.intervals_per_day) * calendar.interval_seconds
    ends = starts + calendar.interval_seconds
    if day < 0:
        starts = np.maximum(starts, -calendar.warmup_seconds)
    return starts, np.clip(ends - starts, 0.0, None)


def segment_shares_by_type(scenario: Scenario) -> list[np.ndarray]:
    """Per contact type, the probability of each segment (its own mix, or the segments' shares)."""
    names = [segment.name for segment in scenario.segments]
    default = np.array([segment.share for segment in scenario.segments])
    mixes = []
    for contact_type in scenario.contact_types:
        own = contact_type.segment_shares
        shares = np.array([own.get(name, 0.0) for name in names]) if own is not None else default
        mixes.append(shares / shares.sum())
    return mixes


def arrival_days(scenario: Scenario, calendar: Calendar, streams: RandomStreams) -> Iterator[Arrivals]:
    """First-attempt arrivals of the run (warm-up included) and their attributes, one day at a time in
    time order. Each random stream is used only here and in this order, so drawing the days lazily gives
    the same draws as drawing them all at once."""
    busyness = _busyness(scenario, calendar, streams)
    first_day = -1 if calendar.warmup_seconds > 0 else 0
    segment_mix = segment_shares_by_type(scenario)
    customers = CustomerDraws(scenario, streams)
    for day in range(first_day, calendar.days):
        yield _day_arrivals(scenario, calendar, streams, day, busyness[day + 1], segment_mix, customers)


def _day_arrivals(scenario: Scenario, calendar: Calendar, streams: RandomStreams, day: int, busyness: float,
                  segment_mix: list[np.ndarray], customers: CustomerDraws) -> Arrivals:
    parts: dict[str, list[np.ndarray]] = {key: [] for key in Arrivals.__dataclass_fields__}
    starts, lengths = _day_windows(calendar, day)
    volume = expected_volume(scenario, calendar, day) * busyness
    for type_index, contact_type in enumerate(scenario.contact_types):
        generator = streams.get(f"arrivals/{contact_type.name}")
        counts = generator.poisson(volume[:, type_index] * lengths / calendar.interval_seconds)
        total = int(counts.sum())
        times = np.repeat(starts, counts) + generator.random(total) * np.repeat(lengths, counts)
        shares = segment_mix[type_index]
        segments = streams.get(f"segment/{contact_type.name}").choice(
            len(shares), size=total, p=shares).astype(np.int64)
        parts["time"].append(times)
        parts["contact_type"].append(np.full(total, type_index, dtype=np.int64))
        parts["segment"].append(segments)
        for attribute, values in customers.block(type_index, segments, times).items():
            parts[attribute].append(values)
    return _sorted_arrivals(parts)


def _sorted_arrivals(parts: dict[str, list[np.ndarray]]) -> Arrivals:
    columns = {key: np.concatenate(values) if values else np.zeros(0) for key, values in parts.items()}
    order = np.argsort(columns["time"], kind="stable")
    return Arrivals(**{key: values[order] for key, values in columns.items()})


def generate_arrivals(scenario: Scenario, calendar: Calendar, streams: RandomStreams) -> Arrivals:
    """All first-attempt arrivals of the run in one block (the days of :func:`arrival_days` joined)."""
    days = list(arrival_days(scenario, calendar, streams))
    return _sorted_arrivals({key: [getattr(day, key) for day in days] for key in Arrivals.__dataclass_fields__})
