"""Back-test results for people: the printed table, the CSV files and the four-panel figure."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from analysis.outputs.files import write_csv, write_json

from .backtest import ALL_DAYS, BacktestResult
from .fit_report import _save_png

PANELS = (("offered", "offered contacts per day", 1.0), ("abandon_rate", "abandonment (% reached agents)", 100.0),
          ("service_level", "answered within threshold (%)", 100.0), ("asa_seconds", "ASA (s)", 1.0))
_LABELS = {"offered": "offered/day", "abandon_rate": "abandon %", "service_level": "SL %", "asa_seconds": "ASA s",
           "abandon_rate_waited": "abandon % of waiting"}


def _cell(value: float, scale: float) -> str:
    return "-" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value * scale:.1f}"


def hourly_table_text(result: BacktestResult, min_base: float = 50.0) -> str:
    """Observed vs simulated (mean [95% prediction interval]) per hour over all days; '*' = outside."""
    rows = result.comparison.loc[result.comparison["day_type"] == ALL_DAYS]
    header = f"{'hour':>4}  " + "  ".join(f"{_LABELS[k]:>27}" for k, _, _ in PANELS)
    lines = [header, f"{'':>4}  " + "  ".join(f"{'obs / sim [95% PI]':>27}" for _ in PANELS)]
    for hour in range(24):
        cells = []
        for kpi, _, scale in PANELS:
            row = rows.loc[(rows["hour"] == hour) & (rows["kpi"] == kpi)].iloc[0]
            flag = "" if row["inside"] or row["observed_base"] < min_base else "*"
            text = (f"{_cell(row['observed'], scale)} / {_cell(row['simulated'], scale)} "
                    f"[{_cell(row['pi_low'], scale)},{_cell(row['pi_high'], scale)}]{flag}")
            cells.append(f"{text:>27}")
        if rows.loc[(rows["hour"] == hour) & (rows["kpi"] == "offered"), "observed"].iloc[0] > 0:
            lines.append(f"{hour:>4}  " + "  ".join(cells))
    return "\n".join(lines)


def summary_text(result: BacktestResult, min_base: float = 50.0) -> str:
    """Whole-period KPIs and the hourly errors."""
    lines = [f"{'KPI':<22}{'observed':>10}{'simulated':>11}  95% CI of the mean"]
    for row in result.period.itertuples(index=False):
        scale = 100.0 if row.kpi in ("abandon_rate", "service_level", "abandon_rate_waited") else 1.0
        lines.append(f"{_LABELS[row.kpi]:<22}{_cell(row.observed, scale):>10}{_cell(row.simulated, scale):>11}"
                     f"  [{_cell(row.ci_low, scale)}, {_cell(row.ci_high, scale)}]")
    lines.append(f"\nHourly errors (all days; hours with at least {min_base:g} contacts behind the ratio):")
    for row in result.errors(min_base).itertuples(index=False):
        scale = 100.0 if row.kpi in ("abandon_rate", "service_level", "abandon_rate_waited") else 1.0
        unit = " points" if scale == 100.0 else ""
        lines.append(f"  {_LABELS[row.kpi]:<22} MAE {_cell(row.mean_absolute_error, scale)}{unit} "
                     f"(bias {_cell(row.mean_error, scale)}), inside 95% PI in "
                     + ("-" if math.isnan(row.inside_interval) else f"{row.inside_interval:.0%}")
                     + f" of {int(row.hours)} hours")
    return "\n".join(lines)


def backtest_figure(result: BacktestResult, day_type: str = ALL_DAYS) -> Figure:
    """Four panels by hour: observed points against the simulated mean with CI and prediction bands."""
    figure = Figure(figsize=(12, 8), layout="constrained")
    FigureCanvasAgg(figure)
    rows = result.comparison.loc[result.comparison["day_type"] == day_type]
    for index, (kpi, title, scale) in enumerate(PANELS):
        axes = figure.add_subplot(2, 2, index + 1)
        data = rows.loc[rows["kpi"] == kpi].sort_values("hour")
        hours = data["hour"].to_numpy() + 0.5
        axes.fill_between(hours, data["pi_low"] * scale, data["pi_high"] * scale, color="tab:blue", alpha=0.15,
                          label="simulated 95% prediction")
        axes.fill_between(hours, data["ci_low"] * scale, data["ci_high"] * scale, color="tab:blue", alpha=0.35,
                          label="simulated 95% CI of mean")
        axes.plot(hours, data["simulated"] * scale, color="tab:blue", lw=1.5, label="simulated mean")
        axes.plot(hours, data["observed"] * scale, "o", color="black", ms=4, label="observed")
        axes.set(title=title, xlabel="hour of day", xlim=(0, 24), xticks=range(0, 25, 3))
        if index == 0:
            axes.legend(fontsize="small")
    figure.suptitle(f"Back-test, {day_type}: {result.plan.dates[0]} to {result.plan.dates[-1]}, "
                    f"{result.replications} replications")
    return figure


def write_backtest(result: BacktestResult, directory: str | Path, min_base: float = 50.0) -> list[Path]:
    """``hourly.csv``, ``period.csv``, ``errors.csv``, ``backtest.png`` (and one PNG per day type), ``summary.json``."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    written = [write_csv(directory / "hourly.csv", result.comparison),
               write_csv(directory / "period.csv", result.period),
               write_csv(directory / "errors.csv", result.errors(min_base))]
    for day_type in result.comparison["day_type"].unique():
        name = "backtest.png" if day_type == ALL_DAYS else f"backtest_{day_type.replace(' ', '_')}.png"
        _save_png(backtest_figure(result, day_type), directory / name)
        written.append(directory / name)
    errors = result.errors(min_base).set_index("kpi")
    summary = {"dates": [str(result.plan.dates[0]), str(result.plan.dates[-1])], "days": len(result.plan.dates),
               "replications": result.replications, "still_in_system": result.still_in_system,
               "excluded_log_contacts": result.plan.excluded_contacts,
               "period": result.period.replace({np.nan: None}).to_dict(orient="records"),
               "errors": {kpi: {k: (None if isinstance(v, float) and math.isnan(v) else v)
                                for k, v in row.items()} for kpi, row in errors.iterrows()}}
    written.append(write_json(directory / "summary.json", summary))
    return written

