"""Time spent inside intervals by a set of spans (busy periods, duty spells)."""

from __future__ import annotations

import numpy as np


def time_in_intervals(starts: np.ndarray, ends: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Total length of the spans ``[starts[i], ends[i])`` falling in each ``[edges[j], edges[j+1])``.

    Uses the integral of "spans begun minus spans ended" evaluated at the
    edges, O((spans + edges) log spans) instead of spans x edges.
    """
    starts = np.asarray(starts, dtype=float)
    ends = np.asarray(ends, dtype=float)
    keep = ends > starts
    return np.diff(_cumulative_measure(starts[keep], edges) - _cumulative_measure(ends[keep], edges))


def _cumulative_measure(points: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """For each edge t: sum over points p <= t of (t - p)."""
    ordered = np.sort(points)
    prefix = np.concatenate(([0.0], np.cumsum(ordered)))
    count = np.searchsorted(ordered, edges, side="right")
    return count * edges - prefix[count]
