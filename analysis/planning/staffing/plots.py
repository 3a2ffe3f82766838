"""Charts of staffing plans: agents per interval as steps, achieved service level on a second axis.

Figures are built without pyplot (no global state, no display needed);
save them with :func:`analysis.plots.save_png` (atomic).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

_COLORS = ("black", "tab:blue", "tab:green", "tab:purple", "tab:brown")
_LINES = ("--", ":", "-", "-", "-.")


def staffing_figure(labels: Sequence[str], series: Mapping[str, Sequence[float]],
                    service_level: Sequence[float] | None = None, target: float | None = None,
                    title: str = "") -> Figure:
    """Step lines of agents per interval (one per series) and the simulated service level per interval.

    Only the span from the first to the last interval with agents or
    contacts is drawn, so closed night hours do not squash the day.
    """
    values = {name: np.asarray(data, dtype=float) for name, data in series.items()}
    level = None if service_level is None else np.asarray(service_level, dtype=float)
    busy = np.zeros(len(labels), dtype=bool)
    for data in values.values():
        busy |= data > 0
    if level is not None:
        busy |= ~np.isnan(level)
    span = np.flatnonzero(busy)
    first, last = (int(span[0]), int(span[-1]) + 1) if span.size else (0, len(labels))
    edges = np.arange(first, last + 1)
    figure = Figure(figsize=(10, 4.5), layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    for index, (name, data) in enumerate(values.items()):
        filled = name.startswith("scheduled")  # the plan handed out is drawn as an area, requirements as lines
        axes.stairs(data[first:last], edges, color=_COLORS[index % len(_COLORS)], linewidth=1.8, label=name,
                    linestyle="-" if filled else _LINES[index % len(_LINES)], fill=filled, alpha=0.3 if filled else 1.0)
    axes.set_ylabel("agents")
    axes.set_ylim(bottom=0)
    step = max(1, (last - first) // 12)
    ticks = np.arange(first, last, step)
    axes.set_xticks(ticks + 0.5, [labels[i] for i in ticks], rotation=45, ha="right", fontsize="small")
    axes.set_xlim(first, last)
    axes.grid(alpha=0.3)
    handles, names = axes.get_legend_handles_labels()
    if level is not None:
        twin = axes.twinx()
        (line,) = twin.plot(np.arange(first, last) + 0.5, level[first:last], color="tab:orange", marker=".",
                            label="simulated service level")
        handles.append(line)
        names.append(line.get_label())
        if target is not None:
            guide = twin.axhline(target, color="tab:orange", linestyle="--", linewidth=1, label=f"target {target:g}")
            handles.append(guide)
            names.append(guide.get_label())
        twin.set_ylim(0, 1.02)
        twin.set_ylabel("service level")
    figure.legend(handles, names, loc="outside lower center", fontsize="small", ncols=3)
    if title:
        axes.set_title(title)
    return figure


def rules_figure(table: pd.DataFrame, title: str = "Scheduling rules compared by simulation") -> Figure:
    """Total cost and service level per rule option, with their confidence intervals."""
    figure = Figure(figsize=(10, 4.5), layout="constrained")
    FigureCanvasAgg(figure)
    positions = np.arange(len(table))
    for index, (kpi, label) in enumerate((("total_cost", "total cost"), ("service_level", "service level"))):
        axes = figure.add_subplot(1, 2, index + 1)
        mean = table[f"{kpi}"].to_numpy(float)
        errors = np.vstack([mean - table[f"{kpi}_low"].to_numpy(float), table[f"{kpi}_high"].to_numpy(float) - mean])
        axes.bar(positions, mean, yerr=np.nan_to_num(errors), capsize=4,
                 color="tab:blue" if index == 0 else "tab:orange", alpha=0.8)
        axes.set_xticks(positions, table["option"], rotation=30, ha="right", fontsize="small")
        axes.set_title(label)
        axes.grid(axis="y", alpha=0.3)
        if kpi == "service_level":
            axes.set_ylim(0, 1.02)
        else:
            low = np.nanmin(table[f"{kpi}_low"].to_numpy(float)) if len(table) else 0.0
            axes.set_ylim(bottom=max(0.0, 0.9 * low))
    figure.suptitle(title)
    return figure
