"""Money over months: effect ramps, ROI, payback month and NPV of an initiative's cash flows.

Cash flows of an initiative over a horizon of months ``m = 1..M``: the
one-off ``investment`` is paid at the start (month 0); from its
``start_month`` on, each month brings ``gain_m - recurring``, where the gain
(savings plus customer value plus workforce savings against the baseline)
is the full effect times the share of the effect reached that month.

* ``ROI = (gain - investment) / investment`` with gain the sum of the monthly
  gains and investment the one-off plus the recurring costs over the
  horizon (undiscounted); undefined without any investment;
* ``payback month``: the first month by whose end the cumulative net cash
  flow (gains - recurring - one-off) is at least 0 (NaN if not within the horizon);
* ``NPV = -one-off + sum_m (gain_m - recurring_m) / (1 + r)^(m / 12)``, cash
  flows at month ends, ``r`` the yearly discount rate.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class CashFlows:
    """Monthly gains and recurring costs of an initiative, and its one-off investment."""

    investment: float
    gains: np.ndarray
    recurring: np.ndarray

    @property
    def net(self) -> np.ndarray:
        return self.gains - self.recurring

    @property
    def total_gain(self) -> float:
        return float(self.gains.sum())

    @property
    def total_investment(self) -> float:
        return self.investment + float(self.recurring.sum())


def ramp_shares(start_month: int, ramp_weeks: float, month_days: np.ndarray) -> np.ndarray:
    """Mean share of the full effect reached in each month: 0 before ``start_month``, then rising
    linearly from 0 to 1 over ``ramp_weeks`` (at once when 0)."""
    edges = np.concatenate(([0.0], np.cumsum(month_days))) / 7.0  # weeks from the start of the horizon
    begin = edges[start_month - 1] if start_month - 1 < len(edges) else math.inf
    shares = np.zeros(len(month_days))
    for month in range(len(month_days)):
        low, high = max(edges[month], begin), edges[month + 1]
        if high <= low:
            continue
        if ramp_weeks <= 0:
            shares[month] = (high - low) / (edges[month + 1] - edges[month])
            continue
        # Integral of min(1, (t - begin) / ramp) over [low, high].
        def integral(t: float) -> float:
            u = t - begin
            return u * u / (2 * ramp_weeks) if u <= ramp_weeks else ramp_weeks / 2 + (u - ramp_weeks)
        shares[month] = (integral(high) - integral(low)) / (edges[month + 1] - edges[month])
    return shares


def recurring_costs(per_month: float, start_month: int, months: int) -> np.ndarray:
    return np.where(np.arange(1, months + 1) >= start_month, per_month, 0.0)


def roi(flows: CashFlows) -> float:
    invested = flows.total_investment
    return (flows.total_gain - invested) / invested if invested > 0 else math.nan


def payback_month(flows: CashFlows) -> float:
    """First month (1-based) by whose end the cumulative net cash flow is >= 0; NaN if none."""
    cumulative = -flows.investment + np.cumsum(flows.net)
    reached = np.flatnonzero(cumulative >= -1e-9)
    return float(reached[0] + 1) if len(reached) else math.nan


def npv(flows: CashFlows, yearly_rate: float) -> float:
    months = np.arange(1, len(flows.net) + 1)
    return float(-flows.investment + (flows.net / (1.0 + yearly_rate) ** (months / 12.0)).sum())
