"""What a calibrated scenario says about segments and short calls.

A synthetic log with a different segment mix per contact type and a known
share of very short calls is calibrated and written out; the scenario must
carry each type's own mix (within 4 standard errors) and, as handle time,
exactly the mixture of the observed short calls and the fitted family, and
both must survive writing and loading with ``sim.config.load_scenario``.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from analysis.calibration import CalibrationSettings, DayTypes, calibrate, load_contact_log, write_contact_log
from analysis.calibration.handle_time_spec import handle_time_spec
from analysis.calibration.scenario_build import ScenarioOptions, build_scenario
from analysis.calibration.scenario_file import write_calibrated_scenario
from analysis.calibration.synthetic import SyntheticSpec, synthetic_contact_log
from sim.config import load_scenario

STANDARD_ERRORS = 4.0
MIXES = {"sales": {"priority": 0.5, "regular": 0.5}, "support": {"priority": 0.05, "regular": 0.95}}
SPEC = SyntheticSpec(days=7, segments_by_type=MIXES)
SHORT_SHARE = 0.08  # of answered calls, cut to a few seconds (under the 10 s threshold)


@pytest.fixture(scope="module")
def calibrated(tmp_path_factory):
    rng = np.random.default_rng(7)
    log = synthetic_contact_log(rng, SPEC)
    answered = np.flatnonzero((log["outcome"] == "answered").to_numpy())
    short = rng.choice(answered, size=int(SHORT_SHARE * len(answered)), replace=False)
    seconds = pd.to_timedelta(rng.integers(0, 10, size=len(short)), unit="s")
    log.loc[log.index[short], "end_time"] = log["answer_time"].iloc[short].to_numpy() + seconds.to_numpy()
    directory = tmp_path_factory.mktemp("content")
    write_contact_log(log, directory / "log.csv")
    contacts, report = load_contact_log(directory / "log.csv")
    result = calibrate(contacts, CalibrationSettings(interval_minutes=60, day_types=DayTypes.weekday_weekend()),
                       report)
    return contacts, result, directory


def test_segment_mix_per_type_recovered(calibrated):
    contacts, result, directory = calibrated
    written = write_calibrated_scenario(build_scenario(result, contacts), directory / "mix.toml")
    loaded = {contact_type.name: contact_type.segment_shares for contact_type in written.scenario.contact_types}
    for name, truth in MIXES.items():
        count = int((contacts["contact_type"] == name).sum())
        standard_error = math.sqrt(truth["priority"] * (1 - truth["priority"]) / count)
        assert loaded[name]["priority"] == pytest.approx(truth["priority"], abs=STANDARD_ERRORS * standard_error)
        assert math.fsum(loaded[name].values()) == pytest.approx(1.0, abs=1e-9)
    # The global share is the volume-weighted average, far from either type's own mix.
    assert 0.15 < result.segment_shares["priority"] < 0.3


def test_single_segment_log_writes_no_per_type_mix(calibrated):
    contacts, result, _ = calibrated
    one_segment = contacts.assign(segment="standard")
    data = build_scenario(calibrate(one_segment, result.settings), one_segment).data
    assert all("segment_shares" not in entry for entry in data["contact_types"])


def test_handle_time_is_the_exact_mixture(calibrated):
    contacts, result, _ = calibrated
    fit = result.handle_time["support"]
    spec, points, _ = handle_time_spec("support", fit, contacts, "mixture", 400)
    assert points is None and spec["dist"] == "mixture"
    handle = contacts.loc[(contacts["contact_type"] == "support") & (contacts["outcome"] == "answered"),
                          "handle_seconds"].dropna().to_numpy()
    short = handle[handle < fit.short_threshold_seconds]
    values, counts = np.unique(short, return_counts=True)
    short_part, body = spec["components"]
    assert short_part["weight"] == pytest.approx(len(short) / len(handle))
    assert short_part["weight"] == pytest.approx(SHORT_SHARE, abs=STANDARD_ERRORS * math.sqrt(
        SHORT_SHARE * (1 - SHORT_SHARE) / len(handle)))
    assert short_part["distribution"]["values"] == values.tolist()
    assert short_part["distribution"]["weights"] == counts.astype(float).tolist()
    assert body["weight"] == pytest.approx(1 - short_part["weight"])
    assert body["distribution"] == fit.recommended.as_spec()


def test_mixture_round_trips_through_the_scenario_file(calibrated):
    contacts, result, directory = calibrated
    calibrated_scenario = build_scenario(result, contacts)
    assert calibrated_scenario.handle_time_points is None  # nothing discretised into a CSV
    path = directory / "mixture.toml"
    write_calibrated_scenario(calibrated_scenario, path)
    scenario = load_scenario(path)
    for entry, contact_type in zip(calibrated_scenario.data["contact_types"], scenario.contact_types):
        handle_time = contact_type.handle_time
        assert handle_time.dist == "mixture"
        written = entry["handle_time"]["components"]
        assert [c.weight for c in handle_time.components] == pytest.approx([c["weight"] for c in written], abs=1e-6)
        short, body = handle_time.components
        # The file keeps 6 decimals.
        assert short.distribution.values == pytest.approx(written[0]["distribution"]["values"], abs=1e-6)
        assert body.distribution.dist == written[1]["distribution"]["dist"]
        fitted = result.handle_time[contact_type.name].recommended.scaled(
            result.handle_time_levels.get(contact_type.name, 1.0))  # the recent level (recency weighting)
        expected_mean = (written[0]["weight"] * np.average(short.distribution.values,
                                                           weights=short.distribution.weights)
                         + written[1]["weight"] * fitted.mean())
        assert handle_time.mean_seconds() == pytest.approx(expected_mean, rel=1e-5)


def test_points_option_keeps_the_discretised_mixture(calibrated):
    contacts, result, _ = calibrated
    points_scenario = build_scenario(result, contacts, ScenarioOptions(short_calls="points"))
    assert points_scenario.handle_time_points is not None
    assert all(entry["handle_time"]["dist"] == "empirical" for entry in points_scenario.data["contact_types"])
    mixture = build_scenario(result, contacts).data["contact_types"][0]["handle_time"]
    column = points_scenario.handle_time_points[points_scenario.data["contact_types"][0]["name"]]
    # Same distribution either way: the points keep the mixture's mean.
    short, body = mixture["components"]
    mean = short["weight"] * np.average(short["distribution"]["values"], weights=short["distribution"]["weights"]) \
        + body["weight"] * result.handle_time[points_scenario.data["contact_types"][0]["name"]].recommended.mean()
    assert column.mean() == pytest.approx(mean, rel=0.02)
