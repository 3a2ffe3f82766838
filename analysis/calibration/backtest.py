"""Back-test: simulate a logged period with the staffing the log shows, and compare KPIs hour by hour.

Steps: :func:`backtest_scenario` lays the scenario over the log's calendar
(its days, weekdays and missing dates) and replaces the staffing with the
agents inferred per calendar day from the log; :func:`run_backtest` simulates
it, turns every replication into the canonical frame
(:func:`~analysis.calibration.sim_log.simulated_contacts`) and computes the
KPIs of both sides with one function, :func:`hourly_counts`, so the
definitions cannot drift apart:

* offered: contacts arriving in the hour (hang-ups in the voice-response unit included);
* reached agents: answered, or abandoned after joining the agents' queue;
* abandonment rate: abandoned in the agents' queue / reached agents (the
  simulator's own ``abandon_rate``: hang-ups in the voice-response unit are in
  neither count);
* abandonment among those who waited: abandoned / contacts that had to wait
  (the log's "queued": contacts answered at once have no queue record). Shown
  too, but it depends on who gets a queue record: in the bank data priority
  callers almost always do, even when agents are free, which no queue
  discipline in the simulator reproduces;
* service level: answered within the threshold / reached agents;
* ASA: mean wait of answered contacts (zero waits included).

With ``demand="observed"`` the simulation gets each day's actual arrivals per
interval and type instead of the scenario's weekday profile: that isolates
the queueing model (handle time, patience, priority, staffing) from the
volume forecast.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats
from tqdm import tqdm

from analysis.calibration.agents_seen import infer_staffing
from analysis.runs.execution import ExecutionPlan, run_tasks
from sim.config import Scenario, parse_scenario
from sim.config.types import WEEKDAYS
from sim.run import simulate

from .arrivals import fit_arrivals
from .day_types import DayTypes
from .sim_log import simulated_contacts

DemandSource = Literal["scenario", "observed"]
COUNT_COLUMNS = ("offered", "reached", "queued", "abandoned", "answered", "answered_within", "wait_answered")
KPIS = ("offered", "abandon_rate", "service_level", "asa_seconds", "abandon_rate_waited")
ALL_DAYS = "all days"


@dataclass(frozen=True)
class BacktestPlan:
    """The scenario laid over the log's calendar, and the dates it covers."""

    scenario: Scenario
    start_date: date
    dates: tuple[date, ...]  # dates present in the log (missing ones get no demand or staff)
    day_types: DayTypes
    excluded_contacts: int  # log contacts of types the scenario does not have


def _headcount_rows(contacts: pd.DataFrame, start: date, dates: list[date], interval_minutes: int) -> list[dict]:
    staffing = infer_staffing(contacts, interval_minutes, dates=dates)
    per_day = staffing.per_day
    day_numbers = (pd.to_datetime(per_day["date"]) - pd.Timestamp(start)).dt.days + 1
    seconds = per_day["interval_start_seconds"].astype(int)
    return [{"interval": f"{s // 3600:02d}:{s % 3600 // 60:02d}", "headcount": int(h), "day": int(d)}
            for s, h, d in zip(seconds, per_day["agents_on_duty"], day_numbers)]


def _observed_volume_rows(contacts: pd.DataFrame, start: date, dates: list[date], interval_minutes: int) -> list[dict]:
    observed = fit_arrivals(contacts, interval_minutes, dates=dates).observed
    observed = observed.loc[observed["arrivals"] > 0]
    day_numbers = (pd.to_datetime(observed["date"]) - pd.Timestamp(start)).dt.days + 1
    seconds = observed["interval_start_seconds"].astype(int)
    return [{"interval": f"{s // 3600:02d}:{s % 3600 // 60:02d}", "volume": float(v), "day": int(d),
             "contact_type": str(t)}
            for s, v, d, t in zip(seconds, observed["arrivals"], day_numbers, observed["contact_type"])]


