"""Running a back-test: replications of the plan, and everything compared with the log.

Each replication's KPIs come from the engine's streaming counters
(:class:`sim.records.RunCounters`): contacts answered, abandoned,
answered within the threshold (and within 0 s: those that never queued) and
waited seconds per interval of arrival, summed into the same (date, hour)
counts the log gives (:func:`~analysis.calibration.backtest.hourly_counts`),
and P(wait > t) from its 1-second wait histograms. Two things need
per-contact records: the share of agents on duty talking by queue length
(:mod:`~analysis.calibration.talking_curve`), built from each agent's calls
and the callers waiting at every instant, with agents on duty from the same
duty-span estimator as the log's (:func:`~analysis.calibration.sim_log.simulated_contacts`);
and P(wait > t) without the hours flagged by :mod:`~analysis.calibration.anomalies`
(the histograms cover the whole run).
:mod:`~analysis.calibration.drift` says how the tested period's parameters
moved away from the scenario's.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
from scipy import stats

from analysis.runs.execution import ExecutionPlan
from analysis.runs.runner import Runner
from sim.config import SECONDS_PER_DAY, Scenario
from sim.records import RunCounters
from sim.run import simulate

from .agent_activity import ActivitySettings, agent_activity
from .anomalies import talk_time_anomalies
from .backtest import (
    ALL_DAYS,
    COUNT_COLUMNS,
    KPIS,
    WAIT_THRESHOLDS,
    BacktestPlan,
    hourly_counts,
    hourly_kpis,
    log_pools,
    wait_exceedances,
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
    anomalies: pd.DataFrame  # (date, hour) cells left out of the clean wait distribution


def counter_hours(counters: RunCounters, types: list[str], interval_seconds: int, start_date: date) -> pd.DataFrame:
    """A replication's :data:`~analysis.calibration.backtest.COUNT_COLUMNS` per (date, hour of arrival); the run
    must have counted answers within 0 s (``simulate(..., thresholds=(0.0,))``)."""
    columns = counters.intervals_for(types)
    reached = columns["answered"] + columns["abandoned"]
    index = np.arange(len(reached))
    start = index * interval_seconds
    frame = pd.DataFrame({
        "date": pd.Timestamp(start_date) + pd.to_timedelta(start // SECONDS_PER_DAY, unit="D"),
        "hour": (start % SECONDS_PER_DAY) // 3600,
        "offered": reached, "reached": reached,
        "queued": reached - columns["answered_within_0s"],
        "abandoned": columns["abandoned"], "answered": columns["answered"],
        "answered_within": columns["answered_within_threshold"],
        "wait_answered": columns["wait_seconds_answered"]})
    return frame.groupby(["date", "hour"], as_index=False)[list(COUNT_COLUMNS)].sum()


def counter_waits(counters: RunCounters) -> np.ndarray:
    """Like :func:`~analysis.calibration.backtest.wait_exceedances`, from the wait histograms (bin 0: no
    wait; bin k: [k - 1, k) s, so a wait above t seconds is in bin t + 1 or later)."""
    histogram = counters.answered_waits + counters.abandoned_waits
    above = np.cumsum(histogram[::-1])[::-1]  # above[k]: contacts in bin k or later
    return np.array([*(float(above[threshold + 1]) for threshold in WAIT_THRESHOLDS), float(histogram.sum())])


def without_cells(contacts: pd.DataFrame, cells: pd.DataFrame) -> pd.DataFrame:
    """A canonical frame without the contacts that arrived in the (date, hour) cells listed."""
    if cells.empty:
        return contacts
    hour = np.clip(contacts["arrival_seconds"].to_numpy(dtype=float) // 3600, 0, 23).astype(int)
    keys = pd.MultiIndex.from_arrays([pd.to_datetime(contacts["date"]), hour])
    drop = pd.MultiIndex.from_arrays([pd.to_datetime(cells["date"]), cells["hour"].astype(int)])
    return contacts.loc[~keys.isin(drop)]


def _replication_counts(task: _ReplicationTask) -> tuple[pd.DataFrame, np.ndarray, np.ndarray, int, pd.DataFrame]:
    scenario = task.scenario
    result = simulate(scenario, seed=task.seed, replication=task.replication, thresholds=(0.0,))
    types = scenario.contact_type_names()
    counts = counter_hours(result.counters, types, result.info.interval_seconds, task.start_date)
    log = simulated_contacts(result.contacts, task.start_date)
    agents = log.contacts["agent_id"].dropna().astype(str).unique()
    agent_pool = {agent: agent.rsplit("-", 1)[0] for agent in agents}  # the engine names agents <group>-<n>
    activity = agent_activity(log.contacts, agent_pool, task.pool_types, task.activity)
    still = int(sum(row["in_system"] for row in result.counters.by_type_segment().values()))
    # Waits outside flagged hours need the contacts themselves (the histograms cover the whole run).
    clean = wait_exceedances(without_cells(log.contacts, task.anomalies))
    return counts, counter_waits(result.counters), clean, still, talking_by_queue(activity)


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
    anomalies: pd.DataFrame  # date, hour, ... of hours flagged by analysis.calibration.anomalies
    comparison_clean: pd.DataFrame  # like comparison, the flagged (date, hour)s left out on both sides
    wait_distribution_clean: pd.DataFrame  # like wait_distribution, without the flagged hours

    def errors(self, min_base: float = 50.0, day_type: str = ALL_DAYS,
               hours: tuple[int, int] | None = None, clean: bool = False) -> pd.DataFrame:
        """Per KPI over ``day_type``'s hours (``hours``: first and last, inclusive) whose observed base (contacts
        behind the ratio) is at least ``min_base``: mean absolute error, mean error, mean observed value, the
        error relative to it, and the share of hours inside the 95% prediction interval (``clean``: without
        the flagged anomalous hours)."""
        comparison = self.comparison_clean if clean else self.comparison
        rows = comparison.loc[(comparison["day_type"] == day_type) & (comparison["observed_base"] >= min_base)]
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
            "asa_seconds": div(total["wait_answered"], total["answered"])}


def _versus(observed: np.ndarray, simulated: np.ndarray) -> dict[str, np.ndarray]:
    """Observed next to the simulated mean and its 95% CI (``simulated``: one column per replication)."""
    columns = _interval_columns(simulated)
    return {"observed": observed, "simulated": columns["simulated"], "ci_low": columns["ci_low"],
            "ci_high": columns["ci_high"]}


def _without(counts: pd.DataFrame, cells: pd.DataFrame) -> pd.DataFrame:
    """``counts`` without the (date, hour) rows listed in ``cells``."""
    if cells.empty:
        return counts
    drop = pd.MultiIndex.from_frame(cells[["date", "hour"]].assign(date=pd.to_datetime(cells["date"])))
    return counts.loc[~pd.MultiIndex.from_frame(counts[["date", "hour"]]).isin(drop)]


def _comparison(observed_counts: pd.DataFrame, simulated_counts: list[pd.DataFrame], plan: BacktestPlan,
                cells: pd.DataFrame) -> pd.DataFrame:
    """Observed KPIs per (day type, hour, KPI) next to the replications' mean and intervals."""
    observed = _kpi_table(hourly_kpis(_without(observed_counts, cells), plan.dates, plan.day_types))
    values = np.column_stack([_kpi_table(hourly_kpis(_without(counts, cells), plan.dates, plan.day_types))["value"]
                              .to_numpy(dtype=float) for counts in simulated_counts])
    comparison = observed.rename(columns={"value": "observed", "base": "observed_base"})
    for name, column in _interval_columns(values).items():
        comparison[name] = column
    comparison = _within_possible_range(comparison)
    comparison["inside"] = (comparison["observed"] >= comparison["pi_low"]) & (
        comparison["observed"] <= comparison["pi_high"])
    return comparison


