"""Running a back-test: replications of the plan, and everything compared with the log.

Per replication the simulated contacts become a canonical log
(:func:`~analysis.calibration.sim_log.simulated_contacts`) and go through the
same functions as the real one: hourly counts (:func:`~analysis.calibration.backtest.hourly_counts`),
the wait distribution P(wait > t) of contacts that reached the agents, and
the share of agents on duty talking by queue length
(:mod:`~analysis.calibration.talking_curve`, with agents on duty from the
duty spans of each log). :mod:`~analysis.calibration.drift` says how the
tested period's parameters moved away from the scenario's.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
from scipy import stats
from tqdm import tqdm

from analysis.runs.execution import ExecutionPlan, run_tasks
from sim.config import Scenario
from sim.run import simulate

from .agent_activity import ActivitySettings, agent_activity
from .backtest import (
    ALL_DAYS,
    COUNT_COLUMNS,
    KPIS,
    WAIT_COLUMNS,
    WAIT_THRESHOLDS,
    BacktestPlan,
    hourly_counts,
    hourly_kpis,
    log_pools,
)
from .drift import parameter_drift
from .sim_log import simulated_contacts
from .talking_curve import share_talking, talking_by_queue

ERROR_KPIS = ("abandon_rate", "service_level", "asa_seconds")


@dataclass(frozen=True)
class _ReplicationTask:
    scenario: Scenario
    seed: int
    replication: int
    start_date: date
    pool_types: dict[str, tuple[str, ...]]
    activity: ActivitySettings


def _replication_counts(task: _ReplicationTask) -> tuple[pd.DataFrame, int, pd.DataFrame]:
    result = simulate(task.scenario, seed=task.seed, replication=task.replication)
    log = simulated_contacts(result.contacts, task.start_date)
    agents = log.contacts["agent_id"].dropna().astype(str).unique()
    agent_pool = {agent: agent.rsplit("-", 1)[0] for agent in agents}  # the engine names agents <group>-<n>
    activity = agent_activity(log.contacts, agent_pool, task.pool_types, task.activity)
    return (hourly_counts(log.contacts, task.scenario.service_level.threshold_seconds), log.still_in_system,
            talking_by_queue(activity))


@dataclass(frozen=True)
class BacktestResult:
    """Observed and simulated KPIs per (day type, hour) in long form, the whole period, the wait distribution,
    the share-talking-by-queue curve and the parameter drift."""

    plan: BacktestPlan
    comparison: pd.DataFrame  # day_type, hour, kpi, observed, observed_base, simulated, ci_*, pi_*, inside
    period: pd.DataFrame  # kpi, observed, simulated, ci_low, ci_high over the whole period
    replications: int
    still_in_system: int
    wait_distribution: pd.DataFrame  # wait_above_seconds, observed, simulated, ci_low, ci_high, ratio
    talking_curve: pd.DataFrame  # queue, observed_hours, observed, simulated, ci_low, ci_high
    drift: pd.DataFrame  # parameter, scenario, tested, change

    def errors(self, min_base: float = 50.0, day_type: str = ALL_DAYS,
               hours: tuple[int, int] | None = None) -> pd.DataFrame:
        """Per KPI over ``day_type``'s hours (``hours``: first and last, inclusive) whose observed base (contacts
        behind the ratio) is at least ``min_base``: mean absolute error, mean error, mean observed value, the
        error relative to it, and the share of hours inside the 95% prediction interval."""
        rows = self.comparison.loc[(self.comparison["day_type"] == day_type)
                                   & (self.comparison["observed_base"] >= min_base)]
        if hours is not None:
            rows = rows.loc[rows["hour"].between(*hours)]
        table = []
        for kpi in KPIS:
            group = rows.loc[rows["kpi"] == kpi]
            gap = group["simulated"] - group["observed"]
            mae = float(gap.abs().mean()) if len(group) else math.nan
            observed = float(group["observed"].mean()) if len(group) else math.nan
            table.append({"kpi": kpi, "hours": len(group), "mean_absolute_error": mae,
                          "mean_error": float(gap.mean()) if len(group) else math.nan,
                          "observed_mean": observed,
                          "relative_error": mae / observed if observed else math.nan,
                          "inside_interval": float(group["inside"].mean()) if len(group) else math.nan})
        return pd.DataFrame(table)

    def main_day_type(self) -> str:
        """The day type with the most dates (the bank's Sunday-Thursday)."""
        counts = pd.Series([self.plan.day_types.of(day.strftime("%A").lower()) for day in self.plan.dates])
        return str(counts.value_counts().idxmax())


def _kpi_table(kpis: pd.DataFrame) -> pd.DataFrame:
    """Long form: one row per (day type, hour, KPI) with the value and the count behind it."""
    bases = {"offered": "offered", "abandon_rate": "reached", "service_level": "reached", "asa_seconds": "answered",
             "abandon_rate_waited": "queued"}
    parts = []
    for kpi, base in bases.items():
        column = "offered_per_day" if kpi == "offered" else kpi
        parts.append(pd.DataFrame({"day_type": kpis["day_type"], "hour": kpis["hour"], "kpi": kpi,
                                   "value": kpis[column], "base": kpis[base]}))
    return pd.concat(parts, ignore_index=True)


def _interval_columns(values: np.ndarray) -> dict[str, np.ndarray]:
    """Mean over replications, t-interval of the mean and 95% prediction interval for one more replication."""
    count = np.sum(~np.isnan(values), axis=1)
    with np.errstate(invalid="ignore", divide="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # rows no replication defines stay NaN
        mean = np.nanmean(values, axis=1)
        sd = np.nanstd(values, axis=1, ddof=1)
        t = stats.t.ppf(0.975, np.maximum(count - 1, 1))
        half = np.where(count >= 2, t * sd / np.sqrt(count), np.nan)
        prediction = np.where(count >= 2, t * sd * np.sqrt(1.0 + 1.0 / count), np.nan)
    return {"simulated": mean, "ci_low": mean - half, "ci_high": mean + half,
            "pi_low": mean - prediction, "pi_high": mean + prediction}


def _period_kpis(counts: pd.DataFrame, dates: tuple[date, ...]) -> dict[str, float]:
    total = counts[list(COUNT_COLUMNS)].sum()
    div = lambda a, b: float(a / b) if b else math.nan  # noqa: E731
    return {"offered": float(total["offered"]) / len(dates), "abandon_rate": div(total["abandoned"], total["reached"]),
            "abandon_rate_waited": div(total["abandoned"], total["queued"]),
            "service_level": div(total["answered_within"], total["reached"]),
            "asa_seconds": div(total["wait_answered"], total["answered"]),
            **{column: div(total[column], total["reached"]) for column in WAIT_COLUMNS}}


def _versus(observed: np.ndarray, simulated: np.ndarray) -> dict[str, np.ndarray]:
    """Observed next to the simulated mean and its 95% CI (``simulated``: one column per replication)."""
    columns = _interval_columns(simulated)
    return {"observed": observed, "simulated": columns["simulated"], "ci_low": columns["ci_low"],
            "ci_high": columns["ci_high"]}


def run_backtest(plan: BacktestPlan, contacts: pd.DataFrame, replications: int = 10, seed: int = 0,
                 workers: int | None = None, show_progress: bool = True,
                 activity: ActivitySettings | None = None) -> BacktestResult:
    """Simulate ``plan`` and compare it with the log's ``contacts`` (canonical frame)."""
    if replications < 2:
        raise ValueError("a back-test needs at least 2 replications for its intervals")
    activity = activity or ActivitySettings()
    scenario = plan.scenario
    threshold = scenario.service_level.threshold_seconds
    contacts = contacts.loc[contacts["contact_type"].isin(scenario.contact_type_names())]
    observed_counts = hourly_counts(contacts, threshold)
    observed = _kpi_table(hourly_kpis(observed_counts, plan.dates, plan.day_types))
    groups = [group.model_dump(mode="json") for group in scenario.agent_groups]
    agent_pool, pool_types = log_pools(contacts, groups)
    observed_activity = agent_activity(contacts, agent_pool, pool_types, activity)
    tasks = [_ReplicationTask(scenario, seed, index, plan.start_date, pool_types, activity)
             for index in range(replications)]
    simulated: list[pd.DataFrame | None] = [None] * replications
    curves: list[pd.DataFrame | None] = [None] * replications
    period_values: list[dict | None] = [None] * replications
    in_system = 0
    with tqdm(total=replications, desc="back-test", unit="rep", disable=not show_progress, leave=False,
              delay=2.0) as bar:
        for index, (counts, still, curve) in run_tasks(_replication_counts, tasks, ExecutionPlan(workers=workers)):
            counts = counts.loc[counts["date"].isin(pd.to_datetime(pd.Series(plan.dates)))]
            simulated[index] = _kpi_table(hourly_kpis(counts, plan.dates, plan.day_types))
            period_values[index] = _period_kpis(counts, plan.dates)
            curves[index] = curve
            in_system += still
            bar.update(1)
    values = np.column_stack([table["value"].to_numpy(dtype=float) for table in simulated])
    comparison = observed.rename(columns={"value": "observed", "base": "observed_base"})
    for name, column in _interval_columns(values).items():
        comparison[name] = column
    comparison["inside"] = (comparison["observed"] >= comparison["pi_low"]) & (
        comparison["observed"] <= comparison["pi_high"])
    period_observed = _period_kpis(observed_counts, plan.dates)
    period_sim = np.array([[values_[kpi] for kpi in KPIS] for values_ in period_values]).T
    period = pd.DataFrame({"kpi": list(KPIS), "observed": [period_observed[kpi] for kpi in KPIS],
                           **_interval_columns(period_sim)}).drop(columns=["pi_low", "pi_high"])
    waits = pd.DataFrame({"wait_above_seconds": list(WAIT_THRESHOLDS), **_versus(
        np.array([period_observed[c] for c in WAIT_COLUMNS]),
        np.array([[values_[c] for c in WAIT_COLUMNS] for values_ in period_values]).T)})
    waits["ratio"] = waits["simulated"] / waits["observed"]
    observed_curve = talking_by_queue(observed_activity)
    talking = pd.DataFrame({"queue": observed_curve["queue"], "observed_hours": observed_curve["seconds"] / 3600.0,
                            **_versus(share_talking(observed_curve),
                                      np.column_stack([share_talking(curve) for curve in curves]))})
    drift = parameter_drift(plan.calibrated or scenario, contacts, observed_activity, plan.dates)
    return BacktestResult(plan, comparison, period, replications, in_system, waits, talking, drift)
