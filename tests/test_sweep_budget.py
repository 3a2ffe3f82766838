"""Sweeps that answer budget questions: linked factors, variants.csv with CIs, KPIs against factors with
target crossings, re-staffing every variant to the targets, and the bundled containment sweep."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from analysis.cli import main
from analysis.runs.execution import ExecutionPlan
from analysis.studies.sweep.design import build_design
from analysis.studies.sweep.expressions import ExpressionError, parse_expression
from analysis.studies.sweep.factor_effects import crossing_table, factor_lines
from analysis.studies.sweep.outputs import write_sweep_outputs
from analysis.studies.sweep.runner import prepare_sweep, run_sweep
from analysis.studies.sweep.spec import SweepFileError, load_sweep_file
from sim.config import load_scenario

from .conftest import SCENARIOS
from .test_experiments_common import write_sweep

LINKED = """
name = "linked"
replications = 3
[design]
kind = "grid"
[[factors]]
path = "agent_groups.front.wage_per_hour"
label = "front wage"
values = [18.0, 22.0]
[factors.sets]
"agent_groups.back.wage_per_hour" = "x + 5"
[[factors]]
path = "contact_types.billing.handle_time"
values = [{ dist = "exponential", mean = 3, unit = "min" }, { dist = "exponential", mean = 5, unit = "min" }]
"""


def test_expressions_allow_arithmetic_of_x_and_refuse_everything_else():
    assert parse_expression("0.9 - x").evaluate(0.3) == 0.6
    assert parse_expression("min(0.95, 1.1 * x) + abs(-1) - round(x, 1)").evaluate(0.5) == pytest.approx(1.05)
    for text in ("__import__('os').system('true')", "x.real", "open('f')", "y + 1", "[x][0]", "'a'", "min + 1",
                 "lambda: 1", "x if x else 1", "abs(x, 1)", ""):
        with pytest.raises(ExpressionError, match="not allowed|not an expression|required|is not"):
            parse_expression(text)
    with pytest.raises(ExpressionError, match="division by zero"):
        parse_expression("1 / x").evaluate(0.0)


def test_linked_factor_problems_are_reported_with_their_path(tmp_path):
    body = LINKED.replace('"x + 5"', '"x + __import__(1)"').replace(
        "[[factors]]\npath = \"contact_types", "[[factors]]\npath = \"agent_groups.back.wage_per_hour\"\n"
        "values = [1.0]\n[[factors]]\npath = \"contact_types")
    with pytest.raises(SweepFileError) as caught:
        load_sweep_file(write_sweep(tmp_path, body))
    text = "\n".join(str(problem) for problem in caught.value.problems)
    assert 'factors[0].sets["agent_groups.back.wage_per_hour"]: \'x + __import__(1)\': this call is not allowed' in text
    assert "factors[1].path: 'agent_groups.back.wage_per_hour' is already set by factors[0].sets" in text


def test_linked_parameters_follow_their_factor_and_variants_csv_has_a_column_per_parameter(tmp_path):
    spec = load_sweep_file(write_sweep(tmp_path, LINKED))
    base, design, scenarios = prepare_sweep(spec)
    assert list(design["agent_groups.back.wage_per_hour"]) == [23.0, 23.0, 27.0, 27.0]
    assert [s.agent_groups[1].wage_per_hour for s in scenarios] == [23.0, 23.0, 27.0, 27.0]
    outcome = run_sweep(spec, tmp_path / "out", ExecutionPlan(workers=1), show_progress=False)
    write_sweep_outputs(outcome)
    variants = pd.read_csv(tmp_path / "out" / "variants.csv")
    for column in ("agent_groups.front.wage_per_hour", "agent_groups.back.wage_per_hour",
                   "contact_types.billing.handle_time.mean"):
        assert pd.api.types.is_numeric_dtype(variants[column]), column
    assert list(variants["contact_types.billing.handle_time.mean"]) == [3, 5, 3, 5]
    assert not any("{" in str(value) for value in variants.to_numpy().ravel())  # no Python dict repr
    results = pd.read_csv(tmp_path / "out" / "results.csv")
    for kpi in ("service_level", "total_cost", "abandoned"):
        means = results.groupby("variant")[kpi].mean().to_numpy()
        assert variants[kpi].to_numpy() == pytest.approx(means)
        assert (variants[f"{kpi}_ci_low"] <= variants[kpi] + 1e-12).all()
        assert (variants[kpi] <= variants[f"{kpi}_ci_high"] + 1e-12).all()
    assert (variants["service_level_ci_low"] >= 0).all() and (variants["service_level_ci_high"] <= 1).all()
    assert (variants["abandoned_ci_low"] >= 0).all()
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary["targets"] == {"service_level": 0.8} and "crossings" in summary


def test_crossings_interpolate_between_neighbouring_variants_along_each_line():
    variants = pd.DataFrame({
        "a": [0.0, 1.0, 2.0, 0.0, 1.0, 2.0], "b": [1, 1, 1, 2, 2, 2],
        "service_level": [0.6, 0.7, 0.9, 0.85, 0.9, 0.95],
        "service_level_ci_low": [0.5, 0.6, 0.85, 0.8, 0.85, 0.9],
        "service_level_ci_high": [0.7, 0.8, 0.95, 0.9, 0.95, 1.0],
    })
    lines = factor_lines(variants, ["a", "b"], "a", "grid")
    assert [line.label for line in lines] == ["b 1", "b 2"]
    table = crossing_table(variants, [("a", "factor a"), ("b", "factor b")], "grid", {"service_level": 0.8})
    # Along b: 0.6 -> 0.85 at a = 0 (crossing at b = 1.8) and 0.7 -> 0.9 at a = 1 (at 1.5); 0.9 -> 0.95 never.
    along_b = table[table["factor"] == "factor b"]
    assert list(along_b["line"]) == ["a 0", "a 1"] and list(along_b["value"]) == pytest.approx([1.8, 1.5])
    along_a = table[table["factor"] == "factor a"]
    assert len(along_a) == 1
    row = along_a.iloc[0]
    assert (row["factor"], row["line"], row["direction"]) == ("factor a", "b 1", "rising")
    assert row["value"] == pytest.approx(1.5) and row["between"] == "1 .. 2"
    assert (row["band_low"], row["band_high"]) == pytest.approx((1.0, 1.8))  # CI high at 1, CI low at 1.8
    assert factor_lines(variants, ["a", "b"], "a", "lhs") == []  # random designs: points, no lines


def test_restaffed_sweep_staffs_each_variant_to_the_target_and_is_its_own_sweep(tmp_path, capsys):
    body = """
