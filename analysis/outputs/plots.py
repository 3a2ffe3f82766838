"""Charts of results, drawn with matplotlib's Agg renderer (no display, no pyplot global state).

Each ``*_figure`` function takes a table and returns a ``Figure``;
:func:`save_png` writes one atomically and :func:`png_bytes` renders one
for embedding in the HTML report.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from analysis.outputs.files import atomic_write_bytes

# Titles and labels carry names users chose ("cost $ per day"); read as TeX math, a lone "$" would stop the
# chart from rendering at all. No chart here uses math text.
matplotlib.rcParams["text.parse_math"] = False

DPI = 110
_SHARE_KPIS = {"service_level", "abandon_rate", "occupancy", "complaint_rate"}


def _figure(width: float = 8.0, height: float = 4.0) -> tuple[Figure, object]:
    figure = Figure(figsize=(width, height), dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    return figure, figure.add_subplot()


def png_bytes(figure: Figure) -> bytes:
    """The figure as PNG bytes."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()


def save_png(figure: Figure, path: str | Path) -> Path:
    """Write the figure as a PNG via a temporary file renamed into place."""
    return atomic_write_bytes(path, png_bytes(figure))


@dataclass(frozen=True)
class Timeline:
    """Open intervals on an x axis: one slot per interval, a one-slot gap between days, day/hour ticks."""

    rows: pd.DataFrame
    x: np.ndarray
    ticks: list[float]
    labels: list[str]
    day_starts: list[float]

    def segments(self) -> list[np.ndarray]:
        """Row positions of each day, so lines break overnight instead of joining across the closed hours."""
        days = self.rows["day"].to_numpy() if "day" in self.rows else np.zeros(len(self.rows))
        return [np.flatnonzero(days == day) for day in dict.fromkeys(days)]


def open_rows(intervals: pd.DataFrame) -> pd.DataFrame:
    """The intervals to draw: those marked open (files without ``open``: those with contacts)."""
    if "open" in intervals:
        mask = intervals["open"].astype(str).str.lower().isin(("true", "1"))
    elif "offered" in intervals:
        mask = intervals["offered"].fillna(0) > 0
    else:
        return intervals.reset_index(drop=True)
    return intervals[mask.to_numpy()].reset_index(drop=True)


