"""From a calibration to the content of a scenario file: sections, tables, and where each number came from.

:func:`build_scenario` decides how each fitted piece becomes scenario input;
:mod:`analysis.calibration.scenario_file` writes it out. The choices:

* **Handle time by time of day**: per type, mean talk time by hour of
  arrival over the type's mean, shrunk by its sampling error
  (:mod:`~analysis.calibration.time_of_day`), as ``handle_time_by_time_of_day``.
* **Handle time with short calls** (``short_calls="mixture"``, default): the
  handle time of a type is the scenario format's ``mixture`` of the observed
  short calls (their share and durations) and the fitted family for the
  rest; ``"points"`` writes that mixture as equal-probability points in a CSV,
  ``"exclude"`` the family alone (:mod:`~analysis.calibration.handle_time_spec`).
* **Patience**: exponential or Weibull, whichever has the higher likelihood
  (lower AIC); if even that one strays from the Kaplan-Meier curve by more
  than :func:`~analysis.calibration.handle_time.tolerated_ks_distance`, the
  Kaplan-Meier curve itself (with the parametric tail beyond the well-supported
  range) is written as points (``patience="auto"``, default). ``"parametric"``
  and ``"empirical"`` force one or the other.
* **Voice-response unit** as an ``[ai]`` stage when the log shows it (bot
  times, hang-ups before queueing or self-service): nothing is contained
  unless the log has self-served contacts, hang-ups before queueing are its
  ``give_up`` share, the rest escalate to agents. Patience then starts in the
  agents' queue, as in the log.
* **Segments**: observed shares overall and, per contact type, the type's own
  mix (``segment_shares``); priority segments get the queue boost
  estimated from overtakes (:mod:`~analysis.calibration.priority`) or, when
  the data cannot support an estimate, ``default_queue_boost_seconds``.
* **Agent groups** (:mod:`~analysis.calibration.agent_groups_build`): one per
  pool of agents serving the same contact types, with agents on duty from
  the agents' duty spans and the availability model (stepping away, coming
  back, sooner while callers wait) fitted from the gaps between their calls
  (``availability="model"``, default); or the earlier single pool of agents
  seen with a fixed shrinkage and, with ``surge="auto"``, a surge rule
  (``availability="shrinkage"``).
* **Horizon**: the log's period (first to last date), starting on the first
  date's weekday, with the opening hours inferred per day type.
* **Demand**: expected arrivals per interval, weekday and type, busyness CV.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from sim.config.errors import UserInputError

from .agent_activity import ActivitySettings
from .agent_groups_build import AgentGroupOptions, AvailabilityChoice, build_agent_groups
from .agent_pools import SPECIALIST_SHARE
from .canonical import WEEKDAYS
from .discretize import kaplan_meier_points
from .distributions import EmpiricalDistribution
from .fitting import ALL_CONTACT_TYPES, CalibrationResult, recent_window
from .handle_time import tolerated_ks_distance
from .handle_time_spec import ShortCalls, describe_fit, handle_time_spec
from .opening_hours import DEFAULT_MIN_SHARE_OF_PEAK, OpeningHours, format_clock, infer_opening_hours
from .patience import PatienceEstimate
from .priority import (
    DEFAULT_PRIORITY_SEGMENTS,
    estimate_queue_boost,
    priority_segments_in,
    queue_record_shares,
    segments_recorded_when_queued,
)
from .time_of_day import handle_time_profiles, hourly_spec

SurgeChoice = Literal["auto", "off"]
PatienceChoice = Literal["auto", "parametric", "empirical"]
# Kaplan-Meier is used only where this many contacts (or 5% of the sample) are still at risk.
_MIN_AT_RISK = 30
# Concurrent sessions of the voice-response unit: large enough never to be the bottleneck
# (the log shows no queueing for it); its cost is not modelled.
VRU_CAPACITY = 10_000


@dataclass(frozen=True)
class ScenarioOptions:
    """How a calibration becomes a scenario (see module docstring)."""

    name: str = "calibrated"
    short_calls: ShortCalls = "mixture"
    patience: PatienceChoice = "auto"
    surge: SurgeChoice = "auto"
    points: int = 400  # equal-probability points per empirical distribution
    min_contacts_per_type: int = 30
    priority_segments: frozenset[str] = DEFAULT_PRIORITY_SEGMENTS
    default_queue_boost_seconds: float = 0.0
    min_share_of_peak: float = DEFAULT_MIN_SHARE_OF_PEAK
    max_ks_distance: float = 0.05
    availability: AvailabilityChoice = "model"
    specialist_share: float = SPECIALIST_SHARE
    activity: ActivitySettings = field(default_factory=ActivitySettings)


@dataclass
class CalibratedScenario:
    """Scenario content with file references, the tables those files hold, and the provenance comments.

    ``data`` is the scenario as plain data (file names relative to the
    scenario file, filled in by the writer from the ``*_file`` keys below);
    ``comments`` maps a section ("horizon", "contact_types.PS", ...) to the
    lines explaining where its numbers came from.
    """

    data: dict
    volume: pd.DataFrame
    headcount: dict[str, pd.DataFrame]  # agent group name -> interval, headcount, weekday
    handle_time_points: pd.DataFrame | None
    patience_points: pd.DataFrame | None
    comments: dict[str, list[str]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def _kept_types(result: CalibrationResult, options: ScenarioOptions) -> tuple[list[str], list[str]]:
    counts = result.arrivals.observed.groupby("contact_type")["arrivals"].sum()
    kept, dropped = [], []
    for name in result.arrivals.contact_types:
        fit = result.handle_time.get(name)
        if counts.get(name, 0) >= options.min_contacts_per_type and fit is not None and fit.sample_size > 0:
            kept.append(name)
        else:
            dropped.append(name)
    return kept, dropped


def _patience_horizon(curve) -> float:
    """Last event time with enough contacts still at risk for Kaplan-Meier to be trusted."""
    enough = curve.at_risk >= max(_MIN_AT_RISK, 0.05 * curve.sample_size)
    return float(curve.times[enough][-1]) if enough.any() else 0.0


def _patience(estimate: PatienceEstimate, options: ScenarioOptions) -> tuple[dict | None, np.ndarray | None, list[str]]:
    """Scenario spec, points (or None) and comment lines for one type's patience."""
    best = estimate.best
    if best is None:
        return None, None, [f"patience: none of {estimate.queued} queued callers abandoned: no patience "
                            "(nobody abandons)"]
    tolerance = tolerated_ks_distance(estimate.abandoned, options.max_ks_distance)
    others = [fit for fit in (estimate.exponential, estimate.weibull) if fit is not None and fit is not best]
    comment = [f"patience: {estimate.abandoned} of {estimate.queued} queued abandoned; "
               f"best by likelihood {describe_fit(best)}, AIC {best.aic:.1f}"
               + "".join(f" vs {fit.family} {fit.aic:.1f}" for fit in others)
               + f"; largest gap to Kaplan-Meier {best.ks_statistic:.3f} (tolerated {tolerance:.3f})"]
    horizon = _patience_horizon(estimate.kaplan_meier)
    use_km = options.patience == "empirical" or (options.patience == "auto" and best.ks_statistic > tolerance)
    if use_km and horizon > 0:
        points = kaplan_meier_points(estimate.kaplan_meier, best, horizon, options.points)
        comment.append(f"written as Kaplan-Meier up to {horizon:.0f} s (S = "
                       f"{float(estimate.kaplan_meier.survival_at(horizon)):.3f} there), {best.family} tail beyond")
        return {"dist": "empirical", "unit": "s"}, points, comment
    return best.as_spec(), None, comment


