"""Back-test: simulate a logged period with the staffing the log shows, and compare KPIs hour by hour.

Steps: :func:`backtest_scenario` lays the scenario over the log's calendar
(its days, weekdays and missing dates) and replaces the staffing with the
agents inferred per calendar day from the log; :func:`~analysis.calibration.backtest_run.run_backtest`
simulates it and compares. Both sides count the same additive quantities per
date and hour of arrival (the log with :func:`hourly_counts`, each
replication from the engine's streaming counters), so the KPIs follow from
one definition (:func:`hourly_kpis`):

* offered: contacts that reached the agents (answered, or abandoned after
  joining the agents' queue); hang-ups in the voice-response unit are not
  part of the back-test;
* abandonment rate: abandoned in the agents' queue / reached agents (the
  simulator's own ``abandon_rate``);
* abandonment among those who waited: abandoned / contacts that had to wait
  (the log's "queued": contacts answered at once have no queue record);
* service level: answered within the threshold / reached agents;
* ASA: mean wait of answered contacts (zero waits included);
* P(wait > t): contacts reaching agents that waited longer than t, over the
  period (:func:`wait_exceedances`; the engine's 1-second wait histograms).

With ``demand="observed"`` the simulation gets each day's actual arrivals per
interval and type instead of the scenario's weekday profile, counting only
the callers who left the voice-response unit for the agents (the unit's
hang-ups are set to none): that isolates the queueing model (handle time,
patience, priority, staffing, availability) from the volume forecast, and
keeps system outages out of it. On 3 February 1999, for one, 326 callers
hung up in the unit within an hour while agents answered almost nobody;
replaying them as callers who reach the queue invents a queue of fifty.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

import numpy as np
import pandas as pd

from analysis.calibration.agents_seen import infer_staffing
from sim.config import Scenario, parse_scenario
from sim.config.errors import UserInputError
from sim.config.types import WEEKDAYS

from .agent_activity import SINGLE_POOL, ActivitySettings, agent_activity
from .agent_pools import detect_pools
from .arrivals import fit_arrivals
from .day_types import DayTypes

DemandSource = Literal["scenario", "observed"]
WAIT_THRESHOLDS = (0, 20, 60, 120, 300)  # seconds: P(wait > t) of contacts that reached the agents
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
    calibrated: Scenario | None = None  # the scenario as given (its own demand and staffing), for the drift table


def _rows(per_day: pd.DataFrame, start: date, column: str) -> list[dict]:
    day_numbers = (pd.to_datetime(per_day["date"]) - pd.Timestamp(start)).dt.days + 1
    seconds = per_day["interval_start_seconds"].astype(int)
    return [{"interval": f"{s // 3600:02d}:{s % 3600 // 60:02d}", "headcount": int(math.floor(h + 0.5)),
             "day": int(d)} for s, h, d in zip(seconds, per_day[column], day_numbers)]


def log_pools(contacts: pd.DataFrame, groups: list[dict]) -> tuple[dict[str, str], dict[str, tuple[str, ...]]]:
    """Each agent of the log in one of the scenario's groups: pools detected in the log, those the scenario does
    not have merged into its general group (or its first)."""
    names = [group["name"] for group in groups]
    general = SINGLE_POOL if SINGLE_POOL in names else names[0]
    skills = {group["name"]: tuple(sorted(group["skills"])) for group in groups}
    types = sorted({t for group_types in skills.values() for t in group_types})
    detected = detect_pools(contacts, types)
    return {agent: pool if pool in skills else general for agent, pool in detected.agent_pool.items()}, skills


def group_headcount_rows(contacts: pd.DataFrame, start: date, dates: list[date], interval_minutes: int,
                         groups: list[dict], settings: ActivitySettings) -> dict[str, list[dict]]:
    """Per group, agents on duty per interval of each calendar day: from duty spans for groups with an
    availability model, agents seen serving for the others (whose shrinkage was estimated against that)."""
    rows = {}
    if any(group.get("availability") for group in groups):
        agent_pool, pool_types = log_pools(contacts, groups)
        activity = agent_activity(contacts, agent_pool, pool_types, settings)
        per_day = activity.on_duty_per_interval(interval_minutes * 60, dates)
        for group in groups:
            if group.get("availability"):
                rows[group["name"]] = _rows(per_day.loc[per_day["pool"] == group["name"]], start, "agents_on_duty")
    seen = [group for group in groups if not group.get("availability")]
    if seen:
        if len(groups) > 1:
            raise UserInputError("a back-test of several agent groups needs an availability model in each "
                             f"(group {seen[0]['name']!r} has none): calibrate with --availability model")
        staffing = infer_staffing(contacts, interval_minutes, dates=dates)
        rows[seen[0]["name"]] = _rows(staffing.per_day, start, "agents_on_duty")
    return rows


def reached_agents(contacts: pd.DataFrame) -> pd.Series:
    """Contacts that left the voice-response unit for the agents: answered, or abandoned in their queue."""
    return (contacts["outcome"] == "answered") | ((contacts["outcome"] == "abandoned") & contacts["queued"])


def _observed_volume_rows(contacts: pd.DataFrame, start: date, dates: list[date], interval_minutes: int) -> list[dict]:
    observed = fit_arrivals(contacts.loc[reached_agents(contacts)], interval_minutes, dates=dates).observed
    observed = observed.loc[observed["arrivals"] > 0]
    day_numbers = (pd.to_datetime(observed["date"]) - pd.Timestamp(start)).dt.days + 1
    seconds = observed["interval_start_seconds"].astype(int)
    return [{"interval": f"{s // 3600:02d}:{s % 3600 // 60:02d}", "volume": float(v), "day": int(d),
             "contact_type": str(t)}
            for s, v, d, t in zip(seconds, observed["arrivals"], day_numbers, observed["contact_type"])]


def backtest_scenario(scenario: Scenario, contacts: pd.DataFrame, day_types: DayTypes,
                      demand: DemandSource = "scenario", surge: bool = True,
                      activity: ActivitySettings | None = None) -> BacktestPlan:
    """``scenario`` over the log's period with the staffing inferred per calendar day (see module docstring).

    ``surge=False`` drops the agent groups' surge rules, to see what they contribute; ``activity``: the
    duty-span rules (as in calibration) for groups with an availability model.
    """
    activity = activity or ActivitySettings()
    if not scenario.agent_groups or any(group.dedicated for group in scenario.agent_groups):
        raise UserInputError("a back-test needs a scenario whose agent groups all take the log's staffing (no "
                         "dedicated groups)")
    types = set(scenario.contact_type_names())
    known = contacts["contact_type"].isin(types)
    contacts = contacts.loc[known]
    if contacts.empty:
        raise UserInputError("the log has no contacts of the scenario's contact types "
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
        if data.get("ai"):
            for outcome in data["ai"]["contact_types"].values():  # the replayed callers all went on to agents
                outcome.update(escalation=1.0 - outcome["containment"], give_up=0.0)
    staffing = group_headcount_rows(contacts, start, present, interval, data["agent_groups"], activity)
    for group in data["agent_groups"]:
        group.update(headcount=None, headcount_file=None, shifts=None, roster_file=None,
                     headcount_rows=staffing[group["name"]])
        if not surge:
            group["surge"] = None
    return BacktestPlan(parse_scenario(data, source="back-test"), start, tuple(present), day_types,
                        int((~known).sum()), scenario)


def hourly_counts(contacts: pd.DataFrame, threshold_seconds: float) -> pd.DataFrame:
    """Additive counts per (date, hour of arrival) from a canonical frame (see module docstring)."""
    answered = (contacts["outcome"] == "answered").to_numpy()
    queued = contacts["queued"].to_numpy(dtype=bool)
    abandoned = (contacts["outcome"] == "abandoned").to_numpy() & queued
    wait = contacts["wait_seconds"].fillna(0.0).to_numpy(dtype=float)
    reached = (answered | abandoned).astype(float)
    frame = pd.DataFrame({
        "date": pd.to_datetime(contacts["date"]).to_numpy(),
        "hour": np.clip(contacts["arrival_seconds"].to_numpy(dtype=float) // 3600, 0, 23).astype(int),
        "offered": reached,
        "reached": reached,
        "queued": (queued & (answered | abandoned)).astype(float),
        "abandoned": abandoned.astype(float),
        "answered": answered.astype(float),
        "answered_within": (answered & (wait <= threshold_seconds)).astype(float),
        "wait_answered": np.where(answered, wait, 0.0),
    })
    return frame.groupby(["date", "hour"], as_index=False)[list(COUNT_COLUMNS)].sum()


def wait_exceedances(contacts: pd.DataFrame) -> np.ndarray:
    """Contacts reaching agents that waited more than each of :data:`WAIT_THRESHOLDS`, and (last) all of them."""
    reached = reached_agents(contacts).to_numpy()
    wait = contacts["wait_seconds"].fillna(0.0).to_numpy(dtype=float)[reached]
    return np.array([*(float((wait > threshold).sum()) for threshold in WAIT_THRESHOLDS), float(reached.sum())])


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
