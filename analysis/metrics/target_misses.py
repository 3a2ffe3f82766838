"""Where a run misses its service targets: per interval and per day, with confidence intervals.

The targets are the scenario's ``[service_level]``: ``target`` (share answered
within ``threshold_seconds``, at least), and where set ``max_abandon_rate``
and ``max_asa_seconds`` (at most). Each is a ratio of the additive
per-interval sums of :mod:`analysis.metrics.intervals`:

* service level = ``answered_within_threshold / offered_to_queue``;
* abandon rate = ``abandoned / offered_to_queue``;
* ASA = ``wait_seconds_answered / answered``.

Values are pooled over replications (sum of numerators / sum of
denominators, what ``intervals.csv`` shows) with the ratio estimator's
confidence interval (:func:`analysis.metrics.stats.ratio_estimates`). An
interval or day *misses* a target when its pooled value is on the wrong
side; it *clearly* misses it when the whole CI is. Only open intervals
(:meth:`sim.calendar.Calendar.open_mask`) with contacts are judged.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.calendar import Calendar
from sim.config import SECONDS_PER_DAY, Scenario, format_time_of_day

from .intervals import summarize_intervals
from .stats import NON_NEGATIVE, SHARE, RatioEstimates, Support, ratio_estimates

KEYS = ("day", "interval")
# Per-interval agent counts that do not add up over a day.
_NOT_DAILY = ("interval_start", "agents_on_duty", "agents_away", "scheduled_agents", "available_agents",
              "vendor_seats")
# Agent counts per interval that become agent hours per day (duty and away seconds / 3600).
_AGENT_HOURS = {"agents_on_duty": "agent_hours_on_duty", "agents_away": "agent_hours_away"}


@dataclass(frozen=True)
class KpiTarget:
    """One service target as a bound on a ratio of per-interval sums."""

    kpi: str
    value: float
    at_least: bool
    numerator: str
    denominator: str
    support: Support
    description: str

    def missed(self, values: np.ndarray) -> np.ndarray:
        """True where a value is on the wrong side of the target (NaN: not judged, never missed)."""
        values = np.asarray(values, dtype=float)
        with np.errstate(invalid="ignore"):
            wrong = values < self.value if self.at_least else values > self.value
        return wrong & ~np.isnan(values)

    def as_dict(self) -> dict:
        return {"kpi": self.kpi, "target": self.value, "direction": "at least" if self.at_least else "at most",
                "description": self.description}


def kpi_targets(scenario: Scenario) -> list[KpiTarget]:
    """The targets the scenario sets (possibly none)."""
    level = scenario.service_level
    targets = []
    if level.target is not None:
        targets.append(KpiTarget("service_level", level.target, True, "answered_within_threshold",
                                 "offered_to_queue", SHARE, f"service level >= {level.target:.0%} "
                                 f"within {level.threshold_seconds:g} s"))
    if level.max_abandon_rate is not None:
        targets.append(KpiTarget("abandon_rate", level.max_abandon_rate, False, "abandoned", "offered_to_queue",
                                 SHARE, f"abandon rate <= {level.max_abandon_rate:.1%}"))
    if level.max_asa_seconds is not None:
        targets.append(KpiTarget("asa_seconds", level.max_asa_seconds, False, "wait_seconds_answered", "answered",
                                 NON_NEGATIVE, f"ASA <= {level.max_asa_seconds:g} s"))
    return targets


@dataclass(frozen=True)
class TargetCheck:
    """One target judged over cells (intervals or days): pooled values, CIs and which cells miss."""

    target: KpiTarget
    estimates: RatioEstimates
    judged: np.ndarray

    @property
    def missed(self) -> np.ndarray:
        return self.judged & self.target.missed(self.estimates.ratio)

    @property
    def clearly_missed(self) -> np.ndarray:
        """Cells whose whole CI is on the wrong side of the target."""
        near = self.estimates.high if self.target.at_least else self.estimates.low
        return self.missed & self.target.missed(near)

    def worst(self) -> int | None:
        """Position of the cell furthest on the wrong side, if any misses."""
        if not self.missed.any():
            return None
        values = np.where(self.missed, self.estimates.ratio, np.nan)
        return int(np.nanargmin(values) if self.target.at_least else np.nanargmax(values))


def open_intervals(scenario: Scenario) -> np.ndarray:
    """True per measured interval (days x intervals of the day, flattened) where the center is open."""
    calendar = Calendar.from_scenario(scenario)
    return np.concatenate([calendar.open_mask(day) for day in range(calendar.days)])


def _stacked(per_replication: list[pd.DataFrame], columns: list[str]) -> dict[str, np.ndarray]:
    """Each column as an array (replications, cells), cells in (day, interval) order."""
    tables = [table.sort_values(list(KEYS)) for table in per_replication]
    return {column: np.stack([table[column].to_numpy(float) for table in tables]) for column in columns}


def check_targets(targets: list[KpiTarget], per_replication: list[pd.DataFrame], judged: np.ndarray,
                  confidence: float = 0.95) -> list[TargetCheck]:
    """Every target over the cells of ``per_replication`` (additive sums, one table per replication)."""
    columns = sorted({name for target in targets for name in (target.numerator, target.denominator)})
    sums = _stacked(per_replication, columns)
    checks = []
    for target in targets:
        found = ratio_estimates(sums[target.numerator], sums[target.denominator], confidence, target.support)
        has_contacts = sums[target.denominator].sum(axis=0) > 0
        checks.append(TargetCheck(target, found, judged & has_contacts))
    return checks


def interval_checks(scenario: Scenario, per_replication: list[pd.DataFrame],
                    confidence: float = 0.95) -> list[TargetCheck]:
    """The scenario's targets per measured interval (open intervals with contacts are judged)."""
    return check_targets(kpi_targets(scenario), per_replication, open_intervals(scenario), confidence)