def _queue_patience(result: CalibrationResult, entry: dict) -> list[str]:
    """Write the extra early abandonment by callers ahead into a type's ``entry`` when the log shows it."""
    fit = result.queue_patience
    if fit is None:
        return []
    if not fit.significant:
        return [f"patience_by_queue: none (abandonment in the first {fit.within_seconds:.0f} s no different by "
                f"callers ahead, chi-square p = {fit.p_value:.2g})"]
    entry["patience_by_queue"] = {"within_seconds": fit.within_seconds,
                                  "extra_rate_per_minute": fit.rates_by_queue()}
    reference = "nobody" if fit.reference == 1 else f"fewer than {fit.reference} callers"
    return [f"patience fitted on the callers who found {reference} waiting; patience_by_queue: extra hang-up rate "
            f"in the first {fit.within_seconds:.0f} s by callers ahead at arrival, all types pooled (reference group "
            f"and time by likelihood; chi-square p = {fit.p_value:.2g}): {fit.describe()}"]


def _type_boost(result: CalibrationResult, entry: dict) -> list[str]:
    """Write the type's queue boost into ``entry`` when the log's choices show one."""
    fit = result.type_order
    if fit is None:
        return []
    if not fit.significant:
        return [f"queue_boost_seconds: none (agents took the oldest caller whatever the type; likelihood-ratio "
                f"p = {fit.p_value:.2g})"]
    boost = fit.boosts.get(entry["name"], 0.0)
    if boost > 0:
        entry["queue_boost_seconds"] = boost
    return [f"queue_boost_seconds = {boost:g}: agents serving several types take this type's callers as if they "
            f"had waited {boost:g} s longer (fitted on {fit.choices} choices of the log"
            + ("" if fit.since is None else f" from {fit.since.date()} on, where the rule changed") +
            "; all types in fit_type_order.csv)"]


