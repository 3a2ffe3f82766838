"""AI self-service, vendors, routing rules, repeat contacts, satisfaction, costs and value."""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.metrics.costs import cost_breakdown, cost_kpis
from analysis.metrics.kpis import compute_kpis
from analysis.metrics.satisfaction import satisfaction_kpis
from sim.config import ScenarioError, parse_scenario
from sim.engine.satisfaction import Scorer
from sim.records import OUTCOMES
from sim.run import simulate

from .conftest import small_data

AI = {"capacity": 1000, "session_time": {"dist": "exponential", "mean": 2, "unit": "min"},
      "contact_types": {"billing": {"containment": 0.6, "escalation": 0.3}}}
VENDOR = {"name": "bpo", "skills": ["billing", "tech"], "seats": 3, "first_contact_resolution": 0.9,
          "price": {"model": "per_contact", "rate": 3.0}}


def with_channels(ai=None, vendors=(), routing=None, days=2, **extra):
    data = small_data(**extra)
    data["horizon"] = dict(data["horizon"], days=days)
    if ai is not None:
        data["ai"] = copy.deepcopy(ai)
    if vendors:
        data["vendors"] = copy.deepcopy(list(vendors))
    if routing is not None:
        data["routing"] = routing
    return parse_scenario(data)


def problems(data) -> list[str]:
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(data)
    return [str(problem) for problem in caught.value.problems]


# --- validation ---------------------------------------------------------------------------

def test_bad_channel_input_names_the_field():
    data = small_data()
    data["ai"] = copy.deepcopy(AI)
    data["ai"]["contact_types"]["billing"] |= {"escalation": 0.5}
    data["vendors"] = [{k: v for k, v in VENDOR.items() if k != "price"}]
    data["routing"] = [{"to": "nobody"}]
    messages = problems(data)
    assert "ai.contact_types.billing: containment + escalation + give_up = 1.1; they must add up to 1" in messages
    assert "vendors[0].price: required, but missing" in messages
    data = small_data(vendors=[VENDOR], routing=[{"to": "nobody"}, {"to": "bpo", "contact_types": ["billing", "x"]}])
    messages = problems(data)
    assert "routing[0].to: 'nobody' is not a destination (known: bpo, inhouse)" in messages
    assert "routing[1].contact_types[1]: 'x' is not a contact type (known: billing, tech)" in messages
    vendor = VENDOR | {"skills": ["tech"]}
    assert problems(small_data(vendors=[vendor], routing=[{"to": "bpo", "contact_types": ["billing"]}])) == [
        "routing[0].contact_types[0]: 'billing' is not served by vendor 'bpo'"]
    assert problems(small_data(routing=[{"to": "ai"}])) == ["routing[0].to: 'ai' is not a destination (known: inhouse)"]


# --- conservation and invariants -----------------------------------------------------------

@st.composite
def channel_scenarios(draw):
    data = small_data()
    data["horizon"] = dict(data["horizon"], days=1)
    containment = draw(st.floats(0, 1))
    escalation = draw(st.floats(0, 1 - containment))
    data["ai"] = {"capacity": draw(st.integers(1, 5)), "when_full": draw(st.sampled_from(["human", "wait"])),
                  "session_time": {"dist": "exponential", "mean": draw(st.floats(0.1, 5)), "unit": "min"},
                  "contact_types": {"billing": {"containment": containment, "escalation": escalation,
                                                "false_containment": draw(st.floats(0, 1))}}}
    data["vendors"] = [VENDOR | {"seats": draw(st.integers(0, 3)),
                                 "first_contact_resolution": draw(st.floats(0.5, 1))}]
    data["agent_groups"][0]["first_contact_resolution"] = draw(st.floats(0.5, 1))
    data["routing"] = draw(st.sampled_from([
        None,
        [{"to": "inhouse", "segments": ["vip"]}, {"to": "ai"}, {"to": "bpo", "share": 0.3}],
        [{"to": "ai", "contact_types": ["billing"]}, {"to": "bpo", "queue_longer_than": 1}],
        [{"to": "bpo", "expected_wait_above_seconds": 30}],
    ]))
    data["segments"] = [{"name": "standard", "share": 0.8}, {"name": "vip", "share": 0.2, "priority": 1}]
    data["retrial"] = {"probability": 0.5, "delay": {"dist": "exponential", "mean": 5, "unit": "min"}}
    data["repeat_contacts"] = {"delay": {"dist": "exponential", "mean": 10, "unit": "min"},
                               "max_repeats": draw(st.integers(0, 2))}
    return parse_scenario(data), draw(st.integers(0, 1000))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(channel_scenarios())