def backtest_scenario(scenario: Scenario, contacts: pd.DataFrame, day_types: DayTypes,
                      demand: DemandSource = "scenario", surge: bool = True) -> BacktestPlan:
    """``scenario`` over the log's period with the staffing inferred per calendar day (see module docstring).

    ``surge=False`` drops the agent group's surge rule, to see what it contributes.
    """
    inhouse = [group for group in scenario.agent_groups if not group.dedicated]
    if len(scenario.agent_groups) != 1 or len(inhouse) != 1:
        raise ValueError("a back-test needs a scenario with exactly one agent group, which receives the "
                         f"staffing inferred from the log (this one has {len(scenario.agent_groups)})")
    types = set(scenario.contact_type_names())
    known = contacts["contact_type"].isin(types)
    contacts = contacts.loc[known]
    if contacts.empty:
        raise ValueError("the log has no contacts of the scenario's contact types "
                         f"({', '.join(sorted(types))})")
    present = sorted({timestamp.date() for timestamp in pd.to_datetime(contacts["date"])})
    start, end = present[0], present[-1]
    days = (end - start).days + 1
    interval = scenario.horizon.interval_minutes
    data = scenario.model_dump(mode="json")
    data["horizon"].update(days=days, start_weekday=WEEKDAYS[start.weekday()])
    # Dates missing from the log (e.g. 11-12 January in the bank data) get neither demand nor staff.
    data["demand"]["day_factors"] = [1.0 if start + timedelta(days=d) in present else 0.0
                                     for d in range(days)]
    if demand == "observed":
        data["demand"].update(rows=_observed_volume_rows(contacts, start, present, interval), volume=None,
                              daily_volume=None, shape=None, volume_file=None, busyness_cv=0.0,
                              weekday_factors={})
        data["horizon"].update(open="00:00", close="24:00", weekday_hours={})
        for entry in data["contact_types"]:
            entry["share"] = None
    group = data["agent_groups"][0]
    group.update(headcount=None, headcount_file=None, shifts=None, roster_file=None,
                 headcount_rows=_headcount_rows(contacts, start, present, interval))
    if not surge:
        group["surge"] = None
    return BacktestPlan(parse_scenario(data, source="back-test"), start, tuple(present), day_types,
                        int((~known).sum()))


