"""Requirement versus agents on the phones, per interval, as a step plot.

Figures are built without pyplot (no global state, no display needed) and
render with the Agg backend when saved: ``figure.savefig("plan.png")``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MultipleLocator

from sim.config import format_minutes_of_day

from .schedule import Schedule
from .timegrid import PlanningGrid


def plot_coverage(grid: PlanningGrid, requirement: Sequence[float], on_phones: Sequence[float], *,
                  secondary: Sequence[float] | None = None, secondary_label: str = "service level",
                  title: str | None = None) -> Figure:
    """Step plot of required and planned agents per interval, optionally with a series on a second axis.

    ``secondary`` (e.g. achieved service level per interval from a simulation)
    must have one value per interval; it is drawn at interval midpoints.
    """
    required = np.asarray(requirement, dtype=float)
    planned = np.asarray(on_phones, dtype=float)
    for label, values in (("requirement", required), ("on_phones", planned)):
        if values.shape != (grid.intervals,):
            raise ValueError(f"{label} has {values.size} values; the grid has {grid.intervals} intervals")
    edges = np.append(grid.interval_starts(), grid.horizon_end) / 60.0
    figure = Figure(figsize=(10, 4.5), layout="constrained")
    axes = figure.add_subplot()
    axes.stairs(planned, edges, fill=True, alpha=0.35, color="tab:blue", label="agents on the phones")
    axes.stairs(required, edges, color="black", linewidth=1.6, label="requirement")
    short = np.maximum(required - planned, 0)
    if short.any():
        axes.stairs(required, edges, baseline=np.minimum(planned, required), fill=True, color="tab:red",
                    alpha=0.5, label="short")
    axes.set_xlim(edges[0], edges[-1])
    axes.set_ylim(bottom=0)
    axes.set_ylabel("agents")
    axes.xaxis.set_major_locator(MultipleLocator(2 if edges[-1] - edges[0] > 8 else 1))
    axes.xaxis.set_major_formatter(FuncFormatter(lambda hours, _: format_minutes_of_day(round(hours * 60))))
    axes.grid(alpha=0.3)
    handles, labels = axes.get_legend_handles_labels()
    if secondary is not None:
        handles, labels = _add_secondary(axes, grid, edges, secondary, secondary_label, handles, labels)
    axes.legend(handles, labels, loc="upper left", fontsize="small")
    if title:
        axes.set_title(title)
    return figure


def _add_secondary(axes, grid: PlanningGrid, edges: np.ndarray, series: Sequence[float], label: str,
                   handles: list, labels: list) -> tuple[list, list]:
    values = np.asarray(series, dtype=float)
    if values.shape != (grid.intervals,):
        raise ValueError(f"secondary has {values.size} values; the grid has {grid.intervals} intervals")
    twin = axes.twinx()
    (line,) = twin.plot((edges[:-1] + edges[1:]) / 2, values, color="tab:orange", marker=".", label=label)
    twin.set_ylabel(label)
    return handles + [line], labels + [label]


def plot_schedule(schedule: Schedule, *, secondary: Sequence[float] | None = None,
                  secondary_label: str = "service level", title: str | None = None) -> Figure:
    """:func:`plot_coverage` for a schedule's requirement and coverage."""
    if title is None:
        rules = ", ".join(schedule.rules) or "templates as written"
        title = f"Shift plan ({rules}): cost {schedule.total_cost:,.0f}, {schedule.agents} agents"
    return plot_coverage(schedule.grid, schedule.requirement, schedule.coverage,
                         secondary=secondary, secondary_label=secondary_label, title=title)