def test_every_contact_ends_exactly_once_across_channels(case):
    scenario, seed = case
    result = simulate(scenario, seed=seed)
    contacts = result.contacts.set_index("contact_id")
    assert contacts["outcome"].isin(OUTCOMES).all()
    # Follow-ups point at the attempt that caused them: retrials at abandonments, repeats at unresolved handling.
    follow = contacts[contacts["parent_id"] >= 0]
    parents = contacts.loc[follow["parent_id"]]
    retrial = (follow["origin"] == "retrial").to_numpy()
    assert parents["outcome"].to_numpy()[retrial].tolist() == ["abandoned"] * int(retrial.sum())
    repeat_parents = parents[~retrial]
    assert repeat_parents["outcome"].isin(["answered", "contained"]).all()
    assert not repeat_parents["resolved"].any()
    assert (follow["customer_id"].to_numpy() == parents["customer_id"].to_numpy()).all()
    assert (follow["arrival_time"].to_numpy() >= parents["end_time"].to_numpy()).all()
    # Each unresolved handled contact has at most one repeat, and only while the limit allows.
    assert contacts["parent_id"][contacts["parent_id"] >= 0].is_unique
    assert (follow.loc[~retrial, "attempt"] >= 1).all()
    # Resolution only exists for handled contacts; the AI handles only what it may.
    assert not contacts.loc[~contacts["outcome"].isin(["answered", "contained"]), "resolved"].any()
    ai_rows = contacts[contacts["ai_session_seconds"].notna()]
    assert (ai_rows["contact_type"] == "billing").all()
    if scenario.routing and scenario.routing[0].segments == ["vip"]:
        assert (contacts.loc[contacts["segment"] == "vip", "ai_wait_seconds"].isna()).all()
    assert (contacts.loc[contacts["outcome"] == "contained", "handler"] == "ai").all()
    # Costs add up.
    kpis = compute_kpis(result, scenario)
    breakdown = cost_breakdown(result, scenario)
    assert kpis["total_cost"] == pytest.approx(sum(breakdown.values()))
    assert kpis["labor_cost"] + kpis["ai_cost"] + kpis["outsourcing_cost"] + kpis["fixed_cost"] == pytest.approx(
        kpis["total_cost"])


# --- AI behaviour ---------------------------------------------------------------------------

def test_automation_rate_is_zero_without_ai_and_matches_containment_when_capacity_never_binds():
    plain = with_channels(days=20)
    assert compute_kpis(simulate(plain, seed=1), plain)["automation_rate"] == 0
    ai = copy.deepcopy(AI)
    ai["contact_types"] = {"billing": {"containment": 0.65, "escalation": 0.35},
                           "tech": {"containment": 0.65, "escalation": 0.35}}
    scenario = with_channels(ai=ai, days=20)
    kpis = compute_kpis(simulate(scenario, seed=1), scenario)
    offered = kpis["contacts_offered"]
    # Binomial tolerance: 4 standard errors around the containment probability.
    assert kpis["automation_rate"] == pytest.approx(0.65, abs=4 * np.sqrt(0.65 * 0.35 / offered))
    assert kpis["escalation_rate"] == pytest.approx(0.35, abs=4 * np.sqrt(0.65 * 0.35 / offered))


