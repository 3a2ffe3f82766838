"""Back-test KPIs by hand, the back-test scenario, and the calibrate / backtest commands.

The excerpt in tests/data is always there (a smoke test of both commands);
with the real bank data beside the project, January is calibrated and a few
of its days back-tested, with loose sanity bounds.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.calibration import ANONYMOUS_BANK_DAY_TYPES, load_anonymous_bank
from analysis.calibration.backtest import ALL_DAYS, backtest_scenario, hourly_counts, hourly_kpis, wait_exceedances
from analysis.calibration.backtest_run import counter_hours, counter_waits
from analysis.calibration.sim_log import simulated_contacts
from analysis.cli import main
from sim.config import load_scenario, parse_scenario
from sim.run import simulate

EXCERPT = Path(__file__).parent / "data" / "anonymous_bank_1999-01_excerpt.tsv"
FULL_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "anonymous-bank"


def _contact(hour: float, outcome: str, queued: bool, wait: float) -> dict:
    return {"date": pd.Timestamp("1999-01-03"), "arrival_seconds": hour * 3600, "outcome": outcome,
            "queued": queued, "wait_seconds": wait}


def test_kpis_by_hand():
    contacts = pd.DataFrame([
        _contact(9.1, "answered", False, 0.0),   # answered at once
        _contact(9.2, "answered", True, 15.0),   # waited, within 20 s
        _contact(9.3, "answered", True, 45.0),   # waited too long
        _contact(9.4, "abandoned", True, 30.0),  # gave up in the queue
        _contact(9.5, "abandoned", False, 0.0),  # hung up in the voice-response unit
    ])
    counts = hourly_counts(contacts, threshold_seconds=20.0)
    kpis = hourly_kpis(counts, (date(1999, 1, 3),), ANONYMOUS_BANK_DAY_TYPES)
    row = kpis.loc[(kpis["day_type"] == ALL_DAYS) & (kpis["hour"] == 9)].iloc[0]
    assert row["offered_per_day"] == 4  # the hang-up in the voice-response unit never reached the agents
    assert row["abandon_rate"] == pytest.approx(1 / 4)  # of the 4 that reached agents
    assert row["abandon_rate_waited"] == pytest.approx(1 / 3)  # of the 3 that waited
    assert row["service_level"] == pytest.approx(2 / 4)
    assert row["asa_seconds"] == pytest.approx(60.0 / 3)
    sunday = kpis.loc[(kpis["day_type"] == "sun-thu") & (kpis["hour"] == 9)].iloc[0]
    assert sunday["offered"] == 4
    assert wait_exceedances(contacts).tolist() == [3, 2, 0, 0, 0, 4]  # waits over 0, 20, 60, 120, 300 s; reached


def test_a_replication_counts_the_same_from_its_counters_as_from_its_contacts():
    scenario = parse_scenario({
        "name": "counts", "horizon": {"days": 2, "interval_minutes": 30, "open": "08:00", "close": "12:00"},
        "demand": {"volume": [40.0] * 8},
        "contact_types": [{"name": "calls", "handle_time": {"dist": "exponential", "mean": 240, "unit": "s"},
                           "patience": {"dist": "exponential", "mean": 120, "unit": "s"}}],
        "agent_groups": [{"name": "agents", "skills": ["calls"], "headcount": [5] * 8}]})
    result = simulate(scenario, seed=1, thresholds=(0.0,))
    start = date(2024, 1, 1)
    from_counters = counter_hours(result.counters, ["calls"], 1800, start)
    from_contacts = hourly_counts(simulated_contacts(result.contacts, start).contacts, 20.0)
    merged = from_counters.merge(from_contacts, on=["date", "hour"], how="outer", suffixes=("", "_log")).fillna(0)
    assert merged["reached"].sum() > 400
    for column in ("reached", "queued", "abandoned", "answered", "answered_within", "wait_answered"):
        np.testing.assert_allclose(merged[column], merged[f"{column}_log"], atol=1e-6, err_msg=column)
    np.testing.assert_array_equal(counter_waits(result.counters),
                                  wait_exceedances(simulated_contacts(result.contacts, start).contacts))


@pytest.fixture(scope="module")
def excerpt_scenario(tmp_path_factory):
    out = tmp_path_factory.mktemp("excerpt") / "excerpt.toml"
    assert main(["calibrate", str(EXCERPT), "--format", "technion", "--out", str(out)]) == 0
    return out


def test_calibrate_command_writes_scenario_and_report(excerpt_scenario):
    scenario = load_scenario(excerpt_scenario)
    assert scenario.horizon.start_weekday == "friday"  # 1 January 1999
    report = excerpt_scenario.parent / "excerpt_report"
    assert (report / "index.md").exists()
    assert {path.suffix for path in report.iterdir()} == {".md", ".png", ".csv"}
    fits = pd.read_csv(report / "fit_handle_time.csv")
    assert "PS" in set(fits["contact_type"]) and (fits["mean_seconds"] > 0).all()
    assert set(pd.read_csv(report / "fit_patience.csv")["contact_type"]) >= {"PS", "all"}
    text = excerpt_scenario.read_text()
    assert "# handle time:" in text and "# patience:" in text and "queue boost" in text
    page = (report / "index.md").read_text()
    assert "## The scenario against its own log" in page and "share of agents on duty talking" in page
    assert (report / "availability.png").stat().st_size > 10_000


def test_backtest_plan_lines_up_with_the_log(excerpt_scenario):
    contacts, _ = load_anonymous_bank(EXCERPT, on_error="skip")
    plan = backtest_scenario(load_scenario(excerpt_scenario), contacts, ANONYMOUS_BANK_DAY_TYPES)
    horizon = plan.scenario.horizon
    assert plan.start_date == date(1999, 1, 1) and horizon.start_weekday == "friday"
    assert horizon.days == (plan.dates[-1] - plan.dates[0]).days + 1
    rows = plan.scenario.agent_groups[0].headcount_rows
    assert rows and all(row.day is not None for row in rows)
    factors = plan.scenario.demand.day_factors
    assert [factor > 0 for factor in factors] == [
        date(1999, 1, 1 + day) in plan.dates for day in range(horizon.days)]


@pytest.mark.parametrize("demand", ["scenario", "observed"])
def test_backtest_command_on_the_excerpt(excerpt_scenario, tmp_path, capsys, demand):
    out = tmp_path / "bt"
    code = main(["backtest", str(EXCERPT), str(excerpt_scenario), "--format", "technion", "--reps", "2",
                 "--workers", "1", "--quiet", "--out", str(out), "--end", "1999-01-05", "--demand", demand])
    assert code == 0
    printed = capsys.readouterr().out
    assert "abandon %" in printed and "Hourly errors" in printed
    hourly = pd.read_csv(out / "hourly.csv")
    assert set(hourly["kpi"]) >= {"offered", "abandon_rate", "service_level", "asa_seconds"}
    assert (out / "backtest.png").stat().st_size > 10_000
    summary = json.loads((out / "summary.json").read_text())
    assert summary["dates"] == ["1999-01-01", "1999-01-05"]
    # The acceptance's measures, as on the full months: errors with and without flagged hours, P(wait > t).
    assert set(summary["errors_main_day_type"]) >= {"errors", "errors_without_anomalies"}
    assert [row["wait_above_seconds"] for row in summary["wait_distribution"]] == [0, 20, 60, 120, 300]
    assert summary["anomalous_hours"] == []
    waits = pd.read_csv(out / "waits.csv")
    assert (waits["observed"].diff().dropna() <= 0).all() and (waits["simulated"].diff().dropna() <= 1e-12).all()
    offered = summary["period"][0]
    if demand == "observed":  # the log's callers who reached the agents, replayed
        assert offered["simulated"] == pytest.approx(offered["observed"], rel=0.35)
    # ccsim report shows the waits, the share talking and the drift of a back-test folder.
    assert main(["report", str(out), "--out", str(tmp_path / "report.html")]) == 0
    page = (tmp_path / "report.html").read_text()
    assert "P(wait &gt; t) of contacts reaching agents" in page and "Share of agents on duty talking" in page


def test_bad_input_exits_with_a_message(tmp_path, capsys):
    assert main(["calibrate", str(tmp_path / "missing.tsv"), "--format", "technion",
                 "--out", str(tmp_path / "x.toml")]) == 2
    assert "no such file" in capsys.readouterr().err
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("when,what\n2024-01-01,x\n")
    assert main(["calibrate", str(wrong), "--out", str(tmp_path / "x.toml")]) == 2
    assert "missing required column" in capsys.readouterr().err
    assert main(["calibrate", str(EXCERPT), "--format", "technion", "--out", str(tmp_path / "x.toml"),
                 "--start", "2001-01-01"]) == 2
    assert "no contacts" in capsys.readouterr().err
    assert not (tmp_path / "x.toml").exists()


@pytest.mark.slow
@pytest.mark.skipif(not (FULL_DATA / "1999-01.tsv").exists(), reason="real Anonymous Bank data not present")
def test_january_calibrate_and_backtest_a_few_days(tmp_path):
    # The log's own arrivals: with the scenario's weekday profile this busiest week of January would be a
    # third short of callers (offered per day 1087 against 1654; the profile is January's recency-weighted
    # mean), a gap in the volume forecast that says nothing about the queueing model checked here.
    log = FULL_DATA / "1999-01.tsv"
    scenario = tmp_path / "january.toml"
    assert main(["calibrate", str(log), "--format", "technion", "--out", str(scenario), "--check-reps", "0"]) == 0
    out = tmp_path / "bt"
    assert main(["backtest", str(log), str(scenario), "--format", "technion", "--reps", "4", "--quiet",
                 "--demand", "observed", "--start", "1999-01-03", "--end", "1999-01-07", "--out", str(out)]) == 0
    period = pd.read_csv(out / "period.csv").set_index("kpi")
    observed, simulated = period["observed"], period["simulated"]
    assert simulated["offered"] == pytest.approx(observed["offered"], rel=0.05)
    assert abs(simulated["abandon_rate"] - observed["abandon_rate"]) < 0.05  # 12.2% vs 8.7% on these days
    assert abs(simulated["service_level"] - observed["service_level"]) < 0.08  # 56.1% vs 54.8%
    assert simulated["asa_seconds"] == pytest.approx(observed["asa_seconds"], rel=0.4)  # 37 s vs 32 s


@pytest.mark.slow
@pytest.mark.skipif(not (FULL_DATA / "1999-02.tsv").exists(), reason="real Anonymous Bank data not present")
def test_acceptance_january_model_on_february(tmp_path):
    """Issue 10's acceptance: calibrate on January, back-test February out of sample with its own arrivals.

    Reached (README, "Results on the Anonymous Bank data"): hourly MAE of abandonment under 3 points, of ASA
    under 20% of the observed mean, and P(wait > 120 s) and P(wait > 300 s) within a factor 1.5 of the log;
    without the two hours the scenario cannot reproduce (14 February 21-23h, calls a fifth of their usual
    length) also the MAE of service level under 4 points. Not reached, and bounded here at what the model
    gives so that it cannot get worse unnoticed: hourly MAE of service level on all hours (target 4 points).
    """
    scenario = tmp_path / "january.toml"
    assert main(["calibrate", str(FULL_DATA / "1999-01.tsv"), "--format", "technion", "--out", str(scenario),
                 "--check-reps", "0"]) == 0
    out = tmp_path / "february"
    assert main(["backtest", str(FULL_DATA / "1999-02.tsv"), str(scenario), "--format", "technion", "--reps", "10",
                 "--demand", "observed", "--hours", "7-23", "--quiet", "--out", str(out)]) == 0
    summary = json.loads((out / "summary.json").read_text())
    main_hours = summary["errors_main_day_type"]
    every, clean = main_hours["errors"], main_hours["errors_without_anomalies"]
    waits = {row["wait_above_seconds"]: row for row in summary["wait_distribution"]}
    clean_waits = {row["wait_above_seconds"]: row for row in summary["wait_distribution_without_anomalies"]}
    flagged = [(row["date"], row["hour"]) for row in summary["anomalous_hours"]]
    assert flagged == [("1999-02-14", 21), ("1999-02-14", 22)]
    # Targets reached (the run is seeded, so these are the README's numbers: 2.1 points, 19%, x1.14, x1.34;
    # without the flagged hours 1.6 and 3.4 points, 14%, x1.10, x1.25).
    assert every["abandon_rate"]["mean_absolute_error"] < 0.03
    assert every["asa_seconds"]["relative_error"] < 0.20
    for threshold in (120, 300):
        assert 1 / 1.5 < waits[threshold]["ratio"] < 1.5 and 1 / 1.5 < clean_waits[threshold]["ratio"] < 1.5
    assert clean["abandon_rate"]["mean_absolute_error"] < 0.03
    assert clean["asa_seconds"]["relative_error"] < 0.20
    assert clean["service_level"]["mean_absolute_error"] < 0.04
    # Target missed: the model's present level (4.5 points) as a regression bound.
    assert every["service_level"]["mean_absolute_error"] < 0.05
