"""Over-automation as an effect: containment above what the AI can resolve, claimed containment, complaints."""

from __future__ import annotations

import numpy as np
import pytest

from analysis.metrics.kpis import channel_kpis, compute_kpis
from sim.config import parse_scenario
from sim.config.economics import Complaints
from sim.run import simulate

from .conftest import small_data
from .test_engine import run_with, scenario_with

HANDS = [{"name": "team", "skills": ["calls"], "headcount": [5] * 24}]
COMPLAINTS = {"base": 0.1, "unresolved": 0.2, "false_containment": 0.5, "frustrated_escalation": 0.3,
              "long_wait": 0.4, "long_wait_seconds": 600, "abandoned": 0.25, "repeat": 0.1}


def over_reaching(false_share: float, automatable: float = 0.5):
    scenario = scenario_with(HANDS)
    data = scenario.model_dump(mode="json", exclude_none=True)
    data["ai"] = {"capacity": 10, "session_time": {"dist": "deterministic", "value": 30, "unit": "s"},
                  "contact_types": {"calls": {"containment": 0.8, "escalation": 0.2,
                                              "automatable_share": automatable,
                                              "excess_false_share": false_share}}}
    data["repeat_contacts"] = {"max_repeats": 0}   # unresolved customers do not come back here
    data["complaints"] = COMPLAINTS
    return parse_scenario(data)


# Outcome draws 0.1 and 0.3 fall below the automatable share (0.5): genuinely contained; 0.6 and 0.7 in the
# excess up to the containment asked (0.8); 0.9 is an ordinary escalation.
ARRIVALS = [(time, 0, 0, 60, np.inf, 30, draw) for time, draw in zip((0, 100, 200, 300, 400),
                                                                    (0.1, 0.3, 0.6, 0.7, 0.9))]


def run_kpis(scenario):
    engine, table = run_with(scenario, ARRIVALS)
    counters = engine.collector.counters([pool.kind for pool in engine.pools])
    totals = {name: float(values.sum()) for name, values in counters.intervals.items()}
    return channel_kpis(totals), table, totals


def test_excess_falsely_contained_by_hand():
    kpis, table, totals = run_kpis(over_reaching(false_share=1.0))
    assert list(table["outcome"]) == ["contained"] * 4 + ["answered"]
    assert list(table["resolved"]) == [True, True, False, False, True]
    assert kpis["claimed_containment_rate"] == pytest.approx(4 / 5)   # what the AI reports
    assert kpis["automation_rate"] == pytest.approx(2 / 5)            # what it resolved
    # Complaint chances: resolved contacts 0.1; falsely contained 1 - 0.9 x 0.5 = 0.55.
    assert totals["complaints"] == pytest.approx(2 * 0.1 + 2 * 0.55 + 0.1)
    assert kpis["complaint_rate"] == pytest.approx(1.4 / 5)


def test_excess_escalated_in_frustration_by_hand():
    scenario = over_reaching(false_share=0.0)
    kpis, table, totals = run_kpis(scenario)
    assert list(table["outcome"]) == ["contained", "contained", "answered", "answered", "answered"]
    assert list(table["escalated"]) == [False, False, True, True, True]
    assert kpis["claimed_containment_rate"] == pytest.approx(2 / 5) == kpis["automation_rate"]
    assert totals["frustrated_escalations"] == 2
    # Frustrated escalations, answered and resolved at once: 1 - 0.9 x 0.7 = 0.37.
    assert totals["complaints"] == pytest.approx(2 * 0.1 + 2 * 0.37 + 0.1)
    # Satisfaction: the frustrated pay the escalation (8) and the frustration (10) penalties on top.
    model = scenario.satisfaction
    expected = 2 * model.ai + 2 * (model.inhouse - 8 - 10) + (model.inhouse - 8)
    assert totals["csat_sum"] == pytest.approx(expected)


def test_complaint_chance_combines_independent_causes():
    model = Complaints(**COMPLAINTS)
    assert model.chance(False, False, False, 0, False, 0) == pytest.approx(0.1)
    assert model.chance(True, False, False, 600, False, 2) == pytest.approx(1 - 0.9 * 0.8 * 0.6 * 0.9 ** 2)
    assert model.chance(False, False, True, 0, True, 0) == pytest.approx(1 - 0.9 * 0.7 * 0.75)


def test_automatable_share_at_or_above_containment_is_todays_model():
    ai = {"capacity": 1000, "session_time": {"dist": "exponential", "mean": 2, "unit": "min"},
          "contact_types": {"billing": {"containment": 0.6, "escalation": 0.3, "false_containment": 0.1}}}
    results = []
    for share in (None, 0.6, 1.0):
        data = small_data(ai=ai)
        data["ai"]["contact_types"]["billing"] = dict(ai["contact_types"]["billing"])
        if share is not None:
            data["ai"]["contact_types"]["billing"]["automatable_share"] = share
        scenario = parse_scenario(data)
        result = simulate(scenario, seed=3, records=True)
        results.append((compute_kpis(result, scenario), result.contacts))
    for kpis, contacts in results[1:]:
        assert kpis == results[0][0]
        assert contacts.equals(results[0][1])
    assert results[0][0]["claimed_containment_rate"] > results[0][0]["automation_rate"] > 0


def test_over_reach_follows_the_stated_curve():
    """Per AI session: falsely contained (c - a) f + a x false_containment, frustrated (c - a)(1 - f)."""
    ai = {"capacity": 100_000, "session_time": {"dist": "exponential", "mean": 1, "unit": "min"},
          "contact_types": {"billing": {"containment": 0.7, "escalation": 0.3, "automatable_share": 0.4,
                                        "excess_false_share": 0.6, "false_containment": 0.05}}}
    data = small_data(ai=ai, demand={"volume": [3000, 3000, 3000, 3000]}, repeat_contacts={"max_repeats": 0})
    scenario = parse_scenario(data)
    totals = simulate(scenario, seed=7).counters.intervals
    sessions = totals["ai_sessions"].sum()
    shares = {"contained": totals["ai_contained"].sum() / sessions,
              "resolved": totals["ai_resolved"].sum() / sessions,
              "frustrated": totals["frustrated_escalations"].sum() / sessions}
    expected = {"contained": 0.4 + 0.3 * 0.6, "resolved": 0.4 * 0.95, "frustrated": 0.3 * 0.4}
    for name, share in expected.items():
        tolerance = 4 * np.sqrt(share * (1 - share) / sessions)   # 4 standard errors of a binomial share
        assert abs(shares[name] - share) < tolerance, (name, shares[name], share)


def test_an_issue_the_ai_over_reached_on_is_never_genuinely_resolved_by_it_later():
    scenario = over_reaching(false_share=1.0)
    data = scenario.model_dump(mode="json", exclude_none=True)
    data["repeat_contacts"] = {"max_repeats": 2, "delay": {"dist": "deterministic", "value": 60, "unit": "s"}}
    scenario = parse_scenario(data)
    rows = [(100.0 * k, 0, 0, 60, np.inf, 30, 0.55 + 0.01 * (k % 20)) for k in range(40)]   # all over-reach
    engine, table = run_with(scenario, rows)
    repeats = table[table["origin"] == "repeat"]
    assert len(repeats) > 20   # every first attempt was falsely contained and came back
    genuinely = repeats[(repeats["outcome"] == "contained") & repeats["resolved"]]
    assert genuinely.empty
