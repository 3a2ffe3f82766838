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
from analysis.calibration.backtest import ALL_DAYS, backtest_scenario, hourly_counts, hourly_kpis
from analysis.cli import main
from sim.config import load_scenario

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
    assert row["offered_per_day"] == 5
    assert row["abandon_rate"] == pytest.approx(1 / 4)  # of the 4 that reached agents
    assert row["abandon_rate_waited"] == pytest.approx(1 / 3)  # of the 3 that waited
    assert row["service_level"] == pytest.approx(2 / 4)
    assert row["asa_seconds"] == pytest.approx(60.0 / 3)
    sunday = kpis.loc[(kpis["day_type"] == "sun-thu") & (kpis["hour"] == 9)].iloc[0]
    assert sunday["offered"] == 5


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


def test_backtest_command_on_the_excerpt(excerpt_scenario, tmp_path, capsys):
    out = tmp_path / "bt"
    code = main(["backtest", str(EXCERPT), str(excerpt_scenario), "--format", "technion", "--reps", "2",
                 "--workers", "1", "--quiet", "--out", str(out), "--end", "1999-01-05"])
    assert code == 0
    printed = capsys.readouterr().out
    assert "abandon %" in printed and "Hourly errors" in printed
    hourly = pd.read_csv(out / "hourly.csv")
    assert set(hourly["kpi"]) >= {"offered", "abandon_rate", "service_level", "asa_seconds"}
    assert (out / "backtest.png").stat().st_size > 10_000
    summary = json.loads((out / "summary.json").read_text())
    assert summary["dates"] == ["1999-01-01", "1999-01-05"]


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


@pytest.mark.skipif(not (FULL_DATA / "1999-01.tsv").exists(), reason="real Anonymous Bank data not present")
@pytest.mark.xfail(reason="open: on a few-day window the availability model gives service level about 24 points above the log (78% vs 55%); the month-long back-test is within 6-12 points", strict=False)
def test_january_calibrate_and_backtest_a_few_days(tmp_path, capsys):
    log = FULL_DATA / "1999-01.tsv"
    scenario = tmp_path / "january.toml"
    assert main(["calibrate", str(log), "--format", "technion", "--out", str(scenario)]) == 0
    out = tmp_path / "bt"
    assert main(["backtest", str(log), str(scenario), "--format", "technion", "--reps", "4", "--quiet",
                 "--start", "1999-01-03", "--end", "1999-01-07", "--out", str(out)]) == 0
    period = pd.read_csv(out / "period.csv").set_index("kpi")
    observed, simulated = period["observed"], period["simulated"]
    # Loose bounds: the right order of magnitude, not a fit (the report explains the known gaps).
    assert simulated["offered"] == pytest.approx(observed["offered"], rel=0.25)
    assert 0.4 * observed["abandon_rate"] <= simulated["abandon_rate"] <= 2.5 * observed["abandon_rate"]
    assert abs(simulated["service_level"] - observed["service_level"]) < 0.2
    assert np.isfinite(simulated["asa_seconds"]) and simulated["asa_seconds"] < 4 * observed["asa_seconds"]