def _vru_stage(result: CalibrationResult, contacts: pd.DataFrame, types: list[str],
               options: ScenarioOptions) -> tuple[dict | None, list[str]]:
    """The voice-response unit as an AI stage, or None when the log shows no such stage."""
    bot = result.bot_time
    if bot.fit is None and result.abandoned_before_queue == 0 and bot.self_served == 0:
        return None, []
    outcomes = {}
    for name in types:
        rows = contacts.loc[contacts["contact_type"] == name]
        give_up = float(((rows["outcome"] == "abandoned") & ~rows["queued"]).mean())
        containment = float((rows["outcome"] == "self_served").mean())
        outcomes[name] = {"containment": containment, "escalation": max(0.0, 1.0 - containment - give_up),
                          "give_up": give_up}
    if bot.fit is not None:
        session = EmpiricalDistribution.of(bot.fit.empirical.values).as_spec(options.points)
        session_note = f"session time: observed bot time ({bot.contacts_with_bot_time} contacts, mean " \
                       f"{bot.mean_seconds:.1f} s) as {options.points} quantiles"
    else:
        session = {"dist": "deterministic", "value": 0.0, "unit": "s"}
        session_note = "session time: none recorded, 0 s"
    ai = {"capacity": VRU_CAPACITY, "when_full": "human", "session_time": session, "contact_types": outcomes}
    comment = ["The voice-response unit (VRU / IVR) every contact passes before asking for an agent.",
               f"give_up = share of the type's contacts that hung up before queueing "
               f"({result.abandoned_before_queue} in all); containment = share self-served in the log "
               f"({bot.self_served}); the rest go on to agents. Patience starts in the agents' queue.",
               session_note, f"capacity {VRU_CAPACITY}: never a bottleneck (not observed in the log)"]
    return ai, comment


def _segments(result: CalibrationResult, contacts: pd.DataFrame,
              options: ScenarioOptions) -> tuple[list[dict], list[str], dict[str, float]]:
    """The segments, their comments, and per priority segment the share of its calls that get the boost."""
    shares = result.segment_shares
    priority = priority_segments_in(shares, options.priority_segments)
    segments, comment = [], ["observed shares of all contacts: "
                             + ", ".join(f"{name} {share:.1%}" for name, share in shares.items())]
    if len(shares) > 1:
        comment.append("each contact type carries its own observed mix (segment_shares), which is what the "
                       "simulation uses; these shares only describe the whole log")
    applied: dict[str, float] = {}
    for name, share in shares.items():
        segment: dict = {"name": name, "share": share}
        if name in priority:
            estimate = estimate_queue_boost(contacts, name)
            boost = estimate.seconds if estimate.seconds is not None else options.default_queue_boost_seconds
            segment["queue_boost_seconds"] = round(float(boost), 1)
            comment.append(f"{name}: queue boost {boost:.0f} s - "
                           + (estimate.note if estimate.seconds is not None
                              else f"{estimate.note}; default {options.default_queue_boost_seconds:g} s used"))
            if estimate.pairs and estimate.applied_share < 1.0:
                applied[name] = estimate.applied_share
                comment.append(f"{name}: only {estimate.applied_share:.0%} of its calls get the boost (for every lead "
                               "under it alike), so each type's mix counts that share of them as this segment and "
                               "the rest as the default segment, whose place in the queue they take")
            comment.extend(_queue_record_note(contacts, name))
        segments.append(segment)
    return segments, comment, applied


