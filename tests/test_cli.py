"""The ``ccsim`` command line: run, validate, schema, and bad input writing nothing."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from analysis.cli import main

from .conftest import SCENARIOS


def test_run_writes_summary_intervals_and_contacts(tmp_path, capsys):
    out = tmp_path / "out"
    code = main(["run", str(SCENARIOS / "baseline.toml"), "--reps", "2", "--days", "1", "--seed", "3",
                 "--out", str(out), "--workers", "1", "--quiet"])
    assert code == 0
    printed = capsys.readouterr().out
    assert "service_level" in printed and "95% CI" in printed
    summary = json.loads((out / "summary.json").read_text())
    for name in ("contacts_offered", "answered", "abandoned", "abandon_rate", "service_level", "asa_seconds",
                 "mean_wait_seconds", "occupancy", "agents_paid_hours", "labor_cost", "total_cost",
                 "cost_per_contact"):
        kpi = summary["kpis"][name]
        assert set(kpi) == {"mean", "ci95", "unit"} and len(kpi["ci95"]) == 2
    assert summary["kpis"]["total_cost"]["unit"] == "EUR"
    provenance = summary["provenance"]
    assert provenance["seed"] == 3 and provenance["replications"] == 2
    assert provenance["scenario"]["horizon"]["days"] == 1 and provenance["version"]
    intervals = pd.read_csv(out / "intervals.csv")
    assert {"offered", "answered", "abandoned", "service_level", "asa_seconds", "agents_on_duty",
            "occupancy"} <= set(intervals.columns)
    # 08:00-20:00 open; closed intervals appear only while agents are still busy after closing.
    assert intervals["open"].sum() == 24 and list(intervals["interval_start"][:2]) == ["08:00", "08:30"]
    closed = intervals[~intervals["open"]]
    assert (closed["offered"] == 0).all() and (closed["agents_on_duty"] > 0).all()
    assert intervals["service_level_ci_high"].max() <= 1 and intervals["service_level_ci_low"].min() >= 0
    days = pd.read_csv(out / "days.csv")
    assert list(days["day"]) == [1] and days["offered"].iloc[0] == pytest.approx(intervals["offered"].sum())
    assert summary["days"][0]["service_level"] == pytest.approx(days["service_level"].iloc[0])
    below = summary["intervals_below_target"]
    assert [row["interval_start"] for row in below] == \
        list(intervals.loc[intervals["service_level"] < 0.8, "interval_start"])
    assert "below target (service level >= 80% within 20 s)" in printed
    contacts = pd.read_csv(out / "contacts.csv")
    assert {"arrival_time", "contact_type", "segment", "wait_seconds", "outcome", "handler",
            "handle_time"} <= set(contacts.columns)
    assert len(contacts) == pytest.approx(summary["kpis"]["contacts_offered"]["mean"], rel=0.2)
    assert not list(out.glob(".*tmp"))  # no temporary files left behind


def test_bad_scenario_exits_non_zero_and_writes_nothing(tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    text = (SCENARIOS / "baseline.toml").read_text().replace('open = "08:00"', 'open = "25:00"')
    bad.write_text(text.replace("shrinkage = 0.15", "shrinkage = 1.5", 1))
    out = tmp_path / "out"
    assert main(["run", str(bad), "--out", str(out), "--quiet"]) == 2
    error = capsys.readouterr().err
    assert "horizon.open: '25:00' is not a time of day" in error
    assert "agent_groups[0].shrinkage: 1.5 is not allowed: input should be less than 1" in error
    assert not out.exists()
    assert main(["validate", str(bad)]) == 2


def test_validate_and_schema(capsys):
    assert main(["validate", str(SCENARIOS / "baseline.toml")]) == 0
    assert "valid scenario 'baseline'" in capsys.readouterr().out
    assert main(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert schema["title"] == "Scenario"


@pytest.mark.parametrize("mode", ["all", "none"])
def test_run_writes_the_contact_records_asked_for(tmp_path, mode):
    out = tmp_path / mode
    args = ["run", str(SCENARIOS / "baseline.toml"), "--reps", "2", "--days", "1", "--out", str(out),
            "--workers", "1", "--quiet", "--contacts", mode]
    assert main(args + (["--format", "parquet"] if mode == "all" else [])) == 0
    summary = json.loads((out / "summary.json").read_text())
    if mode == "none":
        assert not list(out.glob("contacts.*"))
        assert "contacts.csv" not in summary["files"]
        return
    contacts = pd.read_parquet(out / "contacts.parquet")
    assert sorted(contacts["replication"].unique()) == [0, 1]
    per_replication = contacts.groupby("replication").size()
    offered = summary["kpis"]["contacts_offered"]["mean"]
    assert per_replication.mean() == pytest.approx(offered)  # every contact of every replication, once
    assert "contacts.parquet" in summary["files"]


def test_the_same_kpis_whether_or_not_contacts_are_kept(tmp_path):
    summaries = []
    for mode in ("all", "none"):
        out = tmp_path / mode
        assert main(["run", str(SCENARIOS / "baseline.toml"), "--reps", "2", "--days", "1", "--out", str(out),
                     "--workers", "1", "--quiet", "--contacts", mode]) == 0
        summaries.append(json.loads((out / "summary.json").read_text())["kpis"])
    assert summaries[0] == summaries[1]
