"""One call that fits everything a scenario needs from a canonical contact frame.

:class:`CalibrationResult` is a plain container of the fitted pieces; a later
step turns it into a scenario file (``volume_rows``, ``headcount_rows`` and
``as_spec`` give the scenario-shaped parts) and back-tests it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

import pandas as pd

from analysis.calibration.agents_seen import StaffingEstimate, infer_staffing

from .arrivals import ArrivalProfile, fit_arrivals
from .bot_time import BotTimeSummary, summarize_bot_time
from .day_types import DayTypes
from .handle_time import (
    DEFAULT_MAX_KS_DISTANCE,
    DEFAULT_MIN_SAMPLE_SIZE,
    DEFAULT_SHORT_THRESHOLD_SECONDS,
    DurationFit,
    fit_handle_times,
)
from .patience import (
    DEFAULT_HAZARD_BIN_SECONDS,
    DEFAULT_RESOLUTION_SECONDS,
    PatienceEstimate,
    censored_waits,
    estimate_patience,
    fit_patience,
)
from .patience_queue import QueuePatienceFit, baseline_and_queue_fit
from .priority import segments_recorded_when_queued
from .recency import choose_arrival_half_life, choose_half_life, handle_time_levels
from .report import ParseReport
from .type_order import TypeOrderFit, choice_events, fit_type_order

ALL_CONTACT_TYPES = "all"  # key of the patience estimate pooled over contact types


@dataclass(frozen=True)
class CalibrationSettings:
    """Choices that shape the fit; every default is the usual one for call-center logs."""

    interval_minutes: int = 30
    day_types: DayTypes = field(default_factory=DayTypes.each_weekday)
    short_handle_seconds: float = DEFAULT_SHORT_THRESHOLD_SECONDS  # 0 keeps every positive handle time
    min_sample_size: int = DEFAULT_MIN_SAMPLE_SIZE
    max_ks_distance: float = DEFAULT_MAX_KS_DISTANCE
    time_resolution_seconds: float = DEFAULT_RESOLUTION_SECONDS
    hazard_bin_seconds: float = DEFAULT_HAZARD_BIN_SECONDS
    confidence_level: float = 0.95
    # Drift: arrivals and handle times from the last this many days of the log only (None: all of it),
    # and recency weights with this half-life in days ("auto": chosen from the log; None: equal weights).
    recent_days: int | None = None
    half_life_days: float | Literal["auto"] | None = "auto"
    # Callers who find a long queue give up sooner (patience_queue): fit it, with the baseline patience from
    # callers who found few waiting, and write it when the log shows it at the 1% level.
    patience_by_queue: bool = True
    # Which type an agent who serves several takes first (type_order): per-type queue boosts, written when the
    # log's choices show them at the 1% level (fitted from the last change of rule, when there is one).
    type_order: bool = True


@dataclass(frozen=True)
class CalibrationResult:
    """Everything fitted from one contact log.

    ``patience`` is keyed by contact type plus :data:`ALL_CONTACT_TYPES` for
    the pooled estimate; ``handle_time`` by contact type.
    """

    settings: CalibrationSettings
    first_date: date | None
    last_date: date | None
    contacts: int
    outcome_counts: dict[str, int]
    queued: int
    abandoned_in_queue: int
    abandoned_before_queue: int
    contact_type_shares: dict[str, float]
    segment_shares: dict[str, float]
    arrivals: ArrivalProfile
    handle_time: dict[str, DurationFit]
    patience: dict[str, PatienceEstimate]
    bot_time: BotTimeSummary
    staffing: StaffingEstimate
    parse_report: ParseReport | None = None
    notes: list[str] = field(default_factory=list)
    # Segment mix per contact type (every segment of the log listed, zeros included): in the bank data
    # priority customers are a third of PS calls but almost none of NW, so one global mix misplaces them.
    segment_shares_by_type: dict[str, dict[str, float]] = field(default_factory=dict)
    # Recency weighting: half-lives used (days; inf = equal weights) and each type's recent talk-time level.
    arrival_half_life_days: float = math.inf
    handle_half_life_days: float = math.inf
    handle_time_levels: dict[str, float] = field(default_factory=dict)
    queue_patience: QueuePatienceFit | None = None  # extra early abandonment by callers ahead (None: not fitted)
    type_order: TypeOrderFit | None = None  # per-type queue boosts from agents' choices (None: not fitted)

    @property
    def answered_share(self) -> float:
        return self.outcome_counts.get("answered", 0) / self.contacts if self.contacts else math.nan

    @property
    def abandonment_share_of_queued(self) -> float:
        return self.abandoned_in_queue / self.queued if self.queued else math.nan


def _shares(values: pd.Series) -> dict[str, float]:
    counts = values.value_counts(normalize=True).sort_index()
    return {str(key): float(share) for key, share in counts.items()}


def _segment_shares_by_type(contacts: pd.DataFrame) -> dict[str, dict[str, float]]:
    """Per contact type, the share of each segment of the log among that type's contacts; among the queued
    ones when a segment is recorded only for callers who queued (whether a caller waits does not depend on the
    segment, so those are a fair sample)."""
    segments = sorted(str(name) for name in contacts["segment"].unique())
    if segments_recorded_when_queued(contacts):
        contacts = contacts.loc[contacts["queued"]]
    table = pd.crosstab(contacts["contact_type"], contacts["segment"], normalize="index")
    return {str(contact_type): {segment: float(row.get(segment, 0.0)) for segment in segments}
            for contact_type, row in table.iterrows()}


def _notes(handle_time: dict[str, DurationFit], abandoned_before_queue: int) -> list[str]:
    """Facts about the data a reader of the fitted numbers should know."""
    notes: list[str] = []  # the self-service note lives in bot_time.self_service_note
    if abandoned_before_queue:
        notes.append(f"{abandoned_before_queue} contacts abandoned without ever queuing; they count as "
                     "abandoned but carry no information on queue patience")
    short = sum(fit.excluded_short for fit in handle_time.values())
    answered = sum(fit.sample_size + fit.excluded_short + fit.excluded_non_positive for fit in handle_time.values())
    if answered:
        notes.append(f"{short} of {answered} handle times under the short-call threshold "
                     f"({short / answered:.1%}) left out of the distribution fits; the scenario adds them back "
                     "as a mixture component unless short calls are excluded")
    empirical = [label for label, fit in handle_time.items() if fit.recommended is fit.empirical]
    if empirical:
        notes.append("handle time: no family fits well enough (or too few calls) for "
                     f"{', '.join(empirical)}; the empirical distribution is recommended there")
    return notes


def recent_window(contacts: pd.DataFrame, days: int | None) -> pd.DataFrame:
    """The contacts of the last ``days`` calendar days of the log (all of them when ``days`` is None)."""
    if days is None or contacts.empty:
        return contacts
    last = pd.to_datetime(contacts["date"]).max()
    return contacts.loc[pd.to_datetime(contacts["date"]) > last - pd.Timedelta(days=days)]


def _window_note(contacts: pd.DataFrame, recent: pd.DataFrame, days: int | None) -> list[str]:
    if days is None or len(recent) == len(contacts):
        return []
    first = pd.to_datetime(recent["date"]).min().date()
    return [f"arrivals and handle times fitted on the last {days} days only ({first} on, {len(recent)} of "
            f"{len(contacts)} contacts): recent behaviour rather than the window's average"]


def calibrate(contacts: pd.DataFrame, settings: CalibrationSettings | None = None,
              parse_report: ParseReport | None = None) -> CalibrationResult:
    """Fit arrivals, handle time, patience, bot time and staffing from a canonical frame."""
    settings = settings or CalibrationSettings()
    recent = recent_window(contacts, settings.recent_days)
    handle_time = fit_handle_times(recent, settings.short_handle_seconds, settings.min_sample_size,
                                   settings.max_ks_distance)
    handle_half_life = _half_life(settings.half_life_days, lambda: choose_half_life(recent))
    arrivals = fit_arrivals(recent, settings.interval_minutes, settings.day_types)
    arrival_half_life = _half_life(settings.half_life_days, lambda: choose_arrival_half_life(arrivals.observed))
    if not math.isinf(arrival_half_life):
        arrivals = fit_arrivals(recent, settings.interval_minutes, settings.day_types,
                                half_life_days=arrival_half_life)
    patience = fit_patience(contacts, "contact_type", settings.time_resolution_seconds,
                            settings.hazard_bin_seconds, settings.confidence_level)
    queue_patience = None
    if settings.patience_by_queue:
        patience, queue_patience = baseline_and_queue_fit(contacts, patience, lambda frame: fit_patience(
            frame, "contact_type", settings.time_resolution_seconds, settings.hazard_bin_seconds,
            settings.confidence_level), settings.time_resolution_seconds)
    times, observed = censored_waits(contacts)
    if len(times):
        patience[ALL_CONTACT_TYPES] = estimate_patience(times, observed, ALL_CONTACT_TYPES,
                                                        settings.time_resolution_seconds,
                                                        settings.hazard_bin_seconds, settings.confidence_level)
    bot_time = summarize_bot_time(contacts, settings.min_sample_size, settings.max_ks_distance)
    abandoned = contacts["outcome"] == "abandoned"
    abandoned_before_queue = int((abandoned & ~contacts["queued"]).sum())
    dates = contacts["date"]
    return CalibrationResult(
        settings=settings,
        first_date=dates.min().date() if len(dates) else None,
        last_date=dates.max().date() if len(dates) else None,
        contacts=len(contacts),
        outcome_counts={str(k): int(v) for k, v in contacts["outcome"].value_counts().sort_index().items()},
        queued=int(contacts["queued"].sum()),
        abandoned_in_queue=int((abandoned & contacts["queued"]).sum()),
        abandoned_before_queue=abandoned_before_queue,
        contact_type_shares=_shares(contacts["contact_type"]),
        segment_shares=_shares(contacts["segment"]),
        arrivals=arrivals,
        handle_time=handle_time,
        patience=patience,
        bot_time=bot_time,
        staffing=infer_staffing(contacts, settings.interval_minutes, settings.day_types),
        parse_report=parse_report,
        notes=(_notes(handle_time, abandoned_before_queue) + _window_note(contacts, recent, settings.recent_days)
               + _recency_note(arrival_half_life, handle_half_life)),
        segment_shares_by_type=_segment_shares_by_type(contacts),
        arrival_half_life_days=arrival_half_life,
        handle_half_life_days=handle_half_life,
        handle_time_levels=handle_time_levels(recent, handle_half_life, settings.short_handle_seconds),
        queue_patience=queue_patience,
        type_order=fit_type_order(choice_events(contacts)) if settings.type_order else None,
    )


def _recency_note(arrivals: float, handle: float) -> list[str]:
    if math.isinf(arrivals) and math.isinf(handle):
        return []
    text = lambda days: "equal weights" if math.isinf(days) else f"half-life {days:g} days"  # noqa: E731
    return [f"recency weighting (drift): arrivals {text(arrivals)}, talk-time level {text(handle)}; each chosen as "
            "the half-life that best predicts every day from the days before it"]


def _half_life(setting: float | str | None, choose) -> float:
    if setting is None:
        return math.inf
    return float(choose()) if setting == "auto" else float(setting)
