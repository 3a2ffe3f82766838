"""Budget views of result tables: cost breakdown per scenario and the cost/benefit frontier.

Result tables (``replications.csv`` of a comparison, ``results.csv`` of a
sweep) hold one row per replication with every KPI and the cost breakdown
of :func:`analysis.costs.cost_breakdown` in columns prefixed ``cost:``
(``cost:wages``, ``cost:on_costs``, ...). The functions here iterate over
whatever ``cost:`` columns are present, so new cost components (AI,
vendors) appear without changes.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

COST_PREFIX = "cost:"
TOTAL = "total"
DEFAULT_COST_KPI = "total_cost"
DEFAULT_BENEFIT_KPIS = ("csat_mean", "service_level")  # the first present is used


def cost_columns(costs: Mapping[str, float]) -> dict[str, float]:
    """A cost breakdown as ``cost:<component>`` columns of a result row."""
    return {COST_PREFIX + component: float(value) for component, value in costs.items()}


def cost_components(table: pd.DataFrame) -> list[str]:
    """The cost components (without prefix) present in a result table, in column order."""
    return [column.removeprefix(COST_PREFIX) for column in table.columns if column.startswith(COST_PREFIX)]


def cost_breakdown_table(table: pd.DataFrame, by: str) -> pd.DataFrame:
    """Mean cost per component and in total, one row per value of ``by`` (e.g. scenario or variant).

    Rows keep their first-appearance order (the reference scenario first).
    """
    components = cost_components(table)
    if not components:
        raise ValueError("the table has no cost breakdown columns (cost:...)")
    means = table.groupby(by, sort=False)[[COST_PREFIX + name for name in components]].mean()
    means.columns = components
    means[TOTAL] = means[components].sum(axis=1)
    return means


def frontier_axes(columns: pd.Index | list[str], cost: str | None = None,
                  benefit: str | None = None) -> tuple[str, str]:
    """The KPIs of a cost/benefit chart: as given, else total cost against satisfaction or service level."""
    available = set(columns)
    cost = cost or DEFAULT_COST_KPI
    if benefit is None:
        benefit = next((name for name in DEFAULT_BENEFIT_KPIS if name in available), None)
    for name in (cost, benefit):
        if name is None or name not in available:
            raise ValueError(f"KPI {name!r} is not in the results (available: {', '.join(sorted(available))})")
    return cost, benefit


def pareto_efficient(x: np.ndarray | pd.Series, y: np.ndarray | pd.Series,
                     lower_x_better: bool = True, higher_y_better: bool = True) -> np.ndarray:
    """Mask of the points no other point beats on both axes (ties do not dominate).

    With the defaults (cost on x, benefit on y) a point is efficient when no
    other point costs no more and delivers at least as much, strictly better
    on one of the two. Points with a missing coordinate are never efficient.
    """
    xs = np.asarray(x, dtype=float) * (1.0 if lower_x_better else -1.0)
    ys = np.asarray(y, dtype=float) * (1.0 if higher_y_better else -1.0)
    valid = ~(np.isnan(xs) | np.isnan(ys))
    efficient = np.zeros(len(xs), dtype=bool)
    order = np.lexsort((-ys, xs))  # cheapest first; among equal cost, best benefit first
    best_y = -np.inf
    previous: tuple[float, float] | None = None
    for index in order:
        if not valid[index]:
            continue
        point = (xs[index], ys[index])
        if ys[index] > best_y:  # better than everything at most as cheap
            efficient[index], best_y, previous = True, ys[index], point
        elif point == previous:  # an exact duplicate of an efficient point is efficient too
            efficient[index] = True
    return efficient


def frontier_table(table: pd.DataFrame, by: str, cost: str | None = None,
                   benefit: str | None = None) -> pd.DataFrame:
    """Mean cost and benefit per ``by`` group with an ``efficient`` flag, ordered by cost."""
    cost, benefit = frontier_axes(table.columns, cost, benefit)
    means = table.groupby(by, sort=False)[[cost, benefit]].mean()
    means["efficient"] = pareto_efficient(means[cost], means[benefit])
    return means.sort_values(cost, kind="stable")