def test_ai_with_zero_containment_and_no_delay_equals_human_only_model():
    ai = copy.deepcopy(AI)
    ai["session_time"] = {"dist": "deterministic", "value": 0, "unit": "s"}
    ai["contact_types"] = {"billing": {"containment": 0.0, "escalation": 1.0},
                           "tech": {"containment": 0.0, "escalation": 1.0}}
    human_only = simulate(with_channels(), seed=5).contacts
    through_ai = simulate(with_channels(ai=ai), seed=5).contacts
    columns = ["arrival_time", "contact_type", "wait_seconds", "outcome", "agent_id", "answer_time", "end_time"]
    pd.testing.assert_frame_equal(human_only[columns], through_ai[columns])
    assert through_ai["escalated"].all()
    # And an AI nobody is routed to changes nothing at all.
    unused = simulate(with_channels(ai=AI, routing=[]), seed=5).contacts
    pd.testing.assert_frame_equal(human_only[columns], unused[columns])


def test_full_ai_sends_contacts_to_humans_or_makes_them_wait():
    ai = AI | {"capacity": 1, "session_time": {"dist": "deterministic", "value": 20, "unit": "min"}}
    overflow = simulate(with_channels(ai=ai), seed=2).contacts
    billing = overflow[overflow["contact_type"] == "billing"]
    assert billing["route"].str.endswith("/ai_full/default").any()
    waiting = simulate(with_channels(ai=ai | {"when_full": "wait"}), seed=2).contacts
    assert (waiting["ai_wait_seconds"] > 0).any()
    assert not waiting["route"].str.contains("ai_full").any()


def test_containment_ramp_rises_over_the_horizon():
    ai = copy.deepcopy(AI)
    ai["contact_types"] = {"billing": {"containment": 0.7, "containment_start": 0.3, "escalation": 0.3}}
    scenario = with_channels(ai=ai, days=5, demand={"volume": [300, 300, 300, 300]})
    contacts = simulate(scenario, seed=3).measured_contacts()
    sessions = contacts[contacts["ai_session_seconds"].notna()]
    by_day = sessions.groupby("day")["outcome"].apply(lambda o: (o == "contained").mean())
    assert by_day.iloc[0] == pytest.approx(0.3, abs=0.06)
    assert by_day.iloc[2] == pytest.approx(0.5, abs=0.06)
    assert by_day.iloc[-1] == pytest.approx(0.7, abs=0.06)


def test_false_containment_comes_back_as_repeat_contacts_and_lowers_satisfaction():
    ai = copy.deepcopy(AI)
    ai["contact_types"] = {"billing": {"containment": 0.9, "escalation": 0.1, "false_containment": 0.0}}
    honest = with_channels(ai=ai, days=5)
    ai["contact_types"]["billing"]["false_containment"] = 0.4
    over = with_channels(ai=ai, days=5)
    honest_kpis = compute_kpis(simulate(honest, seed=4), honest)
    over_result = simulate(over, seed=4)
    over_kpis = compute_kpis(over_result, over)
    assert honest_kpis["repeat_contact_rate"] == 0
    assert over_kpis["repeat_contact_rate"] > 0.1
    assert over_kpis["csat_mean"] < honest_kpis["csat_mean"]
    assert over_kpis["automation_rate"] < honest_kpis["automation_rate"]
    repeats = over_result.contacts[over_result.contacts["origin"] == "repeat"]
    assert (repeats["attempt"] >= 1).all()


# --- vendors and routing -------------------------------------------------------------------------

def test_overflow_by_expected_wait_depends_on_inhouse_load():
    rule = [{"name": "overflow", "to": "bpo", "expected_wait_above_seconds": 60}]
    few = with_channels(vendors=[VENDOR], routing=rule)
    data = small_data(vendors=[VENDOR], routing=rule)
    data["horizon"]["days"] = 2
    data["agent_groups"][0]["headcount"] = [30, 30, 30, 30]
    many = parse_scenario(data)
    share_few = compute_kpis(simulate(few, seed=1), few)["outsourced_share"]
    share_many = compute_kpis(simulate(many, seed=1), many)["outsourced_share"]
    assert share_few > 0.2
    assert share_many == 0


