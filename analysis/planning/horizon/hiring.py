"""The fewest hires that keep a group's effective FTE at its requirement in every period.

An integer program per group (``scipy.optimize.milp``, HiGHS). Variables:
hires ``h_q`` joining at the start of each allowed period (whole people, at
most ``max_class_size``) and a shortfall ``u_p >= 0`` per period. Effective
FTE is linear in the hires (:mod:`.workforce`), so each period needs

    staff_p + sum_q E[p, q] h_q + u_p >= required_p

Stage 1 minimises ``sum h + M sum u`` with ``M`` large in the periods a
hire can reach, so shortfalls remain only where hiring cannot close the
gap (classes are capped or not allowed), and the fewest hires otherwise. A
period is out of reach when no allowed class would give it at least half an
FTE per hire (its hires are still in training, or only just out of it);
shortfalls there cost nothing, so the plan does not hire a crowd of trainees
to shave a gap it cannot close in time, and they are reported. Stage 2 keeps that number of hires (and shortfall)
and picks the cheapest timing: each hire's wages and on-costs over the rest
of the horizon plus recruiting and training, so classes come as late as the
requirement allows.
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
    if (gap <= _TOLERANCE).all():
        return HiringPlan(np.zeros(periods), np.zeros(periods))
    # Columns: hires per period, then shortfall per period.
    coverage = LinearConstraint(np.hstack([table.effective, np.eye(periods)]), lb=gap, ub=np.inf)
    upper = np.concatenate([np.where(allowed, float(group.max_class_size), 0.0), np.full(periods, np.inf)])
    bounds = Bounds(np.zeros(2 * periods), upper)
    integrality = np.concatenate([np.ones(periods), np.zeros(periods)])
    reachable = (table.effective[:, allowed] >= REACH).any(axis=1)
    penalty = np.where(reachable, SHORTFALL_PENALTY, 0.0)
    first = milp(np.concatenate([np.ones(periods), penalty]),
                 constraints=[coverage], bounds=bounds, integrality=integrality)
    _check(first)
    hires_needed, short = first.x[:periods].sum(), penalty @ first.x[periods:]
    keep = LinearConstraint(np.vstack([np.concatenate([np.ones(periods), np.zeros(periods)]),
                                       np.concatenate([np.zeros(periods), penalty])]),
                            lb=-np.inf, ub=[round(hires_needed) + _TOLERANCE, short + _TOLERANCE])
    scale = max(float(np.max(cost_per_hire)), 1.0)
    second = milp(np.concatenate([np.asarray(cost_per_hire, dtype=float) / scale, np.zeros(periods)]),
                  constraints=[coverage, keep], bounds=bounds, integrality=integrality)
    chosen = second if second.success else first
    hires = np.round(chosen.x[:periods])
    return HiringPlan(hires, np.maximum(chosen.x[periods:], 0.0))


def _check(result) -> None:
    if not result.success:
        raise RuntimeError(f"hiring integer program failed: {result.message}")
