"""Back-test results for people: the printed table, the CSV files and the four-panel figure."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from analysis.outputs.files import write_csv, write_json

from .backtest import ALL_DAYS
from .backtest_run import BacktestResult
from .fit_report import _save_png
from .talking_curve import queue_label

PANELS = (("offered", "contacts reaching agents per day", 1.0),
          ("abandon_rate", "abandonment (% reached agents)", 100.0),
          ("service_level", "answered within threshold (%)", 100.0), ("asa_seconds", "ASA (s)", 1.0))
_LABELS = {"offered": "to agents/day", "abandon_rate": "abandon %", "service_level": "SL %", "asa_seconds": "ASA s",
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


def _percent(value: float) -> str:
    return "-" if value is None or math.isnan(value) else f"{value:.1%}"


def _error_lines(errors, min_base: float) -> list[str]:
    lines = []
    for row in errors.itertuples(index=False):
        scale = 100.0 if row.kpi in ("abandon_rate", "service_level", "abandon_rate_waited") else 1.0
        unit = " points" if scale == 100.0 else f" ({_percent(row.relative_error)} of the observed mean)"
        lines.append(f"  {_LABELS[row.kpi]:<22} MAE {_cell(row.mean_absolute_error, scale)}{unit} "
                     f"(bias {_cell(row.mean_error, scale)}), inside 95% PI in "
                     + ("-" if math.isnan(row.inside_interval) else f"{row.inside_interval:.0%}")
                     + f" of {int(row.hours)} hours")
    return lines


def extra_text(result: BacktestResult, hours: tuple[int, int] | None = None, min_base: float = 50.0) -> str:
    """Errors of the main day type, wait distribution, share talking by queue, parameter drift."""
    day_type = result.main_day_type()
    span = f"hours {hours[0]}-{hours[1]}" if hours else "all hours"
    lines = [f"Hourly errors ({day_type}, {span}; at least {min_base:g} contacts behind the ratio):",
             *_error_lines(result.errors(min_base, day_type, hours), min_base)]
    if len(result.anomalies):
        lines += ["", "Hours whose talk time the scenario cannot reproduce (|z| > 5; left out below):",
                  *(f"  {row.date:%Y-%m-%d} {row.hour:02d}h: {row.calls} calls, mean talk {row.observed_mean:.0f} s "
                    f"vs {row.expected_mean:.0f} s expected (z = {row.z:.1f})"
                    for row in result.anomalies.itertuples(index=False)),
                  f"Hourly errors without them ({day_type}, {span}):",
                  *_error_lines(result.errors(min_base, day_type, hours, clean=True), min_base)]
    lines += ["", f"{'P(wait > t) of contacts reaching agents':<42}{'observed':>10}{'simulated':>11}  95% CI  "
                  "sim/obs"]
    lines.extend(_wait_lines(result.wait_distribution))
    if len(result.anomalies):
        lines += ["  without the flagged hours:", *_wait_lines(result.wait_distribution_clean)]
    lines += ["", f"{'share of agents on duty talking, by callers waiting':<52}{'hours':>7}{'observed':>10}"
                  f"{'simulated':>11}"]
    for row in result.talking_curve.itertuples(index=False):
        lines.append(f"  {queue_label(int(row.queue)):>4}{'':<46}{row.observed_hours:>7.1f}"
                     f"{_percent(row.observed):>10}{_percent(row.simulated):>11}")
    lines += ["", f"{'parameter drift':<48}{'scenario':>10}{'tested':>10}{'change':>9}"]
    for row in result.drift.itertuples(index=False):
        change = "-" if math.isnan(row.change) else f"{row.change:+.1%}"
        lines.append(f"  {row.parameter:<46}{row.scenario:>10.2f}{row.tested:>10.2f}{change:>9}")
    return "\n".join(lines)


def _wait_lines(waits) -> list[str]:
    return [f"  t = {row.wait_above_seconds:>3.0f} s{'':<32}{_percent(row.observed):>10}"
            f"{_percent(row.simulated):>11}  [{_percent(row.ci_low)}, {_percent(row.ci_high)}]  {row.ratio:.2f}"
            for row in waits.itertuples(index=False)]


def summary_text(result: BacktestResult, min_base: float = 50.0) -> str:
    """Whole-period KPIs and the hourly errors."""
    lines = [f"{'KPI':<22}{'observed':>10}{'simulated':>11}  95% CI of the mean"]
    for row in result.period.itertuples(index=False):
        scale = 100.0 if row.kpi in ("abandon_rate", "service_level", "abandon_rate_waited") else 1.0
        lines.append(f"{_LABELS[row.kpi]:<22}{_cell(row.observed, scale):>10}{_cell(row.simulated, scale):>11}"
                     f"  [{_cell(row.ci_low, scale)}, {_cell(row.ci_high, scale)}]")
    lines.append(f"\nHourly errors (all days; hours with at least {min_base:g} contacts behind the ratio):")
    lines.extend(_error_lines(result.errors(min_base), min_base))
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


def availability_figure(result: BacktestResult) -> Figure:
    """Two panels: P(wait > t) observed vs simulated, and the share of agents talking by callers waiting."""
    figure = Figure(figsize=(12, 4.5), layout="constrained")
    FigureCanvasAgg(figure)
    waits = result.wait_distribution
    axes = figure.add_subplot(1, 2, 1)
    positions = np.arange(len(waits))
    axes.bar(positions - 0.2, waits["observed"] * 100, 0.4, color="black", label="observed")
    axes.bar(positions + 0.2, waits["simulated"] * 100, 0.4, color="tab:blue", label="simulated mean",
             yerr=[(waits["simulated"] - waits["ci_low"]) * 100, (waits["ci_high"] - waits["simulated"]) * 100])
    axes.set(title="P(wait > t), contacts reaching agents", xticks=positions,
             xticklabels=[f"{t:.0f} s" for t in waits["wait_above_seconds"]], ylabel="%")
    axes.set_yscale("log")
    axes.legend(fontsize="small")
    curve = result.talking_curve
    axes = figure.add_subplot(1, 2, 2)
    axes.fill_between(curve["queue"], curve["ci_low"] * 100, curve["ci_high"] * 100, color="tab:blue", alpha=0.3)
    axes.plot(curve["queue"], curve["simulated"] * 100, color="tab:blue", marker="s", ms=4, label="simulated")
    axes.plot(curve["queue"], curve["observed"] * 100, "o-", color="black", ms=4, label="observed")
    axes.set(title="agents on duty talking, by callers waiting", xlabel="callers waiting", ylabel="% talking",
             xticks=curve["queue"], xticklabels=[queue_label(int(q)) for q in curve["queue"]], ylim=(0, 100))
    axes.legend(fontsize="small")
    return figure


def write_backtest(result: BacktestResult, directory: str | Path, min_base: float = 50.0,
                   hours: tuple[int, int] | None = None) -> list[Path]:
    """``hourly.csv``, ``period.csv``, ``errors.csv``, ``waits.csv``, ``talking.csv``, ``drift.csv``,
    ``backtest.png`` (and one PNG per day type), ``availability.png``, ``summary.json``."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    written = [write_csv(directory / "hourly.csv", result.comparison),
               write_csv(directory / "period.csv", result.period),
               write_csv(directory / "errors.csv", result.errors(min_base)),
               write_csv(directory / "waits.csv", result.wait_distribution),
               write_csv(directory / "talking.csv", result.talking_curve),
               write_csv(directory / "drift.csv", result.drift)]
    _save_png(availability_figure(result), directory / "availability.png")
    written.append(directory / "availability.png")
    for day_type in result.comparison["day_type"].unique():
        name = "backtest.png" if day_type == ALL_DAYS else f"backtest_{day_type.replace(' ', '_')}.png"
        _save_png(backtest_figure(result, day_type), directory / name)
        written.append(directory / name)
    main = result.main_day_type()
    summary = {"dates": [str(result.plan.dates[0]), str(result.plan.dates[-1])], "days": len(result.plan.dates),
               "replications": result.replications, "still_in_system": result.still_in_system,
               "excluded_log_contacts": result.plan.excluded_contacts,
               "period": _records(result.period),
               "errors": _errors_json(result.errors(min_base)),
               "errors_main_day_type": {"day_type": main, "hours": list(hours) if hours else None,
                                        "errors": _errors_json(result.errors(min_base, main, hours)),
                                        "errors_without_anomalies": _errors_json(
                                            result.errors(min_base, main, hours, clean=True))},
               "anomalous_hours": _records(result.anomalies.assign(date=result.anomalies["date"].astype(str))),
               "wait_distribution": _records(result.wait_distribution),
               "wait_distribution_without_anomalies": _records(result.wait_distribution_clean),
               "talking_by_queue": _records(result.talking_curve),
               "drift": _records(result.drift)}
    written.append(write_json(directory / "summary.json", summary))
    return written


def _records(frame) -> list[dict]:
    return frame.astype(object).where(frame.notna(), None).to_dict(orient="records")


def _errors_json(errors) -> dict:
    return {row["kpi"]: {k: v for k, v in row.items() if k != "kpi"} for row in _records(errors)}
