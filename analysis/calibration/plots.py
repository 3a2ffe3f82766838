"""Diagnostic figures for a calibration (matplotlib, Agg; no pyplot global state).

Each function returns a :class:`matplotlib.figure.Figure`; save it with
``figure.savefig(path)``.
"""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from scipy import stats

from analysis.calibration.agents_seen import StaffingEstimate

from .arrivals import ArrivalProfile
from .handle_time import DurationFit
from .patience import PatienceEstimate

HOURS = np.arange(24)


def _figure(width: float = 8.0, height: float = 4.5) -> tuple[Figure, Axes]:
    # Figure + Agg canvas directly: no pyplot, so no global figure registry or GUI backend.
    figure = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(figure)
    return figure, figure.add_subplot()


def _hourly(values_per_interval: np.ndarray) -> np.ndarray:
    return values_per_interval.reshape(24, -1).sum(axis=1)


def _predictive_band(expected: np.ndarray, busyness_cv: float, coverage: float) -> tuple[np.ndarray, np.ndarray]:
    """Quantiles of a count that is Poisson given a gamma day factor: negative binomial."""
    tails = ((1 - coverage) / 2, (1 + coverage) / 2)
    if busyness_cv <= 0:
        return stats.poisson.ppf(tails[0], expected), stats.poisson.ppf(tails[1], expected)
    size = 1.0 / busyness_cv**2
    probability = size / (size + expected)
    return stats.nbinom.ppf(tails[0], size, probability), stats.nbinom.ppf(tails[1], size, probability)


