"""What ``ccsim initiatives`` writes and prints.

Files (atomic; ``summary.json`` last): ``initiatives.csv`` (one row per
variant, best NPV first: investment, gains, ROI, payback month, NPV with 95%
CIs, weekly service and cost), ``cash_flows.csv`` (per variant and month,
means over replications), ``replications.csv`` (per variant and
replication), ``initiatives.png`` (NPV ranking with CIs).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from analysis.outputs.files import write_csv, write_json
from analysis.outputs.plots import DPI, save_png
from analysis.outputs.results import package_version

from .evaluate import BASELINE, Evaluation
from .finance import npv, payback_month, roi

MEASURES = ("gain", "savings", "value", "roi", "payback_month", "npv", "weekly_saving")


def initiatives_table(evaluation: Evaluation) -> pd.DataFrame:
    rows = []
    base = evaluation.results[BASELINE]
    for rank, label in enumerate(evaluation.ranked(), start=1):
        result = evaluation.results[label]
        flows = result.flows[0]
        row = {"rank": rank, "variant": label, "initiatives": " + ".join(m.name for m in result.variant.members),
               "investment": flows.investment, "recurring_total": float(flows.recurring.sum()),
               "workforce_savings": result.workforce}
        for measure in MEASURES:
            found = evaluation.estimate(label, measure)
            row[measure], row[f"{measure}_low"], row[f"{measure}_high"] = found.mean, found.low, found.high
        paybacks = np.array([payback_month(f) for f in result.flows])
        row["paid_back_share"] = float(np.mean(~np.isnan(paybacks)))
        row["service_level"] = _mean_kpi(result, "service_level")
        row["service_level_change"] = row["service_level"] - _mean_kpi(base, "service_level")
        row["overtime_hours"] = _mean_kpi(result, "overtime_hours")
        row["overtime_change"] = row["overtime_hours"] / _mean_kpi(base, "overtime_hours") - 1.0 \
            if _mean_kpi(base, "overtime_hours") > 0 else float("nan")
        row["staffing_scale"] = result.staffing_scale
        row["agent_hours_per_week"] = result.agent_hours
        row["agent_hours_change"] = result.agent_hours - base.agent_hours
        rows.append(row)
    return pd.DataFrame(rows)


def cash_flow_table(evaluation: Evaluation) -> pd.DataFrame:
    months = evaluation.prepared.months
    frames = []
    for label, result in evaluation.results.items():
        if label == BASELINE:
            continue
        gains = np.mean([flow.gains for flow in result.flows], axis=0)
        recurring = result.flows[0].recurring
        net = gains - recurring
        frames.append(pd.DataFrame({
            "variant": label, "month": np.arange(1, len(months.days) + 1), "label": months.labels,
            "effect_share": result.ramp, "gain": gains, "recurring": recurring, "net": net,
            "cumulative": -result.flows[0].investment + np.cumsum(net)}))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def replication_table(evaluation: Evaluation) -> pd.DataFrame:
    rows = []
    rate = evaluation.prepared.discount_rate
    for label, result in evaluation.results.items():
        for index, output in enumerate(result.outputs):
            flows = result.flows[index]
            rows.append({"variant": label, "replication": output.replication, "weekly_cost": result.weekly_cost[index],
                         "value_kept": result.value_kept[index], "service_level": output.kpis["service_level"],
                         "gain": flows.total_gain, "roi": roi(flows), "payback_month": payback_month(flows),
                         "npv": npv(flows, rate)})
    return pd.DataFrame(rows)


def write_initiatives(evaluation: Evaluation, directory: str | Path, command: list[str] | None = None) -> list[Path]:
    directory = Path(directory)
    table = initiatives_table(evaluation)
    written = [write_csv(directory / "initiatives.csv", table),
               write_csv(directory / "cash_flows.csv", cash_flow_table(evaluation)),
               write_csv(directory / "replications.csv", replication_table(evaluation)),
               save_png(ranking_figure(evaluation, table), directory / "initiatives.png")]
    prepared = evaluation.prepared
    written.append(write_json(directory / "summary.json", {
        "name": prepared.spec.name, "staffing": prepared.spec.staffing, "months": len(prepared.months.days),
        "replications": prepared.spec.replications, "seed": prepared.spec.seed,
        "discount_rate": prepared.discount_rate, "currency": prepared.baseline.currency,
        "ranking": table.to_dict(orient="records"),
        "provenance": {"package": "ccsim", "version": package_version(), "command": command,
                       "run_seconds": round(evaluation.wall_seconds, 3),
                       "initiatives_file": prepared.spec.model_dump(mode="json")}}))
    return written


def ranking_figure(evaluation: Evaluation, table: pd.DataFrame) -> Figure:
    """NPV of every variant with its 95% CI, best first; ROI and payback month as labels."""
    height = 1.2 + 0.45 * max(len(table), 1)
    figure = Figure(figsize=(9, height), dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    positions = np.arange(len(table))[::-1]
    means = table["npv"].to_numpy(float) / 1000.0
    errors = np.vstack([means - table["npv_low"].to_numpy(float) / 1000.0,
                        table["npv_high"].to_numpy(float) / 1000.0 - means])
    colors = ["tab:green" if value >= 0 else "tab:red" for value in means]
    axes.barh(positions, means, xerr=np.nan_to_num(errors), color=colors, alpha=0.8, capsize=3)
    axes.set_yticks(positions, table["variant"])
    axes.axvline(0, color="black", linewidth=0.8)
    for position, row in zip(positions, table.itertuples()):
        payback = "no payback" if math.isnan(row.payback_month) else f"payback month {_payback(row)}"
        axes.annotate(f"ROI {_percent(row.roi)}, {payback}", (0, position), xytext=(4, 8),
                      textcoords="offset points", fontsize=7)
    prepared = evaluation.prepared
    axes.set_xlabel(f"NPV over {len(prepared.months.days)} months (k{prepared.baseline.currency}), 95% CI")
    axes.set_title(f"{prepared.spec.name}: initiatives against the baseline ({prepared.spec.replications} "
                   "replications, common random numbers)")
    return figure


def initiatives_text(evaluation: Evaluation) -> str:
    table = initiatives_table(evaluation)
    prepared = evaluation.prepared
    header = ("rank", "variant", "investment", "gain", "ROI", "95% CI", "payback", "NPV", "95% CI", "SL change")
    rows = [header]
    for row in table.itertuples():
        rows.append((str(row.rank), row.variant, _money(row.investment + row.recurring_total), _money(row.gain),
                     _percent(row.roi), f"[{_percent(row.roi_low)}, {_percent(row.roi_high)}]",
                     "-" if math.isnan(row.payback_month) else _payback(row),
                     _money(row.npv), f"[{_money(row.npv_low)}, {_money(row.npv_high)}]",
                     f"{row.service_level_change * 100:+.1f} pts"))
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(w) if i == 1 else cell.rjust(w) for i, (cell, w) in enumerate(zip(r, widths)))
             for r in rows]
    title = (f"{prepared.spec.name}: {len(prepared.months.days)} months, staffing {prepared.spec.staffing}, "
             f"{prepared.spec.replications} replications on common random numbers; "
             f"money in {prepared.baseline.currency}; "
             "investment = one-off + recurring over the horizon; gain = savings + customer value + workforce")
    return "\n".join([title, lines[0], "-" * len(lines[0]), *lines[1:]])


def _payback(row) -> str:
    """Mean payback month over the replications that pay back, and their share if not all do."""
    text = f"{row.payback_month:.1f}"
    return text if row.paid_back_share >= 1 else f"{text} ({row.paid_back_share:.0%} of reps)"


def _mean_kpi(result, name: str) -> float:
    return float(np.nanmean([output.kpis[name] for output in result.outputs]))


def _percent(value: float) -> str:
    return "-" if value is None or math.isnan(value) else f"{value:.0%}"


def _money(value: float) -> str:
    return "-" if value is None or math.isnan(value) else f"{value:,.0f}"
