"""Scenario comparison on common random numbers: paired differences, sequential procedure, CLI files."""

from __future__ import annotations

import json
import math

import pandas as pd
import pytest

from analysis.cli import main
from analysis.runs.compare import PrecisionTarget, paired_difference, run_comparison
from analysis.runs.execution import ExecutionPlan
from sim.config import load_scenario

from .test_experiments_common import write_tiny_scenario

SERIAL = ExecutionPlan(workers=1)


@pytest.fixture
def scenarios(tmp_path):
    tiny = load_scenario(write_tiny_scenario(tmp_path))
    more = load_scenario(write_tiny_scenario(tmp_path, "more.toml", {"headcount = [3, 4, 3]": "headcount = [5, 6, 5]"}))
    return tiny, more


def test_identical_scenarios_differ_by_exactly_zero(scenarios):
    tiny, more = scenarios
    comparison = run_comparison({"a": tiny, "a_again": tiny, "more": more}, replications=4, seed=5,
                                plan=SERIAL, show_progress=False)
    table = comparison.comparison_table()
    same = table[(table["scenario"] == "a_again") & table["mean"].notna()]
    assert len(same) > 10
    assert (same["diff"] == 0.0).all() and (same["diff_low"] == 0.0).all() and (same["diff_high"] == 0.0).all()
    assert not same["distinguishable"].astype(bool).any()
    staffed = table[(table["scenario"] == "more")].set_index("kpi")
    assert staffed.at["contacts_offered", "diff"] == 0.0  # same customers: common random numbers
    assert staffed.at["service_level", "diff"] > 0 and staffed.at["service_level", "distinguishable"]
    assert staffed.at["total_cost", "diff"] == pytest.approx(2 * 3 * 20 * 1.2, rel=1e-12)  # 6 agent-hours more


def test_paired_difference_uses_matching_replications():
    reference = pd.Series([10.0, 20.0, 30.0])
    values = pd.Series([11.0, 21.5, 30.5])
    difference = paired_difference(values, reference)
    assert difference.mean == pytest.approx(1.0)
    assert difference.count == 3 and difference.low < 1.0 < difference.high


def test_sequential_procedure_stops_at_target_and_equals_a_fixed_run(scenarios):
    tiny, more = scenarios
    target = PrecisionTarget("service_level", half_width=0.04, max_replications=30, batch=3)
    sequential = run_comparison({"tiny": tiny, "more": more}, replications=3, seed=2, plan=SERIAL,
                                precision=target, show_progress=False)
    widths = [width for _, width in sequential.history]
    stages = [n for n, _ in sequential.history]
    assert stages[0] == 3 and all(b - a == 3 for a, b in zip(stages, stages[1:]))
    assert widths[-1] <= 0.04 and all(math.isnan(w) or w > 0.04 for w in widths[:-1])
    assert sequential.replications == stages[-1] > 3
    fixed = run_comparison({"tiny": tiny, "more": more}, replications=sequential.replications, seed=2,
                           plan=SERIAL, show_progress=False)
    pd.testing.assert_frame_equal(sequential.replication_table(), fixed.replication_table())


def test_sequential_procedure_stops_at_the_maximum(scenarios):
    tiny, _ = scenarios
    target = PrecisionTarget("service_level", half_width=1e-9, max_replications=5, batch=2)
    comparison = run_comparison({"tiny": tiny}, replications=2, seed=0, plan=SERIAL, precision=target,
                                show_progress=False)
    assert [n for n, _ in comparison.history] == [2, 4, 5]


def test_compare_command_writes_tables_and_summaries(tmp_path, capsys):
    first = write_tiny_scenario(tmp_path)
    second = write_tiny_scenario(tmp_path, "cheaper.toml", {"wage_per_hour = 20.0": "wage_per_hour = 18.0"})
    out = tmp_path / "out"
    code = main(["compare", str(first), str(second), str(first), "--reps", "3", "--seed", "4", "--workers", "1",
                 "--quiet", "--out", str(out)])
    assert code == 0
    printed = capsys.readouterr().out
    assert "diff vs tiny" in printed and "not distinguishable from noise" in printed
    assert " pp" in printed.split("service_level")[1].split("asa_seconds")[0]  # share differences in points
    assert "warning: cheaper: service_level: 95% CI half-width is" in printed  # 3 replications cannot tell
    replications = pd.read_csv(out / "replications.csv")
    assert list(replications["scenario"].unique()) == ["tiny", "cheaper", "tiny_2"]
    assert {"cost:wages", "cost:on_costs", "cost:fixed", "total_cost"} <= set(replications.columns)
    comparison = pd.read_csv(out / "comparison.csv")
    cost = comparison[(comparison["kpi"] == "total_cost")].set_index("scenario")
    assert cost.at["cheaper", "diff"] == pytest.approx(-2 * 10 * 1.2)  # 10 paid front hours, 20% on-costs
    assert cost.at["tiny_2", "diff"] == 0.0
    for label in ("tiny", "cheaper", "tiny_2"):
        summary = json.loads((out / label / "summary.json").read_text())
        assert summary["provenance"]["replications"] == 3 and "total_cost" in summary["kpis"]
        assert (out / label / "intervals.csv").exists()
    budget = pd.read_csv(out / "budget.csv")
    assert list(budget["scenario"]) == ["tiny", "cheaper", "tiny_2"]
    assert budget["total"].to_numpy() == pytest.approx(cost["mean"].to_numpy())
    meta = json.loads((out / "comparison.json").read_text())
    assert meta["reference"] == "tiny" and meta["replications"] == 3
    assert not list(out.rglob(".*tmp"))


def test_compare_command_rejects_an_unknown_target_kpi(tmp_path, capsys):
    scenario = write_tiny_scenario(tmp_path)
    assert main(["compare", str(scenario), "--half-width", "0.1", "--target-kpi", "servce_level",
                 "--out", str(tmp_path / "out")]) == 2
    assert "'servce_level' is not a KPI" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()