def plot_arrivals_by_hour(profile: ArrivalProfile, day_type: str, contact_type: str | None = None,
                          coverage: float = 0.9) -> Figure:
    """Each observed day's hourly arrivals against the fitted expectation and its predictive band."""
    figure, axes = _figure()
    observed = profile.observed.loc[profile.observed["day_type"] == day_type]
    if contact_type is not None:
        observed = observed.loc[observed["contact_type"] == contact_type]
    hourly = (observed.assign(hour=observed["interval_start_seconds"] // 3600)
              .groupby(["date", "hour"])["arrivals"].sum().unstack("hour").reindex(columns=HOURS, fill_value=0))
    for index, (_, counts) in enumerate(hourly.iterrows()):
        axes.plot(HOURS + 0.5, counts.to_numpy(), color="0.6", lw=0.8, alpha=0.7,
                  label="observed days" if index == 0 else None)
    expected = _hourly(profile.expected_per_interval(day_type, contact_type))
    low, high = _predictive_band(expected, profile.busyness_cv, coverage)
    axes.fill_between(HOURS, low, high, step="post", color="tab:blue", alpha=0.2,
                      label=f"{coverage:.0%} predictive (busyness CV {profile.busyness_cv:.2f})")
    axes.stairs(expected, np.arange(25), color="tab:blue", lw=2, label="fitted expectation")
    what = contact_type or "all contact types"
    axes.set(title=f"Arrivals per hour, {day_type} ({profile.days_observed.get(day_type, 0)} days, {what})",
             xlabel="hour of day", ylabel="arrivals per hour", xlim=(0, 24), xticks=range(0, 25, 2))
    axes.legend(loc="upper left", fontsize="small")
    return figure


def plot_handle_time(fit: DurationFit, upper_quantile: float = 0.99, bins: int = 60) -> Figure:
    """Histogram of handle times (as fitted) with each candidate family's density."""
    figure, axes = _figure()
    values = fit.empirical.values
    limit = float(np.quantile(values, upper_quantile)) if len(values) else 1.0
    axes.hist(values[values <= limit], bins=bins, density=True, color="0.75", label=f"observed (n={len(values)})")
    grid = np.linspace(max(fit.short_threshold_seconds, 1e-3), limit, 400)
    for candidate in fit.ranking():
        style = {"lw": 2.5} if candidate.family == fit.best_family else {"lw": 1.2, "ls": "--"}
        axes.plot(grid, candidate.pdf(grid), label=f"{candidate.family}: AIC {candidate.aic:.0f}, "
                  f"KS {candidate.ks_statistic:.3f}", **style)
    axes.set(title=f"Handle time, {fit.label} (calls under {fit.short_threshold_seconds:g} s excluded: "
             f"{fit.excluded_short})", xlabel="seconds", ylabel="density", xlim=(0, limit))
    axes.legend(fontsize="small")
    return figure


def plot_patience_survival(estimate: PatienceEstimate, horizon: float | None = None) -> Figure:
    """Kaplan-Meier patience survival with its confidence band and the parametric fits."""
    figure, axes = _figure()
    curve = estimate.kaplan_meier
    horizon = horizon or (float(np.quantile(curve.times, 0.99)) if len(curve.times) else 1.0)
    times = np.concatenate([[0.0], curve.times])
    axes.fill_between(times, np.concatenate([[1.0], curve.lower]), np.concatenate([[1.0], curve.upper]),
                      step="post", color="tab:blue", alpha=0.2,
                      label=f"{curve.confidence_level:.0%} Greenwood band")
    axes.step(times, np.concatenate([[1.0], curve.survival]), where="post", color="tab:blue", lw=2,
              label="Kaplan-Meier")
    grid = np.linspace(0, horizon, 400)
    for fitted, color in ((estimate.exponential, "tab:orange"), (estimate.weibull, "tab:green")):
        if fitted is not None:
            axes.plot(grid, fitted.survival(grid), color=color, lw=1.5,
                      label=f"{fitted.family} (mean {fitted.mean():.0f} s)")
    axes.axvline(60, color="0.5", ls=":", lw=1)
    axes.set(title=f"Patience, {estimate.label}: {estimate.abandoned} of {estimate.queued} queued abandoned",
             xlabel="seconds in queue", ylabel="share still willing to wait", xlim=(0, horizon))
    axes.legend(fontsize="small")
    return figure


def plot_abandonment_hazard(estimate: PatienceEstimate, horizon: float = 300.0) -> Figure:
    """Binned abandonment hazard: where callers give up (e.g. when a queue message replays)."""
    figure, axes = _figure()
    table = estimate.hazard
    shown = table.bin_start < horizon
    hazard = table.hazard_per_second[shown] * 60.0
    error = table.standard_error[shown] * 60.0
    axes.bar(table.bin_start[shown], hazard, width=table.bin_seconds, align="edge", color="tab:red", alpha=0.6,
             yerr=error, error_kw={"lw": 0.6}, label="abandonments per minute at risk")
    if estimate.exponential is not None:
        axes.axhline(60.0 / estimate.exponential.parameters["mean"], color="tab:orange", label="exponential fit")
    axes.set(title=f"Abandonment hazard, {estimate.label}", xlabel="seconds in queue",
             ylabel="hazard (per minute)")
    axes.legend(fontsize="small")
    return figure


def plot_staffing(staffing: StaffingEstimate, day_type: str) -> Figure:
    """Inferred agents on duty per interval: mean and range over the days of a type."""
    figure, axes = _figure()
    rows = staffing.by_day_type.loc[staffing.by_day_type["day_type"] == day_type].sort_values(
        "interval_start_seconds")
    hours = rows["interval_start_seconds"].to_numpy() / 3600.0
    edges = np.append(hours, 24.0)
    axes.fill_between(hours, rows["min_agents"], rows["max_agents"], step="post", alpha=0.2, label="min-max")
    axes.stairs(rows["mean_agents"].to_numpy(), edges, lw=2, label="mean")
    axes.set(title=f"Agents on duty (inferred), {day_type}", xlabel="hour of day", ylabel="agents",
             xlim=(0, 24), xticks=range(0, 25, 2))
    axes.legend(fontsize="small")
    return figure
