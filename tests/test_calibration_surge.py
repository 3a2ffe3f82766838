"""Surge rule from a log: recovered from our own simulator's output with a known rule, none without one,
and the ``--surge`` options of ``ccsim calibrate`` and ``ccsim backtest``."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from analysis.calibration import ANONYMOUS_BANK_DAY_TYPES, write_contact_log
from analysis.calibration.backtest import backtest_scenario
from analysis.calibration.sim_log import generic_log, simulated_contacts
from analysis.calibration.surge import estimate_surge, queue_at_answer
from analysis.cli import main
from sim.config import load_scenario, parse_scenario
from sim.run import simulate

START = date(2024, 3, 4)  # a Monday


def _busy_center(surge: dict | None, days: int = 5) -> dict:
    """10 agents scheduled, 7 on the phones (shrinkage 0.3), loaded near capacity so queues build daily."""
    data = {
        "name": "surge",
        "horizon": {"days": days, "interval_minutes": 60, "open": "08:00", "close": "18:00",
                    "start_weekday": "monday"},
        "demand": {"volume": [100.0] * 10},
        "contact_types": [{"name": "calls", "share": 1.0,
                           "handle_time": {"dist": "lognormal", "mean": 240, "sd": 150, "unit": "s"},
                           "patience": {"dist": "exponential", "mean": 300, "unit": "s"}}],
        "agent_groups": [{"name": "team", "skills": ["calls"], "headcount": [10] * 10, "shrinkage": 0.3}],
    }
    if surge is not None:
        data["agent_groups"][0]["surge"] = surge
    return data


def _simulated_log(surge: dict | None, seed: int = 5) -> pd.DataFrame:
    result = simulate(parse_scenario(_busy_center(surge)), seed=seed)
    return simulated_contacts(result.contacts, START).contacts


@pytest.mark.parametrize("rule", [{"queue_above": 3, "max_agents": 2}, {"queue_above": 1, "max_agents": 3},
                                  {"queue_above": 6, "max_agents": 1}])
def test_known_rule_is_recovered(rule):
    estimate = estimate_surge(_simulated_log(rule))
    assert estimate.found
    assert estimate.as_spec() == rule


def test_no_rule_without_surge():
    estimate = estimate_surge(_simulated_log(None))
    assert not estimate.found and estimate.as_spec() is None
    assert estimate.spells > 0 and estimate.surge_spells < 20
    assert "no surge rule" in estimate.note


def test_queue_at_answer_counts_the_waiting_callers():
    # Two callers queue at 100 s and 110 s; the first is answered at 120 s (2 waiting, itself included),
    # the second at 150 s (1 waiting); a third is answered at once at 200 s with nobody waiting.
    day = pd.Timestamp("2024-03-04")
    contacts = pd.DataFrame({
        "date": [day] * 3, "outcome": ["answered"] * 3, "agent_id": ["a", "b", "a"],
        "queued": [True, True, False], "queue_entry_seconds": [100.0, 110.0, float("nan")],
        "queue_exit_seconds": [120.0, 150.0, float("nan")], "answer_seconds": [120.0, 150.0, 200.0],
        "end_seconds": [180.0, 200.0, 260.0]})
    answers = queue_at_answer(contacts).sort_values("answer_seconds")
    assert answers["queue"].tolist() == [2, 1, 0]


@pytest.fixture(scope="module")
def surge_log(tmp_path_factory):
    path = tmp_path_factory.mktemp("surge") / "log.csv"
    write_contact_log(generic_log(_simulated_log({"queue_above": 3, "max_agents": 2})), path)
    return path


def test_calibrate_writes_the_estimated_rule_and_can_turn_it_off(surge_log, capsys):
    auto = surge_log.parent / "auto.toml"
    assert main(["calibrate", str(surge_log), "--out", str(auto), "--interval", "60",
                 "--availability", "shrinkage"]) == 0
    group = load_scenario(auto).agent_groups[0]
    assert group.surge is not None
    assert (group.surge.queue_above, group.surge.max_agents) == (3, 2)
    assert "# surge: queue_above 3, max_agents 2, estimated from" in auto.read_text()
    off = surge_log.parent / "off.toml"
    assert main(["calibrate", str(surge_log), "--out", str(off), "--interval", "60", "--surge", "off",
                 "--availability", "shrinkage"]) == 0
    assert load_scenario(off).agent_groups[0].surge is None
    assert "surge: none (turned off" in off.read_text()
    capsys.readouterr()


def test_backtest_can_drop_the_rule():
    scenario = parse_scenario(_busy_center({"queue_above": 3, "max_agents": 2}, days=1))
    contacts = _simulated_log(None)
    kept = backtest_scenario(scenario, contacts, ANONYMOUS_BANK_DAY_TYPES)
    dropped = backtest_scenario(scenario, contacts, ANONYMOUS_BANK_DAY_TYPES, surge=False)
    assert kept.scenario.agent_groups[0].surge is not None
    assert dropped.scenario.agent_groups[0].surge is None
