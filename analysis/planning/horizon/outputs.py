"""What ``ccsim plan`` writes and prints: period and workforce tables, the hiring plan, charts, summary.

Files (atomic; ``summary.json`` last): ``periods.csv`` (one row per plan and
period), ``workforce.csv`` (per plan, period and group), ``hiring_plan.csv``
(hires per group and period in both plans), ``plan.png`` (required against
available FTE, service level, cost by component and hires per period).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from analysis.outputs.files import write_csv, write_json
from analysis.outputs.plots import DPI, save_png
from analysis.outputs.results import package_version
from analysis.planning.staffing.targets import describe

from .costs import COMPONENTS
from .plan import PLANS, PlanResult, periods_table, workforce_table

PLAN_LABELS = {"given": "plan file", "fewest_hires": "fewest hires"}


def hiring_table(result: PlanResult) -> pd.DataFrame:
    """Hires per group and period in both plans."""
    workforce = workforce_table(result)
    table = workforce.pivot_table(index=["group", "period", "label"], columns="plan", values="hires", sort=False)
    return table.reset_index()[["group", "period", "label", *PLANS]].rename(
        columns={plan: f"hires_{plan}" for plan in PLANS})


def plan_summary(result: PlanResult, command: list[str] | None = None) -> dict:
    periods = periods_table(result)
    totals = {}
    target = next((t.value for t in result.targets if t.kind == "service_level"), None)
    for label in PLANS:
        own = periods[periods["plan"] == label]
        below = own["required_fte"] - own["available_fte"] > 1e-6
        totals[label] = {
            "hires": float(own["hires"].sum()), "leavers": float(own["leavers"].sum()),
            "total_cost": float(own["total_cost"].sum()),
            "cost": {component: float(own[component].sum()) for component in COMPONENTS},
            "periods_short_of_requirement": [str(name) for name in own.loc[below, "label"]],
            "lowest_service_level": float(own["service_level"].min()),
            "periods_below_target": ([str(name) for name in own.loc[own["service_level"] < target, "label"]]
                                     if target is not None else []),
            "headcount_end": float(own["headcount_end"].iloc[-1]),
        }
    return {
        "plan": result.spec.name, "scenario": result.spec.scenario, "periods": len(result.periods),
        "period": result.spec.period, "targets": describe(result.targets), "method": result.method,
        "currency": result.scenario.currency, "starting_headcount": result.initial,
        "roster_efficiency": result.spec.roster_efficiency,
        "implied_roster_efficiency": result.implied_roster_efficiency, "totals": totals,
        "simulation": result.simulation, "notes": list(result.notes),
        "provenance": {"package": "ccsim", "version": package_version(), "command": command,
                       "run_seconds": round(result.wall_seconds, 3),
                       "plan_file": result.spec.model_dump(mode="json")},
    }


def write_plan(result: PlanResult, directory: str | Path, command: list[str] | None = None) -> list[Path]:
    directory = Path(directory)
    periods = periods_table(result)
    written = [write_csv(directory / "periods.csv", periods),
               write_csv(directory / "workforce.csv", workforce_table(result)),
               write_csv(directory / "hiring_plan.csv", hiring_table(result)),
               save_png(plan_figure(result, periods), directory / "plan.png"),
               write_json(directory / "summary.json", plan_summary(result, command))]
    return written


def plan_figure(result: PlanResult, periods: pd.DataFrame) -> Figure:
    """Required vs available FTE with service level, cost by component, and hires, per period."""
    figure = Figure(figsize=(10, 10), dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    fte, cost, hires = figure.subplots(3, 1, sharex=True)
    labels = list(result.periods.labels)
    positions = np.arange(len(labels))
    given = periods[periods["plan"] == "given"]
    fewest = periods[periods["plan"] == "fewest_hires"]
    fte.plot(positions, given["required_fte"], color="black", marker="o", label="required FTE")
    for table, style in ((given, "-"), (fewest, "--")):
        label = PLAN_LABELS[table["plan"].iloc[0]]
        fte.plot(positions, table["available_fte"], linestyle=style, marker=".", label=f"available FTE ({label})")
    fte.set_ylabel("FTE (effective)")
    level = fte.twinx()
    for table, style in ((given, "-"), (fewest, "--")):
        level.plot(positions, table["service_level"] * 100, linestyle=style, color="tab:green", alpha=0.7,
                   label=f"service level ({PLAN_LABELS[table['plan'].iloc[0]]})")
    target = next((t.value for t in result.targets if t.kind == "service_level"), None)
    if target is not None:
        level.axhline(target * 100, color="tab:green", linestyle=":", linewidth=1)
    level.set_ylabel("service level (%)")
    level.set_ylim(0, 105)
    handles = fte.get_legend_handles_labels()[0] + level.get_legend_handles_labels()[0]
    fte.legend(handles, [h.get_label() for h in handles], fontsize=7, loc="lower left")
    fte.set_title(f"{result.spec.name}: requirement ({result.method}) and staffing")
    bottom = np.zeros(len(labels))
    for component in COMPONENTS:
        values = given[component].to_numpy(float) / 1000.0
        if values.any():
            cost.bar(positions, values, bottom=bottom, label=component)
            bottom += values
    cost.set_ylabel(f"cost, plan file (k{result.scenario.currency})")
    cost.legend(fontsize=7, ncol=4)
    width = 0.4
    hires.bar(positions - width / 2, given["hires"], width, label=PLAN_LABELS["given"])
    hires.bar(positions + width / 2, fewest["hires"], width, label=PLAN_LABELS["fewest_hires"])
    hires.set_ylabel("hires")
    hires.legend(fontsize=7)
    hires.set_xticks(positions, labels, rotation=45, ha="right", fontsize=8)
    return figure


def plan_text(result: PlanResult) -> str:
    """The console table: per period, requirement, available FTE, service level, hires and cost of both plans."""
    periods = periods_table(result)
    given = periods[periods["plan"] == "given"].reset_index(drop=True)
    fewest = periods[periods["plan"] == "fewest_hires"].reset_index(drop=True)
    header = ("period", "demand", "required", "avail", "SL", "hires", "cost", "| avail", "SL", "hires", "cost")
    rows = [header]
    for index in range(len(given)):
        rows.append((
            given.loc[index, "label"], f"{given.loc[index, 'demand_factor']:.2f}",
            f"{given.loc[index, 'required_fte']:.1f}",
            *_plan_cells(given.loc[index]), *_plan_cells(fewest.loc[index], first="| ")))
    rows.append(("total", "", "", "", "", f"{given['hires'].sum():.0f}", _money(given["total_cost"].sum()),
                 "|", "", f"{fewest['hires'].sum():.0f}", _money(fewest["total_cost"].sum())))
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = ["  ".join(cell.rjust(width) if i else cell.ljust(width)
                       for i, (cell, width) in enumerate(zip(row, widths))) for row in rows]
    footer = (f"roster efficiency {result.spec.roster_efficiency:.2f}; the scenario's own week: Erlang A hours / "
              f"paid hours = {result.implied_roster_efficiency:.2f}")
    title = (f"{result.spec.name}: {len(result.periods)} {result.spec.period}s, requirement by {result.method}, "
             f"targets {describe(result.targets)}; FTE are effective (trainees and the learning curve discounted); "
             f"left: the plan file's hires, right: the fewest hires")
    return "\n".join([title, lines[0], "-" * len(lines[0]), *lines[1:-1], "-" * len(lines[0]), lines[-1], footer])


def _plan_cells(row: pd.Series, first: str = "") -> tuple[str, str, str, str]:
    level = row["service_level"]
    return (f"{first}{row['available_fte']:.1f}", "-" if np.isnan(level) else f"{level:.1%}",
            f"{row['hires']:.0f}", _money(row["total_cost"]))


def _money(value: float) -> str:
    return f"{value:,.0f}"
