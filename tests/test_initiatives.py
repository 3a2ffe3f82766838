"""Initiatives: scenario changes, ROI / payback / NPV by hand, identical variants differ by exactly zero."""

from __future__ import annotations

import math

import numpy as np
import pytest
from pydantic import TypeAdapter

from analysis.cli import main
from analysis.outputs.toml_text import toml_document
from analysis.planning.horizon.simulation import SimulationSettings
from analysis.runs.execution import ExecutionPlan
from analysis.studies.initiatives import BASELINE, InitiativesFileError, evaluate, parse_initiatives, prepare
from analysis.studies.initiatives.changes import apply_changes, scale_distribution
from analysis.studies.initiatives.finance import CashFlows, npv, payback_month, ramp_shares, roi
from analysis.studies.initiatives.spec import Changes
from sim.config import parse_scenario
from sim.config.distributions import Distribution

from .conftest import small_data

SETTINGS = SimulationSettings(3, 5, ExecutionPlan(workers=1), False)


def write_small(tmp_path) -> str:
    data = small_data()
    data["agent_groups"][0]["wage_per_hour"] = 20.0
    data["value"] = {"customers": 5000, "revenue_per_customer_year": 80}
    path = tmp_path / "small.toml"
    path.write_text(toml_document(data))
    return str(path)


# --- finance by hand ----------------------------------------------------------------------------------

def test_roi_payback_and_npv_by_hand():
    flows = CashFlows(investment=1000.0, gains=np.array([300.0, 300.0, 300.0, 300.0]), recurring=np.full(4, 50.0))
    assert roi(flows) == pytest.approx((1200 - 1200) / 1200)
    assert payback_month(flows) == 4  # -1000 + 250 x 4 = 0 at the end of month 4
    assert npv(flows, 0.12) == pytest.approx(-1000 + sum(250 / 1.12 ** (m / 12) for m in range(1, 5)))
    never = CashFlows(1000.0, np.full(3, 100.0), np.zeros(3))
    assert math.isnan(payback_month(never)) and roi(never) == pytest.approx(-0.7)
    assert math.isnan(roi(CashFlows(0.0, np.ones(3), np.zeros(3))))
    # The texts' example: 2 M invested, 3 M saved in a year.
    texts = CashFlows(2_000_000.0, np.full(12, 250_000.0), np.zeros(12))
    assert roi(texts) == pytest.approx(0.5) and payback_month(texts) == 8


def test_ramp_shares_by_hand():
    days = np.full(4, 28.0)  # four 4-week months
    np.testing.assert_allclose(ramp_shares(1, 0.0, days), [1, 1, 1, 1])
    np.testing.assert_allclose(ramp_shares(2, 0.0, days), [0, 1, 1, 1])
    # 8 weeks to full effect: month 1 averages t/8 over t in [0, 4] = 0.25, month 2 over [4, 8] = 0.75
    np.testing.assert_allclose(ramp_shares(1, 8.0, days), [0.25, 0.75, 1, 1])
    np.testing.assert_allclose(ramp_shares(3, 8.0, days), [0, 0, 0.25, 0.75])


# --- scenario changes ---------------------------------------------------------------------------------

@pytest.mark.parametrize("distribution", [
    {"dist": "exponential", "mean": 4, "unit": "min"},
    {"dist": "lognormal", "mean": 6, "sd": 3, "unit": "min"},
    {"dist": "lognormal", "mu": 1.0, "sigma": 0.5, "unit": "min"},
    {"dist": "gamma", "shape": 2, "scale": 3, "unit": "min"},
    {"dist": "gamma", "mean": 5, "sd": 2, "unit": "min"},
    {"dist": "weibull", "shape": 1.5, "scale": 4, "unit": "min"},
    {"dist": "deterministic", "value": 30, "unit": "s"},
    {"dist": "uniform", "low": 1, "high": 3, "unit": "min"},
    {"dist": "empirical", "values": [1, 2, 5], "unit": "min"},
    {"dist": "mixture", "components": [
        {"weight": 1, "distribution": {"dist": "deterministic", "value": 5, "unit": "s"}},
        {"weight": 3, "distribution": {"dist": "exponential", "mean": 4, "unit": "min"}}]},
])
def test_scaled_distributions_scale_the_mean(distribution):
    adapter = TypeAdapter(Distribution)
    before = adapter.validate_python(distribution).mean_seconds()
    after = adapter.validate_python(scale_distribution(distribution, 0.625)).mean_seconds()
    assert after == pytest.approx(before * 0.625)


def test_changes_merge_groups_route_to_a_vendor_and_move_containment():
    scenario = parse_scenario(small_data())
    changes = Changes.model_validate({
        "add_vendors": [{"name": "bpo", "skills": ["billing"], "seats": 3,
                         "price": {"model": "per_contact", "rate": 2}}],
        "vendor_share": {"vendor": "bpo", "share": 0.4, "contact_types": ["billing"]},
        "merge_groups": {"groups": ["front", "back"], "into": "all", "wage_per_hour": 21},
        "first_contact_resolution": -0.1})
    changed, problems = apply_changes(scenario, changes)
    assert problems == []
    (merged,) = changed.agent_groups
    assert merged.name == "all" and merged.skills == {"billing": 1, "tech": 1} and merged.wage_per_hour == 21
    assert merged.headcount == [3, 4, 5, 3] and merged.first_contact_resolution == pytest.approx(0.9)
    assert changed.routing[0].to == "bpo" and changed.routing[0].share == 0.4
    with_ai = parse_scenario(small_data(ai={
        "capacity": 5, "session_time": {"dist": "exponential", "mean": 2, "unit": "min"},
        "contact_types": {"billing": {"containment": 0.3, "escalation": 0.6}}}))
    raised, _ = apply_changes(with_ai, Changes.model_validate({"containment": {"billing": 0.2}}))
    outcome = raised.ai.contact_types["billing"]
    assert (outcome.containment, outcome.escalation) == pytest.approx((0.5, 0.4))