def _within_possible_range(table: pd.DataFrame) -> pd.DataFrame:
    """Interval bounds cut to what each KPI can be: rates 0..1, volumes and times at least 0 (only
    impossible values are cut, so nothing an observation could fall in)."""
    table = table.copy()
    rates = table["kpi"].isin(["abandon_rate", "abandon_rate_waited", "service_level"]).to_numpy()
    for column in [name for name in ("ci_low", "ci_high", "pi_low", "pi_high") if name in table]:
        values = table[column].to_numpy(float)
        table[column] = np.where(rates, np.clip(values, 0.0, 1.0), np.clip(values, 0.0, None))
    return table


def run_backtest(plan: BacktestPlan, contacts: pd.DataFrame, replications: int = 10, seed: int = 0,
                 workers: int | None = None, show_progress: bool = True,
                 activity: ActivitySettings | None = None) -> BacktestResult:
    """Simulate ``plan`` and compare it with the log's ``contacts`` (canonical frame)."""
    if replications < 2:
        raise ValueError("a back-test needs at least 2 replications for its intervals")
    activity = activity or ActivitySettings()
    scenario = plan.scenario
    contacts = contacts.loc[contacts["contact_type"].isin(scenario.contact_type_names())]
    observed_counts = hourly_counts(contacts, scenario.service_level.threshold_seconds)
    groups = [group.model_dump(mode="json") for group in scenario.agent_groups]
    agent_pool, pool_types = log_pools(contacts, groups)
    observed_activity = agent_activity(contacts, agent_pool, pool_types, activity)
    anomalies = talk_time_anomalies(contacts, plan.calibrated or scenario)
    tasks = [_ReplicationTask(scenario, seed, index, plan.start_date, pool_types, activity, anomalies)
             for index in range(replications)]
    simulated: list[pd.DataFrame | None] = [None] * replications
    curves: list[pd.DataFrame | None] = [None] * replications
    wait_counts: list[np.ndarray | None] = [None] * replications
    clean_waits: list[np.ndarray | None] = [None] * replications
    in_system = 0
    dates = pd.to_datetime(pd.Series(plan.dates))
    with Runner(ExecutionPlan(workers=workers), "back-test", show_progress=show_progress) as runner:
        for index, (counts, waits, clean, still, curve) in runner.run(_replication_counts, tasks):
            simulated[index] = counts.loc[counts["date"].isin(dates)]
            wait_counts[index] = waits[:-1] / waits[-1]
            clean_waits[index] = clean[:-1] / clean[-1]
            curves[index] = curve
            in_system += still
    period_observed = _period_kpis(observed_counts, plan.dates)
    period_sim = np.array([[_period_kpis(counts, plan.dates)[kpi] for kpi in KPIS] for counts in simulated]).T
    period = pd.DataFrame({"kpi": list(KPIS), "observed": [period_observed[kpi] for kpi in KPIS],
                           **_interval_columns(period_sim)}).drop(columns=["pi_low", "pi_high"])
    waits = _wait_table(wait_exceedances(contacts), wait_counts)
    waits_clean = _wait_table(wait_exceedances(without_cells(contacts, anomalies)), clean_waits)
    observed_curve = talking_by_queue(observed_activity)
    talking = pd.DataFrame({"queue": observed_curve["queue"], "observed_hours": observed_curve["seconds"] / 3600.0,
                            **_versus(share_talking(observed_curve),
                                      np.column_stack([share_talking(curve) for curve in curves]))})
    drift = parameter_drift(plan.calibrated or scenario, contacts, observed_activity, plan.dates)
    return BacktestResult(plan, _comparison(observed_counts, simulated, plan, anomalies.iloc[0:0]),
                          _within_possible_range(period),
                          replications, in_system, waits, talking, drift, anomalies,
                          _comparison(observed_counts, simulated, plan, anomalies), waits_clean)


def _wait_table(observed: np.ndarray, simulated: list[np.ndarray]) -> pd.DataFrame:
    """P(wait > t): observed (exceedance counts, the total last) against the replications' shares."""
    waits = pd.DataFrame({"wait_above_seconds": list(WAIT_THRESHOLDS),
                          **_versus(observed[:-1] / observed[-1], np.column_stack(simulated))})
    waits["ratio"] = waits["simulated"] / waits["observed"]
    return waits
