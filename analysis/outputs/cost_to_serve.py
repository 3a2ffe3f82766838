"""Cost to serve files of a run: ``cost_to_serve.csv``, ``segment_profit.csv`` and ``cost_to_serve.png``.

Means over replications of :func:`analysis.metrics.cost_to_serve.run_cost_to_serve`.
``cost_to_serve.csv``: per contact type, segment and channel (``inhouse``,
``vendor``, ``ai``, ``fixed``) the contacts handled there, their minutes, the
cost, and the cost per contact offered and per contact handled.
``segment_profit.csv``: per segment the contacts offered, cost to serve,
cost per contact and, with ``[value]``, revenue over the simulated days and
profit, also a year.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from analysis.metrics.cost_to_serve import CHANNELS, UNALLOCATED, mean_cost_to_serve, segment_profit
from analysis.runs.experiment import ExperimentResult

from .files import write_csv
from .plots import DPI, save_png


def cost_to_serve_tables(result: ExperimentResult) -> tuple[pd.DataFrame, pd.DataFrame] | None:
    """The mean cost-to-serve table and the segment profit table (None if the outputs carry none)."""
    tables = [output.cost_to_serve for output in result.outputs if output.cost_to_serve is not None]
    if not tables:
        return None
    table = mean_cost_to_serve(tables)
    offered = (table.drop_duplicates(["contact_type", "segment"])[["contact_type", "segment", "offered"]]
               .rename(columns={"offered": "contacts"}))
    offered = offered[offered["contact_type"] != UNALLOCATED]
    scenario = result.scenario
    profit = segment_profit(table, offered, scenario, scenario.horizon.days)
    if scenario.value is not None:
        year = scenario.value.days_per_year / scenario.horizon.days
        profit["revenue_per_year"] = profit["revenue"] * year
        profit["profit_per_year"] = profit["profit"] * year
    return table, profit


def write_cost_to_serve(result: ExperimentResult, directory: str | Path) -> list[Path]:
    found = cost_to_serve_tables(result)
    if found is None:
        return []
    table, profit = found
    directory = Path(directory)
    return [write_csv(directory / "cost_to_serve.csv", table),
            write_csv(directory / "segment_profit.csv", profit),
            save_png(cost_to_serve_figure(table, profit, result.scenario.currency), directory / "cost_to_serve.png")]


def cost_to_serve_figure(table: pd.DataFrame, profit: pd.DataFrame, currency: str) -> Figure:
    """Cost per contact offered by contact type and segment, stacked by channel; revenue, cost and
    profit per segment."""
    figure = Figure(figsize=(9, 7), dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    per_contact, segments = figure.subplots(2, 1, height_ratios=[3, 2])
    served = table[table["contact_type"] != UNALLOCATED]
    pairs = list(dict.fromkeys(zip(served["contact_type"], served["segment"])))
    positions = np.arange(len(pairs))[::-1]
    left = np.zeros(len(pairs))
    for channel in CHANNELS:
        own = served[served["channel"] == channel].set_index(["contact_type", "segment"])
        values = np.array([float(own["cost_per_contact_offered"].get(pair, 0.0)) for pair in pairs])
        if np.nan_to_num(values).any():
            per_contact.barh(positions, np.nan_to_num(values), left=left, label=channel)
            left += np.nan_to_num(values)
    per_contact.set_yticks(positions, [f"{kind} / {segment}" for kind, segment in pairs])
    per_contact.set_xlabel(f"cost per contact offered ({currency})")
    per_contact.set_title("Cost to serve by contact type and segment")
    if left.any():
        per_contact.legend(fontsize=8)
    x = np.arange(len(profit))
    width = 0.27
    segments.bar(x - width, profit["cost_to_serve"] / 1000.0, width, label="cost to serve")
    if profit["revenue"].notna().any():
        segments.bar(x, profit["revenue"] / 1000.0, width, label="revenue")
        segments.bar(x + width, profit["profit"] / 1000.0, width, label="profit")
    segments.axhline(0, color="black", linewidth=0.8)
    segments.set_xticks(x, profit["segment"])
    segments.set_ylabel(f"k{currency} over the simulated days")
    segments.set_title("Per segment")
    segments.legend(fontsize=8)
    return figure
