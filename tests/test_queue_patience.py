"""Callers who find a long queue give up sooner (``patience_by_queue``): the engine against a closed form, the
scenario checks, and the calibration estimator on the simulator's own log (round trip)."""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pytest

from analysis.calibration.patience import fit_patience
from analysis.calibration.patience_queue import baseline_and_queue_fit, callers_ahead
from analysis.calibration.sim_log import simulated_contacts
from sim.config import ScenarioError, parse_scenario
from sim.run import simulate

START = date(2024, 1, 1)
PATIENCE_MEAN = 120.0


def _center(agents: int, rule: dict | None, calls_per_hour: float = 60.0, days: int = 5) -> dict:
    calls = {"name": "calls", "share": 1.0, "handle_time": {"dist": "exponential", "mean": 180, "unit": "s"},
             "patience": {"dist": "exponential", "mean": PATIENCE_MEAN, "unit": "s"}}
    if rule is not None:
        calls["patience_by_queue"] = rule
    return {"name": "queue-patience", "horizon": {"days": days, "interval_minutes": 60, "open": "08:00",
                                                  "close": "18:00", "start_weekday": "monday"},
            "demand": {"volume": [calls_per_hour] * 10},
            "contact_types": [calls],
            "agent_groups": [{"name": "agents", "skills": ["calls"], "headcount": [agents] * 10}]}


def _log(data: dict, seed: int = 1):
    result = simulate(parse_scenario(data), seed=seed)
    return simulated_contacts(result.contacts, START).contacts


def _mean_wait(patience_rate: float, extra_rate: float, within: float) -> float:
    """E[min(patience, extra clock)] with exponential patience and an extra rate only before ``within``."""
    total = patience_rate + extra_rate
    return (1.0 - math.exp(-total * within)) / total + math.exp(-total * within) / patience_rate


def test_waits_with_nobody_to_answer_follow_the_closed_form():
    # No agents: every caller waits until it hangs up, so its wait is exactly the time it is willing to wait,
    # min(patience, extra clock if it rings within 60 s), whose mean has a closed form per queue found.
    rates = [0.0, 0.5, 2.0]  # per minute, for 0, 1 and 2+ callers ahead
    contacts = _log(_center(0, {"within_seconds": 60, "extra_rate_per_minute": rates}))
    ahead = callers_ahead(contacts).to_numpy()
    waits = contacts.loc[callers_ahead(contacts).index, "wait_seconds"].to_numpy(dtype=float)
    assert (contacts["outcome"] == "abandoned").all()
    for group, rate in ((ahead == 0, 0.0), (ahead == 1, 0.5), (ahead >= 2, 2.0)):
        expected = _mean_wait(1.0 / PATIENCE_MEAN, rate / 60.0, 60.0)
        sample = waits[group]
        assert len(sample) > 300
        assert sample.mean() == pytest.approx(expected, abs=4.0 * sample.std(ddof=1) / math.sqrt(len(sample)))
    # The extra clock only rings in the first minute: past it the hazard is the patience's alone.
    late = waits[(ahead >= 2) & (waits > 60.0)] - 60.0
    assert late.mean() == pytest.approx(PATIENCE_MEAN, abs=4.0 * late.std(ddof=1) / math.sqrt(len(late)))


def test_the_rule_only_shortens_patience_and_uses_its_own_stream():
    plain = simulate(parse_scenario(_center(6, None)), seed=2)
    ruled = simulate(parse_scenario(_center(6, {"within_seconds": 60, "extra_rate_per_minute": [0.0]})), seed=2)
    # A rule of zero rates draws nothing and changes nothing, down to each contact.
    assert plain.contacts["wait_seconds"].equals(ruled.contacts["wait_seconds"])
    faster = simulate(parse_scenario(_center(6, {"within_seconds": 60, "extra_rate_per_minute": [0.0, 1.0]})),
                      seed=2)
    assert (faster.contacts["outcome"] == "abandoned").mean() > (plain.contacts["outcome"] == "abandoned").mean()


def test_rule_is_checked_with_the_field_path():
    data = _center(3, {"within_seconds": 60, "extra_rate_per_minute": [0.0, -0.1]})
    with pytest.raises(ScenarioError, match="patience_by_queue.extra_rate_per_minute"):
        parse_scenario(data)
    data = _center(3, {"within_seconds": 60, "extra_rate_per_minute": [0.1]})
    data["contact_types"][0]["channel"] = "chat"
    with pytest.raises(ScenarioError, match="patience_by_queue: applies to calls in a queue"):
        parse_scenario(data)


def _fit(contacts):
    estimates = fit_patience(contacts)
    return baseline_and_queue_fit(contacts, estimates, fit_patience)


def test_known_rule_is_recovered_from_the_simulators_log():
    rule = {"within_seconds": 60, "extra_rate_per_minute": [0.0, 0.0, 0.0, 0.6]}  # 3 or more ahead
    contacts = _log(_center(5, rule, calls_per_hour=100.0, days=10), seed=4)
    baseline, fit = _fit(contacts)
    assert fit.significant and fit.within_seconds == 60 and fit.reference == 3
    table = fit.table.set_index("callers_ahead")
    assert table.loc["0", "extra_rate_per_minute"] < 0.05
    assert table.loc["1-2", "extra_rate_per_minute"] < 0.05
    # 3 or more ahead (the top group is joined with the one below when it expects under 5 hang-ups):
    # within sampling error (0.58-0.70 over seeds for 0.6, a standard error 0.03-0.04).
    for _, row in table.loc[table["first"] >= 3].iterrows():
        assert row["extra_rate_per_minute"] == pytest.approx(0.6, abs=max(0.12, 4 * row["standard_error"]))
    assert baseline["calls"].best.mean() == pytest.approx(PATIENCE_MEAN, rel=0.15)


def test_no_rule_is_written_where_the_log_shows_none():
    contacts = _log(_center(5, None, calls_per_hour=100.0, days=10), seed=4)
    estimates = fit_patience(contacts)
    patience, fit = baseline_and_queue_fit(contacts, estimates, fit_patience)
    assert not fit.significant
    assert patience is estimates  # the patience fitted on every caller stays
    assert np.all(fit.table["extra_rate_per_minute"] < 0.1)
