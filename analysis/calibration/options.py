"""The calibration's option words and settings that the command line shows in its help.

Kept apart from the fitting modules (which load pandas and SciPy) so that
``ccsim calibrate --help`` and ``ccsim backtest --help`` read them without
importing any of that.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

LogFormat = Literal["technion", "csv"]
FORMATS: tuple[str, ...] = ("technion", "csv")  # the log formats load_log reads

ShortCalls = Literal["mixture", "points", "exclude"]
SHORT_CALL_CHOICES: tuple[str, ...] = ("mixture", "points", "exclude")  # very short calls in handle time


@dataclass(frozen=True)
class ActivitySettings:
    """Thresholds of the presence rules (see :mod:`~analysis.calibration.agent_activity`)."""

    connect_seconds: float = 15.0  # a gap this short while callers wait is call set-up, not absence
    off_duty_gap_minutes: float = 60.0
    off_duty_evidence_seconds: float = 60.0
    max_idle_hours: float = 3.0
