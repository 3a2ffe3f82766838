"""Round trip through our own simulator: simulate a known scenario, write its contacts as a generic
contact log, calibrate that log, and recover what went in.

Tolerances are a few standard errors for the sample at hand (4 SE: a false
alarm about once in 16,000 checks per parameter), so a real bias fails while
sampling noise does not. The generated scenario must load and run.
"""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pytest

from analysis.calibration import CalibrationSettings, DayTypes, calibrate, load_contact_log, write_contact_log
from analysis.calibration.availability import estimate_availability
from analysis.calibration.priority import estimate_queue_boost
from analysis.calibration.scenario_build import ScenarioOptions, build_scenario
from analysis.calibration.scenario_file import write_calibrated_scenario
from analysis.calibration.sim_log import generic_log, simulated_contacts
from sim.config import parse_scenario
from sim.run import simulate

STANDARD_ERRORS = 4.0
DAYS, OPEN_HOURS, PER_HOUR = 14, 10, 40.0
MU, SIGMA = math.log(240.0), 0.6
EXPONENTIAL_MEAN, WEIBULL_SHAPE, WEIBULL_SCALE = 300.0, 1.5, 400.0
BOOST = 90.0
START = date(2024, 3, 4)  # a Monday, as the scenario's start_weekday

KNOWN = {
    "name": "known",
    "horizon": {"days": DAYS, "interval_minutes": 60, "open": "08:00", "close": "18:00", "start_weekday": "monday"},
    "demand": {"volume": [PER_HOUR * 2] * OPEN_HOURS},
    "contact_types": [
        {"name": "billing", "share": 0.5, "handle_time": {"dist": "lognormal", "mu": MU, "sigma": SIGMA, "unit": "s"},
         "patience": {"dist": "exponential", "mean": EXPONENTIAL_MEAN, "unit": "s"}},
        {"name": "tech", "share": 0.5, "handle_time": {"dist": "lognormal", "mu": MU, "sigma": SIGMA, "unit": "s"},
         "patience": {"dist": "weibull", "shape": WEIBULL_SHAPE, "scale": WEIBULL_SCALE, "unit": "s"}},
    ],
    "segments": [{"name": "regular", "share": 0.7}, {"name": "priority", "share": 0.3, "queue_boost_seconds": BOOST}],
    "agent_groups": [{"name": "team", "skills": ["billing", "tech"], "headcount": [6] * OPEN_HOURS,
                      "first_contact_resolution": 1.0}],   # arrivals are the whole demand
}


@pytest.fixture(scope="module")
def round_trip(tmp_path_factory):
    scenario = parse_scenario(KNOWN)
    log = simulated_contacts(simulate(scenario, seed=11).contacts, START)
    path = tmp_path_factory.mktemp("roundtrip") / "log.csv"
    write_contact_log(generic_log(log.contacts), path)
    contacts, report = load_contact_log(path)
    settings = CalibrationSettings(interval_minutes=60, day_types=DayTypes.weekday_weekend(), short_handle_seconds=0.0)
    return contacts, calibrate(contacts, settings, report), path.parent


def test_log_survives_the_csv_round_trip(round_trip):
    contacts, result, _ = round_trip
    assert result.parse_report.skipped == 0
    assert set(contacts["outcome"]) <= {"answered", "abandoned"}
    assert result.abandoned_in_queue > 500  # enough abandonment for patience to be estimable


def test_arrival_rate_recovered(round_trip):
    _, result, _ = round_trip
    expected = result.arrivals.expected
    for (day_type, contact_type), rows in expected.groupby(["day_type", "contact_type"]):
        rows = rows.loc[rows["expected_arrivals"] > 0]
        assert len(rows) == OPEN_HOURS  # arrivals in the open hours only
        # Mean hourly rate over the open hours and days of the type: Poisson, SE = sqrt(rate / (hours x days)).
        standard_error = math.sqrt(PER_HOUR / (OPEN_HOURS * rows["days"].iloc[0]))
        assert rows["expected_arrivals"].mean() == pytest.approx(PER_HOUR, abs=STANDARD_ERRORS * standard_error)


def test_handle_time_recovered(round_trip):
    _, result, _ = round_trip
    for contact_type in ("billing", "tech"):
        fit = result.handle_time[contact_type]
        assert fit.best_family == "lognormal"
        n = fit.sample_size
        assert fit.best.parameters["mu"] == pytest.approx(MU, abs=STANDARD_ERRORS * SIGMA / math.sqrt(n))
        assert fit.best.parameters["sigma"] == pytest.approx(SIGMA, abs=STANDARD_ERRORS * SIGMA / math.sqrt(2 * n))


def test_patience_recovered(round_trip):
    _, result, _ = round_trip
    exponential = result.patience["billing"].exponential
    assert exponential.parameters["mean"] == pytest.approx(
        EXPONENTIAL_MEAN, abs=STANDARD_ERRORS * exponential.standard_errors["mean"])
    weibull = result.patience["tech"].weibull
    for name, truth in (("shape", WEIBULL_SHAPE), ("scale", WEIBULL_SCALE)):
        assert weibull.parameters[name] == pytest.approx(truth, abs=STANDARD_ERRORS * weibull.standard_errors[name])


def test_queue_boost_and_availability_recovered(round_trip):
    contacts, result, _ = round_trip
    boost = estimate_queue_boost(contacts, "priority")
    # Overtakes only happen with leads under the boost; their 99th percentile sits just below it.
    assert boost.overtakes > 200
    assert 0.75 * BOOST <= boost.seconds <= BOOST + 1.0
    # Every simulated agent is on the phones: while callers wait, all seen agents are busy.
    availability = estimate_availability(contacts, result.staffing)
    assert 0.9 <= availability.availability <= 1.0


def test_generated_scenario_loads_and_runs(round_trip):
    contacts, result, directory = round_trip
    calibrated = build_scenario(result, contacts, ScenarioOptions(name="recovered"))
    written = write_calibrated_scenario(calibrated, directory / "recovered.toml")
    scenario = written.scenario
    assert scenario.horizon.start_weekday == "monday" and scenario.horizon.days == DAYS
    assert scenario.horizon.weekday_hours["monday"].open == "08:00"
    assert scenario.horizon.weekday_hours["monday"].close == "18:00"
    priority = next(segment for segment in scenario.segments if segment.name == "priority")
    assert priority.share == pytest.approx(0.3, abs=0.03)
    assert 0.75 * BOOST <= priority.queue_boost_seconds <= BOOST + 1.0
    # No short calls in this log, so the handle time is the fitted lognormal itself.
    assert scenario.contact_types[0].handle_time.dist == "lognormal"
    outcome = simulate(scenario, seed=3)
    measured = outcome.measured_contacts()
    offered_per_day = len(measured) / DAYS
    assert offered_per_day == pytest.approx(2 * PER_HOUR * OPEN_HOURS, rel=0.1)
    assert np.isin(measured["outcome"].unique(), ["answered", "abandoned", "in_system"]).all()