def _queue_record_note(contacts: pd.DataFrame, segment: str) -> list[str]:
    """A warning when a segment waits far more often than the others: in call-center logs such as the
    Anonymous Bank's that is a recording artefact (the customer, and so the segment, is identified only for
    callers who queued), not a queue discipline."""
    if segment not in segments_recorded_when_queued(contacts):
        return []
    own, others = queue_record_shares(contacts, segment)
    return [f"{segment}: {own:.0%} of answered calls have a queue record vs {others:.0%} of the others'. That is a "
            "recording artefact, not a policy: the segment is known only for callers who queued (the bank's "
            "documentation: no customer id for those answered at once), so callers answered at once are mostly "
            "recorded as the default segment. The segment mix of each type is therefore taken from the callers "
            "who queued (whether a caller waits does not depend on the segment), and this segment's waits in the "
            "log are not comparable with the simulation's (do not compare its ASA)"]


def _type_segment_shares(result: CalibrationResult, contacts: pd.DataFrame, name: str,
                         applied: dict[str, float]) -> tuple[dict | None, list[str]]:
    """The type's own segment mix (None with a single segment), rounded so that it still adds up to 1;
    priority segments keep only the share of their calls that get the boost (``applied``), the rest goes to
    the largest other segment."""
    shares = result.segment_shares_by_type.get(name)
    if not shares or len(result.segment_shares) < 2:
        return None, []
    shares = dict(shares)
    for segment, fraction in applied.items():
        others = [key for key in shares if key not in applied]
        if segment in shares and others:
            moved = shares[segment] * (1.0 - fraction)
            shares[segment] -= moved
            shares[max(others, key=shares.get)] += moved
    rounded = {segment: round(share, 6) for segment, share in shares.items()}
    largest = max(rounded, key=rounded.get)
    rounded[largest] = round(1.0 - sum(v for k, v in rounded.items() if k != largest), 6)
    source = " (of the callers who queued)" if segments_recorded_when_queued(contacts) else ""
    source += ", boosted share only" if applied else ""
    return rounded, [f"segment mix of this type{source}: " + ", ".join(f"{k} {v:.1%}" for k, v in rounded.items())]


def _horizon(result: CalibrationResult, options: ScenarioOptions) -> tuple[dict, list[str]]:
    profile = result.arrivals
    hours = infer_opening_hours(profile, options.min_share_of_peak)
    weekday_hours: dict[str, dict] = {}
    comment = [f"the log's period: {result.first_date} ({WEEKDAYS[result.first_date.weekday()]}) to "
               f"{result.last_date}; opening hours: intervals with at least {options.min_share_of_peak:.0%} "
               "of the day type's peak arrivals"]
    for day_type in profile.day_types.labels:
        opening: OpeningHours = hours[day_type]
        for weekday in profile.day_types.weekdays_of(day_type):
            weekday_hours[weekday] = ({"closed": True} if opening.span is None else
                                      {"open": format_clock(opening.span[0]), "close": format_clock(opening.span[1])})
        if opening.span is None:
            comment.append(f"{day_type}: closed (no contacts observed)")
        else:
            comment.append(f"{day_type}: {format_clock(opening.span[0])}-{format_clock(opening.span[1])}; "
                           f"{opening.expected_outside:.1f} contacts a day ({opening.outside_share:.1%}) arrive "
                           "outside these hours and are not simulated")
    days = (result.last_date - result.first_date).days + 1
    horizon = {"days": days, "interval_minutes": profile.interval_seconds // 60,
               "start_weekday": WEEKDAYS[result.first_date.weekday()], "weekday_hours": weekday_hours}
    return horizon, comment