name = "restaffed"
replications = 3
restaff = "erlang-a"
[design]
kind = "grid"
[[factors]]
path = "contact_types.billing.handle_time.mean"
values = [2.0, 6.0]
"""
    sweep = write_sweep(tmp_path, body)
    out = tmp_path / "out"
    assert main(["sweep", str(sweep), "--out", str(out), "--workers", "1", "--quiet"]) == 0
    assert "re-staffed to the base scenario's targets by erlang-a" in capsys.readouterr().out
    plans = [pd.read_csv(out / "restaffed" / f"variant-00000{n}.csv") for n in (0, 1)]
    assert plans[1]["headcount"].sum() > plans[0]["headcount"].sum()
    busy = plans[0][plans[0]["agents"] > 0]
    assert list(busy["interval_start"]) == ["08:00", "09:00", "10:00"]
    variants = pd.read_csv(out / "variants.csv")
    assert variants["labor_cost"].iloc[1] > variants["labor_cost"].iloc[0]
    assert variants["agents_paid_hours"].iloc[0] == pytest.approx(plans[0]["headcount"].sum())
    # Without re-staffing the numbers differ, so the same folder is refused rather than mixed.
    assert main(["sweep", str(sweep), "--out", str(out), "--workers", "1", "--quiet", "--restaff", "off"]) == 2
    assert "different sweep" in capsys.readouterr().err


def test_bundled_containment_sweep_links_escalation_to_containment():
    spec = load_sweep_file(SCENARIOS / "sweeps" / "containment.toml")
    assert spec.restaff == "erlang-a" and spec.base.endswith("ai_first_30.toml")
    base, design, scenarios = prepare_sweep(spec)
    for scenario in scenarios:
        for name, give_up in (("billing", 0.10), ("sales", 0.08)):
            ai = scenario.ai.contact_types[name]
            assert ai.containment + ai.escalation == pytest.approx(1 - give_up)
    assert np.allclose(design["ai.contact_types.sales.containment"], design["ai.contact_types.billing.containment"])
    assert load_scenario(SCENARIOS / "ai_first_30.toml").service_level.target == 0.8
    assert len(build_design(spec, base)) == 8