def daily_sums(per_replication: list[pd.DataFrame]) -> list[pd.DataFrame]:
    """The additive per-interval sums added up per day (one row per day, ``interval`` 0)."""
    days = []
    for table in per_replication:
        summed = table.drop(columns=["interval"]).groupby("day", sort=True).sum(numeric_only=True).reset_index()
        summed.insert(1, "interval", 0)
        days.append(summed)
    return days


def with_target_columns(table: pd.DataFrame, checks: list[TargetCheck]) -> pd.DataFrame:
    """The table (one row per cell, in the checks' order) with each target KPI's CI after it
    (``<kpi>_ci_low``, ``<kpi>_ci_high``) and ``targets_missed`` (the KPIs missed, space-separated)."""
    table = table.reset_index(drop=True)
    missed = []
    for check in checks:
        kpi = check.target.kpi
        position = table.columns.get_loc(kpi) + 1
        table.insert(position, f"{kpi}_ci_low", check.estimates.low)
        table.insert(position + 1, f"{kpi}_ci_high", check.estimates.high)
        missed.append(np.where(check.missed, kpi, ""))
    if checks:
        table["targets_missed"] = [" ".join(name for name in names if name) for names in zip(*missed)]
    return table


def open_days(scenario: Scenario) -> np.ndarray:
    """True per simulated day on which the center opens at all."""
    return open_intervals(scenario).reshape(scenario.horizon.days, -1).any(axis=1)


def day_table(scenario: Scenario, per_replication: list[pd.DataFrame], confidence: float = 0.95) -> pd.DataFrame:
    """KPIs per simulated day, pooled over replications (as ``intervals.csv`` per interval), with ``open``,
    each target's CI and the targets the day misses."""
    daily = daily_sums(per_replication)
    table = summarize_intervals(daily, SECONDS_PER_DAY, scenario.horizon.start_weekday)
    for counts, hours in _AGENT_HOURS.items():
        if counts in table:  # summarized as agent seconds / one day: x 24 gives hours
            table.insert(table.columns.get_loc(counts), hours, table[counts] * 24.0)
    table = table.drop(columns=[column for column in _NOT_DAILY if column in table])
    table.insert(2, "open", open_days(scenario))
    return with_target_columns(table, check_targets(kpi_targets(scenario), daily, open_days(scenario), confidence))


def miss_records(check: TargetCheck, scenario: Scenario, level: str = "interval") -> list[dict]:
    """The cells that miss a target, in time order, as plain dicts (``summary.json``)."""
    interval_seconds = scenario.horizon.interval_minutes * 60
    per_day = SECONDS_PER_DAY // interval_seconds if level == "interval" else 1
    calendar = Calendar.from_scenario(scenario)
    kpi = check.target.kpi
    records = []
    for cell in np.flatnonzero(check.missed):
        day = int(cell // per_day)
        record = {"day": day + 1, "weekday": calendar.weekday(day)}
        if level == "interval":
            record["interval_start"] = format_time_of_day((cell % per_day) * interval_seconds)
        low, high = check.estimates.low[cell], check.estimates.high[cell]
        record.update({kpi: float(check.estimates.ratio[cell]), "target": check.target.value,
                       "ci95": None if np.isnan(low) else [float(low), float(high)],
                       "clearly_missed": bool(check.clearly_missed[cell])})
        records.append(record)
    return records


def target_summary(scenario: Scenario, per_replication: list[pd.DataFrame], confidence: float = 0.95) -> dict:
    """Per target: how many open intervals and days miss it, the worst interval, and every miss."""
    is_open = open_intervals(scenario)
    targets = kpi_targets(scenario)
    interval_level = check_targets(targets, per_replication, is_open, confidence)
    day_level = check_targets(targets, daily_sums(per_replication), open_days(scenario), confidence)
    summary = {}
    for by_interval, by_day in zip(interval_level, day_level):
        intervals = miss_records(by_interval, scenario)
        worst = by_interval.worst()
        summary[by_interval.target.kpi] = {
            **by_interval.target.as_dict(),
            "open_intervals": int(is_open.sum()),
            "intervals_judged": int(by_interval.judged.sum()),
            "intervals_missed": int(by_interval.missed.sum()),
            "intervals_clearly_missed": int(by_interval.clearly_missed.sum()),
            "days_judged": int(by_day.judged.sum()),
            "days_missed": int(by_day.missed.sum()),
            "worst": None if worst is None else intervals[list(np.flatnonzero(by_interval.missed)).index(worst)],
            "intervals": intervals,
            "days": miss_records(by_day, scenario, level="day"),
        }
    return summary