def hourly_counts(contacts: pd.DataFrame, threshold_seconds: float) -> pd.DataFrame:
    """Additive counts per (date, hour of arrival) from a canonical frame (see module docstring)."""
    answered = (contacts["outcome"] == "answered").to_numpy()
    queued = contacts["queued"].to_numpy(dtype=bool)
    abandoned = (contacts["outcome"] == "abandoned").to_numpy() & queued
    wait = contacts["wait_seconds"].fillna(0.0).to_numpy(dtype=float)
    frame = pd.DataFrame({
        "date": pd.to_datetime(contacts["date"]).to_numpy(),
        "hour": np.clip(contacts["arrival_seconds"].to_numpy(dtype=float) // 3600, 0, 23).astype(int),
        "offered": 1.0,
        "reached": (answered | abandoned).astype(float),
        "queued": queued.astype(float),
        "abandoned": abandoned.astype(float),
        "answered": answered.astype(float),
        "answered_within": (answered & (wait <= threshold_seconds)).astype(float),
        "wait_answered": np.where(answered, wait, 0.0),
    })
    return frame.groupby(["date", "hour"], as_index=False)[list(COUNT_COLUMNS)].sum()


def hourly_kpis(counts: pd.DataFrame, dates: tuple[date, ...], day_types: DayTypes) -> pd.DataFrame:
    """KPIs per (day type, hour) and for all days, pooled over the dates (ratios of sums)."""
    dates_index = pd.to_datetime(pd.Series(dates))
    grid = pd.MultiIndex.from_product([dates_index, range(24)], names=["date", "hour"])
    dense = counts.set_index(["date", "hour"]).reindex(grid, fill_value=0.0).reset_index()
    dense["day_type"] = dense["date"].dt.day_of_week.map(lambda d: day_types.of(WEEKDAYS[d]))
    groups = [dense.assign(day_type=ALL_DAYS), dense]
    stacked = pd.concat(groups, ignore_index=True)
    sums = stacked.groupby(["day_type", "hour"], as_index=False)[list(COUNT_COLUMNS)].sum()
    day_count = stacked.groupby("day_type")["date"].nunique()
    with np.errstate(divide="ignore", invalid="ignore"):
        sums["offered_per_day"] = sums["offered"] / sums["day_type"].map(day_count).to_numpy()
        sums["abandon_rate"] = sums["abandoned"] / sums["reached"]
        sums["abandon_rate_waited"] = sums["abandoned"] / sums["queued"]
        sums["service_level"] = sums["answered_within"] / sums["reached"]
        sums["asa_seconds"] = sums["wait_answered"] / sums["answered"]
    return sums


@dataclass(frozen=True)
class _ReplicationTask:
    scenario: Scenario
    seed: int
    replication: int
    start_date: date


def _replication_counts(task: _ReplicationTask) -> tuple[pd.DataFrame, int]:
    result = simulate(task.scenario, seed=task.seed, replication=task.replication)
    log = simulated_contacts(result.contacts, task.start_date)
    return hourly_counts(log.contacts, task.scenario.service_level.threshold_seconds), log.still_in_system


@dataclass(frozen=True)
class BacktestResult:
    """Observed and simulated KPIs per (day type, hour), in long form, and the summary errors."""

    plan: BacktestPlan
    comparison: pd.DataFrame  # day_type, hour, kpi, observed, observed_base, simulated, ci_*, pi_*, inside
    period: pd.DataFrame  # kpi, observed, simulated, ci_low, ci_high over the whole period
    replications: int
    still_in_system: int

    def errors(self, min_base: float = 50.0) -> pd.DataFrame:
        """Per KPI over the all-days hours whose observed base (contacts behind the ratio) is at least ``min_base``:
        mean absolute error, mean observed value, and the share of hours inside the 95% prediction interval."""
        rows = self.comparison.loc[(self.comparison["day_type"] == ALL_DAYS)
                                   & (self.comparison["observed_base"] >= min_base)]
        table = []
        for kpi in KPIS:
            group = rows.loc[rows["kpi"] == kpi]
            gap = group["simulated"] - group["observed"]
            table.append({"kpi": kpi, "hours": len(group),
                          "mean_absolute_error": float(gap.abs().mean()) if len(group) else math.nan,
                          "mean_error": float(gap.mean()) if len(group) else math.nan,
                          "observed_mean": float(group["observed"].mean()) if len(group) else math.nan,
                          "inside_interval": float(group["inside"].mean()) if len(group) else math.nan})
        return pd.DataFrame(table)


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
        warnings.simplefilter("ignore", RuntimeWarning)  # hours no replication defines stay NaN
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


def run_backtest(plan: BacktestPlan, contacts: pd.DataFrame, replications: int = 10, seed: int = 0,
                 workers: int | None = None, show_progress: bool = True) -> BacktestResult:
    """Simulate ``plan`` and compare it with the log's ``contacts`` (canonical frame)."""
    if replications < 2:
        raise ValueError("a back-test needs at least 2 replications for its intervals")
    scenario = plan.scenario
    threshold = scenario.service_level.threshold_seconds
    contacts = contacts.loc[contacts["contact_type"].isin(scenario.contact_type_names())]
    observed_counts = hourly_counts(contacts, threshold)
    observed = _kpi_table(hourly_kpis(observed_counts, plan.dates, plan.day_types))
    tasks = [_ReplicationTask(scenario, seed, index, plan.start_date) for index in range(replications)]
    simulated: list[pd.DataFrame | None] = [None] * replications
    period_values, in_system = [], 0
    with tqdm(total=replications, desc="back-test", unit="rep", disable=not show_progress, leave=False,
              delay=2.0) as bar:
        for index, (counts, still) in run_tasks(_replication_counts, tasks, ExecutionPlan(workers=workers)):
            counts = counts.loc[counts["date"].isin(pd.to_datetime(pd.Series(plan.dates)))]
            simulated[index] = _kpi_table(hourly_kpis(counts, plan.dates, plan.day_types))
            period_values.append(_period_kpis(counts, plan.dates))
            in_system += still
            bar.update(1)
    values = np.column_stack([table["value"].to_numpy(dtype=float) for table in simulated])
    comparison = observed.rename(columns={"value": "observed", "base": "observed_base"})
    for name, column in _interval_columns(values).items():
        comparison[name] = column
    comparison = _within_possible_range(comparison)
    comparison["inside"] = (comparison["observed"] >= comparison["pi_low"]) & (
        comparison["observed"] <= comparison["pi_high"])
    period_observed = _period_kpis(observed_counts, plan.dates)
    period_sim = np.array([[values_[kpi] for kpi in KPIS] for values_ in period_values]).T
    period = pd.DataFrame({"kpi": list(KPIS), "observed": [period_observed[kpi] for kpi in KPIS],
                           **_interval_columns(period_sim)}).drop(columns=["pi_low", "pi_high"])
    return BacktestResult(plan, comparison, _within_possible_range(period), replications, in_system)


def _within_possible_range(table: pd.DataFrame) -> pd.DataFrame:
    """Interval bounds cut to what each KPI can be: rates 0..1, volumes and times at least 0 (only
    impossible values are cut, so nothing an observation could fall in)."""
    table = table.copy()
    rates = table["kpi"].isin(["abandon_rate", "abandon_rate_waited", "service_level"]).to_numpy()
    for column in [name for name in ("ci_low", "ci_high", "pi_low", "pi_high") if name in table]:
        values = table[column].to_numpy(float)
        table[column] = np.where(rates, np.clip(values, 0.0, 1.0), np.clip(values, 0.0, None))
    return table
