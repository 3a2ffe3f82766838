"""Calibration of contact-center models from contact logs.

Read a log into the canonical frame (:func:`load_contact_log` for the generic
CSV, :func:`load_anonymous_bank` for the Technion bank data), then
:func:`calibrate` it into a :class:`CalibrationResult`::

    contacts, report = load_anonymous_bank("1999-01.tsv", on_error="skip")
    result = calibrate(contacts, CalibrationSettings(day_types=ANONYMOUS_BANK_DAY_TYPES), report)
    print(format_summary(result))

Modules: ``logs`` (generic format), ``technion`` (adapter), ``canonical``
(frame and row rules), ``report`` (parse report), ``arrivals``,
``handle_time``, ``patience``, ``survival``, ``bot_time``, ``staffing``,
``distributions``, ``fitting`` (:func:`calibrate`), ``summary``, ``plots``, ``synthetic``; turning a
calibration into a scenario: ``scenario_build`` (with ``handle_time_spec``,
``priority``, ``availability``, ``surge``) and ``scenario_file``; ``backtest``;
``options`` (the command line's words and settings).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from analysis.lazy import lazy_attributes

# Submodules load on first use of a name (PEP 562), so the command line can read its option words in
# :mod:`.options` without importing pandas and SciPy.
_SOURCES = {
    "agents_seen": ("StaffingEstimate", "infer_staffing"),
    "arrivals": ("ArrivalProfile", "busyness_cv", "fit_arrivals"),
    "bot_time": ("BotTimeSummary", "summarize_bot_time"),
    "fitting": ("ALL_CONTACT_TYPES", "CalibrationResult", "CalibrationSettings", "calibrate"),
    "canonical": ("CANONICAL_COLUMNS",),
    "day_types": ("ANONYMOUS_BANK_DAY_TYPES", "DayTypes"),
    "distributions": ("EmpiricalDistribution", "FittedDistribution", "exponential_censored", "fit_exponential",
                      "fit_gamma", "fit_lognormal", "fit_weibull", "weibull_censored"),
    "handle_time": ("DurationFit", "fit_durations", "fit_handle_times"),
    "logs": ("load_contact_log", "write_contact_log"),
    "patience": ("PatienceEstimate", "censored_waits", "estimate_patience", "fit_patience"),
    "report": ("LogFormatError", "ParseReport", "ProblemTally"),
    "summary": ("format_summary",),
    "survival": ("HazardTable", "KaplanMeierCurve", "binned_hazard", "kaplan_meier"),
    "technion": ("load_anonymous_bank",),
}

if TYPE_CHECKING:
    from .agents_seen import StaffingEstimate, infer_staffing
    from .arrivals import ArrivalProfile, busyness_cv, fit_arrivals
    from .bot_time import BotTimeSummary, summarize_bot_time
    from .canonical import CANONICAL_COLUMNS
    from .day_types import ANONYMOUS_BANK_DAY_TYPES, DayTypes
    from .distributions import (
        EmpiricalDistribution,
        FittedDistribution,
        exponential_censored,
        fit_exponential,
        fit_gamma,
        fit_lognormal,
        fit_weibull,
        weibull_censored,
    )
    from .fitting import ALL_CONTACT_TYPES, CalibrationResult, CalibrationSettings, calibrate
    from .handle_time import DurationFit, fit_durations, fit_handle_times
    from .logs import load_contact_log, write_contact_log
    from .patience import PatienceEstimate, censored_waits, estimate_patience, fit_patience
    from .report import LogFormatError, ParseReport, ProblemTally
    from .summary import format_summary
    from .survival import HazardTable, KaplanMeierCurve, binned_hazard, kaplan_meier
    from .technion import load_anonymous_bank


__getattr__ = lazy_attributes(__name__, globals(), _SOURCES)


__all__ = [
    "ALL_CONTACT_TYPES", "ANONYMOUS_BANK_DAY_TYPES", "CANONICAL_COLUMNS", "ArrivalProfile", "BotTimeSummary",
    "CalibrationResult", "CalibrationSettings", "DayTypes", "DurationFit", "EmpiricalDistribution",
    "FittedDistribution", "HazardTable", "KaplanMeierCurve", "LogFormatError", "ParseReport",
    "PatienceEstimate", "ProblemTally", "StaffingEstimate", "binned_hazard", "busyness_cv", "calibrate",
    "censored_waits", "estimate_patience", "exponential_censored", "fit_arrivals", "fit_durations",
    "fit_exponential", "fit_gamma", "fit_handle_times", "fit_lognormal", "fit_patience", "fit_weibull",
    "format_summary", "infer_staffing", "kaplan_meier", "load_anonymous_bank", "load_contact_log",
    "summarize_bot_time", "weibull_censored", "write_contact_log",
]
