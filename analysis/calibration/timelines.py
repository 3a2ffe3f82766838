"""Counts that change at instants (callers waiting, agents talking, agents on duty) as exact step functions.

A log's times are seconds after midnight of each contact's date; here they
become seconds after midnight of the log's first date (:func:`absolute_seconds`)
so a night that crosses midnight, or an agent's call that does, is one
timeline. Integrals over a window are exact (no sampling), which is what the
availability estimators and the share-talking-vs-queue curve need.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .canonical import SECONDS_PER_DAY


def absolute_seconds(contacts: pd.DataFrame, column: str, origin: pd.Timestamp) -> np.ndarray:
    """``column`` (seconds after midnight of each row's date) as seconds after midnight of ``origin``."""
    days = (pd.to_datetime(contacts["date"]) - origin).dt.days.to_numpy(dtype=float)
    return days * SECONDS_PER_DAY + contacts[column].to_numpy(dtype=float)


@dataclass(frozen=True)
class StepFunction:
    """A right-continuous count: 0 before ``times[0]``, ``values[i]`` on ``[times[i], times[i + 1])``."""

    times: np.ndarray
    values: np.ndarray

    @classmethod
    def from_spans(cls, starts: np.ndarray, ends: np.ndarray) -> StepFunction:
        """How many of the spans ``[start, end)`` cover each instant; at a tie ends count first."""
        starts, ends = np.asarray(starts, dtype=float), np.asarray(ends, dtype=float)
        keep = ends > starts
        times = np.concatenate([ends[keep], starts[keep]])
        steps = np.concatenate([-np.ones(keep.sum()), np.ones(keep.sum())])
        order = np.argsort(times, kind="stable")  # ends were put first, so they stay first at ties
        times, values = times[order], np.cumsum(steps[order])
        if not len(times):
            return cls(times, values)
        last = np.r_[times[1:] != times[:-1], True]  # one value per distinct instant: the one after all its steps
        return cls(times[last], values[last])

    def at(self, instants: np.ndarray) -> np.ndarray:
        """Value at each instant (after any step at that instant)."""
        if not len(self.times):
            return np.zeros(np.shape(instants))
        index = np.searchsorted(self.times, np.asarray(instants, dtype=float), side="right") - 1
        return np.where(index >= 0, self.values[np.maximum(index, 0)], 0.0)

    def before(self, instants: np.ndarray) -> np.ndarray:
        """Value just before each instant."""
        if not len(self.times):
            return np.zeros(np.shape(instants))
        index = np.searchsorted(self.times, np.asarray(instants, dtype=float), side="left") - 1
        return np.where(index >= 0, self.values[np.maximum(index, 0)], 0.0)

    def _cumulative(self, weights: np.ndarray, instants: np.ndarray) -> np.ndarray:
        """Integral of ``weights`` (one per step) from the first step up to each instant."""
        widths = np.diff(self.times)
        partial = np.r_[0.0, np.cumsum(weights[:-1] * widths)]
        index = np.searchsorted(self.times, instants, side="right") - 1
        safe = np.maximum(index, 0)
        inside = partial[safe] + weights[safe] * (instants - self.times[safe])
        return np.where(index >= 0, inside, 0.0)

    def integral(self, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
        """Integral of the value over each window ``[start, end]``."""
        if len(self.times) == 0:
            return np.zeros(np.broadcast(np.asarray(starts), np.asarray(ends)).shape)
        starts, ends = np.asarray(starts, dtype=float), np.asarray(ends, dtype=float)
        return self._cumulative(self.values, ends) - self._cumulative(self.values, starts)

    def time_at_least(self, level: float, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
        """Seconds of each window ``[start, end]`` with the value at least ``level``."""
        if len(self.times) == 0:
            return np.zeros(np.broadcast(np.asarray(starts), np.asarray(ends)).shape)
        weights = (self.values >= level).astype(float)
        starts, ends = np.asarray(starts, dtype=float), np.asarray(ends, dtype=float)
        return self._cumulative(weights, ends) - self._cumulative(weights, starts)

    def last_at_least(self, level: float, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
        """Latest instant in each window ``(start, end]`` up to which the value was at least ``level``
        (the end of the last such stretch), or ``start`` when it never was."""
        starts, ends = np.asarray(starts, dtype=float), np.asarray(ends, dtype=float)
        high = self.values >= level
        # End of the stretch holding at index i: the next time the value drops below the level.
        drop_after = np.r_[high[:-1] & ~high[1:], high[-1:]] if len(high) else high
        stretch_ends = np.r_[self.times[1:], np.inf][drop_after]
        result = starts.copy()
        if len(stretch_ends) == 0:
            return result
        held = self.before(ends) >= level
        result[held] = ends[held]
        position = np.searchsorted(stretch_ends, ends, side="right") - 1
        candidate = np.where(position >= 0, stretch_ends[np.maximum(position, 0)], -np.inf)
        later = ~held & (candidate > starts)
        result[later] = candidate[later]
        return result


def queue_timeline(contacts: pd.DataFrame, origin: pd.Timestamp) -> StepFunction:
    """Callers waiting in the agents' queue (those with a queue record), over the log."""
    queued = contacts.loc[contacts["queued"].to_numpy(dtype=bool) & contacts["queue_exit_seconds"].notna()]
    return StepFunction.from_spans(absolute_seconds(queued, "queue_entry_seconds", origin),
                                   absolute_seconds(queued, "queue_exit_seconds", origin))


def merged_segments(functions: list[StepFunction], start: float, end: float) -> tuple[np.ndarray, np.ndarray]:
    """Segments between all change points of ``functions`` in ``[start, end]``: their widths, and each
    function's value on each segment (one row per function)."""
    points = np.unique(np.concatenate([[start, end], *[f.times[(f.times > start) & (f.times < end)]
                                                       for f in functions]]))
    widths = np.diff(points)
    return widths, np.vstack([f.at(points[:-1]) for f in functions])
