"""The fewest hires that keep a group's effective FTE at its requirement in every period.

An integer program per group (``scipy.optimize.milp``, HiGHS). Variables:
hires ``h_q`` joining at the start of each allowed period (whole people, at
most ``max_class_size``). Effective FTE is linear in the hires
(:mod:`.workforce`), so each period ``p`` needs

    staff_p + sum_q E[p, q] h_q >= required_p

A period is out of reach when no allowed class would give it at least half
an FTE per hire (its hires are still in training, or only just out of it):
the plan does not hire a crowd of trainees to shave a gap it cannot close
in time; such gaps are reported as shortfalls. Stage 1 finds the fewest
hires covering every reachable period; if caps or allowed periods make that
impossible, a shortfall variable per period with a large penalty keeps the
gaps as small as hiring can make them. Stage 2 keeps that number of hires
(and shortfall) and picks the cheapest timing: each hire's wages and
on-costs over the rest of the horizon plus recruiting and training, so
classes come as late as the requirement allows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp

from .spec import GroupPlan
from .workforce import CohortTable

SHORTFALL_PENALTY = 1000.0  # hires worth one FTE of shortfall in stage 1
REACH = 0.5  # effective FTE per hire that makes a period reachable by hiring
_TOLERANCE = 1e-6


@dataclass(frozen=True)
class HiringPlan:
    """Hires per period (zeros where none) and the shortfall left in each period (FTE)."""

    hires: np.ndarray
    shortfall: np.ndarray

    @property
    def total(self) -> int:
        return int(round(self.hires.sum()))


def fewest_hires(group: GroupPlan, table: CohortTable, initial: float, required: np.ndarray,
                 cost_per_hire: np.ndarray) -> HiringPlan:
    """Fewest hires meeting ``required`` (effective FTE per period); ties broken by ``cost_per_hire[q]``."""
    periods = len(required)
    allowed = np.zeros(periods, dtype=bool)
    allowed[[period - 1 for period in (group.hiring_periods or range(1, periods + 1))]] = True
    gap = np.asarray(required, dtype=float) - initial * table.staff_average
    reachable = (table.effective[:, allowed] >= REACH).any(axis=1)
    if (gap <= _TOLERANCE).all():
        return HiringPlan(np.zeros(periods), np.zeros(periods))
    upper = np.where(allowed, float(group.max_class_size), 0.0)
    # Usually every reachable period can be covered: hard constraints, an integral objective, a quick proof.
    hard = _solve(table.effective, gap, reachable, upper, cost_per_hire, shortfall=False)
    hires = hard if hard is not None else _solve(table.effective, gap, reachable, upper, cost_per_hire, shortfall=True)
    covered = initial * table.staff_average + table.effective @ hires
    return HiringPlan(hires, np.maximum(np.asarray(required, dtype=float) - covered, 0.0))


def _solve(effective: np.ndarray, gap: np.ndarray, reachable: np.ndarray, upper: np.ndarray,
           cost_per_hire: np.ndarray, shortfall: bool) -> np.ndarray | None:
    """Stage 1 and 2 over the reachable periods; None if they cannot all be covered (without shortfall)."""
    periods = len(gap)
    rows = np.flatnonzero(reachable & (gap > _TOLERANCE))
    extra = len(rows) if shortfall else 0
    matrix = np.hstack([effective[rows], np.eye(len(rows))[:, :extra]])
    coverage = LinearConstraint(matrix, lb=gap[rows], ub=np.inf)
    bounds = Bounds(np.zeros(periods + extra), np.concatenate([upper, np.full(extra, np.inf)]))
    integrality = np.concatenate([np.ones(periods), np.zeros(extra)])
    first = milp(np.concatenate([np.ones(periods), np.full(extra, SHORTFALL_PENALTY)]),
                 constraints=[coverage], bounds=bounds, integrality=integrality)
    if not first.success:
        if shortfall:
            raise RuntimeError(f"hiring integer program failed: {first.message}")
        return None
    hires_row = np.concatenate([np.ones(periods), np.zeros(extra)])
    short_row = np.concatenate([np.zeros(periods), np.ones(extra)])
    keep = LinearConstraint(np.vstack([hires_row, short_row]), lb=-np.inf,
                            ub=[round(hires_row @ first.x) + _TOLERANCE, short_row @ first.x + _TOLERANCE])
    scale = max(float(np.max(cost_per_hire)), 1.0)
    second = milp(np.concatenate([np.asarray(cost_per_hire, dtype=float) / scale, np.zeros(extra)]),
                  constraints=[coverage, keep], bounds=bounds, integrality=integrality)
    chosen = second if second.success else first
    return np.round(chosen.x[:periods])