def test_fixed_split_sends_the_share_asked_for():
    scenario = with_channels(vendors=[VENDOR | {"seats": 50}], days=30,
                             routing=[{"name": "split", "to": "bpo", "share": 0.3}])
    contacts = simulate(scenario, seed=8).measured_contacts()
    new = contacts[contacts["origin"] == "new"]
    share = (new["route"] == "split").mean()
    assert share == pytest.approx(0.3, abs=4 * np.sqrt(0.21 / len(new)))
    assert (new.loc[new["route"] == "split", "handler_kind"].isin(["vendor", ""])).all()


def test_vip_bypasses_ai_and_routes_are_recorded():
    routing = [{"name": "vip_inhouse", "to": "inhouse", "segments": ["vip"]}, {"name": "ai_first", "to": "ai"}]
    segments = [{"name": "standard", "share": 0.7}, {"name": "vip", "share": 0.3, "priority": 1}]
    scenario = with_channels(ai=AI, routing=routing, segments=segments)
    contacts = simulate(scenario, seed=6).contacts
    vip = contacts[contacts["segment"] == "vip"]
    assert (vip["route"] == "vip_inhouse").all() and vip["ai_session_seconds"].isna().all()
    standard_billing = contacts[(contacts["segment"] == "standard") & (contacts["contact_type"] == "billing")]
    assert standard_billing["route"].str.startswith("ai_first").all()
    standard_tech = contacts[(contacts["segment"] == "standard") & (contacts["contact_type"] == "tech")]
    assert (standard_tech["route"] == "default").all()  # the AI does not handle tech


def test_vendor_first_contact_resolution_drives_repeats():
    vendor = VENDOR | {"seats": 50, "first_contact_resolution": 0.8}
    scenario = with_channels(vendors=[vendor], routing=[{"to": "bpo"}], days=20,
                             repeat_contacts={"delay": {"dist": "exponential", "mean": 1, "unit": "min"},
                                              "max_repeats": 0})
    contacts = simulate(scenario, seed=2).measured_contacts()
    handled = contacts[contacts["handler"] == "bpo"]
    assert (~handled["resolved"]).mean() == pytest.approx(0.2, abs=4 * np.sqrt(0.16 / len(handled)))
    assert (contacts["origin"] == "repeat").sum() == 0  # max_repeats = 0


# --- satisfaction, costs and value ------------------------------------------------------------------

def test_satisfaction_scores_by_hand():
    scorer = Scorer(with_channels(vendors=[VENDOR | {"satisfaction": 70}]))
    handled = [  # kind, handler, seconds waited, escalated, resolved, earlier attempts
        ("inhouse", "front", 60.0, True, True, 0), ("vendor", "bpo", 0.0, False, True, 0),
        ("ai", "ai", 30.0, False, True, 0), ("ai", "ai", 0.0, False, False, 1),
        ("inhouse", "front", 3000.0, False, True, 0)]
    scores = [scorer.handled(*case) for case in handled] + [scorer.abandoned, scorer.ai_abandoned]
    expected = [90 - 2 - 8, 70, 80 - 1, 80 - 30 - 10, 90 - 40, 25, 35]
    np.testing.assert_allclose(scores, expected)
    counts = {"csat_sum": sum(scores), "csat_count": len(scores),
              "loyal": sum(score >= scorer.loyal_at_least for score in scores),
              "lost": sum(score < scorer.lost_below for score in scores)}
    kpis = satisfaction_kpis(counts)
    assert kpis["csat_mean"] == pytest.approx(np.mean(expected))
    assert kpis["loyal_share"] == pytest.approx(0 / 7)
    assert kpis["lost_share"] == pytest.approx(3 / 7)  # 40, 25, 35; 50 is not below 50


