"""``ccsim staff`` and ``ccsim schedule``: outputs on tiny scenarios, and bad input exiting with status 2."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from analysis.cli import main
from analysis.outputs.toml_text import toml_document
from sim.config import load_scenario

from .test_staffing_schedule import CENTER, TEMPLATES

RUN = ["--reps", "3", "--workers", "1", "--quiet"]


@pytest.fixture
def files(tmp_path):
    scenario = tmp_path / "center.toml"
    scenario.write_text(toml_document(CENTER))
    shifts = tmp_path / "shifts.toml"
    shifts.write_text(toml_document(TEMPLATES))
    return scenario, shifts


def test_staff_writes_requirements_a_scenario_using_them_a_plot_and_a_summary(files, tmp_path, capsys):
    scenario, _ = files
    out = tmp_path / "staff"
    assert main(["staff", str(scenario), "--target", "sl:0.8/20", "--method", "erlang-c", "--out", str(out), *RUN]) == 0
    printed = capsys.readouterr().out
    assert "erlang-c" in printed and "erlang-a" in printed and "service_level" in printed
    table = pd.read_csv(out / "requirements.csv")
    assert len(table) == 48 and (table["agents"] == table["erlang_c_agents"]).all()
    assert (table["erlang_a_agents"] <= table["erlang_c_agents"]).all()
    staffed = load_scenario(out / "scenario.toml")
    assert staffed.agent_groups[0].headcount == list(table["headcount"])
    summary = json.loads((out / "summary.json").read_text())
    assert summary["method"] == "erlang-c" and summary["simulated"]["replications"] == [0, 1, 2]
    assert (out / "staffing.png").stat().st_size > 10_000
    assert not list(out.glob(".*tmp"))


def test_staff_by_simulation_reports_the_search(files, tmp_path, capsys):
    scenario, _ = files
    out = tmp_path / "search"
    code = main(["staff", str(scenario), "--method", "simulation", "--out", str(out), "--confirm-reps", "4", *RUN])
    assert code == 0
    summary = json.loads((out / "summary.json").read_text())
    search = summary["search"]
    assert search["simulations"] == 3 * search["rounds"] + 4 and search["converged"]
    assert summary["simulated"]["held_out"] and summary["simulated"]["replications"] == [3, 4, 5, 6]
    assert "simulations in" in capsys.readouterr().out


def test_schedule_compares_rules_and_writes_rosters_and_scenarios(files, tmp_path, capsys):
    scenario, shifts = files
    out = tmp_path / "schedule"
    code = main(["schedule", str(scenario), "--shifts", str(shifts), "--rules", "on_the_hour,staggered_15,overtime",
                 "--out", str(out), *RUN])
    assert code == 0
    table = pd.read_csv(out / "rules_comparison.csv")
    assert list(table["option"]) == ["current", "on_the_hour", "staggered_15", "overtime"]
    assert table.loc[2, "planned_cost_per_week"] <= table.loc[1, "planned_cost_per_week"] + 1e-6
    for option in table["option"][1:]:
        planned = load_scenario(out / option / "scenario.toml")
        assert planned.agent_groups[0].shifts and (out / option / "roster_agents.csv").exists()
        assert (out / option / "schedule.png").exists() and (out / option / "roster_agents.png").exists()
    printed = capsys.readouterr().out
    assert "staggered_15" in printed and "current" in printed and "the template file's rates are not used" in printed


def test_schedule_from_a_requirement_file(files, tmp_path):
    scenario, shifts = files
    requirement = tmp_path / "req.csv"
    requirement.write_text("interval_start,headcount\n08:00,3\n08:30,4\n09:00,6\n09:30,6\n10:00,6\n10:30,4\n"
                           "11:00,3\n11:30,2\n")
    out = tmp_path / "from_file"
    assert main(["schedule", str(scenario), "--shifts", str(shifts), "--requirement", str(requirement),
                 "--out", str(out), *RUN]) == 0
    plan = pd.read_csv(out / "schedule.csv")
    assert (plan["on_phones"] >= plan["requirement"]).all() and plan["requirement"].max() == 6
    assert load_scenario(out / "scenario.toml").agent_groups[0].shifts


@pytest.mark.parametrize("arguments, message", [
    (["--target", "sl:80/20"], "sl needs SHARE/SECONDS"),
    (["--target", "fast"], "is not a target"),
    (["--group", "nobody"], "no agent group named 'nobody'"),
    (["--reps", "1"], "--reps must be at least 2"),
])
def test_staff_bad_input_exits_2(files, tmp_path, capsys, arguments, message):
    scenario, _ = files
    out = tmp_path / "never"
    assert main(["staff", str(scenario), "--out", str(out), "--workers", "1", "--quiet", *arguments]) == 2
    assert message in capsys.readouterr().err
    assert not out.exists()


def test_staff_missing_scenario_exits_2(tmp_path, capsys):
    assert main(["staff", str(tmp_path / "missing.toml"), "--quiet"]) == 2
    assert "cannot read scenario" in capsys.readouterr().err


@pytest.mark.parametrize("arguments, message", [
    (["--shifts", "missing.toml"], "cannot read"),
    (["--rules", "on_the_half_hour"], "unknown rule"),
    (["--requirement", "missing.csv"], "cannot read the requirement"),
])
def test_schedule_bad_input_exits_2(files, tmp_path, capsys, monkeypatch, arguments, message):
    scenario, shifts = files
    monkeypatch.chdir(tmp_path)
    if "--shifts" not in arguments:
        arguments = ["--shifts", str(shifts), *arguments]
    out = tmp_path / "never"
    assert main(["schedule", str(scenario), "--out", str(out), "--workers", "1", "--quiet", *arguments]) == 2
    assert message in capsys.readouterr().err
    assert not out.exists()



def test_schedule_refuses_before_any_work_when_no_template_fits_the_opening_hours(files, tmp_path, capsys):
    scenario, _ = files
    shifts = tmp_path / "long.toml"
    shifts.write_text(toml_document({"options": {"hourly_cost": 20.0},
                                     "templates": [{"name": "long", "starts": ["08:00"], "length_hours": 12}]}))
    out = tmp_path / "never"
    assert main(["schedule", str(scenario), "--shifts", str(shifts), "--method", "erlang-c", "--out", str(out),
                 *RUN]) == 2
    error = capsys.readouterr().err
    assert "  contracts: the default contract of full_time templates" in error and "--outside-hours" in error
    assert not out.exists()


def test_staff_states_its_rounding_and_names_intervals_that_miss_or_cannot_be_told(files, tmp_path, capsys):
    scenario, _ = files
    out_up, out_nearest = tmp_path / "up", tmp_path / "nearest"
    assert main(["staff", str(scenario), "--method", "erlang-c", "--out", str(out_up), *RUN]) == 0
    printed = capsys.readouterr().out
    assert "headcount = agents on the phones / (1 - shrinkage), rounded up (shrinkage agents 10%)" in printed
    assert "intervals with contacts" in printed and "cannot be told apart" in printed
    assert "not shown to miss" not in printed
    table = pd.read_csv(out_up / "requirements.csv")
    busy = table[table["volume"] > 0]
    assert (busy["headcount"] == np.ceil(busy["agents"] / 0.9 - 1e-9)).all()
    assert set(busy["simulated_check"]) <= {"meets", "misses", "cannot tell"}
    summary = json.loads((out_up / "summary.json").read_text())
    simulated = summary["simulated"]
    assert simulated["intervals_meeting"] + simulated["intervals_missing"] + simulated["intervals_undecided"] == \
        simulated["intervals_with_contacts"] == len(busy)
    assert len(simulated["missing"]) == (busy["simulated_check"] == "misses").sum()
    assert [cell["interval_start"] for cell in simulated["undecided"]] == \
        list(busy.loc[busy["simulated_check"] == "cannot tell", "interval_start"])
    example = summary["headcount_rounding"]["example"]
    assert summary["headcount_rounding"]["rule"] == "up" and example["headcount"] >= example["headcount_nearest"]
    assert main(["staff", str(scenario), "--method", "erlang-c", "--headcount-rounding", "nearest",
                 "--out", str(out_nearest), *RUN]) == 0
    nearest = pd.read_csv(out_nearest / "requirements.csv")
    assert (nearest["headcount"] <= table["headcount"]).all() and (nearest["headcount"] < table["headcount"]).any()
    assert (nearest["agents"] == table["agents"]).all()