def test_bad_changes_are_refused_with_the_field_path(tmp_path):
    data = {"scenario": write_small(tmp_path), "combinations": [["faster", "nope"]], "initiatives": [
        {"name": "faster", "changes": {"handle_time": {"change": -0.2, "contact_types": ["billing", "sales"]}}},
        {"name": "people", "changes": {"attrition": -0.4}},
        {"name": "bpo", "changes": {"vendor_share": {"vendor": "ghost", "share": 0.3}}},
        {"name": "odd", "changes": {"set": {"agent_groups.front.wage_per_hour": -5}}}]}
    with pytest.raises(InitiativesFileError) as caught:
        prepare(parse_initiatives({"name": "test"} | data))
    messages = [str(problem) for problem in caught.value.problems]
    for expected in ("initiatives[0].changes.handle_time.contact_types[1]: 'sales' is not a contact type",
                     "initiatives[1].changes.attrition: needs a plan",
                     "initiatives[2].changes.vendor_share.vendor: 'ghost' is not a vendor",
                     "initiatives[3].changes.set.agent_groups[0].wage_per_hour: -5 is not allowed",
                     "combinations[0]: 'nope' is not an initiative"):
        assert any(message.startswith(expected) for message in messages), (expected, messages)


# --- evaluation -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("staffing", ["replan", "keep"])
def test_identical_variants_differ_by_exactly_zero(tmp_path, staffing):
    data = {"scenario": write_small(tmp_path), "staffing": staffing, "months": 6, "all_together": False,
            "initiatives": [{"name": "nothing", "investment": 100.0}]}
    evaluation = evaluate(prepare(parse_initiatives({"name": "test"} | data)), SETTINGS)
    nothing, base = evaluation.results["nothing"], evaluation.results[BASELINE]
    assert (nothing.weekly_cost == base.weekly_cost).all() and (nothing.value_kept == base.value_kept).all()
    assert (nothing.savings == 0).all() and (nothing.value == 0).all()
    assert all(flows.total_gain == 0 for flows in nothing.flows)
    assert evaluation.estimate("nothing", "roi").mean == -1.0
    assert evaluation.estimate("nothing", "npv").mean == -100.0


def test_faster_handling_saves_agent_hours_at_the_same_service(tmp_path):
    data = {"scenario": write_small(tmp_path), "months": 12, "all_together": True,
            "initiatives": [{"name": "faster", "investment": 1000.0, "ramp_weeks": 8,
                             "changes": {"handle_time": {"change": -0.3}}},
                            {"name": "slower", "changes": {"handle_time": {"change": 0.2, "groups": ["back"]}}}]}
    evaluation = evaluate(prepare(parse_initiatives({"name": "test"} | data)), SETTINGS)
    faster, base = evaluation.results["faster"], evaluation.results[BASELINE]
    assert faster.agent_hours < base.agent_hours and (faster.savings > 0).all()
    assert faster.ramp[0] == pytest.approx(ramp_shares(1, 8.0, evaluation.prepared.months.days)[0])
    flows = faster.flows[0]
    assert flows.total_gain == pytest.approx(faster.savings[0] + faster.value[0])
    assert evaluation.estimate("faster", "roi").mean == pytest.approx(
        np.mean([(f.total_gain - 1000.0) / 1000.0 for f in faster.flows]))
    assert evaluation.ranked()[0] in ("faster", "all")
    levels = [np.mean([o.kpis["service_level"] for o in r.outputs]) for r in evaluation.results.values()]
    assert max(levels) - min(levels) < 0.08  # every variant staffed to about the same service level


def test_ccsim_initiatives_writes_the_ranking(tmp_path):
    scenario = write_small(tmp_path)
    path = tmp_path / "ideas.toml"
    path.write_text(f'scenario = "{scenario}"\nmonths = 6\nreplications = 2\n'
                    '[[initiatives]]\nname = "faster"\ninvestment = 500\n'
                    'changes = {{ handle_time = {{ change = -0.2 }} }}\n'.replace("{{", "{").replace("}}", "}"))
    out = tmp_path / "out"
    assert main(["initiatives", str(path), "--out", str(out), "--workers", "1", "--quiet"]) == 0
    for name in ("initiatives.csv", "cash_flows.csv", "replications.csv", "initiatives.png", "summary.json"):
        assert (out / name).stat().st_size > 0
    bad = tmp_path / "bad.toml"
    bad.write_text(f'scenario = "{scenario}"\n[[initiatives]]\nname = "x"\ninvestment = -1\n')
    assert main(["initiatives", str(bad), "--out", str(tmp_path / "no")]) == 2
    assert not (tmp_path / "no").exists()
