"""How a tested period's parameters moved away from those a scenario was calibrated with.

Parameters of one month do not transfer blindly (in the Anonymous Bank data
mean talk time fell by about a sixth between the months we hold). The
back-test measures on the tested log what calibration measured on its own
window, and tabulates both:

* contacts per day of each type (scenario: its weekday volume rows over a
  week / 7; tested: offered per date of the log);
* mean handle time of each type (scenario: its distribution's mean; tested:
  the mean talk time of answered contacts);
* agent-hours on duty per day of each group (scenario: its weekday headcount
  over a week / 7; tested: duty spans per date);
* each group's availability: step-away probabilities after a call, mean away
  spell, recall rate and its factor per agent on duty (scenario: its model;
  tested: fitted again on the tested log);
* callers' extra early hang-up rate with 3 and 6 callers ahead, when the scenario
  has ``patience_by_queue`` (scenario: its first type's rule; tested: fitted again,
  :mod:`.patience_queue`);
* each type's queue boost when the scenario has any (``queue_boost_seconds``;
  tested: fitted again on the tested log's choices over its whole window,
  :mod:`.type_order`).
"""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pandas as pd

from sim.config import Scenario

from .agent_activity import AgentActivity
from .availability_fit import fit_availability
from .patience import fit_patience
from .patience_queue import baseline_and_queue_fit
from .type_order import choice_events, fit_type_order


def _row(parameter: str, scenario: float, tested: float) -> dict:
    change = tested / scenario - 1.0 if scenario and math.isfinite(scenario) and math.isfinite(tested) else math.nan
    return {"parameter": parameter, "scenario": scenario, "tested": tested, "change": change}


def _per_day_of_week(rows: list, value: str) -> dict[str | None, float]:
    """Totals per key of weekday-or-every-day rows, as a mean per day over a week."""
    totals: dict[str | None, float] = {}
    for row in rows:
        weight = 1.0 if getattr(row, "weekday", None) is None else 1.0 / 7.0
        if getattr(row, "day", None) is not None:
            continue
        key = getattr(row, "contact_type", None)
        totals[key] = totals.get(key, 0.0) + weight * float(getattr(row, value))
    return totals


def _availability_rows(group, fit) -> list[dict]:
    model = group.availability
    usable = fit.usable
    rows = []
    if model.step_away_after_contact is not None:
        rows.append(_row(f"{group.name}: P(step away after a call, nobody waiting)", model.step_away_after_contact[0],
                         fit.probabilities[0] if usable else math.nan))
        rows.append(_row(f"{group.name}: P(step away after a call, 2 waiting)",
                         model.step_away_after_contact[min(2, len(model.step_away_after_contact) - 1)],
                         fit.probabilities[2] if usable else math.nan))
    if model.available_time is not None:
        rows.append(_row(f"{group.name}: available spell mean (min)", model.available_time.mean_seconds() / 60.0,
                         math.nan))
    tested_recall = fit.away.recall_rate * 60.0 if usable and fit.away.recall_queue else 0.0
    rows.append(_row(f"{group.name}: away spell mean (min)", model.away_time.mean_seconds() / 60.0,
                     fit.away_mean_seconds / 60.0 if usable else math.nan))
    rows.append(_row(f"{group.name}: recall rate (per min)", model.recall.rate_per_minute if model.recall else 0.0,
                     tested_recall))
    if model.recall is not None and model.recall.factor_per_agent_on_duty < 1.0:
        team = fit.away.team if usable else None
        rows.append(_row(f"{group.name}: recall factor per agent on duty", model.recall.factor_per_agent_on_duty,
                         team.factor if team is not None and team.significant else 1.0))
    return rows


def _queue_patience_rows(scenario: Scenario, contacts: pd.DataFrame) -> list[dict]:
    rule = next((t.patience_by_queue for t in scenario.contact_types if t.patience_by_queue is not None), None)
    if rule is None:
        return []
    _, fit = baseline_and_queue_fit(contacts, fit_patience(contacts), fit_patience)
    tested = fit.rates_by_queue() if fit is not None else []
    rows = []
    for ahead in (3, 6):
        planned = rule.extra_rate_per_minute[min(ahead, len(rule.extra_rate_per_minute) - 1)]
        value = tested[min(ahead, len(tested) - 1)] if tested else math.nan
        rows.append(_row(f"callers: extra hang-up rate, {ahead} ahead (per min)", planned, value))
    return rows


def _type_order_rows(scenario: Scenario, contacts: pd.DataFrame) -> list[dict]:
    if not any(contact_type.queue_boost_seconds for contact_type in scenario.contact_types):
        return []
    fit = fit_type_order(choice_events(contacts), find_change=False)
    tested = fit.boosts if fit is not None else {}
    return [_row(f"{t.name}: queue boost (s)", t.queue_boost_seconds, tested.get(t.name, math.nan))
            for t in scenario.contact_types]


def parameter_drift(scenario: Scenario, contacts: pd.DataFrame, activity: AgentActivity,
                    dates: tuple[date, ...]) -> pd.DataFrame:
    """parameter, scenario, tested, change (tested / scenario - 1) - see module docstring."""
    rows = []
    days = len(dates)
    volume = _per_day_of_week(scenario.demand.rows or [], "volume")
    offered = contacts.groupby("contact_type").size() / days
    answered = contacts.loc[contacts["outcome"] == "answered"]
    handle = answered.groupby("contact_type")["handle_seconds"].mean()
    for contact_type in scenario.contact_types:
        name = contact_type.name
        if volume:
            rows.append(_row(f"{name}: contacts per day", volume.get(name, volume.get(None, math.nan)),
                             float(offered.get(name, 0.0))))
        rows.append(_row(f"{name}: mean handle time (s)", contact_type.handle_time.mean_seconds(),
                         float(handle.get(name, math.nan))))
    duty = activity.spans.assign(hours=(activity.spans["end"] - activity.spans["start"]) / 3600.0)
    duty_hours = duty.groupby("pool")["hours"].sum() / days
    interval_hours = scenario.horizon.interval_minutes / 60.0
    for group in scenario.agent_groups:
        planned = _per_day_of_week(group.headcount_rows or [], "headcount")
        if planned:
            rows.append(_row(f"{group.name}: agent-hours on duty per day", planned.get(None, 0.0) * interval_hours,
                             float(duty_hours.get(group.name, 0.0))))
        if group.availability is not None and group.name in activity.pool_types:
            rows.extend(_availability_rows(group, fit_availability(activity, group.name)))
    rows.extend(_queue_patience_rows(scenario, contacts))
    rows.extend(_type_order_rows(scenario, contacts))
    return pd.DataFrame(rows, columns=["parameter", "scenario", "tested", "change"]).replace({np.inf: np.nan})
