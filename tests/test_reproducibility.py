"""Seeds reproduce runs bit for bit, whatever the number of workers; scenarios share customers."""

from __future__ import annotations

import pandas as pd

from analysis.runs.experiment import run_experiment
from sim.config import apply_overrides, parse_scenario
from sim.run import simulate

from .conftest import small_data


def test_same_seed_reproduces_records_exactly():
    scenario = parse_scenario(small_data(retrial={"probability": 0.5,
                                                  "delay": {"dist": "exponential", "mean": 5, "unit": "min"}}))
    first, second = simulate(scenario, seed=11), simulate(scenario, seed=11)
    pd.testing.assert_frame_equal(first.contacts, second.contacts, check_exact=True)
    pd.testing.assert_frame_equal(first.agent_duty, second.agent_duty, check_exact=True)
    assert not simulate(scenario, seed=12).contacts["arrival_time"].equals(first.contacts["arrival_time"])


def test_parallel_replications_equal_serial_ones():
    scenario = parse_scenario(small_data())
    serial = run_experiment(scenario, replications=3, seed=4, workers=1, show_progress=False)
    parallel = run_experiment(scenario, replications=3, seed=4, workers=2, show_progress=False)
    pd.testing.assert_frame_equal(serial.kpi_table(), parallel.kpi_table(), check_exact=True)
    pd.testing.assert_frame_equal(serial.intervals(), parallel.intervals(), check_exact=True)
    pd.testing.assert_frame_equal(serial.first_contacts, parallel.first_contacts, check_exact=True)


def test_staffing_change_keeps_the_same_customers():
    scenario = parse_scenario(small_data())
    more = apply_overrides(scenario, {"agent_groups.front.headcount": [4, 5, 5, 4]})
    a, b = simulate(scenario, seed=2).contacts, simulate(more, seed=2).contacts
    first_attempts = lambda table: table[table["attempt"] == 0][["arrival_time", "contact_type", "segment"]]  # noqa: E731
    pd.testing.assert_frame_equal(first_attempts(a).reset_index(drop=True), first_attempts(b).reset_index(drop=True))