def timeline(intervals: pd.DataFrame, most_ticks: int = 18) -> Timeline:
    """Positions and day/hour tick labels of the open intervals of ``intervals.csv``-like rows."""
    rows = open_rows(intervals)
    days = rows["day"].to_numpy() if "day" in rows else np.ones(len(rows), dtype=int)
    starts = list(rows["interval_start"]) if "interval_start" in rows else [""] * len(rows)
    weekdays = list(rows["weekday"]) if "weekday" in rows else [""] * len(rows)
    x = np.arange(len(rows), dtype=float) + np.cumsum(np.r_[0, np.diff(days) != 0])
    minutes = np.array([int(text[:2]) * 60 + int(text[3:5]) if len(text) >= 5 else 0 for text in starts])
    hours_shown = max(1, len(set(zip(days, minutes // 60))))
    step = next((step for step in (1, 2, 3, 4, 6, 12, 24) if hours_shown / step <= most_ticks), 24)
    many_days = len(set(days)) > 1
    ticks, labels, day_starts = [], [], []
    for position, (day, minute, weekday) in enumerate(zip(days, minutes, weekdays)):
        first_of_day = position == 0 or days[position - 1] != day
        if first_of_day:
            day_starts.append(x[position])
        on_the_hour = minute % 60 == 0 and (minute // 60) % step == 0
        if first_of_day and many_days:
            ticks.append(x[position])
            labels.append(f"{str(weekday)[:3].title()} d{day}\n{starts[position]}")
        elif on_the_hour and not (step >= 24 and many_days):
            ticks.append(x[position])
            labels.append(starts[position])
    return Timeline(rows, x, ticks, labels, day_starts)


def _time_axis(axes, line: Timeline) -> None:
    axes.set_xticks(line.ticks, line.labels, fontsize=8)
    for start in line.day_starts[1:]:
        axes.axvline(start - 1.0, color="#bbbbbb", linewidth=0.8)
    if len(line.x):
        axes.set_xlim(line.x[0] - 0.7, line.x[-1] + 0.7)
    axes.set_xlabel("open intervals (closed hours left out)")


def _plot_by_day(axes, line: Timeline, values, **style) -> None:
    values = np.asarray(values, dtype=float)
    label = style.pop("label", None)
    color = None
    for part in line.segments():
        drawn = axes.plot(line.x[part], values[part], label=label, color=color, **style)
        color, label = drawn[0].get_color(), None


def interval_service_level_figure(intervals: pd.DataFrame, target: float | None = None,
                                  title: str = "Service level by interval") -> Figure:
    """Service level (and abandon rate) per open interval, from ``intervals.csv``."""
    figure, axes = _figure()
    line = timeline(intervals)
    _plot_by_day(axes, line, line.rows["service_level"] * 100, marker=".", label="service level")
    if "abandon_rate" in line.rows:
        _plot_by_day(axes, line, line.rows["abandon_rate"] * 100, marker=".", label="abandon rate")
    if target is not None:
        axes.axhline(target * 100, color="grey", linestyle="--", label=f"target {target:.0%}")
    axes.set_ylabel("% of contacts offered to the queue")
    axes.set_ylim(0, 105)
    _time_axis(axes, line)
    axes.set_title(title)
    axes.legend(loc="lower left", fontsize=8)
    return figure


def staffing_figure(intervals: pd.DataFrame, title: str = "Demand and staffing by interval") -> Figure:
    """Contacts offered per open interval (bars) against agents scheduled, available and on duty (lines)."""
    figure, axes = _figure()
    line = timeline(intervals)
    axes.bar(line.x, line.rows["offered"], width=1.0, color="#c6dbef", label="contacts offered")
    axes.set_ylabel("contacts per interval")
    agents = axes.twinx()
    for column, style in (("scheduled_agents", "-"), ("available_agents", "--"), ("agents_on_duty", ":")):
        if column in line.rows:
            _plot_by_day(agents, line, line.rows[column], linestyle=style, label=column.replace("_", " "))
    agents.set_ylabel("agents")
    _time_axis(axes, line)
    axes.set_title(title)
    handles = axes.get_legend_handles_labels()
    more = agents.get_legend_handles_labels()
    axes.legend(handles[0] + more[0], handles[1] + more[1], loc="upper right", fontsize=8)
    return figure


def cost_breakdown_figure(breakdown: pd.DataFrame, label: str = "scenario") -> Figure:
    """Stacked bars of cost components, one bar per row of :func:`analysis.budget.cost_breakdown_table`."""
    components = [column for column in breakdown.columns if column != "total"]
    figure, axes = _figure(max(5.0, 0.5 * len(breakdown) + 3), 4.0)
    positions = np.arange(len(breakdown))
    bottom = np.zeros(len(breakdown))
    for component in components:
        values = breakdown[component].to_numpy(float)
        axes.bar(positions, values, bottom=bottom, label=component)
        bottom += values
    axes.set_xticks(positions, [str(index) for index in breakdown.index], rotation=30, ha="right")
    axes.set_xlabel(label)
    axes.set_ylabel("cost over the horizon")
    axes.set_title("Cost breakdown")
    axes.legend(fontsize=8)
    return figure


def tornado_figure(table: pd.DataFrame, kpi: str) -> Figure:
    """Horizontal bars from the KPI at each factor's low value to its high value, widest on top."""
    figure, axes = _figure(8.0, 1.0 + 0.5 * len(table))
    ordered = table.iloc[::-1].reset_index(drop=True)  # largest swing drawn last = on top
    base = float(table["base"].iloc[0]) if len(table) else 0.0
    for row in ordered.itertuples():
        axes.barh(row.Index, row.kpi_at_low - base, left=base, color="#6baed6",
                  label="factor low" if row.Index == 0 else None)
        axes.barh(row.Index, row.kpi_at_high - base, left=base, color="#fd8d3c",
                  label="factor high" if row.Index == 0 else None)
    axes.axvline(base, color="black", linewidth=1)
    names = _factor_names(ordered)
    axes.set_yticks(range(len(ordered)), [f"{name}\n({r.low_value:g} .. {r.high_value:g})"
                                          if isinstance(r.low_value, (int, float)) else name
                                          for name, r in zip(names, ordered.itertuples())], fontsize=8)
    axes.set_xlabel(f"{kpi} (base {base:.4g})")
    axes.set_title(f"Tornado: swing of {kpi}")
    axes.legend(fontsize=8)
    return figure


def frontier_figure(points: pd.DataFrame, cost: str, benefit: str) -> Figure:
    """Every variant's mean cost against benefit, the efficient (Pareto) frontier as a line."""
    figure, axes = _figure(7.0, 4.5)
    efficient = points["efficient"].to_numpy(bool)
    axes.scatter(points[cost], _scaled(points[benefit], benefit), s=14, color="#9ecae1", label="variants")
    front = points[efficient].sort_values(cost)
    axes.plot(front[cost], _scaled(front[benefit], benefit), marker="o", color="#d94801",
              label="efficient frontier")
    axes.set_xlabel(cost)
    axes.set_ylabel(benefit + (" (%)" if benefit in _SHARE_KPIS else ""))
    axes.set_title(f"{benefit} against {cost}")
    axes.legend(fontsize=8)
    return figure


def indices_figure(table: pd.DataFrame, kpi: str) -> Figure:
    """Sobol' S1/ST or Morris mu*/sigma per factor, with confidence bars where known."""
    figure, axes = _figure(8.0, 1.0 + 0.5 * len(table))
    positions = np.arange(len(table))
    if "ST" in table:
        bars = (("S1", "S1_conf"), ("ST", "ST_conf"))
        title = f"Sobol' indices of {kpi}"
    else:
        bars = (("mu_star", "mu_star_conf"), ("sigma", None))
        title = f"Morris elementary effects of {kpi}"
    height = 0.4
    for offset, (column, error) in enumerate(bars):
        axes.barh(positions + (offset - 0.5) * height, table[column], height=height,
                  xerr=table[error] if error else None, label=column, capsize=3)
    axes.set_yticks(positions, _factor_names(table), fontsize=8)
    axes.set_title(title)
    axes.legend(fontsize=8)
    return figure


def crossing_figure(grid: np.ndarray, mean_gap: np.ndarray, crossing_value: float, low: float, high: float,
                    kpi: str) -> Figure:
    """The mean KPI gap over the grid, zero line, and the break-even point with its CI."""
    figure, axes = _figure(7.0, 4.0)
    axes.plot(grid, mean_gap, marker="o", label=f"mean gap in {kpi}")
    axes.axhline(0.0, color="black", linewidth=1)
    if np.isfinite(crossing_value):
        axes.axvline(crossing_value, color="#d94801", label=f"break-even {crossing_value:.4g}")
        if np.isfinite(low) and np.isfinite(high):
            axes.axvspan(low, high, color="#fdd0a2", alpha=0.5, label="95% CI")
    axes.set_xlabel("parameter value")
    axes.set_ylabel(f"{kpi} gap")
    axes.set_title("Break-even")
    axes.legend(fontsize=8)
    return figure


def _factor_names(table: pd.DataFrame) -> list[str]:
    """The factors' short labels where the table has them, else their paths."""
    if "label" not in table:
        return [str(name) for name in table["factor"]]
    return [str(label) if isinstance(label, str) and label else str(path)
            for label, path in zip(table["label"], table["factor"])]


def _scaled(values: pd.Series, kpi: str) -> pd.Series:
    return values * 100 if kpi in _SHARE_KPIS else values


def kpi_factor_figure(variants: pd.DataFrame, path: str, label: str, kpis: Sequence[str], lines: Sequence,
                      targets: Mapping[str, float], crossings: pd.DataFrame | None = None,
                      title: str = "", currency: str = "") -> Figure:
    """One panel per KPI against a sweep factor: mean and 95% CI per variant, the target, crossings.

    ``lines``: objects with ``x``, ``label`` and ``kpi(name) -> (mean, low, high)`` (see
    :mod:`analysis.studies.sweep.factor_effects`); without lines every variant is a point with error bars.
    """
    shown = [kpi for kpi in kpis if kpi in variants]
    columns = 3 if len(shown) > 4 else 2
    rows = max(1, int(np.ceil(len(shown) / columns)))
    figure = Figure(figsize=(4.0 * columns, 3.0 * rows + 0.4), dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    for position, kpi in enumerate(shown):
        axes = figure.add_subplot(rows, columns, position + 1)
        scale = 100.0 if kpi in _SHARE_KPIS else 1.0
        if lines:
            for line in lines:
                mean, low, high = (np.asarray(values, dtype=float) * scale for values in line.kpi(kpi))
                drawn = axes.plot(line.x, mean, marker="o", markersize=3, label=line.label or None)
                if np.isfinite(low).any():
                    axes.fill_between(line.x, low, high, color=drawn[0].get_color(), alpha=0.2, linewidth=0)
        else:
            mean = variants[kpi].to_numpy(float) * scale
            low = variants.get(f"{kpi}_ci_low", variants[kpi]).to_numpy(float) * scale
            high = variants.get(f"{kpi}_ci_high", variants[kpi]).to_numpy(float) * scale
            axes.errorbar(variants[path].to_numpy(float), mean, yerr=[np.nan_to_num(mean - low),
                                                                      np.nan_to_num(high - mean)],
                          fmt="o", markersize=3, elinewidth=0.8)
        if kpi in targets:
            axes.axhline(targets[kpi] * scale, color="grey", linestyle="--", linewidth=1,
                         label=f"target {targets[kpi] * scale:g}")
        if crossings is not None and len(crossings):
            for row in crossings[(crossings["kpi"] == kpi) & (crossings["path"] == path)].itertuples():
                axes.axvline(row.value, color="#d94801", linestyle=":", linewidth=1.2)
                axes.annotate(f"{row.value:.3g}", (row.value, targets.get(kpi, 0) * scale), fontsize=7,
                              color="#d94801", xytext=(3, 3), textcoords="offset points")
        unit = " (%)" if scale == 100 else (f" ({currency})" if currency and kpi.endswith("_cost") else "")
        axes.set_title(kpi.replace("_", " ") + unit, fontsize=9)
        axes.set_xlabel(label, fontsize=8)
        axes.tick_params(labelsize=7)
        if position == 0 and (len(lines) > 1 or kpi in targets):
            axes.legend(fontsize=6)
    figure.suptitle(title or f"KPIs against {label} (mean and 95% CI per variant)", fontsize=10)
    return figure