def test_contacts_are_scored_when_they_end():
    scenario = with_channels(ai=AI, vendors=[VENDOR | {"seats": 2}], routing=[
        {"to": "ai", "contact_types": ["billing"]}, {"to": "bpo", "share": 0.3}], days=1)
    result = simulate(scenario, seed=5)
    contacts = result.measured_contacts()
    scorer = Scorer(scenario)
    # Both ways the collector scores an answer: at once on a first attempt (constants), and the general one.
    answered = contacts[contacts["outcome"] == "answered"]
    assert ((answered["wait_seconds"] == 0) & (answered["attempt"] == 0) & answered["ai_wait_seconds"].isna()).any()
    assert ((answered["wait_seconds"] > 0) | (answered["attempt"] > 0) | answered["ai_wait_seconds"].notna()).any()
    for row in contacts.itertuples():
        if row.outcome in ("answered", "contained"):
            waited = np.nan_to_num(row.wait_seconds) + np.nan_to_num(row.ai_wait_seconds)
            expected = scorer.handled(row.handler_kind, row.handler, waited, row.escalated, row.resolved, row.attempt)
        else:
            expected = {"abandoned": 25.0, "ai_abandoned": 35.0}.get(row.outcome, np.nan)
        assert row.csat == pytest.approx(expected, nan_ok=True), row
    totals = result.counters.intervals
    assert totals["csat_count"].sum() == contacts["csat"].notna().sum()
    assert totals["csat_sum"].sum() == pytest.approx(contacts["csat"].sum())
    assert totals["loyal"].sum() == (contacts["csat"] >= scorer.loyal_at_least).sum()
    assert totals["lost"].sum() == (contacts["csat"] < scorer.lost_below).sum()
    assert totals["answered"].sum() == len(answered)
    assert totals["answered_resolved"].sum() == answered["resolved"].sum()
    within = answered["wait_seconds"] <= scenario.service_level.threshold_seconds
    assert totals["answered_within_threshold"].sum() == within.sum()
    assert result.counters.answered_waits[0] == (answered["wait_seconds"] <= 0).sum()


@pytest.mark.parametrize("model,expected", [("per_contact", "contacts"), ("per_minute", "minutes"),
                                            ("per_seat_hour", "seat_hours")])
def test_vendor_price_models_and_monthly_minimum(model, expected):
    vendor = VENDOR | {"seats": 4, "price": {"model": model, "rate": 2.0}}
    scenario = with_channels(vendors=[vendor], routing=[{"to": "bpo", "contact_types": ["billing"]}], days=3)
    result = simulate(scenario, seed=1)
    handled = result.measured_contacts().query("handler == 'bpo' and outcome == 'answered'")
    quantity = {"contacts": len(handled),
                "minutes": (handled["handle_time"].sum() + handled["after_call_work"].sum()) / 60,
                "seat_hours": 4 * 24 * 3}[expected]
    assert cost_breakdown(result, scenario)["vendors"] == pytest.approx(2.0 * quantity)
    minimum = VENDOR | {"seats": 4, "price": {"model": model, "rate": 2.0, "monthly_minimum": 3_000_000}}
    scenario = with_channels(vendors=[minimum], routing=[{"to": "bpo", "contact_types": ["billing"]}], days=3)
    assert cost_breakdown(simulate(scenario, seed=1), scenario)["vendors"] == pytest.approx(3_000_000 * 3 / 30)


def test_ai_cost_by_hand():
    ai = AI | {"cost_per_session": 0.5, "cost_per_minute": 0.1, "fixed_cost_per_day": 200}
    scenario = with_channels(ai=ai, days=2)
    result = simulate(scenario, seed=3)
    sessions = result.measured_contacts()["ai_session_seconds"].dropna()
    expected = 0.5 * len(sessions) + 0.1 * sessions.sum() / 60 + 200 * 2
    assert cost_breakdown(result, scenario)["ai"] == pytest.approx(expected)
    kpis = cost_kpis(result, scenario, 100)
    assert kpis["ai_cost"] == pytest.approx(expected)
