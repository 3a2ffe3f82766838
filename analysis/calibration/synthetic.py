"""Synthetic contact logs with known parameters, to check that calibration recovers them.

The log follows the generative model the estimators assume, not a full queue:
arrivals are Poisson per hour with a gamma day factor; each contact spends a
bot time, then either self-serves, goes straight to an agent, or queues. A
queued contact is offered an exponential wait; it abandons if its patience
is shorter, else is answered after the wait and served for its handle time.
Offered wait and patience are independent, as the censoring argument needs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd
from scipy import stats

from .canonical import WEEKDAYS

# Open 8:00-20:00 with a late-morning peak: relative volume per hour of day.
DEFAULT_HOURLY_SHAPE: tuple[float, ...] = (
    0, 0, 0, 0, 0, 0, 0, 0, 4, 8, 10, 10, 8, 7, 8, 9, 8, 7, 5, 3, 0, 0, 0, 0,
)


@dataclass(frozen=True)
class SyntheticSpec:
    """What to generate. Durations are scipy frozen distributions in seconds."""

    start: date = date(2024, 1, 1)
    days: int = 28
    daily_volume: dict[str, float] = field(default_factory=lambda: {"sales": 300.0, "support": 500.0})
    hourly_shape: tuple[float, ...] = DEFAULT_HOURLY_SHAPE
    weekday_factors: dict[str, float] = field(default_factory=dict)  # missing weekday -> 1
    busyness_cv: float = 0.0
    handle_time: dict[str, object] = field(default_factory=lambda: {
        "sales": stats.lognorm(s=0.7, scale=np.exp(5.2)), "support": stats.lognorm(s=0.9, scale=np.exp(5.6))})
    patience: dict[str, object] = field(default_factory=lambda: {
        "sales": stats.expon(scale=150.0), "support": stats.weibull_min(c=1.4, scale=240.0)})
    bot_time: object = field(default_factory=lambda: stats.lognorm(s=0.5, scale=30.0))
    self_service_share: float = 0.0
    queue_share: float = 0.7  # of contacts that want an agent: share that has to queue
    offered_wait_mean: float = 60.0
    agents: int = 12
    segments: dict[str, float] = field(default_factory=lambda: {"standard": 1.0})
    # Segment mix of some contact types instead of ``segments`` (e.g. priority customers mostly calling one type).
    segments_by_type: dict[str, dict[str, float]] = field(default_factory=dict)


def _arrivals(rng: np.random.Generator, spec: SyntheticSpec) -> pd.DataFrame:
    """Arrival times and contact types, hour by hour, day by day."""
    shape = np.asarray(spec.hourly_shape, dtype=float)
    shape = shape / shape.sum()
    frames = []
    for day in range(spec.days):
        day_start = pd.Timestamp(spec.start) + pd.Timedelta(days=day)
        factor = spec.weekday_factors.get(WEEKDAYS[day_start.day_of_week], 1.0)
        if spec.busyness_cv > 0:
            factor *= rng.gamma(1.0 / spec.busyness_cv**2, spec.busyness_cv**2)
        for contact_type, volume in spec.daily_volume.items():
            counts = rng.poisson(volume * factor * shape)
            hours = np.repeat(np.arange(24), counts)
            seconds = (hours + rng.random(len(hours))) * 3600.0
            frames.append(pd.DataFrame({"arrival_time": day_start + pd.to_timedelta(seconds, unit="s"),
                                        "contact_type": contact_type}))
    return pd.concat(frames, ignore_index=True).sort_values("arrival_time", ignore_index=True)


def _draw(distribution: object, rng: np.random.Generator, size: int) -> np.ndarray:
    return np.asarray(distribution.rvs(size=size, random_state=rng), dtype=float)  # type: ignore[attr-defined]


def _journeys(log: pd.DataFrame, rng: np.random.Generator, spec: SyntheticSpec) -> pd.DataFrame:
    """Outcome and time stamps of every contact, type by type."""
    size = len(log)
    bot = _draw(spec.bot_time, rng, size)
    self_served = rng.random(size) < spec.self_service_share
    queued = ~self_served & (rng.random(size) < spec.queue_share)
    offered_wait = np.where(queued, rng.exponential(spec.offered_wait_mean, size), 0.0)
    patience = np.full(size, np.inf)
    handle = np.zeros(size)
    for contact_type in spec.daily_volume:
        rows = (log["contact_type"] == contact_type).to_numpy()
        patience[rows] = _draw(spec.patience[contact_type], rng, int(rows.sum()))
        handle[rows] = _draw(spec.handle_time[contact_type], rng, int(rows.sum()))
    abandoned = queued & (patience < offered_wait)
    answered = ~self_served & ~abandoned
    entry = log["arrival_time"] + pd.to_timedelta(bot, unit="s")
    answer = entry + pd.to_timedelta(offered_wait, unit="s")
    leave = entry + pd.to_timedelta(np.where(abandoned, patience, 0.0), unit="s")
    log["outcome"] = np.select([self_served, abandoned], ["self_served", "abandoned"], "answered")
    log["queue_entry"] = entry.where(queued)
    log["answer_time"] = answer.where(answered)
    log["end_time"] = (answer + pd.to_timedelta(handle, unit="s")).where(answered, leave.where(abandoned, entry))
    log["agent_id"] = pd.Series([f"agent{k:02d}" for k in rng.integers(0, spec.agents, size)]).where(answered)
    log["bot_time_seconds"] = bot
    return log


def synthetic_contact_log(rng: np.random.Generator, spec: SyntheticSpec | None = None) -> pd.DataFrame:
    """A log in the generic CSV columns (date-times as Timestamps); write it with ``write_contact_log``."""
    spec = spec or SyntheticSpec()
    log = _arrivals(rng, spec)
    if not spec.segments_by_type:  # one mix for all: a single draw (keeps the random stream of older logs)
        weights = np.asarray(list(spec.segments.values()), dtype=float)
        log["segment"] = rng.choice(list(spec.segments), size=len(log), p=weights / weights.sum())
        return _journeys(log, rng, spec)
    log["segment"] = ""
    for contact_type in spec.daily_volume:
        mix = spec.segments_by_type.get(contact_type, spec.segments)
        rows = (log["contact_type"] == contact_type).to_numpy()
        weights = np.asarray(list(mix.values()), dtype=float)
        log.loc[rows, "segment"] = rng.choice(list(mix), size=int(rows.sum()), p=weights / weights.sum())
    return _journeys(log, rng, spec)
