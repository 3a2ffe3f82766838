"""Agent activity, the availability estimator and agent pools: hand-made logs, and the simulator's own logs
with a known availability model (round trip)."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from analysis.calibration.agent_activity import ActivitySettings, agent_activity
from analysis.calibration.agent_pools import detect_pools
from analysis.calibration.availability_fit import fit_availability
from analysis.calibration.sim_log import simulated_contacts
from analysis.calibration.talking_curve import share_talking, talking_by_queue
from analysis.calibration.timelines import StepFunction
from sim.config import parse_scenario
from sim.run import simulate

START = date(2024, 1, 1)


def test_step_function_integrals_are_exact():
    queue = StepFunction.from_spans(np.array([0.0, 5.0, 20.0]), np.array([10.0, 15.0, 30.0]))
    # 1 on [0,5), 2 on [5,10), 1 on [10,15), 0 on [15,20), 1 on [20,30)
    assert queue.at(np.array([-1.0, 0.0, 7.0, 17.0, 30.0])).tolist() == [0, 1, 2, 0, 0]
    assert queue.integral(np.array([0.0]), np.array([30.0]))[0] == pytest.approx(5 + 10 + 5 + 10)
    assert queue.time_at_least(2, np.array([0.0]), np.array([30.0]))[0] == pytest.approx(5.0)
    assert queue.time_at_least(1, np.array([12.0]), np.array([22.0]))[0] == pytest.approx(3 + 2)
    # Last moment up to which someone waited, inside (start, end]: held at the end, an earlier stretch, or none.
    last = queue.last_at_least(1, np.array([0.0, 12.0, 16.0]), np.array([8.0, 18.0, 19.0]))
    assert last.tolist() == [8.0, 15.0, 16.0]


def _log(rows: list[tuple]) -> pd.DataFrame:
    """Canonical rows: (agent, arrival, queue entry, answer, end) in seconds of 1 January; None = not queued."""
    records = []
    for index, (agent, arrival, entry, answer, end) in enumerate(rows):
        queued = entry is not None
        records.append({"source_line": index + 2, "date": pd.Timestamp(START), "weekday": "monday",
                        "contact_type": "A", "segment": "standard", "outcome": "answered", "agent_id": agent,
                        "arrival_seconds": arrival, "queue_entry_seconds": entry if queued else np.nan,
                        "queue_exit_seconds": answer if queued else np.nan, "answer_seconds": answer,
                        "end_seconds": end, "queued": queued, "wait_seconds": answer - entry if queued else 0.0,
                        "handle_seconds": end - answer, "bot_seconds": np.nan})
    return pd.DataFrame(records)


def test_duty_spans_bridge_idle_gaps_and_split_where_callers_waited():
    hour = 3600.0
    contacts = _log([
        ("ann", 8 * hour, None, 8 * hour, 8 * hour + 100),
        # ann idle for two hours with nobody waiting: still on duty
        ("ann", 10 * hour, None, 10 * hour, 10 * hour + 100),
        # a caller waits 20 min while ann is gone for 90 min: a break, the span ends
        ("bob", 11 * hour, 11 * hour, 11 * hour + 1200, 11 * hour + 1300),
        ("ann", 11.6 * hour, None, 11.6 * hour, 11.6 * hour + 100),
    ])
    activity = agent_activity(contacts, settings=ActivitySettings(off_duty_gap_minutes=60))
    ann = activity.spans.loc[activity.spans["agent_id"] == "ann"].sort_values("start")
    assert ann[["start", "end"]].to_numpy().tolist() == [[8 * hour, 10 * hour + 100],
                                                         [11.6 * hour, 11.6 * hour + 100]]
    per_interval = activity.on_duty_per_interval(3600, [START]).set_index("interval_start_seconds")
    assert per_interval.loc[9 * 3600, "agents_on_duty"] == pytest.approx(1.0)  # idle all hour, counted
    assert per_interval.loc[10 * 3600, "agents_on_duty"] == pytest.approx(100 / 3600)


AFTER_CONTACT = [0.5, 0.3, 0.15]


def _center(recall: dict | None) -> dict:
    availability = {"step_away_after_contact": AFTER_CONTACT,
                    "away_time": {"dist": "exponential", "mean": 3, "unit": "min"}}
    if recall:
        availability["recall"] = recall
    return {"name": "steps", "horizon": {"days": 4, "interval_minutes": 60, "open": "08:00", "close": "18:00",
                                         "start_weekday": "monday"},
            "demand": {"volume": [120.0] * 10},
            "contact_types": [{"name": "calls", "share": 1.0,
                               "handle_time": {"dist": "exponential", "mean": 180, "unit": "s"},
                               "patience": {"dist": "exponential", "mean": 600, "unit": "s"}}],
            "agent_groups": [{"name": "agents", "skills": ["calls"], "headcount": [9] * 10,
                              "availability": availability}]}


def _simulated(recall: dict | None, seed: int = 3):
    result = simulate(parse_scenario(_center(recall)), seed=seed, probe_seconds=30)
    return simulated_contacts(result.contacts, START).contacts, result.snapshots


def test_known_availability_is_recovered_from_the_simulators_log():
    contacts, _ = _simulated(None)
    fit = fit_availability(agent_activity(contacts, settings=ActivitySettings(connect_seconds=1.0)), "agents")
    assert fit.usable and fit.away.spells > 300
    # While callers wait the outcome of each call end is seen, so these are recovered within sampling error
    # (a few hundred call ends per level).
    assert fit.probabilities[1] == pytest.approx(AFTER_CONTACT[1], abs=0.05)
    assert fit.probabilities[2] == pytest.approx(AFTER_CONTACT[2], abs=0.04)
    assert fit.probabilities[-1] == pytest.approx(AFTER_CONTACT[-1], abs=0.04)
    # With nobody waiting the step is seen only when callers later wait for the absent agent: the estimate
    # runs low (0.41-0.43 for 0.5 over seeds; README), hence the wider margin.
    assert AFTER_CONTACT[0] - 0.15 < fit.probabilities[0] <= AFTER_CONTACT[0] + 0.05
    assert fit.away_mean_seconds == pytest.approx(180, rel=0.2)
    assert fit.away.recall_queue is None  # nothing in the model brings agents back on the queue
    # The chance of stepping away does not grow with the call's length here, and the table shows it.
    shares = fit.step_away_by_call_length.loc[fit.step_away_by_call_length["calls"] >= 100, "share"]
    assert shares.max() - shares.min() < 0.12


def test_queue_responsive_return_is_detected():
    contacts, _ = _simulated({"queue_at_least": 3, "rate_per_minute": 2.0})
    fit = fit_availability(agent_activity(contacts, settings=ActivitySettings(connect_seconds=1.0)), "agents")
    assert fit.away.recall_queue is not None and 2 <= fit.away.recall_queue <= 4
    assert fit.away.recall_rate * 60 == pytest.approx(2.0, rel=0.5)


def test_clock_time_spells_show_as_a_step_away_share_growing_with_call_length():
    data = _center(None)
    data["agent_groups"][0]["availability"] = {"available_time": {"dist": "exponential", "mean": 10, "unit": "min"},
                                              "away_time": {"dist": "exponential", "mean": 3, "unit": "min"}}
    result = simulate(parse_scenario(data), seed=3)
    contacts = simulated_contacts(result.contacts, START).contacts
    fit = fit_availability(agent_activity(contacts, settings=ActivitySettings(connect_seconds=1.0)), "agents")
    table = fit.step_away_by_call_length.set_index("call_seconds")
    # P(spell ends during a call of length s) = 1 - exp(-s / 600): about 5% under 60 s, over 40% beyond 300 s.
    assert table.loc["0-30", "share"] < 0.1 and table.loc["300-600", "share"] > 0.3


def test_share_talking_rises_with_the_queue_and_matches_the_engines_state():
    contacts, snapshots = _simulated({"queue_at_least": 2, "rate_per_minute": 1.0})
    curve = talking_by_queue(agent_activity(contacts, settings=ActivitySettings(connect_seconds=1.0)))
    share = share_talking(curve)
    assert share[0] < share[1] < share[4]
    # The estimate counts agents only between their first and last calls; the engine's probes see all of them.
    groups = snapshots.loc[(snapshots["kind"] == "group") & (snapshots["on_duty"] + snapshots["away"] > 0)]
    waiting = snapshots.loc[snapshots["kind"] == "queue"].groupby("time")["waiting"].sum()
    groups = groups.assign(waiting=groups["time"].map(waiting).fillna(0))
    busy = groups.loc[groups["waiting"] >= 1]
    engine_share = busy["busy"].sum() / (busy["on_duty"] + busy["away"]).sum()
    estimated = (curve.loc[1:, "talking_seconds"].sum() / curve.loc[1:, "on_duty_seconds"].sum())
    assert estimated == pytest.approx(engine_share, abs=0.05)


def test_specialists_form_their_own_pool():
    rows = []
    for index in range(60):
        rows.append(("web1", 0.0, None, 100.0 * index, 100.0 * index + 50))
        rows.append(("gen1", 0.0, None, 100.0 * index, 100.0 * index + 50))
    contacts = _log(rows)
    contacts.loc[contacts["agent_id"] == "web1", "contact_type"] = "IN"
    contacts.loc[(contacts["agent_id"] == "gen1") & (contacts.index % 4 == 1), "contact_type"] = "IN"
    pools = detect_pools(contacts)
    assert pools.agent_pool == {"gen1": "agents", "web1": "team_IN"}
    assert pools.skills["team_IN"] == {"IN": 1}
    assert pools.skills["agents"] == {"A": 1, "IN": 2}  # the general pool backs the internet team up
