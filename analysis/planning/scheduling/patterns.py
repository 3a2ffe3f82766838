"""Candidate shifts for the optimiser: every (template, start, break placement) worth choosing.

Each candidate is one column of the covering problem: the intervals it covers
under the whole-interval rule of :mod:`.timegrid`. The enumeration is exact;
only candidates that can never be better are dropped:

* placements covering exactly the same intervals as an earlier candidate of
  the same template (same cost, same limits: interchangeable), keeping the
  earliest start and earliest break placements;
* within one start, placements whose covered intervals are a strict subset of
  another placement's (never better, since they cost the same);
* candidates covering nothing, unless the template has nothing else (a
  minimum count may still require it).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .plan import PlanSetup
from .shifts import PlacedBreak, PlannedShift
from .templates import BreakWindow, ShiftTemplate
from .timegrid import PlanningGrid, span_presence

MAX_PLACEMENTS_PER_START = 200_000
"""Guard against break windows so wide and fine that enumerating placements would exhaust memory."""

_DOMINANCE_CHECK_LIMIT = 2_000
"""Above this many distinct placements per start, skip the quadratic subset check (the solver's presolve copes)."""


@dataclass(frozen=True)
class CandidateShifts:
    """Columns of the covering problem: one shift per column and the intervals it covers."""

    shifts: tuple[PlannedShift, ...]
    coverage: np.ndarray
    """Boolean ``(len(shifts), grid.intervals)``: True where the shift's agent counts for the interval."""

    def columns_of(self, template_names: tuple[str, ...]) -> np.ndarray:
        """Boolean mask of the columns that belong to any of the named templates."""
        return np.array([shift.name in template_names for shift in self.shifts], dtype=bool)


def candidate_shifts(setup: PlanSetup, grid: PlanningGrid) -> CandidateShifts:
    """Every useful shift of every template of ``setup`` on ``grid``."""
    shifts: list[PlannedShift] = []
    coverages: list[np.ndarray] = []
    for template in setup.templates:
        template_shifts, template_coverage = _template_candidates(template, grid)
        shifts.extend(template_shifts)
        coverages.append(template_coverage)
    return CandidateShifts(tuple(shifts), np.concatenate(coverages, axis=0))


def _template_candidates(template: ShiftTemplate, grid: PlanningGrid) -> tuple[list[PlannedShift], np.ndarray]:
    starts = np.array(template.start_minutes())
    on_shift = grid.covered(span_presence(starts, starts + template.length_minutes))
    placements = _non_overlapping_placements(template.breaks)
    shifts: list[PlannedShift] = []
    coverages: list[np.ndarray] = []
    for start, shift_coverage in zip(starts, on_shift):
        coverage = shift_coverage & ~_break_footprints(template.breaks, placements, int(start), grid)
        for row in _best_rows(coverage):
            shifts.append(_shift(template, int(start), placements[row]))
            coverages.append(coverage[row])
    coverage_matrix = np.array(coverages, dtype=bool).reshape(len(coverages), grid.intervals)
    keep = _distinct_useful_rows(coverage_matrix)
    return [shifts[index] for index in keep], coverage_matrix[keep]


def _non_overlapping_placements(breaks: list[BreakWindow]) -> np.ndarray:
    """Every combination of break start offsets (one column per break) with no two breaks overlapping."""
    offsets = [np.array(window.offsets()) for window in breaks]
    count = int(np.prod([len(options) for options in offsets])) if offsets else 1
    if count > MAX_PLACEMENTS_PER_START:
        raise ValueError(f"breaks of a template allow {count} placements per start (limit "
                         f"{MAX_PLACEMENTS_PER_START}); use a larger step_minutes or narrower windows")
    if not offsets:
        return np.zeros((1, 0), dtype=int)
    grids = np.meshgrid(*offsets, indexing="ij")
    combos = np.stack([grid.ravel() for grid in grids], axis=1)
    lengths = np.array([window.minutes for window in breaks])
    valid = np.ones(len(combos), dtype=bool)
    for first in range(len(breaks)):
        for second in range(first + 1, len(breaks)):
            a, b = combos[:, first], combos[:, second]
            valid &= (a + lengths[first] <= b) | (b + lengths[second] <= a)
    return combos[valid]


def _break_footprints(breaks: list[BreakWindow], placements: np.ndarray, start: int,
                      grid: PlanningGrid) -> np.ndarray:
    """Boolean ``(placements, intervals)``: intervals touched by at least one break of each placement."""
    touched = np.zeros((len(placements), grid.intervals), dtype=bool)
    for column, window in enumerate(breaks):
        offsets, which = np.unique(placements[:, column], return_inverse=True)
        break_starts = start + offsets
        footprint = grid.touched(span_presence(break_starts, break_starts + window.minutes))
        touched |= footprint[which]
    return touched


def _best_rows(coverage: np.ndarray) -> list[int]:
    """Rows with distinct coverage (first of equals) that no other row strictly contains."""
    _, first = np.unique(coverage, axis=0, return_index=True)
    first = np.sort(first)
    distinct = coverage[first]
    if len(distinct) > _DOMINANCE_CHECK_LIMIT:
        return first.tolist()
    # contains[a, b]: row a covers every interval row b covers (and more, rows being distinct).
    contains = (distinct[:, None, :] | ~distinct[None, :, :]).all(axis=2)
    np.fill_diagonal(contains, False)
    return first[~contains.any(axis=0)].tolist()


def _distinct_useful_rows(coverage: np.ndarray) -> np.ndarray:
    """Indices of the first row of each distinct coverage, without empty rows unless all are empty."""
    _, first = np.unique(coverage, axis=0, return_index=True)
    first = np.sort(first)
    useful = first[coverage[first].any(axis=1)]
    return useful if len(useful) else first[:1]


def _shift(template: ShiftTemplate, start: int, offsets: np.ndarray) -> PlannedShift:
    breaks = tuple(PlacedBreak(start + int(offset), window.minutes, window.paid)
                   for offset, window in zip(offsets, template.breaks))
    return PlannedShift(template.name, start, template.length_minutes, breaks)