def build_scenario(result: CalibrationResult, contacts: pd.DataFrame,
                   options: ScenarioOptions | None = None) -> CalibratedScenario:
    """Turn a calibration of ``contacts`` into scenario content (see module docstring)."""
    options = options or ScenarioOptions()
    if result.first_date is None or result.contacts == 0:
        raise UserInputError("the log has no contacts: nothing to calibrate a scenario from")
    types, dropped = _kept_types(result, options)
    if not types:
        raise UserInputError(f"no contact type has {options.min_contacts_per_type} contacts and served calls")
    comments: dict[str, list[str]] = {}
    notes: list[str] = []
    if dropped:
        notes.append(f"contact types left out (fewer than {options.min_contacts_per_type} contacts or no "
                     f"served calls): {', '.join(dropped)}")
    horizon, comments["horizon"] = _horizon(result, options)
    volume = pd.DataFrame(result.arrivals.volume_rows(), columns=["interval", "volume", "weekday", "contact_type"])
    volume = volume.loc[volume["contact_type"].isin(types)].reset_index(drop=True)
    weighting = ("" if math.isinf(result.arrival_half_life_days) else
                 f" weighted by recency (half-life {result.arrival_half_life_days:g} days, chosen by predicting each "
                 "day from the days before it)")
    comments["demand"] = [
        f"expected arrivals per {horizon['interval_minutes']}-minute interval, weekday and type: the mean{weighting} "
        "over the log's days of each day type (" + ", ".join(
            f"{label} {days} days" for label, days in result.arrivals.days_observed.items()) + ")",
        "busyness_cv: day-to-day variation beyond Poisson, method of moments on daily totals "
        "(includes any trend over the period)"]
    segments, comments["segments"], applied = _segments(result, contacts, options)
    contact_types, handle_columns, patience_columns = [], {}, {}
    profiles = handle_time_profiles(recent_window(contacts, result.settings.recent_days), types)
    for name in types:
        spec, points, comment = handle_time_spec(name, result.handle_time[name], contacts, options.short_calls,
                                                 options.points, result.handle_time_levels.get(name, 1.0))
        if points is not None:
            handle_columns[name] = points
            spec = {**spec, "column": name}
        estimate = result.patience.get(name) or result.patience.get(ALL_CONTACT_TYPES)
        patience, patience_points, patience_comment = (_patience(estimate, options) if estimate is not None
                                                       else (None, None, ["patience: nobody queued"]))
        if patience_points is not None:
            patience_columns[name] = patience_points
            patience = {**patience, "column": name}
        entry = {"name": name, "handle_time": spec}
        profile = hourly_spec(profiles[name], digits=3)
        if profile:
            entry["handle_time_by_time_of_day"] = profile
            comment.append("handle_time_by_time_of_day: mean talk time by hour of arrival over the type's mean, "
                           "shrunk towards 1 by its sampling error (" + ", ".join(
                               f"{hour}h {factor:.2f}" for hour, factor in sorted(profiles[name].items())) + ")")
        if patience is not None:
            entry["patience"] = patience
            patience_comment.extend(_queue_patience(result, entry))
        comment.extend(_type_boost(result, entry))
        segment_shares, segment_comment = _type_segment_shares(result, contacts, name, applied)
        if segment_shares is not None:
            entry["segment_shares"] = segment_shares
        contact_types.append(entry)
        comments[f"contact_types.{name}"] = comment + patience_comment + segment_comment
    ai, comments["ai"] = _vru_stage(result, contacts, types, options)
    agents = build_agent_groups(result, contacts, types, AgentGroupOptions(
        availability=options.availability, specialist_share=options.specialist_share, activity=options.activity,
        surge=options.surge))
    comments["agent_groups"] = list(agents.comments) + [
        "first_contact_resolution = 1: the arrivals fitted from the log already include customers calling again, "
        "so unresolved calls must not come back a second time"]
    for group in agents.groups:
        group["first_contact_resolution"] = 1.0
    if agents.after_call_work_seconds is not None:
        for entry in contact_types:
            entry["after_call_work"] = {"dist": "deterministic", "value": round(agents.after_call_work_seconds, 2),
                                        "unit": "s"}
            comments[f"contact_types.{entry['name']}"].append(
                f"after_call_work: call set-up, the mean gap ({agents.after_call_work_seconds:.1f} s) agents "
                "took between calls while callers kept waiting")
    data: dict = {
        "name": options.name,
        "description": f"Calibrated from {result.contacts} contacts, {result.first_date} to {result.last_date}",
        "horizon": horizon,
        "service_level": {"threshold_seconds": 20.0},
        "demand": {"busyness_cv": round(result.arrivals.busyness_cv, 4)},
        "contact_types": contact_types,
        "segments": segments,
        "agent_groups": agents.groups,
    }
    if ai is not None:
        data["ai"] = ai
    return CalibratedScenario(
        data=data, volume=volume, headcount=agents.headcount,
        handle_time_points=pd.DataFrame(handle_columns) if handle_columns else None,
        patience_points=pd.DataFrame(patience_columns) if patience_columns else None,
        comments=comments, notes=notes + list(result.notes))
