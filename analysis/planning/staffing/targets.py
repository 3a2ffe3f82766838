"""Staffing targets as planners write them (``sl:0.8/20``, ``abandon:0.05``, ``asa:30``).

A target is a ratio of two counts per interval (or per day), which is how the
simulator's KPIs are defined (see :mod:`analysis.kpis`):

* ``sl:SHARE/SECONDS``: answered within SECONDS / offered to the queue >= SHARE
  (abandoned contacts count as failures);
* ``abandon:RATE``: abandoned / offered to the queue <= RATE;
* ``asa:SECONDS``: waiting time of answered contacts / answered <= SECONDS.

The same object gives the analytic target of :mod:`analysis.erlang` and the
counts to take from a simulation, so both methods aim at the same thing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from sim.config import Scenario
from sim.config.errors import UserInputError

from ..erlang import AbandonTarget, AsaTarget, ServiceLevelTarget, Target
from .options import TARGET_SYNTAX

TargetKind = Literal["service_level", "abandon", "asa"]


class TargetError(UserInputError):
    """A target that cannot be read; the message says what is allowed."""


@dataclass(frozen=True)
class StaffingTarget:
    """One service target. ``value`` is a share (sl), a rate (abandon) or seconds (asa)."""

    kind: TargetKind
    value: float
    threshold_seconds: float | None = None

    @property
    def label(self) -> str:
        """The target in the command-line notation, e.g. ``sl:0.8/20``."""
        if self.kind == "service_level":
            return f"sl:{self.value:g}/{self.threshold_seconds:g}"
        return f"{'abandon' if self.kind == 'abandon' else 'asa'}:{self.value:g}"

    @property
    def higher_is_better(self) -> bool:
        return self.kind == "service_level"

    @property
    def counts(self) -> tuple[str, str]:
        """Names of the numerator and denominator counts of the ratio this target bounds."""
        if self.kind == "service_level":
            return f"within_{self.threshold_seconds:g}s", "offered"
        if self.kind == "abandon":
            return "abandoned", "offered"
        return "wait_seconds_answered", "answered"

    @property
    def metric(self) -> str:
        """The matching per-interval KPI column name (``service_level``, ``abandon_rate``, ``asa_seconds``)."""
        return {"service_level": "service_level", "abandon": "abandon_rate", "asa": "asa_seconds"}[self.kind]

    def erlang_target(self) -> Target:
        """The same target for :func:`analysis.erlang.required_agents`."""
        if self.kind == "service_level":
            return ServiceLevelTarget(self.value, float(self.threshold_seconds))
        if self.kind == "abandon":
            return AbandonTarget(self.value)
        return AsaTarget(self.value)

    def is_met(self, value: float) -> bool:
        """True when an estimate (or confidence bound) of the ratio meets the target; NaN (no contacts) is met."""
        if math.isnan(value):
            return True
        return value >= self.value if self.higher_is_better else value <= self.value

    def slack(self, value: float) -> float:
        """How far ``value`` is on the good side of the target, in the target's units (negative: missed)."""
        if math.isnan(value):
            return math.inf
        return value - self.value if self.higher_is_better else self.value - value


def parse_target(text: str) -> StaffingTarget:
    """One target from its notation; raises :class:`TargetError` with the allowed syntax."""
    kind, colon, rest = text.strip().partition(":")
    kind = kind.strip().lower()
    if not colon or kind not in ("sl", "abandon", "asa"):
        raise TargetError(f"{text!r} is not a target; use {TARGET_SYNTAX}")
    if kind == "sl":
        share_text, slash, seconds_text = rest.partition("/")
        share = _number(share_text, text, "the service level share")
        seconds = _number(seconds_text, text, "the threshold in seconds") if slash else math.nan
        if not slash or not 0 < share <= 1 or not seconds >= 0:
            raise TargetError(f"{text!r}: sl needs SHARE/SECONDS with 0 < SHARE <= 1 and SECONDS >= 0, e.g. sl:0.8/20")
        return StaffingTarget("service_level", share, seconds)
    value = _number(rest, text, "the target value")
    if kind == "abandon":
        if not 0 < value < 1:
            raise TargetError(f"{text!r}: the abandonment rate must be between 0 and 1 (exclusive), e.g. abandon:0.05")
        return StaffingTarget("abandon", value)
    if not value > 0:
        raise TargetError(f"{text!r}: the ASA must be a positive number of seconds, e.g. asa:30")
    return StaffingTarget("asa", value)


def parse_targets(text: str) -> tuple[StaffingTarget, ...]:
    """Comma-separated targets that must all hold, e.g. ``sl:0.8/20,abandon:0.05``."""
    parts = [part for part in text.split(",") if part.strip()]
    if not parts:
        raise TargetError(f"no target given; use {TARGET_SYNTAX}")
    targets = tuple(parse_target(part) for part in parts)
    if len({target.label for target in targets}) != len(targets):
        raise TargetError(f"{text!r} names the same target twice")
    return targets


def scenario_targets(scenario: Scenario) -> tuple[StaffingTarget, ...]:
    """The scenario's own ``[service_level]`` targets: the share within its threshold, and the abandonment
    rate and ASA limits where it sets them."""
    level = scenario.service_level
    targets = []
    if level.target is not None:
        targets.append(StaffingTarget("service_level", level.target, level.threshold_seconds))
    if level.max_abandon_rate is not None:
        targets.append(StaffingTarget("abandon", level.max_abandon_rate))
    if level.max_asa_seconds is not None:
        targets.append(StaffingTarget("asa", level.max_asa_seconds))
    if not targets:
        raise TargetError("the scenario has no service_level.target; give one, e.g. --target sl:0.8/20")
    return tuple(targets)


def describe(targets: tuple[StaffingTarget, ...]) -> str:
    return ",".join(target.label for target in targets)


def _number(text: str, whole: str, what: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise TargetError(f"{whole!r}: {text.strip()!r} is not a number ({what}); use {TARGET_SYNTAX}") from None
    if not math.isfinite(value):
        raise TargetError(f"{whole!r}: {what} must be finite")
    return value
