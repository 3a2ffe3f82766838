"""Customer value: CLV with churn, churn from service, customers kept, value kept (hand calculations)."""

from __future__ import annotations

import math

import pytest

from analysis.metrics.value import ScoredContacts, scored_by_segment, segment_outcomes, value_kpis
from analysis.runs.experiment import ReplicationTask, run_replication
from sim.config import ScenarioError, parse_scenario
from sim.config.economics import clv
from sim.run import simulate

from .conftest import small_data

VALUE = {"customers": 1000, "churn_rate": 0.1, "revenue_per_customer_year": 100, "discount_rate": 0.1,
         "loyalty_years": 3, "lost_churn_increase": 0.2, "loyal_churn_decrease": 0.05, "days_per_year": 365}


def test_clv_known_answers():
    assert clv(100, 0.10, 3) == pytest.approx(100 * (1 - 1.1 ** -3) / 0.1)  # the annuity without churn
    assert clv(100, 0.0, 3) == pytest.approx(300)
    by_hand = 100 * (1 / 1.1 + 0.8 / 1.1 ** 2 + 0.8 ** 2 / 1.1 ** 3)
    assert clv(100, 0.10, 3, churn_rate=0.2) == pytest.approx(by_hand)
    assert clv(100, 0.0, 2.5, churn_rate=0.0) == pytest.approx(250)


def test_value_kpis_by_hand():
    scenario = parse_scenario(small_data(value=VALUE))
    kpis = value_kpis(scenario, {"standard": ScoredContacts(loyal=50, lost=10)}, days=5)
    factor = 365 / 5
    from_service = factor * (10 * 0.2 - 50 * 0.05)  # -36.5: the service keeps customers
    kept = 1000 - (1000 * 0.1 + from_service)
    lifetime = 100 * (1 / 1.1 + 0.9 / 1.1 ** 2 + 0.9 ** 2 / 1.1 ** 3)
    assert kpis["churn_from_service"] == pytest.approx(from_service)
    assert kpis["customers_kept"] == pytest.approx(kept)
    assert kpis["value_kept"] == pytest.approx(kept * lifetime)
    assert value_kpis(parse_scenario(small_data()), {}, 5) == {}


def test_customers_leaving_stay_within_the_base():
    scenario = parse_scenario(small_data(value=VALUE))
    worst = segment_outcomes(scenario, {"standard": ScoredContacts(lost=1e6)}, days=1)["standard"]
    best = segment_outcomes(scenario, {"standard": ScoredContacts(loyal=1e6)}, days=1)["standard"]
    assert worst.leaving == 1000 and worst.customers_kept == 0
    assert best.leaving == 0 and best.customers_kept == 1000


def test_segments_take_the_defaults_and_split_the_total_base():
    segments = [{"name": "standard", "share": 0.8}, {"name": "vip", "share": 0.2}]
    value = {"customers": 1000, "revenue_per_customer_year": 50,
             "segments": {"vip": {"revenue_per_customer_year": 500, "churn_rate": 0.05}}}
    scenario = parse_scenario(small_data(segments=segments, value=value))
    outcomes = segment_outcomes(scenario, {}, days=1)
    assert outcomes["standard"].economics.customers == pytest.approx(800)
    assert outcomes["vip"].economics.customers == pytest.approx(200)
    assert outcomes["standard"].economics.churn_rate == 0.15  # documented default
    assert outcomes["vip"].economics.lifetime_value == pytest.approx(clv(500, 0.08, 3, 0.05))


def test_missing_base_and_unknown_segment_are_refused_with_the_path():
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(small_data(value={"revenue_per_customer_year": 60, "segments": {"gold": {"customers": 5}}}))
    messages = [str(problem) for problem in caught.value.problems]
    assert any(message.startswith("value.segments.gold: 'gold' is not a segment") for message in messages)
    assert any(message.startswith("value.segments.standard.customers: required") for message in messages)


def test_scored_by_segment_counts_what_the_records_score():
    segments = [{"name": "standard", "share": 0.7}, {"name": "vip", "share": 0.3}]
    scenario = parse_scenario(small_data(segments=segments, value=VALUE))
    result = simulate(scenario, seed=2, records=True)
    contacts = result.measured_contacts()
    counts = scored_by_segment(result.counters)
    for name in ("standard", "vip"):
        own = contacts[contacts["segment"] == name]["csat"]
        assert counts[name] == ScoredContacts(loyal=float((own >= 85).sum()), lost=float((own < 50).sum()))
    assert counts["standard"].loyal > 0 and counts["vip"].lost >= 0


def test_run_reports_value_kpis_and_no_roi():
    scenario = parse_scenario(small_data(value=VALUE))
    kpis = run_replication(ReplicationTask(scenario, seed=3, replication=0)).kpis
    assert "roi" not in kpis
    assert 0 < kpis["customers_kept"] <= 1000 and math.isfinite(kpis["value_kept"])
