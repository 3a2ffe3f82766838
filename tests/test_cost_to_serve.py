"""Cost to serve: every cost assigned to the contacts that caused it, by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.metrics.cost_to_serve import UNALLOCATED, RunCosts, cost_to_serve, segment_profit
from sim.config import parse_scenario

from .conftest import small_data

AI = {"capacity": 5, "session_time": {"dist": "exponential", "mean": 2, "unit": "min"}, "cost_per_session": 0.5,
      "cost_per_minute": 0.1, "contact_types": {"billing": {"containment": 0.3, "escalation": 0.6}}}
VENDOR = {"name": "bpo", "skills": ["tech"], "seats": 2, "price": {"model": "per_contact", "rate": 3.0}}
SEGMENTS = [{"name": "standard", "share": 0.8}, {"name": "vip", "share": 0.2}]


def usage_rows():
    rows = [("billing", "standard", "inhouse", "front", 10, 3000), ("billing", "vip", "inhouse", "front", 5, 3000),
            ("tech", "standard", "inhouse", "back", 4, 2400), ("tech", "standard", "vendor", "bpo", 6, 3600),
            ("tech", "vip", "vendor", "bpo", 2, 600), ("billing", "standard", "ai", "ai", 8, 960)]
    return pd.DataFrame(rows, columns=["contact_type", "segment", "channel", "handler", "contacts", "seconds"])


def offered():
    rows = [("billing", "standard", 20), ("billing", "vip", 5), ("tech", "standard", 10), ("tech", "vip", 5)]
    return pd.DataFrame(rows, columns=["contact_type", "segment", "contacts"])


def test_costs_are_assigned_by_their_drivers_and_add_up():
    scenario = parse_scenario(small_data(segments=SEGMENTS, ai=AI, vendors=[VENDOR]))
    costs = RunCosts(group_labor={"front": 600.0, "back": 200.0}, vendors={"bpo": 24.0}, ai=10.0, fixed=400.0)
    table = cost_to_serve(usage_rows(), offered(), costs, scenario).set_index(["contact_type", "segment", "channel"])
    assert table["cost"].sum() == pytest.approx(600 + 200 + 24 + 10 + 400)
    assert table.loc[("billing", "standard", "inhouse"), "cost"] == pytest.approx(300)  # half of front's minutes
    assert table.loc[("tech", "standard", "inhouse"), "cost"] == pytest.approx(200)
    assert table.loc[("tech", "standard", "vendor"), "cost"] == pytest.approx(24 * 6 / 8)  # per contact
    # AI: 8 sessions x 0.5 + 16 minutes x 0.1 = 5.6, the platform's 4.4 by sessions (all billing/standard)
    assert table.loc[("billing", "standard", "ai"), "cost"] == pytest.approx(10)
    assert table.loc[("billing", "vip", "fixed"), "cost"] == pytest.approx(400 * 5 / 40)  # by contacts offered
    assert table.loc[("billing", "standard", "inhouse"), "minutes"] == 50


def test_fixed_cost_by_minutes_and_unused_capacity_unallocated():
    costs = {"fixed_per_day": 100, "fixed_cost_driver": "minutes"}
    scenario = parse_scenario(small_data(segments=SEGMENTS, costs=costs))
    usage = usage_rows()
    usage = usage[usage["channel"] == "inhouse"]
    costs = RunCosts(group_labor={"front": 600.0, "back": 200.0, "idle": 50.0}, vendors={}, ai=0.0, fixed=840.0)
    table = cost_to_serve(usage, offered(), costs, scenario).set_index(["contact_type", "segment", "channel"])
    assert table.loc[("tech", "standard", "fixed"), "cost"] == pytest.approx(840 * 2400 / 8400)
    assert table.loc[(UNALLOCATED, UNALLOCATED, "inhouse"), "cost"] == 50
    assert table["cost"].sum() == pytest.approx(600 + 200 + 50 + 840)


def test_a_vendor_that_handled_nothing_is_unallocated_under_the_vendor_channel():
    scenario = parse_scenario(small_data(segments=SEGMENTS, vendors=[VENDOR]))
    usage = usage_rows()
    usage = usage[usage["channel"] == "inhouse"]
    costs = RunCosts(group_labor={"front": 600.0, "back": 200.0}, vendors={"bpo": 70.0}, ai=0.0, fixed=0.0)
    table = cost_to_serve(usage, offered(), costs, scenario).set_index(["contact_type", "segment", "channel"])
    assert table.loc[(UNALLOCATED, UNALLOCATED, "vendor"), "cost"] == 70
    assert table["cost"].sum() == pytest.approx(870)


def test_segment_profit_by_hand():
    value = {"days_per_year": 250, "segments": {"standard": {"customers": 1000, "revenue_per_customer_year": 50},
                                                "vip": {"customers": 100, "revenue_per_customer_year": 500}}}
    scenario = parse_scenario(small_data(segments=SEGMENTS, value=value))
    table = pd.DataFrame([("billing", "standard", "inhouse", 10, 50, 300.0),
                          ("billing", "vip", "inhouse", 5, 50, 300.0),
                          (UNALLOCATED, UNALLOCATED, "inhouse", 0, 0, 99.0)],
                         columns=["contact_type", "segment", "channel", "contacts", "minutes", "cost"])
    profit = segment_profit(table, offered(), scenario, days=5).set_index("segment")
    assert profit.loc["standard", "revenue"] == pytest.approx(1000 * 50 * 5 / 250)
    assert profit.loc["vip", "profit"] == pytest.approx(100 * 500 * 5 / 250 - 300)
    assert profit.loc["vip", "cost_per_contact"] == pytest.approx(300 / 10)


def test_collector_counts_handled_contacts_per_handler_type_and_segment():
    from sim.run import simulate

    scenario = parse_scenario(small_data(segments=SEGMENTS, vendors=[VENDOR],
                                         routing=[{"to": "bpo", "contact_types": ["tech"], "share": 0.5}]))
    result = simulate(scenario, seed=3, records=True)
    counters = result.counters
    contacts = result.measured_contacts()
    answered = contacts[contacts["outcome"] == "answered"]
    for h, handler in enumerate(counters.handler_names):
        for t, kind in enumerate(counters.type_names):
            for s, segment in enumerate(counters.segment_names):
                own = answered[(answered["handler"] == handler) & (answered["contact_type"] == kind)
                               & (answered["segment"] == segment)]
                assert counters.handled[h, t, s, 0] == len(own)
                seconds = (own["handle_time"] + own["after_call_work"].fillna(0)).sum()
                assert counters.handled[h, t, s, 1] == pytest.approx(seconds)
    assert counters.handled[..., 0].sum() == counters.total("answered")
    assert counters.handled[counters.handler_names.index("bpo"), ..., 1].sum() == pytest.approx(
        counters.by_handler["bpo"]["handle_seconds"])


def test_run_writes_cost_to_serve_that_adds_up_to_the_total_cost(tmp_path):
    from analysis.outputs.results import write_results
    from analysis.runs.experiment import run_experiment

    value = {"customers": 2000, "revenue_per_customer_year": 60, "days_per_year": 250}
    scenario = parse_scenario(small_data(segments=SEGMENTS, vendors=[VENDOR], value=value,
                                         routing=[{"to": "bpo", "contact_types": ["tech"], "share": 0.5}],
                                         costs={"fixed_per_day": 300}))
    result = run_experiment(scenario, replications=2, seed=1, workers=1, show_progress=False)
    written = {path.name for path in write_results(result, tmp_path)}
    assert {"cost_to_serve.csv", "segment_profit.csv", "cost_to_serve.png"} <= written
    table = pd.read_csv(tmp_path / "cost_to_serve.csv")
    total = result.kpi_table()["total_cost"].mean()
    assert table["cost"].sum() == pytest.approx(total)
    assert set(table["channel"]) == {"inhouse", "vendor", "fixed"}
    profit = pd.read_csv(tmp_path / "segment_profit.csv").set_index("segment")
    assert profit.loc["standard", "revenue"] == pytest.approx(2000 * 0.8 * 60 * 1 / 250)
    assert profit["cost_to_serve"].sum() == pytest.approx(total)


def test_omnichannel_cost_to_serve_adds_up_with_platform_costs_and_sessions():
    from analysis.metrics.cost_to_serve import run_cost_to_serve
    from analysis.metrics.costs import cost_breakdown
    from sim.config import apply_overrides, load_scenario
    from sim.run import simulate

    from .conftest import SCENARIOS

    scenario = apply_overrides(load_scenario(SCENARIOS / "omnichannel.toml"), {"horizon.days": 1})
    result = simulate(scenario, seed=2, records=False)
    table = run_cost_to_serve(result, scenario)
    assert table["cost"].sum() == pytest.approx(sum(cost_breakdown(result, scenario).values()))
    counters = result.counters
    assert counters.handled[..., 0].sum() == counters.total("answered")
    assert counters.handled[..., 1].sum() == pytest.approx(counters.total("handle_seconds"))
    assert set(table["contact_channel"]) - {UNALLOCATED} == set(scenario.type_channels())
