"""Sparse constraint rows for ``scipy.optimize.milp``, collected one by one."""

from __future__ import annotations

import numpy as np
from scipy import sparse
from scipy.optimize import LinearConstraint


class MilpRows:
    """Rows ``lower <= A x <= upper`` over ``columns`` variables, added one at a time."""

    def __init__(self, columns: int) -> None:
        self.columns = columns
        self.rows: list[np.ndarray] = []
        self.cols: list[np.ndarray] = []
        self.values: list[np.ndarray] = []
        self.lower: list[float] = []
        self.upper: list[float] = []

    def add(self, cols, values, lower: float, upper: float) -> None:
        """One row: ``values`` (a scalar or one per column) at ``cols``."""
        cols = np.asarray(cols, dtype=int)
        self.rows.append(np.full(len(cols), len(self.lower)))
        self.cols.append(cols)
        self.values.append(np.broadcast_to(np.asarray(values, dtype=float), cols.shape))
        self.lower.append(lower)
        self.upper.append(upper)

    def extend(self, other: "MilpRows") -> None:
        """Append another collection's rows (over the same or fewer columns)."""
        for rows, cols, values, lower, upper in zip(other.rows, other.cols, other.values, other.lower, other.upper):
            self.add(cols, values, lower, upper)

    def constraint(self) -> LinearConstraint:
        if not self.lower:
            return LinearConstraint(sparse.csr_array((0, self.columns)), np.zeros(0), np.zeros(0))
        matrix = sparse.csr_array((np.concatenate(self.values), (np.concatenate(self.rows), np.concatenate(self.cols))),
                                  shape=(len(self.lower), self.columns))
        return LinearConstraint(matrix, np.array(self.lower), np.array(self.upper))
