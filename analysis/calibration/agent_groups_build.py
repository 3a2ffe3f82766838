"""The agent groups of a calibrated scenario: pools, their staffing and how their agents come and go.

``availability="model"`` (default): one group per pool
(:mod:`~analysis.calibration.agent_pools`), headcount per interval and
weekday = agents on duty from the duty spans
(:mod:`~analysis.calibration.agent_activity`, time-weighted, averaged over
the day type's dates, rounded), and the availability model fitted from the
gaps between calls (:mod:`~analysis.calibration.availability_fit`) with no
shrinkage; call set-up becomes after-call work. A pool whose log is too thin
for the fit keeps the shrinkage estimate. ``availability="shrinkage"``: the
earlier model, one pool, agents seen per interval and a fixed shrinkage from
the queue (:mod:`~analysis.calibration.availability`), optionally a surge rule.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal

import pandas as pd

from .agent_activity import SINGLE_POOL, ActivitySettings, AgentActivity, agent_activity
from .agent_pools import SPECIALIST_SHARE, AgentPools, detect_pools
from .availability import estimate_availability
from .availability_fit import AvailabilityFit, fit_availability
from .canonical import weekday_names
from .fitting import CalibrationResult
from .surge import estimate_surge

AvailabilityChoice = Literal["model", "shrinkage"]


@dataclass(frozen=True)
class AgentGroupOptions:
    availability: AvailabilityChoice = "model"
    specialist_share: float = SPECIALIST_SHARE  # above 1: never split agents into pools
    activity: ActivitySettings = field(default_factory=ActivitySettings)
    surge: Literal["auto", "off"] = "auto"


@dataclass(frozen=True)
class AgentGroupsBuild:
    """Scenario ``agent_groups`` entries (without headcount files), their headcount tables and comments."""

    groups: list[dict]
    headcount: dict[str, pd.DataFrame]  # group name -> interval, headcount, weekday
    after_call_work_seconds: float | None
    comments: list[str]
    fits: dict[str, AvailabilityFit] = field(default_factory=dict)
    activity: AgentActivity | None = None
    pools: AgentPools | None = None


def weekday_headcount(activity: AgentActivity, result: CalibrationResult) -> dict[str, pd.DataFrame]:
    """Per pool: agents on duty per interval and weekday, the day type's mean over its dates, rounded."""
    interval = result.staffing.interval_seconds
    dates = sorted(pd.to_datetime(result.staffing.per_day["date"]).unique())
    per_day = activity.on_duty_per_interval(interval, dates)
    day_types = result.staffing.day_types
    per_day["day_type"] = weekday_names(per_day["date"]).map(day_types.of)
    means = per_day.groupby(["pool", "day_type", "interval_start_seconds"], as_index=False)["agents_on_duty"].mean()
    tables = {}
    for pool, rows in means.groupby("pool"):
        records = []
        for row in rows.itertuples(index=False):
            start = int(row.interval_start_seconds)
            for weekday in day_types.weekdays_of(row.day_type):
                records.append({"interval": f"{start // 3600:02d}:{start % 3600 // 60:02d}",
                                "headcount": math.floor(row.agents_on_duty + 0.5), "weekday": weekday})
        tables[str(pool)] = pd.DataFrame(records, columns=["interval", "headcount", "weekday"])
    return tables


def _shrinkage_groups(result: CalibrationResult, contacts: pd.DataFrame, types: list[str],
                      options: AgentGroupOptions) -> AgentGroupsBuild:
    availability = estimate_availability(contacts, result.staffing)
    group = {"name": SINGLE_POOL, "skills": {name: 1 for name in types},
             "shrinkage": round(availability.shrinkage, 4)}
    comments = [
        "one pool serving every type; headcount per interval and weekday = agents seen serving at least "
        f"once in the interval, averaged over the day type's days ({result.staffing.distinct_agents} agents "
        "in the log); biased low in quiet intervals (idle agents are invisible), high at shift edges",
        f"shrinkage: {availability.describe()}",
        "(wrap-up, breaks and other work between calls; the log records talk time only, so no after-call work)"]
    if options.surge == "off":
        comments.append("surge: none (turned off with surge = off)")
    else:
        surge = estimate_surge(contacts)
        if surge.found:
            group["surge"] = surge.as_spec()
            comments.append(f"surge: queue_above {surge.queue_above}, max_agents {surge.max_agents}, estimated "
                            f"from agents who answered only while the queue was long - {surge.note}")
            if availability.shrinkage <= 0:
                comments.append("the rule draws on off-phone agents (shrinkage), which is 0 here: it has no effect")
        else:
            comments.append(f"surge: none estimated - {surge.note}")
    headcount = pd.DataFrame(result.staffing.headcount_rows(), columns=["interval", "headcount", "weekday"])
    return AgentGroupsBuild([group], {SINGLE_POOL: headcount}, None, comments)


def build_agent_groups(result: CalibrationResult, contacts: pd.DataFrame, types: list[str],
                       options: AgentGroupOptions | None = None) -> AgentGroupsBuild:
    """Agent groups for the kept contact ``types`` (see module docstring)."""
    options = options or AgentGroupOptions()
    if options.availability == "shrinkage":
        return _shrinkage_groups(result, contacts, types, options)
    pools = detect_pools(contacts, types, specialist_share=options.specialist_share)
    activity = agent_activity(contacts, pools.agent_pool, pools.pool_types, options.activity)
    headcount = weekday_headcount(activity, result)
    settings = options.activity
    comments = [
        *pools.describe(),
        f"pools: an agent with at least {options.specialist_share:.0%} of their calls of one type is a specialist; "
        "specialists of a type form a team, everyone else the general pool",
        "headcount per interval and weekday: agents on duty, time-weighted, from each agent's duty spans (first "
        "answer to last call end, idle stretches included, split at gaps of at least "
        f"{settings.off_duty_gap_minutes:g} min during which callers waited {settings.off_duty_evidence_seconds:g} s "
        f"or more, or at gaps over {settings.max_idle_hours:g} h), averaged over the day type's dates; agents "
        "idle before their first or after their last call are not seen"]
    groups, fits, setups = [], {}, []
    for pool, skills in pools.skills.items():
        fit = fit_availability(activity, pool)
        fits[pool] = fit
        group: dict = {"name": pool, "skills": dict(sorted(skills.items()))}
        if fit.usable:
            group["availability"] = fit.spec()
            setups.append((fit.gaps, fit.setup_seconds))
            comments.extend(f"{pool}: {line}" for line in fit.describe())
        else:
            shrinkage = estimate_availability(contacts, result.staffing).shrinkage if pool == SINGLE_POOL else 0.0
            group["shrinkage"] = round(shrinkage, 4)
            comments.append(f"{pool}: {fit.describe()[0]}; shrinkage {shrinkage:.3f} instead")
        groups.append(group)
    setup = (sum(n * s for n, s in setups) / sum(n for n, _ in setups)) if setups else None
    return AgentGroupsBuild(groups, headcount, setup, comments, fits, activity, pools)
