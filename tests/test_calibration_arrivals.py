"""Arrival profiles and the busyness (day-level overdispersion) estimate.

Synthetic arrivals: Poisson per hour given a gamma day factor G (mean 1,
CV c). A day-type mean over n days of a count with mean m then has variance
(m + c^2 m^2) / n; the busyness estimate's standard error follows from the
variance of a sample variance, s^2: Var s^2 ~ sigma^4 (2/(n-1) + kurtosis/n),
with excess kurtosis about 6 c^2 (the gamma factor's).
"""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pandas as pd
import pytest

from analysis.calibration import DayTypes, busyness_cv, fit_arrivals
from analysis.calibration.synthetic import DEFAULT_HOURLY_SHAPE, SyntheticSpec, synthetic_contact_log

WEEKS = 52
VOLUME = {"sales": 300.0, "support": 500.0}
WEEKEND_FACTOR = 0.5
DAY_TYPES = DayTypes.weekday_weekend()


def arrivals_frame(busyness: float, seed: int) -> pd.DataFrame:
    """The columns fit_arrivals reads, from a synthetic log."""
    spec = SyntheticSpec(start=date(2024, 1, 1), days=7 * WEEKS, daily_volume=VOLUME, busyness_cv=busyness,
                         weekday_factors={"saturday": WEEKEND_FACTOR, "sunday": WEEKEND_FACTOR})
    log = synthetic_contact_log(np.random.default_rng(seed), spec)
    dates = log["arrival_time"].dt.normalize()
    return pd.DataFrame({"date": dates, "contact_type": log["contact_type"],
                         "arrival_seconds": (log["arrival_time"] - dates).dt.total_seconds()})


def expected_daily_volume(day_type: str) -> float:
    return sum(VOLUME.values()) * (WEEKEND_FACTOR if day_type == "weekend" else 1.0)


def busyness_variance_standard_error(cv: float) -> float:
    """Approximate SE of the pooled estimate of cv^2 (see module docstring)."""
    numerator_variance = denominator = 0.0
    for day_type, days in (("weekday", 5 * WEEKS), ("weekend", 2 * WEEKS)):
        mean = expected_daily_volume(day_type)
        variance = mean + cv**2 * mean**2
        sample_variance_variance = variance**2 * (2 / (days - 1) + 6 * cv**2 / days)
        numerator_variance += (days - 1) ** 2 * sample_variance_variance
        denominator += (days - 1) * mean**2
    return math.sqrt(numerator_variance) / denominator


@pytest.fixture(scope="module")
def busy_profile():
    return fit_arrivals(arrivals_frame(busyness=0.2, seed=123), interval_minutes=30, day_types=DAY_TYPES)


def test_busyness_cv_recovered(busy_profile):
    true_cv = 0.2
    tolerance = 4 * busyness_variance_standard_error(true_cv)
    assert busy_profile.busyness_cv**2 == pytest.approx(true_cv**2, abs=tolerance)


def test_expected_arrivals_per_interval_recovered(busy_profile):
    shape = np.asarray(DEFAULT_HOURLY_SHAPE, dtype=float)
    shape /= shape.sum()
    assert busy_profile.days_observed == {"weekday": 5 * WEEKS, "weekend": 2 * WEEKS}
    for day_type, days in busy_profile.days_observed.items():
        factor = WEEKEND_FACTOR if day_type == "weekend" else 1.0
        for contact_type, volume in VOLUME.items():
            truth = np.repeat(volume * factor * shape / 2, 2)  # two 30-minute intervals per hour
            fitted = busy_profile.expected_per_interval(day_type, contact_type)
            standard_error = np.sqrt((truth + 0.2**2 * truth**2) / days)
            open_intervals = truth > 0
            assert np.all(fitted[~open_intervals] == 0)
            # 4.5 SE for each of ~100 intervals: overall false-failure chance under 0.1%.
            assert np.max(np.abs(fitted - truth)[open_intervals] / standard_error[open_intervals]) < 4.5


def test_pure_poisson_days_give_busyness_near_zero():
    profile = fit_arrivals(arrivals_frame(busyness=0.0, seed=321), interval_minutes=60, day_types=DAY_TYPES)
    assert profile.busyness_cv**2 < 4 * busyness_variance_standard_error(0.0)


def test_busyness_cv_by_hand_and_floor_at_zero():
    totals = pd.DataFrame({"day_type": ["a", "a", "b", "b", "b"], "arrivals": [90, 110, 200, 200, 200]})
    # Type a: mean 100, variance 200 -> (200-100)*1; type b: mean 200, variance 0 -> (0-200)*2.
    # cv^2 = (100 - 400) / (1 * 100^2 + 2 * 200^2) < 0 -> floored at 0.
    assert busyness_cv(totals) == 0.0
    only_a = totals.loc[totals["day_type"] == "a"]
    assert busyness_cv(only_a) == pytest.approx(math.sqrt((200 - 100) / 100**2))  # = 0.1


def test_days_without_contacts_count_when_dates_are_given():
    frame = pd.DataFrame({"date": pd.to_datetime(["2024-01-01"] * 4), "contact_type": ["x"] * 4,
                          "arrival_seconds": [8 * 3600.0, 8 * 3600 + 10, 9 * 3600, 23 * 3600 + 59 * 60]})
    dates = pd.to_datetime(["2024-01-01", "2024-01-08"])  # two Mondays, the second one empty
    profile = fit_arrivals(frame, interval_minutes=60, dates=dates)
    assert profile.days_observed["monday"] == 2
    monday = profile.expected_per_interval("monday")
    assert monday[8] == 1.0 and monday[9] == 0.5 and monday[23] == 0.5 and monday.sum() == 2.0
    rows = profile.volume_rows()
    assert {"interval": "08:00", "volume": 1.0, "weekday": "monday", "contact_type": "x"} in rows
    with pytest.raises(ValueError, match="interval_minutes"):
        fit_arrivals(frame, interval_minutes=20)


def test_volume_rows_expand_day_types_to_weekdays(busy_profile):
    rows = busy_profile.volume_rows()
    weekend_rows = [row for row in rows if row["weekday"] in ("saturday", "sunday")]
    assert {row["weekday"] for row in rows} == {"monday", "tuesday", "wednesday", "thursday", "friday",
                                                "saturday", "sunday"}
    saturday = sum(row["volume"] for row in weekend_rows if row["weekday"] == "saturday")
    assert saturday == pytest.approx(busy_profile.expected_daily_total("weekend"))
